"""Fail the test whose response carries a password hash, a refresh token's stored hash, or a
field named like one: every response of the suite's `client` passes through `ResponseScanner`.

Checked at once, in the request that produced it: Argon2 hashes (`$argon2…$`), JSON keys such
as `password_hash`, and the keyed hash of every refresh token an earlier response handed out.
Checked when the test ends: every stored password and token hash of the test's database.
"""

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

import httpx

_ARGON2 = re.compile(r"\$argon2(?:id|i|d)\$")
SECRET_FIELDS = frozenset({"password_hash", "token_hash", "hashed_password", "refresh_token_hash"})
_SECRET_KEY = re.compile(r'"(' + "|".join(sorted(SECRET_FIELDS)) + r')"\s*:')


class SecretInResponse(AssertionError):
    """A response showed what only the server may know."""


def refresh_token_hash(secret: str, token: str) -> str:
    """How app/auth/service.py stores a refresh token (keyed with the app's secret)."""
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def _json_keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _json_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_keys(item)


def _refresh_tokens(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "refresh_token" and isinstance(item, str):
                yield item
            yield from _refresh_tokens(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refresh_tokens(item)


class ResponseScanner:
    """An httpx response hook; keeps what it saw so the end of the test can check it again."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.token_hashes: set[str] = set()
        self.seen: list[tuple[str, str]] = []  # (request line, headers and body as text)

    async def __call__(self, response: httpx.Response) -> None:
        await response.aread()
        where = f"{response.request.method} {response.request.url.path} → {response.status_code}"
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        text = headers + "\n\n" + response.content.decode("utf-8", "replace")
        self.seen.append((where, text))
        self.check_text(where, text)
        try:
            document = json.loads(response.content) if response.content else None
        except ValueError:
            return
        leaked = SECRET_FIELDS.intersection(_json_keys(document))
        if leaked:
            raise SecretInResponse(f"{where}: the body has a field named {sorted(leaked)}")
        for token in _refresh_tokens(document):
            self.token_hashes.add(refresh_token_hash(self.secret, token))

    def check_text(self, where: str, text: str) -> None:
        if _ARGON2.search(text):
            raise SecretInResponse(f"{where}: the response carries an Argon2 password hash")
        if match := _SECRET_KEY.search(text):
            raise SecretInResponse(f"{where}: the response has a field named {match.group(1)}")
        for digest in self.token_hashes:
            if digest in text:
                raise SecretInResponse(f"{where}: the response carries a refresh token's hash")

    def check_stored(self, stored: Iterable[str]) -> None:
        """No response of this test showed any of the hashes the database holds."""
        values = [value for value in stored if value]
        for where, text in self.seen:
            for value in values:
                if value in text:
                    raise SecretInResponse(f"{where}: the response carries a stored hash")
