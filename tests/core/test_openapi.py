"""The OpenAPI document clients generate code from: stable ids, problem documents for every
error, the OAuth2 password flow, and the committed copy equal to what the app serves."""

import json
import re
from typing import Any

import pytest

from app.openapi_export import render
from tests.auth.public_routes import PUBLIC_API, TOKEN_OPTIONAL_API
from tests.conftest import ROOT

HTTP_METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}
PUBLIC_OPERATIONS = {f"{method} {path}" for method, path in PUBLIC_API}
TOKEN_OPTIONAL_OPERATIONS = {f"{method} {path}" for method, path in TOKEN_OPTIONAL_API}
OPERATION_ID = re.compile(r"^[a-z][A-Za-z]+$")
PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


@pytest.fixture
def document(app) -> dict[str, Any]:
    return app.openapi()


def test_every_operation_has_a_unique_camel_case_id(document):
    ids = [operation.get("operationId", "") for operation in operations(document).values()]

    assert [i for i in ids if not OPERATION_ID.match(i)] == []
    assert len(ids) == len(set(ids))


def test_every_operation_has_a_summary_and_a_tag(document):
    undocumented = [
        name
        for name, operation in operations(document).items()
        if not operation.get("summary") or not operation.get("tags")
    ]

    assert undocumented == []


def test_sign_in_is_the_oauth2_password_flow_at_the_token_endpoint(document):
    schemes = document["components"]["securitySchemes"]

    flows = [scheme["flows"] for scheme in schemes.values() if scheme["type"] == "oauth2"]

    assert [flow["password"]["tokenUrl"] for flow in flows] == ["/v1/auth/token"]


def test_private_operations_require_a_token_and_document_401(document):
    scheme = next(iter(document["components"]["securitySchemes"]))
    # `{}`: the requirement a request without a token meets (a sent token is still checked).
    optional = [{scheme: []}, {}]
    wrong = [
        name
        for name, operation in operations(document).items()
        if name not in PUBLIC_OPERATIONS
        and (
            operation.get("security")
            != (optional if name in TOKEN_OPTIONAL_OPERATIONS else [{scheme: []}])
            or "401" not in operation["responses"]
        )
    ]

    assert wrong == []


def test_public_operations_require_no_token(document):
    public = {name: op for name, op in operations(document).items() if name in PUBLIC_OPERATIONS}

    assert public.keys() == PUBLIC_OPERATIONS
    assert [name for name, operation in public.items() if operation.get("security")] == []


def test_every_error_response_is_a_problem_document(document):
    not_problems = [
        (name, status)
        for name, operation in operations(document).items()
        for status, response in operation["responses"].items()
        if (not status.isdigit() or int(status) >= 400)
        and response.get("content") != PROBLEM_CONTENT
    ]

    assert not_problems == []
    assert "Problem" in document["components"]["schemas"]
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_the_committed_document_is_what_the_export_renders():
    committed = json.loads((ROOT / "openapi" / "openapi.json").read_text())

    assert committed == json.loads(render()), "run `make openapi` and commit the result"


async def test_the_committed_document_is_what_the_app_serves(client):
    committed = json.loads((ROOT / "openapi" / "openapi.json").read_text())

    response = await client.get("/openapi.json")

    assert response.json() == committed, "run `make openapi` and commit the result"
