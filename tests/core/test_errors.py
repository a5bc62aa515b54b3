"""Every failure is a problem document, and every response carries a request id and the
security headers."""

from collections.abc import AsyncIterator

import httpx
import pytest

from app.main import close_connections, create_app
from tests.helpers import PASSWORD, assert_problem, register


@pytest.fixture
async def failing_client(migrated) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a fresh app with one route that fails with an unexpected exception."""
    failing_app = create_app(migrated)

    @failing_app.get("/v1/boom")
    async def boom() -> None:
        raise RuntimeError("db password is hunter2")

    transport = httpx.ASGITransport(app=failing_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
    await close_connections(failing_app)


async def test_an_unknown_path_is_a_not_found_problem(client):
    response = await client.get("/v1/nowhere")

    problem = assert_problem(response, 404)
    assert problem["instance"] == "/v1/nowhere"


async def test_a_method_the_path_does_not_have_is_a_problem(client):
    response = await client.put("/v1/me", json={})

    assert_problem(response, 405)


async def test_a_method_not_allowed_lists_every_method_the_path_has(client):
    response = await client.put("/v1/me", json={})

    allowed = {method.strip() for method in response.headers["allow"].split(",")}
    assert allowed >= {"GET", "PATCH", "DELETE"}


async def test_a_malformed_json_body_is_a_validation_problem(client):
    response = await client.post(
        "/v1/auth/register",
        content=b'{"email": "ada@example.com", "password": "hunter2-hunter2',
        headers={"Content-Type": "application/json"},
    )

    problem = assert_problem(response, 422)
    assert [error["code"] for error in problem["errors"]] == ["json_invalid"]
    assert "hunter2" not in response.text


async def test_an_unexpected_error_is_a_500_problem_without_internals(failing_client):
    response = await failing_client.get("/v1/boom")

    problem = assert_problem(response, 500)
    assert problem["instance"] == "/v1/boom"
    for leak in ("Traceback", "RuntimeError", "hunter2", "boom()", ".py"):
        assert leak not in response.text


async def test_an_unexpected_error_still_has_a_request_id_and_security_headers(failing_client):
    response = await failing_client.get("/v1/boom", headers={"X-Request-ID": "trace-500"})

    assert response.headers.get("x-request-id") == "trace-500"
    assert response.headers.get("x-content-type-options") == "nosniff"


async def test_a_body_over_the_limit_with_content_length_is_refused(client, settings):
    response = await client.post(
        "/v1/auth/register",
        content=b"x" * (settings.max_body_bytes + 1),
        headers={"Content-Type": "application/json"},
    )

    assert response.request.headers["content-length"] == str(settings.max_body_bytes + 1)
    assert_problem(response, 413)


async def test_a_streamed_body_over_the_limit_is_refused(client, settings):
    chunk = b"x" * 64 * 1024

    async def stream() -> AsyncIterator[bytes]:
        for _ in range(settings.max_body_bytes // len(chunk) + 1):
            yield chunk

    response = await client.post(
        "/v1/auth/register", content=stream(), headers={"Content-Type": "application/json"}
    )

    assert "content-length" not in response.request.headers
    assert_problem(response, 413)


async def test_a_body_exactly_at_the_limit_is_read(client, settings):
    start, end = b'{"email": "ada@example.com", "password": "', b'"}'
    body = start + b"p" * (settings.max_body_bytes - len(start) - len(end)) + end

    response = await client.post(
        "/v1/auth/register", content=body, headers={"Content-Type": "application/json"}
    )

    assert len(body) == settings.max_body_bytes
    assert {error["field"] for error in assert_problem(response, 422)["errors"]} == {
        "body.password"
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/healthz"), ("GET", "/v1/nowhere"), ("POST", "/v1/auth/token")],
    ids=["ok", "not-found", "validation-error"],
)
async def test_every_response_has_a_request_id_and_security_headers(client, method, path):
    response = await client.request(method, path)

    assert len(response.headers["x-request-id"]) >= 16
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_each_response_gets_its_own_request_id(client):
    first = await client.get("/healthz")
    second = await client.get("/healthz")

    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_a_valid_client_request_id_is_echoed(client):
    user = await register(client)

    response = await client.post(
        "/v1/auth/token",
        data={"username": user["email"], "password": PASSWORD},
        headers={"X-Request-ID": "mobile-app:4f1c.9"},
    )

    assert response.headers["x-request-id"] == "mobile-app:4f1c.9"


@pytest.mark.parametrize(
    "given", ["has spaces in it", "x" * 129, "<script>"], ids=["spaces", "too-long", "markup"]
)
async def test_an_invalid_client_request_id_is_replaced(client, given):
    response = await client.get("/healthz", headers={"X-Request-ID": given})

    assert response.headers["x-request-id"] not in {"", given}
