"""The OpenAPI document clients generate code from: problem documents everywhere, stable ids."""

from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from app.core.database import get_database
from app.core.errors import PROBLEM_JSON, RETRY_AFTER_HEADER, Problem
from app.shared.json_input import state_nul_free
from app.shared.pagination import PageParams

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_LICENSE = {"name": "MIT", "identifier": "MIT"}  # pyproject.toml's
# Each deployment serves its own document: requests go to the server that served it.
_SERVERS = [{"url": "/", "description": "The server that serves this document."}]
# Shown as section introductions in /docs and /redoc, in this order.
_TAGS = {
    "auth": "Register, sign in (OAuth2 password form), refresh and sign out.",
    "me": "The signed-in user's profile, password, export, import and account deletion.",
    "applications": "Job applications: the company, the role and where the process stands.",
    "interviews": "Interviews of an application, with who took part and how it went.",
    "outcomes": "What the company decided, and the reasons stated or suspected.",
    "feedback": "Conversations asking for feedback after a decision, from request to takeaways.",
    "reflections": "The user's private reflection after an outcome, and the next steps.",
    "contacts": "People met along the way: recruiters, interviewers, referrers.",
    "companies": "The user's employers, each with every application, outcome and contact there.",
    "intake": "Read a pasted email or a job posting into drafts to post; nothing is written.",
    "guidance": "Read-only catalogues: rejection reasons, prompts, questions, next steps.",
    "insights": "Numbers about the user's search, computed from their records.",
    "agenda": "What needs the user's attention now.",
    "sync": "The change feed: every collection's changes in one walk (see Syncing above).",
    "operations": "Liveness and readiness of the service.",
}
_METHODS = {"get", "put", "post", "patch", "delete"}
_WRITES = {"put", "post", "patch", "delete"}


def _problem_only(responses: dict[str, Any]) -> None:
    for status, response in responses.items():
        if status.isdigit() and int(status) >= 400:
            response["content"] = {PROBLEM_JSON: {"schema": _PROBLEM_REF}}


def summaries_from_docstrings(router: APIRouter) -> APIRouter:
    """A handler's one-line docstring is the summary client docs show (unless it set one).
    Called on a router before it is included: the app keeps what a route said then."""
    for route in router.routes:
        if isinstance(route, APIRoute) and route.summary is None and route.description:
            route.summary = route.description.strip().split(". ")[0].splitlines()[0].rstrip(".")
    return router


def _described_tags(app: FastAPI) -> list[dict[str, str]]:
    """Every tag an operation uses, described (`make lint-openapi` fails on a tag left out)."""
    routes = (context.original_route for context in iter_route_contexts(app.routes))
    used = {tag for route in routes for tag in getattr(route, "tags", ())}
    return [
        {"name": tag, **({"description": _TAGS[tag]} if tag in _TAGS else {})}
        for tag in [*(t for t in _TAGS if t in used), *sorted(used - _TAGS.keys())]
    ]


def _link_created_records(paths: dict[str, Any]) -> None:
    """`POST /v1/x` answers with the record that `…/v1/x/{record_id}…` operations take: say so
    with OpenAPI links (docs show them; Schemathesis's stateful phase follows them)."""
    for path, item in paths.items():
        create = item.get("post")
        if create is None:
            continue
        by_id = f"{path}/{{record_id}}"
        targets = [
            operation["operationId"]
            for other, other_item in paths.items()
            if other == by_id or other.startswith(by_id + "/")
            for method, operation in other_item.items()
            if method in _METHODS
        ]
        links = {
            target[0].upper() + target[1:]: {
                "operationId": target,
                "parameters": {"record_id": "$response.body#/id"},
            }
            for target in targets
        }
        for status in ("200", "201"):
            if links and status in create.get("responses", {}):
                create["responses"][status]["links"] = links


def _state_list_filters_nul_free(app: FastAPI, paths: dict[str, Any]) -> None:
    """List filters refuse U+0000 (`PageParams`), as request bodies do; FastAPI documents a
    query model field by field, from each field's own schema, so the rule is added here."""
    filters: dict[str, set[str]] = {}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.operation_id:
            models = [param.field_info.annotation for param in route.dependant.query_params]
            filters[route.operation_id] = {
                name
                for model in models
                if isinstance(model, type) and issubclass(model, PageParams)
                for name in model.model_fields
            }
    for item in paths.values():
        for method, operation in item.items():
            names = filters.get(operation.get("operationId"), set()) if method in _METHODS else ()
            for parameter in operation.get("parameters", ()):
                if parameter["in"] == "query" and parameter["name"] in names:
                    state_nul_free(parameter["schema"])


def _uses_database(dependant: Dependant) -> bool:
    return any(
        dependency.call is get_database or _uses_database(dependency)
        for dependency in dependant.dependencies
    )


def _document_retry_later(app: FastAPI, paths: dict[str, Any]) -> None:
    """Every 429 and 503 an operation can answer, documented with `Retry-After` (unless the
    route's `responses=` did): 429 on every write, since the per-user write limit counts any
    write carrying a valid token, public routes' included (app/core/ratelimit.py); 503 on every
    operation that uses the database, which may be down or busy (app/core/unavailable.py)."""
    on_database = {
        context.original_route.operation_id
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute) and _uses_database(context.dependant)
    }
    for item in paths.values():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            statuses = [429] if method in _WRITES else []
            statuses += [503] if operation.get("operationId") in on_database else []
            for status in statuses:
                operation.setdefault("responses", {}).setdefault(
                    str(status),
                    {
                        "description": HTTPStatus(status).phrase,
                        "headers": RETRY_AFTER_HEADER,
                        "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF}},
                    },
                )


def _document_unsupported_media_types(paths: dict[str, Any]) -> None:
    """Every operation that reads a body answers 415 to a body sent as another media type, or
    with no `Content-Type` (app/core/errors.py)."""
    for item in paths.values():
        for method, operation in item.items():
            if method not in _METHODS or "requestBody" not in operation:
                continue
            media_types = " or ".join(f"`{name}`" for name in operation["requestBody"]["content"])
            operation["responses"].setdefault(
                "415",
                {
                    "description": f"Unsupported Media Type: send the body as {media_types}.",
                    "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF}},
                },
            )


def build_openapi(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
        servers=_SERVERS,
        license_info=_LICENSE,
        tags=app.openapi_tags or _described_tags(app),
    )
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(schemas["Problem"].pop("$defs", {}))
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for path in schema["paths"].values():
        for method, operation in path.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            if operation.get("security"):
                responses.setdefault("401", {"description": "Missing or invalid access token"})
            else:
                operation["security"] = []  # public, said explicitly (no token is sent)
            _problem_only(responses)
    _document_unsupported_media_types(schema["paths"])
    _link_created_records(schema["paths"])
    _state_list_filters_nul_free(app, schema["paths"])
    _document_retry_later(app, schema["paths"])
    return schema


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
