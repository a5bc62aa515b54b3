"""RFC 9457 problem details: one error type, one set of handlers, one documented schema."""

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

logger = logging.getLogger("rebound.errors")

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://rebound.dev/problems/"


class FieldError(BaseModel):
    field: str = Field(description="Where the bad value is, e.g. `body.company`.")
    message: str
    code: str = Field(description="A stable machine-readable code, e.g. `string_too_long`.")


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(examples=[TYPE_BASE + "not-found"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["No application with this id."])
    instance: str | None = Field(default=None, description="The path that failed.")
    errors: list[FieldError] | None = Field(
        default=None, description="For validation errors: each bad field."
    )
    allowed: list[str] | None = Field(
        default=None, description="When a transition was refused: the states allowed from here."
    )


class ProblemError(Exception):
    """Raise anywhere: the handler renders it as a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        slug: str | None = None,
        errors: Sequence[FieldError] | None = None,
        allowed: Sequence[str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.slug = slug or HTTPStatus(status).phrase.lower().replace(" ", "-")
        self.errors = list(errors) if errors is not None else None
        self.allowed = list(allowed) if allowed is not None else None
        self.headers = headers


def not_found(what: str) -> ProblemError:
    return ProblemError(404, f"No {what} with this id.")


def problem_response(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    instance: str | None = None,
    errors: Sequence[FieldError] | None = None,
    allowed: Sequence[str] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": TYPE_BASE + (slug or phrase.lower().replace(" ", "-")),
        "title": phrase,
        "status": status,
        "detail": detail,
    }
    if instance is not None:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = [e.model_dump() for e in errors]
    if allowed is not None:
        body["allowed"] = list(allowed)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


# Messages of these error kinds can quote a fragment of the input; say it in our own words.
_QUOTING_ERRORS = {
    "uuid_parsing": "Input should be a valid UUID.",
    "json_invalid": "The request body is not valid JSON.",
    "date_from_datetime_parsing": "Input should be a date (YYYY-MM-DD).",
    "date_parsing": "Input should be a date (YYYY-MM-DD).",
    "datetime_parsing": "Input should be an RFC 3339 timestamp.",
    "datetime_from_date_parsing": "Input should be an RFC 3339 timestamp.",
    "url_parsing": "Input should be a valid URL.",
    "value_error": "Value is not valid.",
}


def field_errors(raw: Sequence[Any]) -> list[FieldError]:
    """Name each bad field without ever echoing what was sent (passwords, journal text)."""
    out = []
    for err in raw:
        code = err.get("type", "invalid")
        message = _QUOTING_ERRORS.get(code, err.get("msg", "Invalid value."))
        if code == "value_error" and "ctx" in err:
            # Our own validators raise ValueError with messages that never include input.
            message = str(err["ctx"].get("error", message))
        field = ".".join(str(part) for part in err.get("loc", ()))
        out.append(FieldError(field=field, message=message, code=code))
    return out


async def _problem_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(
        exc.status,
        exc.detail,
        slug=exc.slug,
        instance=request.url.path,
        errors=exc.errors,
        allowed=exc.allowed,
        headers=exc.headers,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return problem_response(
        422,
        "The request is not valid: see `errors`.",
        slug="validation-error",
        instance=request.url.path,
        errors=field_errors(exc.errors()),
    )


_UNREADABLE_BODY = "There was an error parsing the body"


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == _UNREADABLE_BODY:
        # FastAPI's answer to a body that is not UTF-8: the same 422 as any other bad JSON.
        return problem_response(
            422,
            "The request is not valid: see `errors`.",
            slug="validation-error",
            instance=request.url.path,
            errors=[
                FieldError(
                    field="body", message=_QUOTING_ERRORS["json_invalid"], code="json_invalid"
                )
            ],
        )
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code == 404 and detail == "Not Found":
        detail = "There is nothing at this path."
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405:
        detail = f"{request.method} is not allowed on this path."
        headers["Allow"] = _allowed_methods(request)
    return problem_response(exc.status_code, detail, instance=request.url.path, headers=headers)


def _allowed_methods(request: Request) -> str:
    """Every method of every route on this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for context in iter_route_contexts(request.app.routes):
        if (
            context.methods
            and context.path
            and compile_path(context.path)[0].match(request.url.path)
        ):
            methods |= context.methods
    return ", ".join(sorted(methods))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry that documents problem documents for these statuses."""
    return {
        status: {
            "model": Problem,
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            **({"headers": RETRY_AFTER_HEADER} if status in (429, 503) else {}),
        }
        for status in statuses
    }


# Documented on every 429 (app/core/ratelimit.py) and 503 (retry later).
RETRY_AFTER_HEADER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 1},
    }
}
