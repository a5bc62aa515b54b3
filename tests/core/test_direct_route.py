"""DirectRoute answers exactly as FastAPI's own route would for the same endpoint: the same
values reach the endpoint, the same 401, the same 422 for every bad parameter, and the same
OpenAPI operation."""

import uuid
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Query, Request, Response

from app.applications.models import ApplicationParams
from app.auth.deps import CallerDep
from app.core.errors import install_error_handlers
from app.shared.direct_route import DirectRoute, direct_get
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

    router.get("/plain/{record_id}", operation_id="plain")(echo)
    direct_get(router, "/direct/{record_id}", operation_id="direct")(echo)
    app.include_router(router)
    return app


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
    user = await register(client)
    app = _twin_app(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as http:
        for headers in (user["headers"], {}, {"Authorization": "Bearer nonsense"}):
            plain = await http.get(f"/plain/{record_id}?{query}", headers=headers)
            direct = await http.get(f"/direct/{record_id}?{query}", headers=headers)
            assert direct.status_code == plain.status_code
            body = direct.json()
            expected = plain.json()
            for document in (body, expected):
                if "instance" in document:
                    document["instance"] = document["instance"].replace("/plain", "/direct")
                if "path" in document:
                    document["path"] = document["path"].replace("/plain", "/direct")
            assert body == expected
            assert direct.headers.get("www-authenticate") == plain.headers.get("www-authenticate")


def test_openapi_operation_is_fastapis(settings) -> None:
    paths = _twin_app(settings).openapi()["paths"]
    plain = paths["/plain/{record_id}"]["get"]
    direct = paths["/direct/{record_id}"]["get"]
    assert {**direct, "operationId": "plain"} == plain


def test_refuses_parameters_it_cannot_read() -> None:
    async def odd(limit: int) -> Response:
        return Response()

    with pytest.raises(TypeError, match="limit"):
        DirectRoute("/odd", odd)
