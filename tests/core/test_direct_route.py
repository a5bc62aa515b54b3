"""DirectRoute answers exactly as FastAPI's own route would for the same endpoint: the same
values reach the endpoint, the same 401, the same 422 for every bad parameter or body, and the
same OpenAPI operation."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Query, Request, Response

from app.applications.models import ApplicationCreate, ApplicationParams
from app.core.errors import install_error_handlers
from app.core.identity import CallerDep
from app.shared.direct_route import DirectRoute, direct_get, direct_post
from app.shared.pagination import json_response
from tests.helpers import register


def _twin_app(settings: Any) -> FastAPI:
    """One endpoint served twice: by FastAPI's route at /plain, by DirectRoute at /direct."""
    app = FastAPI()
    app.state.settings = settings
    install_error_handlers(app)
    router = APIRouter()

    async def echo(
        record_id: uuid.UUID,
        params: Annotated[ApplicationParams, Query()],
        request: Request,
        caller: CallerDep,
    ) -> Response:
        return json_response(
            {
                "record_id": str(record_id),
                "params": params.model_dump(mode="json"),
                "caller": str(caller.id),
                "path": request.url.path,
            }
        )

    async def echo_body(body: ApplicationCreate, request: Request, caller: CallerDep) -> Response:
        return json_response({"body": body.model_dump(mode="json"), "caller": str(caller.id)})

    router.get("/plain/{record_id}", operation_id="plain")(echo)
    direct_get(router, "/direct/{record_id}", operation_id="direct")(echo)
    router.post("/plain", operation_id="plainPost", status_code=201)(echo_body)
    direct_post(router, "/direct", operation_id="directPost", status_code=201)(echo_body)
    app.include_router(router)
    return app


@asynccontextmanager
async def twins(
    client: httpx.AsyncClient, settings: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, list[dict[str, str]]]]:
    """A client of the twin app, and the authorizations to try: valid, none, garbage."""
    user = await register(client)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=_twin_app(settings)), base_url="http://test"
    ) as http:
        yield http, [user["headers"], {}, {"Authorization": "Bearer nonsense"}]


QUERIES = [
    "",
    "limit=7&cursor=abc&stage=applied&tag=x&q=acme&sort=-applied_on",
    "limit=1&limit=200",  # repeated: the last value
    "unknown=1&limit=3",  # extra keys ignored
    "limit=0",
    "limit=201",
    "limit=abc",
    "limit=",
    "stage=nope",
    "sort=sideways&stage=nope&limit=-1",
    "q=",
    "q=" + "x" * 201,
    "tag=a%00b",
    "cursor=" + "c" * 2001,
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("record_id", [str(uuid.uuid4()), "not-a-uuid"])
async def test_same_answers_as_fastapi(client, settings, query: str, record_id: str) -> None:
    async with twins(client, settings) as (http, tokens):
        for headers in tokens:
            plain = await http.get(f"/plain/{record_id}?{query}", headers=headers)
            direct = await http.get(f"/direct/{record_id}?{query}", headers=headers)
            assert_same_answer(direct, plain)


def assert_same_answer(direct: httpx.Response, plain: httpx.Response) -> None:
    """Status, body (paths aside) and WWW-Authenticate are the same."""
    assert direct.status_code == plain.status_code
    body = direct.json()
    expected = plain.json()
    for document in (body, expected):
        for key in ("instance", "path"):
            if key in document:
                document[key] = document[key].replace("/plain", "/direct")
    assert body == expected
    assert direct.headers.get("www-authenticate") == plain.headers.get("www-authenticate")


JSON = "application/json"
BODIES: list[tuple[str | None, bytes]] = [
    (JSON, b'{"company": "Acme", "role_title": "Engineer", "tags": ["a"]}'),
    (JSON, b'{"company": "Acme", "role_title": "Engineer", "id": "not-a-uuid"}'),
    (JSON, b'{"company": "Acme", "role_title": "Engineer", "salary_min": 9, "salary_max": 1}'),
    (JSON, b'{"company": "Acme", "role_title": "Engineer", "user_id": "x"}'),  # extra
    (JSON, b'{"company": 5, "role_title": "", "interest": "4", "stage": "nope"}'),
    (JSON, b'{"company": "Acme",'),  # not JSON
    (JSON, b"\xff\xfe"),  # not UTF-8
    (JSON, b""),
    (JSON, b"null"),
    (JSON, b"[1, 2]"),
    (JSON, b'"text"'),
    ("application/problem+json; charset=utf-8", b'{"company": "Acme", "role_title": "E"}'),
    ("text/plain", b'{"company": "Acme", "role_title": "Engineer"}'),
    ("application/x-www-form-urlencoded", b"company=Acme&role_title=Engineer"),
    (None, b'{"company": "Acme", "role_title": "Engineer"}'),
    (None, b""),
    ("application/json; nonsense", b'{"company": "Acme", "role_title": "Engineer"}'),
]


@pytest.mark.parametrize(("content_type", "content"), BODIES)
async def test_same_answers_to_bodies(client, settings, content_type, content) -> None:
    async with twins(client, settings) as (http, tokens):
        for auth in tokens:
            headers = {**auth, **({"Content-Type": content_type} if content_type else {})}
            plain = await http.post("/plain", content=content, headers=headers)
            direct = await http.post("/direct", content=content, headers=headers)
            assert_same_answer(direct, plain)


@pytest.mark.parametrize(("plain_path", "direct_path", "method"), [
    ("/plain/{record_id}", "/direct/{record_id}", "get"),
    ("/plain", "/direct", "post"),
])  # fmt: skip
def test_openapi_operation_is_fastapis(settings, plain_path, direct_path, method) -> None:
    paths = _twin_app(settings).openapi()["paths"]
    plain = paths[plain_path][method]
    direct = paths[direct_path][method]
    plain_id = plain["operationId"]
    assert {**direct, "operationId": plain_id} == plain


def test_refuses_parameters_it_cannot_read() -> None:
    async def odd(limit: int) -> Response:
        return Response()

    with pytest.raises(TypeError, match="limit"):
        DirectRoute("/odd", odd)
