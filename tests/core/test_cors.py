"""CORS: closed unless CORS_ORIGINS names the browser origins allowed to call the API."""

import httpx

from tests.helpers import client_of

ALLOWED = "https://app.example"
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type",
}


async def preflight(client: httpx.AsyncClient, origin: str) -> httpx.Response:
    return await client.options("/v1/applications", headers={"Origin": origin, **PREFLIGHT})


async def test_by_default_no_origin_is_allowed(client):
    answer = await preflight(client, ALLOWED)
    simple = await client.get("/healthz", headers={"Origin": ALLOWED})

    assert answer.status_code != 200
    assert "access-control-allow-origin" not in answer.headers
    assert "access-control-allow-origin" not in simple.headers


async def test_a_configured_origin_may_call_and_read_rate_limits(app_with):
    open_to_app = app_with(cors_origins=[ALLOWED, "https://admin.example"])
    async with client_of(open_to_app) as client:
        answer = await preflight(client, ALLOWED)
        simple = await client.get("/healthz", headers={"Origin": ALLOWED})

    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in answer.headers["access-control-allow-methods"]
    assert simple.headers["access-control-allow-origin"] == ALLOWED
    assert "retry-after" in simple.headers["access-control-expose-headers"].lower()


async def test_other_origins_are_refused(app_with):
    open_to_app = app_with(cors_origins=[ALLOWED])
    async with client_of(open_to_app) as client:
        answer = await preflight(client, "https://evil.example")
        simple = await client.get("/healthz", headers={"Origin": "https://evil.example"})

    assert answer.status_code == 400
    assert "access-control-allow-origin" not in answer.headers
    assert "access-control-allow-origin" not in simple.headers
