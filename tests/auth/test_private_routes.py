"""Every route is private unless listed in public_routes.py: without a token it answers 401.

The routes are read from the app itself, so a route added later is covered without a new test."""

import re
import uuid

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from tests.auth.public_routes import PUBLIC
from tests.helpers import assert_problem

_PATH_PARAM = re.compile(r"\{[^}]+\}")


def api_operations(app) -> set[tuple[str, str]]:
    """(method, path) of every APIRoute, including those of included (and nested) routers,
    which `app.routes` only holds as `_IncludedRouter` entries."""
    return {
        (method, context.path)
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        for method in context.methods
    }


def private_operations(app) -> list[tuple[str, str]]:
    return sorted(api_operations(app) - PUBLIC)


def test_the_public_list_names_only_routes_that_exist(app):
    assert api_operations(app) >= PUBLIC


def test_the_walk_finds_the_routes_of_included_routers(app):
    assert set(private_operations(app)) >= {
        ("GET", "/v1/me"),
        ("PATCH", "/v1/me"),
        ("DELETE", "/v1/me"),
        ("POST", "/v1/me/password"),
    }


async def test_every_private_route_refuses_a_request_without_a_token(app, client):
    answers = {}
    for method, path in private_operations(app):
        url = _PATH_PARAM.sub(lambda _: str(uuid.uuid4()), path)

        response = await client.request(method, url)

        headers = response.headers
        answers[f"{method} {path}"] = (
            response.status_code,
            headers.get("content-type"),
            headers.get("www-authenticate"),
        )
    refused = (401, "application/problem+json", "Bearer")
    assert {operation: answer for operation, answer in answers.items() if answer != refused} == {}


@pytest.mark.parametrize("scheme", ["Basic dXNlcjpwYXNz", "Bearer", "Token abc"])
async def test_an_authorization_header_that_is_not_a_bearer_token_is_refused(client, scheme):
    response = await client.get("/v1/me", headers={"Authorization": scheme})

    assert_problem(response, 401)
