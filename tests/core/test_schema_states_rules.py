"""Rules a JSON Schema can state are stated in the served OpenAPI document, so that generators
and Schemathesis know them before sending: no U+0000 in text, a 429 on every write and a 503
on every operation that uses the database (each with Retry-After), and time-zone names that
each get an identifier of their own in generated enums."""

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers import register

WRITES = {"put", "post", "patch", "delete"}
METHODS = {"get", *WRITES}
# Text holding U+0000 in the shapes the fields take (free text, URLs, emails, tokens).
WITH_NUL = [
    "\x00",
    "a\x00",
    "\x00a",
    "Acme \x00 Ltd",
    "https://example.com/\x00",
    "dana@ex\x00.com",
]


@pytest.fixture
async def document(client) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def text_in(schema: dict[str, Any], document: dict[str, Any], where: str) -> Iterator[Any]:
    """(where, schema) of every string a value of `schema` may hold (an object's `anyOf` of
    required properties adds no text of its own)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        yield from text_in(document["components"]["schemas"][name], document, name)
        return
    for name, field in schema.get("properties", {}).items():
        yield from text_in(field, document, f"{where}.{name}")
    if "properties" not in schema:
        for option in schema.get("anyOf", []) + schema.get("oneOf", []):
            yield from text_in(option, document, where)
    if isinstance(schema.get("items"), dict):
        yield from text_in(schema["items"], document, f"{where}[]")
    if schema.get("type") == "string":
        yield where, schema


def admits_nul(schema: dict[str, Any]) -> bool:
    if {"enum", "const", "format"} & schema.keys():
        return False
    pattern = schema.get("pattern")
    return pattern is None or any(re.search(pattern, text) for text in WITH_NUL)


def test_no_text_a_request_body_takes_admits_u0000(document):
    text = [
        (f"{method.upper()} {path} {where}", schema)
        for method, path, operation in operations(document)
        for media, content in operation.get("requestBody", {}).get("content", {}).items()
        if media == "application/json"
        for where, schema in text_in(content["schema"], document, "body")
    ]

    assert len(text) > 100  # every body's text was walked
    assert [name for name, schema in text if admits_nul(schema)] == []


def test_no_list_filter_admits_u0000(document):
    filters = [
        (f"{path}?{parameter['name']}", schema)
        for method, path, operation in operations(document)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
        for _, schema in text_in(parameter["schema"], document, parameter["name"])
    ]

    assert {"/v1/applications?q", "/v1/contacts?tag", "/v1/outcomes?cursor"} <= {
        name for name, _ in filters
    }
    assert [name for name, schema in filters if admits_nul(schema)] == []


async def test_what_the_schema_refuses_the_api_refuses(client):
    user = await register(client)

    response = await client.post(
        "/v1/applications",
        json={"company": "Acme\x00", "role_title": "Engineer"},
        headers=user["headers"],
    )
    listed = await client.get("/v1/applications", params={"q": "a\x00"}, headers=user["headers"])

    assert response.status_code == 422
    assert listed.status_code == 422


def retry_later(response: dict[str, Any] | None) -> bool:
    return (
        response is not None
        and "Retry-After" in response.get("headers", {})
        and "application/problem+json" in response.get("content", {})
    )


def test_every_write_documents_429_with_retry_after(document):
    # The per-user write limit counts every write carrying a valid token, sign-out included.
    undocumented = [
        f"{method.upper()} {path}"
        for method, path, operation in operations(document)
        if method in WRITES and not retry_later(operation["responses"].get("429"))
    ]

    assert undocumented == []


def test_every_operation_on_the_database_documents_503_with_retry_after(document):
    # The guidance catalogues are read from memory; everything else under /v1 reads the database.
    undocumented = [
        f"{method.upper()} {path}"
        for method, path, operation in operations(document)
        if path.startswith("/v1/") and not path.startswith("/v1/guidance/")
        if not retry_later(operation["responses"].get("503"))
    ]

    assert "POST /v1/auth/logout" in {
        f"{method.upper()} {path}" for method, path, _ in operations(document)
    }
    assert undocumented == []


def test_every_time_zone_gets_an_identifier_of_its_own(document):
    register_body = document["components"]["schemas"]["UserRegister"]
    zones = register_body["properties"]["timezone"]
    names = dict(zip(zones["enum"], zones["x-enum-varnames"], strict=True))

    assert len(set(names.values())) == len(names)
    assert all(re.fullmatch(r"[A-Z][A-Z0-9_]*", name) for name in names.values())
    assert {names["GMT+0"], names["GMT-0"], names["GMT0"]} == {"GMT_PLUS_0", "GMT_MINUS_0", "GMT0"}
    assert names["Etc/GMT+1"] != names["Etc/GMT-1"]


@pytest.mark.parametrize("zone", ["GMT+0", "GMT-0", "Etc/GMT+1"])
async def test_the_names_clients_send_today_still_work(client, zone):
    user = await register(client, timezone=zone)

    assert user["user"]["timezone"] == zone
