"""Private by default on the wire (issue 17, finding 10): no cache keeps an API answer or serves
it to another token, the guidance catalogue (cacheable by design) aside; the docs pages carry a
Content-Security-Policy their own assets satisfy (the browser tests load them under it)."""

import base64
import hashlib
import re

import pytest

from tests.helpers import register
from tests.resources.factories_sync import create_application


async def private_requests(client) -> list[tuple[str, str, dict]]:
    user = await register(client)
    record = await create_application(client, user["headers"])
    h = user["headers"]
    return [
        ("GET", "/v1/me", h),
        ("GET", "/v1/applications", h),
        ("GET", f"/v1/applications/{record['id']}", h),
        ("GET", "/v1/insights", h),
        ("GET", "/v1/agenda", h),
        ("GET", "/v1/me/export", h),
        ("POST", "/v1/applications", h),  # 422: errors are private too
        ("GET", "/v1/applications", {}),  # 401
        ("GET", "/v1/applications/not-an-id", h),  # 422
    ]


async def test_every_private_answer_says_no_store_and_varies_by_token(client):
    for method, path, headers in await private_requests(client):
        response = await client.request(method, path, headers=headers)

        assert response.headers["cache-control"] == "no-store", (method, path)
        assert "Authorization" in response.headers["vary"], (method, path)
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("form", [{"username": "nobody@example.com", "password": "wrong-password"}])
async def test_sign_in_answers_are_not_stored_either(client, form):
    user = await register(client)
    signed_in = await client.post(
        "/v1/auth/token", data={"username": user["email"], "password": "correct horse battery"}
    )
    refused = await client.post("/v1/auth/token", data=form)

    for response in (signed_in, refused):
        assert response.headers["cache-control"] == "no-store"


async def test_the_guidance_catalogue_keeps_its_own_caching(client):
    user = await register(client)

    response = await client.get("/v1/guidance/reasons", headers=user["headers"])

    assert response.status_code == 200
    assert response.headers["cache-control"].endswith("max-age=3600")


async def test_a_cors_vary_keeps_its_origin_and_gains_authorization(client):
    user = await register(client)
    response = await client.get(
        "/v1/me", headers={**user["headers"], "Origin": "https://app.example"}
    )

    varies = {part.strip() for part in response.headers["vary"].split(",")}
    assert "Authorization" in varies
    assert len(response.headers.get_list("vary")) == 1


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect"])
async def test_the_docs_pages_carry_a_policy_that_admits_only_their_own_scripts(client, path):
    response = await client.get(path)
    policy = dict(
        part.strip().split(" ", 1)
        for part in response.headers["content-security-policy"].split(";")
    )

    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy["script-src"]
    assert "unsafe-eval" not in policy["script-src"]
    for script in re.findall(r"<script>(.*?)</script>", response.text, re.S):
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy["script-src"]
