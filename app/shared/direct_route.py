"""A route for the hottest requests (a list page, one record, a create) that reads its
endpoint's parameters itself instead of through FastAPI's dependency solver.

Per request, FastAPI walks the endpoint's dependency tree and reshapes a query-parameter
model field by field, re-inspecting each field's annotation; on a list page that was a third
of the API's CPU. A DirectRoute supports the few kinds of parameter those endpoints take (the
Request, the caller, one query-parameter model, UUID path parameters, one JSON body model),
reads them once per request, validates with the same pydantic models, and reports a bad value
as the same RequestValidationError FastAPI would raise (so the same 422). The endpoint returns
a Response. The OpenAPI operation is generated from the endpoint's signature as for any route.
"""

import email.message
import inspect
import json
import uuid
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, get_args, get_origin

from fastapi import HTTPException, Request, Response
from fastapi.dependencies.utils import get_missing_field_error
from fastapi.exceptions import RequestValidationError
from fastapi.params import Depends, Query
from fastapi.routing import APIRoute, APIRouter
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import PydanticUndefined

from app.core.identity import caller_of, get_caller
from app.core.security import bearer_token

Endpoint = Callable[..., Coroutine[Any, Any, Response]]
Reader = Callable[[Request, list[Any]], Any]  # (request, errors to add to) -> value


class DirectRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint = self.endpoint
        parameters = inspect.signature(endpoint).parameters.items()
        body_field = self.body_field
        body_name = next((n for n, p in parameters if _is_body(p.annotation)), None)
        readers = [(n, _reader(n, p.annotation)) for n, p in parameters if n != body_name]

        async def handler(request: Request) -> Response:
            # As FastAPI: unparseable JSON is refused first, then the caller (401) and the
            # parameters are read, then the body is validated.
            received = PydanticUndefined if body_field is None else await _received_body(request)
            errors: list[Any] = []
            values = {name: read(request, errors) for name, read in readers}
            if body_field is not None:
                assert body_name is not None
                if received is PydanticUndefined:
                    values[body_name], found = None, [get_missing_field_error(loc=("body",))]
                else:
                    values[body_name], found = body_field.validate(received, {}, loc=("body",))
                errors.extend(found)
            if errors:
                raise RequestValidationError(errors)
            return await endpoint(**values)

        return handler


def _registrar(method: str) -> Callable[..., Callable[[Endpoint], Endpoint]]:
    def route(router: APIRouter, path: str, **options: Any) -> Callable[[Endpoint], Endpoint]:
        def register(endpoint: Endpoint) -> Endpoint:
            router.add_api_route(
                path, endpoint, methods=[method], route_class_override=DirectRoute, **options
            )
            return endpoint

        return register

    return route


# `@direct_get(router, path, **options)` is `@router.get(path, **options)` served by a
# DirectRoute; `direct_post` the same for POST.
direct_get = _registrar("GET")
direct_post = _registrar("POST")


def _is_body(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


async def _received_body(request: Request) -> Any:
    """The body as FastAPI reads it for a JSON model: parsed when the content type is JSON
    (strictly: a body without one is not), the bytes otherwise (which the model refuses),
    undefined when empty."""
    try:
        body = await request.body()
        if not body:
            return PydanticUndefined
        content_type = request.headers.get("content-type")
        if content_type:
            message = email.message.Message()
            message["content-type"] = content_type
            if message.get_content_maintype() == "application":
                subtype = message.get_content_subtype()
                if subtype == "json" or subtype.endswith("+json"):
                    return await request.json()
        return body
    except json.JSONDecodeError as exc:
        error = {
            "type": "json_invalid",
            "loc": ("body", exc.pos),
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": exc.msg},
        }
        raise RequestValidationError([error], body=exc.doc) from exc
    except HTTPException:  # the body size limit (app/core/http.py)
        raise
    except Exception as exc:  # noqa: BLE001 (FastAPI's answer to any unreadable body)
        raise HTTPException(400, "There was an error parsing the body") from exc


def _reader(name: str, annotation: Any) -> Reader:
    if annotation is Request:
        return lambda request, _errors: request
    if annotation is uuid.UUID:
        return _path_reader(name, TypeAdapter(uuid.UUID))
    if get_origin(annotation) is Annotated:
        kind, *extras = get_args(annotation)
        if any(isinstance(e, Depends) and e.dependency is get_caller for e in extras):
            return _read_caller
        if any(isinstance(e, Query) for e in extras) and issubclass(kind, BaseModel):
            return _query_model_reader(kind)
    raise TypeError(f"DirectRoute cannot read the parameter {name}: {annotation!r}")


def _read_caller(request: Request, _errors: list[Any]) -> Any:
    return caller_of(request, bearer_token(request.headers.get("authorization")))


def _path_reader(name: str, adapter: TypeAdapter[Any]) -> Reader:
    def read(request: Request, errors: list[Any]) -> Any:
        try:
            return adapter.validate_python(request.path_params[name])
        except ValidationError as exc:
            errors.extend(_located(exc, ("path", name)))
            return None

    return read


def _query_model_reader(model: type[BaseModel]) -> Reader:
    """As FastAPI reads a query-parameter model: each field's value by its alias (the last one
    when repeated), the rest left to the model's `extra` policy, which must be to ignore."""
    if model.model_config.get("extra", "ignore") != "ignore":
        raise TypeError(f"{model.__name__}: DirectRoute reads models that ignore extra keys")
    for field in model.model_fields.values():
        if get_origin(field.annotation) in (list, set, tuple, frozenset):
            raise TypeError(f"{model.__name__}: DirectRoute reads one value per field")
    aliases = [field.alias or name for name, field in model.model_fields.items()]

    def read(request: Request, errors: list[Any]) -> Any:
        query = request.query_params
        try:
            return model.model_validate({a: query[a] for a in aliases if a in query})
        except ValidationError as exc:
            errors.extend(_located(exc, ("query",)))
            return None

    return read


def _located(exc: ValidationError, prefix: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{**error, "loc": prefix + error["loc"]} for error in exc.errors(include_url=False)]
