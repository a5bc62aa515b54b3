"""Every request body in the OpenAPI document carries an example its schema accepts (issue 18):
/docs and /redoc show it filled in, and Schemathesis sends it in its examples phase."""

from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from tests.core.test_openapi import operations

# Bodies whose example belongs to a file being changed for another item of issue 18. Each
# entry must go once its example exists: the test fails on an entry that has one.
AWAITED: set[str] = set()  # bodies still without an example


def request_bodies(document: dict[str, Any]) -> dict[str, tuple[dict[str, Any], list[Any]]]:
    """`METHOD /path media/type`: (its schema, its examples) for each request body."""
    schemas = document["components"]["schemas"]
    bodies = {}
    for name, operation in operations(document).items():
        for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
            schema = content.get("schema", {})
            named = schemas.get(schema.get("$ref", "").rpartition("/")[2], {})
            examples = [
                *([content["example"]] if "example" in content else []),
                *(example["value"] for example in content.get("examples", {}).values()),
                *schema.get("examples", []),
                *named.get("examples", []),
            ]
            bodies[f"{name} {media_type}"] = (schema, examples)
    return bodies


def test_every_request_body_has_an_example(app):
    bodies = request_bodies(app.openapi())

    without = {name for name, (_, examples) in bodies.items() if not examples}

    assert bodies, "the walk found no request body"
    assert without - AWAITED == set()
    assert AWAITED - without == set(), "an awaited example exists: drop it from AWAITED"


def test_every_example_is_valid_against_its_schema(app):
    document = app.openapi()
    invalid = {}
    for name, (schema, examples) in request_bodies(document).items():
        # The body's schema, with the components its references point at.
        validator = Draft202012Validator(
            {**schema, "components": document["components"]}, format_checker=FormatChecker()
        )
        for index, example in enumerate(examples):
            errors = [
                f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(example)
            ]
            if errors:
                invalid[f"{name} example {index}"] = errors

    assert invalid == {}
