"""Hold every response of the suite's `client` to openapi/openapi.json (what the app serves).

`OpenAPIResponseChecker` is an httpx response hook, beside `ResponseScanner`. openapi-core
finds the operation of the request's method and path and validates the response against the
operation's documented response for its status code: the media type, the body (JSON and
`application/problem+json`) against its schema, the documented headers (ETag, Retry-After)
when present; and, here, no body where the document gives none (204, 304).

- A body, media type or header that differs from the document fails the test that received
  the response (`ResponseContractError`).
- A request outside the document (/docs, /redoc, /openapi.json, a method its path does not
  document) is skipped.
- A status code its operation does not document is a gap of the document rather than a wrong
  body: it is collected in `REPORT` and listed at the end of the run (conftest's
  pytest_terminal_summary); OPENAPI_STRICT_STATUS=1 fails the test instead.

The document is read and prepared once per process (`prepared`), and what
openapi-core would build again for every response is kept: the operation of each (method,
path template), and the JSON Schema validator of each schema.
"""

import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
from jsonschema_path import SchemaPath
from openapi_core import V31ResponseValidator
from openapi_core.casting.schemas import oas31_types_caster
from openapi_core.casting.schemas.factories import SchemaCastersFactory
from openapi_core.datatypes import RequestParameters
from openapi_core.deserializing.media_types.util import plain_loads
from openapi_core.templating.paths.datatypes import PathOperationServer
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.paths.finders import APICallPathFinder
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.validation.schemas import oas31_schema_validators_factory
from openapi_core.validation.schemas.factories import DialectSchemaValidatorsFactory
from openapi_core.validation.schemas.validators import SchemaValidator
from openapi_schema_validator import OAS30ReadValidator, OAS31Validator
from werkzeug.datastructures import Headers, ImmutableMultiDict

DOCUMENT = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"
STRICT_STATUS = os.environ.get("OPENAPI_STRICT_STATUS") == "1"
MAX_ERRORS_SHOWN = 8


class ResponseContractError(AssertionError):
    """A response that differs from what openapi/openapi.json documents for it."""


@dataclass
class Report:
    """What the checkers of one run saw."""

    validated: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # "METHOD /path" outside the document
    # (operationId, method, path template, status) -> [responses, the first test that got one]
    undocumented: dict[tuple[str, str, str, int], list[Any]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        gaps = sum(count for count, _ in self.undocumented.values())
        lines = [
            f"{self.validated} responses validated against openapi/openapi.json "
            f"({gaps} with a status code their operation does not document); "
            f"{self.skipped.total()} outside the document, not validated"
        ]
        if self.skipped:
            shown = ", ".join(
                f"{request} ×{count}" for request, count in self.skipped.most_common(12)
            )
            lines.append(f"outside the document: {shown}")
        for (operation, method, path, status), (count, test) in sorted(self.undocumented.items()):
            lines.append(
                f"undocumented {status} from {operation} ({method} {path}): "
                f"{count} response(s), first in {test}"
            )
        return lines


REPORT = Report()


class _KeptSchemaValidators(DialectSchemaValidatorsFactory):
    """openapi-core's OAS 3.1 validators factory, keeping each schema's validator: openapi-core
    builds one (with a deep copy of its format checker) for every value it validates."""

    def __init__(self) -> None:
        super().__init__(
            OAS31Validator,
            oas31_schema_validators_factory.default_jsonschema_dialect_id,
            format_checker=OAS30ReadValidator.FORMAT_CHECKER,  # as openapi-core's own
        )
        self._kept: dict[tuple[Any, ...], SchemaValidator] = {}

    def create(self, spec: SchemaPath, schema: SchemaPath, *args: Any, **kwargs: Any) -> Any:
        if args or any(kwargs.values()):  # options this module never sets: not kept
            return super().create(spec, schema, *args, **kwargs)
        key = schema.parts
        if key not in self._kept:
            self._kept[key] = super().create(spec, schema)
        return self._kept[key]


class _KeptPathFinder(APICallPathFinder):
    """openapi-core's path finder, keeping what it found for each (method, URL); the requests
    name their path template (`path_pattern`), so the URLs are few."""

    def __init__(self, spec: SchemaPath, base_url: str | None = None) -> None:
        super().__init__(spec, base_url=base_url)
        self._kept: dict[tuple[str, str], PathOperationServer] = {}

    def find(self, method: str, name: str) -> PathOperationServer:
        key = (method, name)
        if key not in self._kept:
            self._kept[key] = super().find(method, name)  # errors are raised, never kept
        return self._kept[key]


@dataclass(frozen=True)
class Prepared:
    validator: V31ResponseValidator
    templates: list[tuple[re.Pattern[str], str]]  # (what a path of it matches, the template)


@cache
def prepared() -> Prepared:
    """openapi-core's response validator of the committed document, built once per process."""
    document = json.loads(DOCUMENT.read_text())
    spec = SchemaPath.from_dict(document)
    schema_validators = _KeptSchemaValidators()
    validator = V31ResponseValidator(
        spec,
        path_finder_cls=_KeptPathFinder,
        schema_validators_factory=schema_validators,
        schema_casters_factory=SchemaCastersFactory(schema_validators, oas31_types_caster),
        # openapi-core parses application/json (and vnd.api+json) and reads other media types
        # as text: problem documents have to be parsed to be validated.
        # openapi-core reads only text/plain and text/html as text; a CSV export is text too.
        extra_media_type_deserializers={
            "application/problem+json": json.loads,
            "text/csv": plain_loads,
        },
    )
    # Literal paths first: OpenAPI prefers /a/b over /a/{x} for a request of /a/b.
    templates = sorted(document["paths"], key=lambda template: "{" in template)
    return Prepared(validator, [(_path_regex(template), template) for template in templates])


def _path_regex(template: str) -> re.Pattern[str]:
    segments = template.strip("/").split("/")
    return re.compile(
        "/"
        + "/".join("[^/]+" if part.startswith("{") else re.escape(part) for part in segments)
        + "$"
    )


def path_template(path: str) -> str | None:
    """The document's path template that `path` falls under, if any."""
    for regex, template in prepared().templates:
        if regex.match(path):
            return template
    return None


class HttpxOpenAPIRequest:
    """An httpx request as openapi-core's `Request` protocol (with `SupportsPathPattern`)."""

    def __init__(self, request: httpx.Request, path_pattern: str | None = None) -> None:
        self.request = request
        self.path_pattern = path_pattern
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(request.url.params.multi_items())),
            header=Headers(list(request.headers.multi_items())),
        )

    @property
    def host_url(self) -> str:
        return f"{self.request.url.scheme}://{self.request.url.netloc.decode('ascii')}"

    @property
    def path(self) -> str:
        return self.request.url.path

    @property
    def method(self) -> str:
        return self.request.method.lower()

    @property
    def body(self) -> bytes | None:
        try:
            return self.request.content
        except httpx.RequestNotRead:  # a streamed upload: only request validation needs it
            return None

    @property
    def content_type(self) -> str:
        return self.request.headers.get("content-type", "")


class HttpxOpenAPIResponse:
    """An httpx response (already read) as openapi-core's `Response` protocol."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response

    @property
    def status_code(self) -> int:
        return self.response.status_code

    @property
    def content_type(self) -> str:
        return self.response.headers.get("content-type", "")

    @property
    def headers(self) -> Headers:
        return Headers(list(self.response.headers.multi_items()))

    @property
    def data(self) -> bytes | None:
        return self.response.content or None


class OpenAPIResponseChecker:
    """An httpx response hook: fails the request whose response the document does not allow."""

    async def __call__(self, response: httpx.Response) -> None:
        await response.aread()
        check_response(response)


def check_response(response: httpx.Response) -> None:
    """Raise `ResponseContractError` where `response` differs from the document."""
    request = response.request
    validator = prepared().validator
    template = path_template(request.url.path)
    openapi_request = HttpxOpenAPIRequest(request, template)
    try:  # as openapi-core finds it (and keeps it, for the validation below)
        found = validator.path_finder.find(
            openapi_request.method, urljoin(openapi_request.host_url, template or request.url.path)
        )
    except PathError:  # no such path, or no such method on it
        REPORT.skipped[f"{request.method} {request.url.path}"] += 1
        return
    REPORT.validated += 1
    errors = list(validator.iter_errors(openapi_request, HttpxOpenAPIResponse(response)))
    operation_id = (found.operation / "operationId").read_str(default="?")
    status = str(response.status_code)
    where = f"{request.method} {request.url.path} → {status} ({operation_id})"
    if errors and isinstance(errors[0], ResponseNotFound):
        documented = ", ".join(errors[0].availableresponses)
        if STRICT_STATUS:
            raise ResponseContractError(
                f"{where}: {operation_id} does not document status {status} ({documented})"
            )
        test = os.environ.get("PYTEST_CURRENT_TEST", "?").rsplit(" ", 1)[0]
        key = (operation_id, request.method, found.path.parts[-1], response.status_code)
        REPORT.undocumented.setdefault(key, [0, test])[0] += 1
        return
    problems = [line for error in errors for line in _describe(error)]
    responses = found.operation / "responses"
    if status in responses and "content" not in responses / status and response.content:
        problems.append(
            f"a body of {len(response.content)} bytes where the document gives none: "
            f"{response.content[:200]!r}"
        )
    if problems:
        raise ResponseContractError(
            f"{where}: the response differs from openapi/openapi.json:\n" + "\n".join(problems)
        )


def _describe(error: Exception) -> list[str]:
    """An openapi-core error as lines: what failed, then each schema error at its JSON path."""
    label = type(error).__name__
    if isinstance(getattr(error, "name", None), str):  # a header's error names the header
        label += f" ({error.name})"  # type: ignore[attr-defined]
    cause: BaseException | None = error
    while cause is not None and not hasattr(cause, "schema_errors"):
        cause = cause.__cause__
    if cause is None:  # no schema involved: the media type, a missing body, a header's cast
        return [f"{label}: {str(error.__cause__ or error)[:500]}"]
    schema_errors = list(cause.schema_errors)
    lines = [f"{label}: not valid for the documented schema"]
    for schema_error in schema_errors[:MAX_ERRORS_SHOWN]:
        where = getattr(schema_error, "json_path", "$")
        message = getattr(schema_error, "message", str(schema_error))
        lines.append(f"  at {where}: {message[:300]}")
    if len(schema_errors) > MAX_ERRORS_SHOWN:
        lines.append(f"  ... and {len(schema_errors) - MAX_ERRORS_SHOWN} more")
    return lines
