"""The suite's client fails any test whose response shows a password or token hash: proven
here against a server that leaks each kind, and a real account flow that leaks none."""

import json

import httpx
import pytest

from tests.helpers import register
from tests.secret_scanner import ResponseScanner, SecretInResponse, refresh_token_hash

SECRET = "scanner-secret"
ARGON2 = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"


def leaking_client(scanner: ResponseScanner, **response: object) -> httpx.AsyncClient:
    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, **response)  # type: ignore[arg-type]

    return httpx.AsyncClient(
        transport=httpx.MockTransport(handler),
        base_url="http://test",
        event_hooks={"response": [scanner]},
    )


@pytest.mark.parametrize(
    "response",
    [
        pytest.param({"json": {"user": {"hash": ARGON2}}}, id="argon2-in-body"),
        pytest.param({"headers": {"x-debug": ARGON2}}, id="argon2-in-header"),
        pytest.param({"json": {"items": [{"password_hash": "x"}]}}, id="password-hash-field"),
        pytest.param({"json": {"token_hash": None}}, id="token-hash-field"),
        pytest.param({"text": '{"token_hash": "abc"'}, id="token-hash-in-broken-json"),
    ],
)
async def test_a_response_with_a_hash_fails_the_request(response: dict[str, object]) -> None:
    async with leaking_client(ResponseScanner(SECRET), **response) as http:
        with pytest.raises(SecretInResponse):
            await http.get("/v1/anything")


async def test_the_hash_of_a_refresh_token_handed_out_earlier_fails_the_request() -> None:
    scanner = ResponseScanner(SECRET)
    async with leaking_client(scanner, json={"refresh_token": "rt-1"}) as http:
        await http.post("/v1/auth/token")
    body = {"debug": refresh_token_hash(SECRET, "rt-1")}
    async with leaking_client(scanner, json=body) as http:
        with pytest.raises(SecretInResponse):
            await http.get("/v1/anything")


async def test_a_hash_the_database_holds_fails_at_the_end_of_the_test() -> None:
    scanner = ResponseScanner(SECRET)
    async with leaking_client(scanner, content=json.dumps({"x": "0123abcd" * 8})) as http:
        await http.get("/v1/anything")
    with pytest.raises(SecretInResponse):
        scanner.check_stored(["0123abcd" * 8])


async def test_a_real_account_flow_passes_the_scanner(client: httpx.AsyncClient) -> None:
    account = await register(client)
    refreshed = await client.post(
        "/v1/auth/refresh", json={"refresh_token": account["tokens"]["refresh_token"]}
    )
    assert refreshed.status_code == 200
    assert (await client.get("/v1/me", headers=account["headers"])).status_code == 200
    assert (await client.get("/v1/me/export", headers=account["headers"])).status_code == 200
