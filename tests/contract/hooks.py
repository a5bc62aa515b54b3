"""Schemathesis hooks for `make contract`.

- Auth: sign up a fresh user, then sign in with the OAuth2 password form and send its bearer
  token to every operation that declares security. The account is created here, so a run
  needs nothing but a live server.
- A check, `schema_valid_input_accepted`: Schemathesis's positive_data_acceptance, narrowed
  to the few rules a JSON Schema cannot state (schemathesis.toml lets 422 through the
  built-in one; this one fails every other 422 on schema-valid input).
- Bodies sent with a media type an operation does not declare (Schemathesis's content-type
  probes) answer 415, documented on every operation with a body (app/core/openapi.py).

Loaded through `hooks =` in tests/contract/schemathesis.toml.
"""

import os
import secrets
import threading
from typing import Any

import httpx
import schemathesis
from schemathesis.specs.openapi.checks import is_unexpected_http_status_case

# Set by run_schemathesis.py; without it, the base URL Schemathesis itself resolved.
BASE_URL_ENV = "CONTRACT_BASE_URL"


def _base_url(ctx: schemathesis.AuthContext) -> str:
    return os.environ.get(BASE_URL_ENV) or ctx.operation.schema.get_base_url()


@schemathesis.auth(refresh_interval=300)
class PasswordFormAuth:
    """One account per run; a new access token through POST /v1/auth/token when it is due."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # workers share this provider
        self._credentials: dict[str, str] | None = None

    def _sign_up(self, client: httpx.Client) -> dict[str, str]:
        credentials = {
            "username": f"contract-{secrets.token_hex(6)}@example.com",
            "password": secrets.token_urlsafe(18),
        }
        response = client.post(
            "/v1/auth/register",
            json={
                "email": credentials["username"],
                "password": credentials["password"],
                "display_name": "Contract Tester",
            },
        )
        response.raise_for_status()
        return credentials

    def get(self, case: schemathesis.Case, ctx: schemathesis.AuthContext) -> str:
        with self._lock, httpx.Client(base_url=_base_url(ctx), timeout=30) as client:
            if self._credentials is None:
                self._credentials = self._sign_up(client)
            # The OAuth2 password form, exactly as Swagger UI's Authorize sends it.
            response = client.post("/v1/auth/token", data=self._credentials)
            if response.status_code == 401:
                # The run itself changed the account's password or erased it, so the next
                # token, due every refresh_interval, needs a fresh account.
                self._credentials = self._sign_up(client)
                response = client.post("/v1/auth/token", data=self._credentials)
            response.raise_for_status()
            return str(response.json()["access_token"])

    def set(self, case: schemathesis.Case, data: str, ctx: schemathesis.AuthContext) -> None:
        if not ctx.operation.definition.raw.get("security"):
            return  # public operations (health, register, sign-in, guidance) go unauthenticated
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
        # Starting an email change needs the account's password: with a generated one every
        # request would stop at 403 and the logic behind it would go untested. (A password
        # change or erasure is left to guess: the right password would end the run's account.)
        # Only a value the schema allows is replaced: a negative case keeps its invalid one.
        if ctx.operation.path == "/v1/me/email" and isinstance(case.body, dict):
            given = case.body.get("current_password")
            valid = isinstance(given, str) and 0 < len(given) <= 1024 and "\x00" not in given
            if valid and self._credentials:
                case.body["current_password"] = self._credentials["password"]


# Rules that compare two fields, or the request with what is stored: a schema-valid request
# can break them, and the API then answers 422 naming the rule in `errors[].code`.
CROSS_FIELD_CODES = {
    "salary_range",  # applications: salary_min <= salary_max (also against the stored values)
    "offer_only",  # outcomes: offer_salary / offer_deadline only on outcomes of kind `offer`
    "application_mismatch",  # feedback, reflections: the outcome is about the same application
    "date_range",  # insights: `from` is not after `to`
    "time_out_of_range",  # import: a time before 1970 or after tomorrow
    "duplicate_id",  # reflections: a next step id sent twice in one list (no schema says so)
}
# Rules over a value's own grammar that JSON Schema cannot state: a CSV import's `date_format`
# is a strptime pattern naming a day, a month and a year, its `mapping` a JSON object of
# column names the file has and application fields.
GRAMMAR_CODES = {"not_a_date_pattern", "not_a_mapping", "unknown_field", "unknown_column"}
# Opaque tokens: only values the API issued are valid (RFC 3339 timestamps too for updated_since;
# `body.token` is a password-reset code).
TOKEN_FIELDS = {"query.cursor", "query.updated_since", "body.token"}
# Problem types of rules against stored state: feedback conversations move forward only (the
# problem lists the statuses `allowed`); a body (POST, PATCH or an import) names a record the
# caller does not have, a 422 naming the field (`body.application_id`): which ids exist is state
# no schema can know; a code is not the one mailed; a collection holds the account's quota of
# records (a create or an import would go beyond QUOTA_RECORDS_PER_COLLECTION).
# And what a CSV file holds (`/invalid-csv`: not UTF-8, no company or role column, rows that
# are not applications): a schema states only that the body is text.
STATE_TYPES = (
    "/invalid-transition",
    "/reference-not-found",
    "/invalid-code",
    "/quota-exceeded",
    "/invalid-csv",
)


def _explained(problem: dict[str, Any]) -> bool:
    if str(problem.get("type", "")).endswith(STATE_TYPES):
        return True
    errors = problem.get("errors") or []
    return bool(errors) and all(
        error.get("code") in CROSS_FIELD_CODES | GRAMMAR_CODES or error.get("field") in TOKEN_FIELDS
        for error in errors
    )


@schemathesis.check
def schema_valid_input_accepted(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """Schema-valid input gets no 422 unless it breaks one of the rules above."""
    meta = case.meta
    if meta is None or is_unexpected_http_status_case(case) or response.status_code != 422:
        return None
    if not meta.generation.mode.is_positive:
        return None
    try:
        problem = response.json()
    except ValueError:
        problem = {}
    if isinstance(problem, dict) and _explained(problem):
        return None
    raise AssertionError(
        "Schema-valid request rejected with 422 for a rule the schema does not state:\n"
        f"{response.text[:1000]}"
    )
