"""The suite's client fails any test whose response differs from openapi/openapi.json: proven
here against a server that answers what the document does not allow, and on real responses."""

import json
from typing import Any

import httpx
import pytest

from tests import openapi_validation
from tests.helpers import register
from tests.openapi_validation import OpenAPIResponseChecker, Report, ResponseContractError
from tests.resources.factories import create_application

PROBLEM = {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "No such thing."}
PROBLEM_JSON = {"content-type": "application/problem+json"}
RECORD = "/v1/applications/0b5c5c5c-5c5c-4c5c-8c5c-5c5c5c5c5c5c"


@pytest.fixture(autouse=True)
def report(monkeypatch: pytest.MonkeyPatch) -> Report:
    """A report of this test alone: what it counts stays out of the run's summary."""
    fresh = Report()
    monkeypatch.setattr(openapi_validation, "REPORT", fresh)
    return fresh


def serving(status: int, **response: Any) -> httpx.AsyncClient:
    """A client with the checker whose server answers every request with this response."""

    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, **response)

    return httpx.AsyncClient(
        transport=httpx.MockTransport(handler),
        base_url="http://test",
        event_hooks={"response": [OpenAPIResponseChecker()]},
    )


async def fails(method: str, path: str, status: int, **response: Any) -> str:
    async with serving(status, **response) as http:
        with pytest.raises(ResponseContractError) as raised:
            await http.request(method, path)
    return str(raised.value)


async def passes(method: str, path: str, status: int, **response: Any) -> None:
    async with serving(status, **response) as http:
        await http.request(method, path)


@pytest.mark.parametrize(
    ("path", "status", "response", "expected"),
    [
        pytest.param("/healthz", 200, {"json": {}}, "'status' is a required property", id="req"),
        pytest.param("/healthz", 200, {"json": {"status": 1}}, "at $.status", id="type"),
        pytest.param("/healthz", 200, {"json": [1]}, "is not of type 'object'", id="top"),
        pytest.param("/healthz", 200, {"text": "ok"}, "mimetype not found", id="media-type"),
        pytest.param("/healthz", 200, {}, "MissingData", id="no-body"),
        pytest.param(
            RECORD,
            404,
            {"json": {**PROBLEM, "title": None}, "headers": PROBLEM_JSON},
            "at $.title",
            id="problem-field",
        ),
        pytest.param(
            RECORD,
            404,
            {"json": PROBLEM},
            "mimetype not found: application/json",
            id="problem-as-json",
        ),
        pytest.param(RECORD, 304, {"content": b"{}"}, "where the document gives none", id="304"),
        pytest.param(
            "/readyz",
            503,
            {"json": {**PROBLEM, "status": 503}, "headers": {**PROBLEM_JSON, "retry-after": "x"}},
            "Retry-After",
            id="header",
        ),
    ],
)
async def test_a_response_the_document_does_not_allow_fails_the_request(
    path: str, status: int, response: dict[str, Any], expected: str, report: Report
) -> None:
    message = await fails("GET", path, status, **response)

    assert expected in message
    assert report.validated == 1


async def test_a_documented_response_passes(report: Report) -> None:
    await passes("GET", "/healthz", 200, json={"status": "ok"})
    await passes("GET", RECORD, 404, json=PROBLEM, headers=PROBLEM_JSON)
    await passes("GET", RECORD, 304)
    await passes("DELETE", RECORD, 204)

    assert report.validated == 4


async def test_a_real_record_passes_and_the_same_record_spoiled_fails(client) -> None:
    user = await register(client)
    record = await create_application(client, user["headers"])
    path = f"/v1/applications/{record['id']}"
    headers = {"etag": '"1"'}

    await passes("GET", path, 200, json=record, headers=headers)
    for field, value, expected in [
        ("stage", "daydreaming", "at $.stage: 'daydreaming' is not one of"),
        ("id", "not-a-uuid", "at $.id: 'not-a-uuid' is not a 'uuid'"),
        ("updated_at", "yesterday", "at $.updated_at: 'yesterday' is not a 'date-time'"),
        ("interest", 6, "at $.interest: 6 is greater than the maximum of 5"),
    ]:
        spoiled = {**record, field: value}
        assert expected in await fails("GET", path, 200, json=spoiled, headers=headers)


async def test_an_undocumented_status_is_reported_not_failed(report: Report) -> None:
    await passes("GET", RECORD, 418, json={"whatever": True})

    assert report.validated == 1
    [(key, (count, _test))] = report.undocumented.items()
    assert key == ("getApplication", "GET", "/v1/applications/{record_id}", 418)
    assert count == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/docs"), ("GET", "/openapi.json"), ("GET", "/static/x.js"), ("PUT", RECORD)],
)
async def test_a_request_outside_the_document_is_not_validated(
    method: str, path: str, report: Report
) -> None:
    await passes(method, path, 200, text=json.dumps({"not": "documented"}))

    assert (report.validated, report.skipped) == (0, {f"{method} {path}": 1})
