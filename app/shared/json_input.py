"""Request bodies are JSON: a value must already have the JSON type its field documents.

Pydantic's lax mode would turn `"5"` into 5, `0` into false, `0` into 1970-01-01 and
`"2026-01-01T00:00:00"` into a date, so a client could send what the OpenAPI document calls
invalid and have it stored as something else. Its strict mode is no cure: FastAPI validates
the parsed body in Python mode, where strict refuses the strings that carry dates and UUIDs.
Text may hold any character but U+0000, which PostgreSQL cannot store.
"""

import re
import types
import uuid
from datetime import date, datetime
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import AwareDatetime, FutureDate, NaiveDatetime, PastDate, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)
_UUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")

_EXPECTED = {
    "bool_type": "Input should be a boolean (true or false).",
    "int_type": "Input should be an integer.",
    "float_type": "Input should be a number.",
    "date_type": "Input should be a date (YYYY-MM-DD).",
    "datetime_type": "Input should be an RFC 3339 timestamp with a time zone.",
    "uuid_type": "Input should be a UUID (8-4-4-4-12 hexadecimal digits).",
}


# Stated in the schema of every text a request body or list filter takes; `\x00` reads the same
# in Python's and in JSON Schema's (ECMA-262) regexes.
NUL_FREE = r"^[^\x00]*$"


def state_nul_free(schema: dict[str, Any]) -> None:
    """Add the no-U+0000 rule to the text in `schema` (a field's JSON schema: through null
    options and list items), so that clients and Schemathesis know it before sending.

    Patterns of their own are kept: one anchored at both ends states the whole value and
    already leaves U+0000 out (fields.py); one that is not (`NOT_BLANK`) matches text without
    U+0000 and is wrapped. Enums, constants and formats (date, UUID…) hold no U+0000."""
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, ()):
            state_nul_free(option)
    if isinstance(schema.get("items"), dict):
        state_nul_free(schema["items"])
    if schema.get("type") != "string" or {"enum", "const", "format"} & schema.keys():
        return
    pattern = schema.get("pattern")
    if pattern is None:
        schema["pattern"] = NUL_FREE
    elif not (pattern.startswith("^") and pattern.endswith("$")):
        schema["pattern"] = f"^[^\\x00]*(?:{pattern})[^\\x00]*$"


def check_json_value(annotation: Any, value: Any, title: str) -> None:
    """Raise a validation error when `value` is not of the JSON type `annotation` documents;
    pydantic then checks everything else (null where allowed, ranges, enums)."""
    if (found := _mismatch(annotation, value)) is not None:
        code, where, bad = found
        message = "Text cannot contain the character U+0000." if code == "nul_character" else None
        error = PydanticCustomError(code, message or _EXPECTED[code])
        details: InitErrorDetails = {"type": error, "loc": where, "input": bad}
        raise ValidationError.from_exception_data(title, [details])


Mismatch = tuple[str, tuple[int, ...], Any]  # error code, where in the value, what is there


def _mismatch(annotation: Any, value: Any) -> Mismatch | None:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _mismatch(get_args(annotation)[0], value)
    if origin is Union or origin is types.UnionType:
        if value is None:
            return None
        options = [option for option in get_args(annotation) if option is not type(None)]
        found = [_mismatch(option, value) for option in options]
        return None if None in found or not found else found[0]
    if origin is list:
        if not isinstance(value, list):
            return None
        item = get_args(annotation)[0] if get_args(annotation) else Any
        for index, element in enumerate(value):
            if (inner := _mismatch(item, element)) is not None:
                return inner[0], (index, *inner[1]), inner[2]
        return None
    if not isinstance(annotation, type):
        return None  # Literal, Any, …: pydantic's own check is already exact
    code = _scalar_mismatch(annotation, value)
    return None if code is None else (code, (), value)


# Pydantic's constrained date types are markers, not subclasses of what they validate.
_MARKERS: dict[Any, type] = {
    AwareDatetime: datetime,
    NaiveDatetime: datetime,
    PastDate: date,
    FutureDate: date,
}


def _scalar_mismatch(annotation: type, value: Any) -> str | None:
    annotation = _MARKERS.get(annotation, annotation)
    if issubclass(annotation, bool):
        return None if isinstance(value, bool) else "bool_type"
    if issubclass(annotation, int):
        integral = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        return None if integral and not isinstance(value, bool) else "int_type"
    if issubclass(annotation, float):
        return (
            None if isinstance(value, int | float) and not isinstance(value, bool) else "float_type"
        )
    if issubclass(annotation, datetime):
        return _text_or_instance(value, datetime, _DATETIME, "datetime_type")
    if issubclass(annotation, date):
        if isinstance(value, datetime):
            return "date_type"
        return _text_or_instance(value, date, DATE_TEXT, "date_type")
    if issubclass(annotation, uuid.UUID):
        return _text_or_instance(value, uuid.UUID, _UUID, "uuid_type")
    if issubclass(annotation, str) and isinstance(value, str) and "\x00" in value:
        return "nul_character"
    return None


def _text_or_instance(value: Any, kind: type, pattern: re.Pattern[str], code: str) -> str | None:
    """Dates, timestamps and UUIDs arrive as strings in their one documented form (code that
    builds a model from Python objects may pass the objects themselves)."""
    if isinstance(value, kind) or (isinstance(value, str) and pattern.fullmatch(value)):
        return None
    return code
