"""RFC 9457 problem details: one error type, one set of handlers, one documented schema."""

import email.message
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
    detail: str = Field(examples=["No application with this id exists in your account."])
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
    return ProblemError(
        404,
        f"No {what} with this id exists in your account; it may have been deleted. Refresh "
        "your copy of the data before using this id again.",
    )


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
        if code == "missing" and field == "body":
            message = "The request has no body: send one as JSON (`application/json`)."
        elif message == "Field required":
            message = "This field is required."
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
    raw = exc.errors()
    if (refused := _unsupported_media_type(request, raw, exc.body)) is not None:
        return refused
    malformed = next((err for err in raw if err.get("type") == "json_invalid"), None)
    if malformed is not None:
        reason = _json_error_position(malformed, exc.body)
        return _malformed_json(request, reason, "Fix the JSON there and send it again.")
    errors = field_errors(raw)
    return problem_response(
        422,
        _validation_detail(errors),
        slug="validation-error",
        instance=request.url.path,
        errors=errors,
    )


def continue_sentence(text: str) -> str:
    """`text` after a colon: its first letter lower-cased, unless it starts an acronym."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _validation_detail(errors: Sequence[FieldError]) -> str:
    """The first bad field in the detail itself: often the only one, and a log line shows it."""
    if not errors:
        return "The request is not valid; fix it and send it again."
    first = errors[0]
    reason = continue_sentence(first.message.rstrip("."))
    if len(errors) == 1:
        return f"`{first.field}` is not valid: {reason}. Fix it and send the request again."
    return (
        f"{len(errors)} fields are not valid, the first `{first.field}`: {reason}. Fix each "
        "one `errors` lists and send the request again."
    )


# What each kind of request body is sent as, in the words a 415 uses.
_FORM = "application/x-www-form-urlencoded"
_BODY_AS = {
    "application/json": "a JSON body with `Content-Type: application/json`",
    _FORM: f"an HTML form with `Content-Type: {_FORM}`",
    "multipart/form-data": "a multipart form with `Content-Type: multipart/form-data`",
}


def expected_media_type(request: Request) -> str | None:
    """The media type the matched operation reads its body as (None: it reads no body)."""
    body_field = getattr(request.scope.get("route"), "body_field", None)
    if body_field is None:
        return None
    return str(getattr(body_field.field_info, "media_type", "application/json"))


def media_type(content_type: str) -> str:
    """The media type a Content-Type header names, without its parameters, in lower case."""
    message = email.message.Message()
    message["content-type"] = content_type
    return message.get_content_type()


def _accepts(expected: str, sent: str) -> bool:
    if expected == "application/json":  # FastAPI parses every `application/*+json` as JSON
        main, _, sub = sent.partition("/")
        return main == "application" and (sub == "json" or sub.endswith("+json"))
    if expected == _FORM:  # Starlette's form parser reads both kinds of form
        return sent in (_FORM, "multipart/form-data")
    return sent == expected


def _unsupported_media_type(request: Request, raw: Sequence[Any], body: Any) -> JSONResponse | None:
    """415 when the body could not be read because it was not sent as the operation's media
    type: pydantic would otherwise say that the bytes are not an object, or (for a form sent as
    JSON) that fields the client did send are missing."""
    if not any(tuple(err.get("loc", ()))[:1] == ("body",) for err in raw):
        return None
    expected = expected_media_type(request)
    if expected is None:
        return None
    header = request.headers.get("content-type", "").strip()
    if header:
        sent = media_type(header)
        if _accepts(expected, sent):
            return None
        said = f"The body was sent as `{sent}`"
    elif expected == "application/json" and not isinstance(body, bytes | bytearray):
        return None  # no body at all: the 422 names `body` as missing
    else:
        said = "The body was sent without a `Content-Type` header"
    detail = f"{said}; this operation reads {_BODY_AS.get(expected, f'`{expected}`')}."
    if expected != "application/json" and (fields := _required_form_fields(request)):
        detail += f" Send {' and '.join(f'`{name}`' for name in fields)} as form fields."
    else:
        detail += " Send it again with that header."
    return problem_response(415, detail, instance=request.url.path)


def _required_form_fields(request: Request) -> list[str]:
    """The fields a form operation requires (`username`, `password` for the OAuth2 form)."""
    body_field = getattr(request.scope.get("route"), "body_field", None)
    fields = getattr(getattr(body_field, "field_info", None), "annotation", None)
    model_fields = getattr(fields, "model_fields", {})
    return [name for name, field in model_fields.items() if field.is_required()]


def _json_error_position(err: Any, body: Any) -> str:
    """The parser's reason at `line L, column C` (1-based): FastAPI reports only the character
    offset, which is no field."""
    loc = tuple(err.get("loc", ()))
    offset = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
    ctx = err.get("ctx")
    reason = str(ctx.get("error") or "Invalid JSON") if isinstance(ctx, dict) else "Invalid JSON"
    if offset is None or not isinstance(body, str):
        return f"{reason}."
    line = body.count("\n", 0, offset) + 1
    column = offset - (body.rfind("\n", 0, offset) + 1) + 1
    return f"{reason} at line {line}, column {column}."


def _malformed_json(request: Request, reason: str, advice: str) -> JSONResponse:
    """422 naming `body`: the JSON could not be parsed, so no field can be named."""
    return problem_response(
        422,
        f"The request body is not valid JSON: {continue_sentence(reason)} {advice}",
        slug="validation-error",
        instance=request.url.path,
        errors=[FieldError(field="body", message=reason, code="json_invalid")],
    )


_UNREADABLE_BODY = "There was an error parsing the body"


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and (
        exc.detail == _UNREADABLE_BODY or expected_media_type(request) == _FORM
    ):
        return _unreadable_body(request)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code == 404 and detail == "Not Found":
        detail = (
            "There is nothing at this path: check it against the API reference at /docs "
            "(every path starts with `/v1/`)."
        )
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
        detail = f"{request.method} is not allowed on this path; it allows {headers['Allow']}."
    return problem_response(exc.status_code, detail, instance=request.url.path, headers=headers)


def _unreadable_body(request: Request) -> JSONResponse:
    """A body the parser could not read at all: JSON that is not UTF-8, or a form that is not
    one (multipart without its boundary, …)."""
    if expected_media_type(request) == _FORM:
        return problem_response(
            415,
            "The form in the body could not be read; this operation reads "
            f"{_BODY_AS[_FORM]}, its fields percent-encoded. Send it again that way.",
            instance=request.url.path,
        )
    return _malformed_json(
        request, "The body is not UTF-8 text.", "Send the JSON encoded as UTF-8."
    )


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
