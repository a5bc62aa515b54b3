"""Canaries: a password, a token and a journal sentence sent through every kind of endpoint
(and every kind of failure) never reach a log line, at DEBUG on every logger, nor an error.

Logs are the server's: the test client's own loggers (httpx) are left out."""

import logging
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.core.database import Executor
from app.core.logging import JsonFormatter
from app.reflections import service as reflections
from tests.helpers import bearer

RUN = uuid.uuid4().hex[:10]
PASSWORD_CANARY = f"pw-canary-{RUN}"
TOKEN_CANARY = f"tok-canary-{RUN}"
JOURNAL_CANARY = f"journal-canary-{RUN} I froze when they asked about the outage"
CANARIES = (PASSWORD_CANARY, TOKEN_CANARY, f"journal-canary-{RUN}")

SERVER_LOGGERS = (
    "",
    "rebound",
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "fastapi",
    "starlette",
    "sqlalchemy",
    "sqlalchemy.engine",
    "sqlalchemy.pool",
    "sqlalchemy.orm",
    "aiosqlite",
    "asyncpg",
    "alembic",
    "python_multipart",
    "multipart",
    "passlib",
    "pwdlib",
    "jose",
)
CLIENT_LOGGERS = ("httpx", "httpcore")


class Recorder:
    """Every response, so error bodies can be checked after the story."""

    def __init__(self) -> None:
        self.responses: list[httpx.Response] = []

    async def __call__(self, response: httpx.Response) -> None:
        await response.aread()
        self.responses.append(response)


@pytest.fixture
def all_logs_at_debug(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    for name in SERVER_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)
    return caplog


async def fail_checking(executor: Executor, _caller: Any, values: dict[str, Any]) -> None:
    """A database error whose statement carries the journal text as a parameter."""
    await executor.rows(
        text("INSERT INTO no_such_table (answer) VALUES (:answer)"),
        {"answer": values["to_improve"][0]},
    )


async def test_no_canary_reaches_a_log_line_or_an_error(
    client: httpx.AsyncClient,
    all_logs_at_debug: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorder = Recorder()
    client.event_hooks["response"].append(recorder)
    # Proof that a DEBUG record of the app would be seen (on PostgreSQL no library the app
    # uses logs at DEBUG during this story).
    logging.getLogger("rebound.canary").debug("capturing at DEBUG")

    # Accounts: register, sign in, refresh, wrong and unknown credentials.
    email = f"canary-{RUN}@example.com"
    registered = await client.post(
        "/v1/auth/register", json={"email": email, "password": PASSWORD_CANARY}
    )
    assert registered.status_code == 201
    signed_in = await client.post(
        "/v1/auth/token", data={"username": email, "password": PASSWORD_CANARY}
    )
    assert signed_in.status_code == 200
    tokens = signed_in.json()
    headers = bearer(tokens["access_token"])
    wrong = await client.post(
        "/v1/auth/token", data={"username": email, "password": PASSWORD_CANARY + "x"}
    )
    assert wrong.status_code == 401
    assert (
        await client.post("/v1/auth/refresh", json={"refresh_token": TOKEN_CANARY})
    ).status_code == 401
    assert (
        await client.post("/v1/auth/logout", json={"refresh_token": TOKEN_CANARY})
    ).status_code in {204, 401}
    refreshed = await client.post(
        "/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200
    headers = bearer(refreshed.json()["access_token"])
    assert (await client.get("/v1/me", headers=bearer(TOKEN_CANARY))).status_code == 401
    assert (await client.get("/v1/applications", headers=bearer(TOKEN_CANARY))).status_code == 401
    short = await client.post(
        "/v1/auth/register", json={"email": f"x{RUN}@example.com", "password": PASSWORD_CANARY[:5]}
    )
    assert short.status_code == 422

    # Profile and password.
    assert (
        await client.patch("/v1/me", json={"display_name": "Canary"}, headers=headers)
    ).status_code == 200
    bad_profile = await client.patch(
        "/v1/me", json={"weekly_goal": JOURNAL_CANARY}, headers=headers
    )
    assert bad_profile.status_code == 422
    not_current = await client.post(
        "/v1/me/password",
        json={"current_password": PASSWORD_CANARY + "x", "new_password": PASSWORD_CANARY + "2"},
        headers=headers,
    )
    assert not_current.status_code in {401, 403}
    changed = await client.post(
        "/v1/me/password",
        json={"current_password": PASSWORD_CANARY, "new_password": PASSWORD_CANARY + "2"},
        headers=headers,
    )
    assert changed.status_code == 204

    # Every resource: create, patch, get, list, and a bad body.
    application = await client.post(
        "/v1/applications",
        json={"company": "Acme", "role_title": "Engineer", "notes": JOURNAL_CANARY},
        headers=headers,
    )
    assert application.status_code == 201
    app_id = application.json()["id"]
    outcome = await client.post(
        "/v1/outcomes",
        json={
            "application_id": app_id,
            "kind": "rejection",
            "received_on": "2026-11-20",
            "stated_reason": JOURNAL_CANARY,
        },
        headers=headers,
    )
    assert outcome.status_code == 201
    bodies = {
        "interviews": {"application_id": app_id, "kind": "technical", "notes": JOURNAL_CANARY},
        "feedback-conversations": {
            "application_id": app_id,
            "contact_name": "Bob",
            "takeaways": JOURNAL_CANARY,
            "answers": [{"question_key": "prepare_better", "answer": JOURNAL_CANARY}],
        },
        "reflections": {
            "diagnosis": "unsure",
            "answers": [{"prompt_key": "what_learned", "answer": JOURNAL_CANARY}],
            "went_well": [JOURNAL_CANARY],
        },
        "contacts": {"name": "Dana", "notes": JOURNAL_CANARY},
    }
    patches = {
        "applications": {"notes": JOURNAL_CANARY + " again"},
        "outcomes": {"stated_reason": JOURNAL_CANARY + " again"},
        "interviews": {"notes": JOURNAL_CANARY + " again"},
        "feedback-conversations": {"takeaways": JOURNAL_CANARY + " again"},
        "reflections": {"to_improve": [JOURNAL_CANARY]},
        "contacts": {"notes": JOURNAL_CANARY + " again"},
    }
    ids = {"applications": app_id, "outcomes": outcome.json()["id"]}
    for collection, body in bodies.items():
        created = await client.post(f"/v1/{collection}", json=body, headers=headers)
        assert created.status_code == 201, created.text
        ids[collection] = created.json()["id"]
    for collection, record_id in ids.items():
        url = f"/v1/{collection}/{record_id}"
        assert (
            await client.patch(url, json=patches[collection], headers=headers)
        ).status_code == 200
        assert (await client.get(url, headers=headers)).status_code == 200
        assert (await client.get(f"/v1/{collection}", headers=headers)).status_code == 200
        # A wrong type and an unknown field, each carrying the journal text as its value.
        invalid = {"version": JOURNAL_CANARY, "diary": JOURNAL_CANARY}
        assert (await client.patch(url, json=invalid, headers=headers)).status_code == 422
        assert (
            await client.post(f"/v1/{collection}", json=invalid, headers=headers)
        ).status_code == 422
        unknown = f"/v1/{collection}/{uuid.uuid4()}"
        assert (
            await client.patch(
                url.replace(record_id, str(uuid.uuid4())), json=patches[collection], headers=headers
            )
        ).status_code == 404
        assert (await client.get(unknown, headers=headers)).status_code == 404
    broken_json = await client.post(
        "/v1/reflections",
        content=('{"diagnosis": "unsure", "went_well": ["' + JOURNAL_CANARY + '"').encode(),
        headers={**headers, "Content-Type": "application/json"},
    )
    assert broken_json.status_code == 422
    searched = await client.get(
        "/v1/applications", params={"q": JOURNAL_CANARY, "limit": JOURNAL_CANARY}, headers=headers
    )
    assert searched.status_code == 422
    assert (
        await client.get("/v1/applications", params={"q": JOURNAL_CANARY}, headers=headers)
    ).status_code == 200

    # Export and import: as it is, changed, and refused.
    document = (await client.get("/v1/me/export", headers=headers)).json()
    assert (await client.post("/v1/me/import", json=document, headers=headers)).status_code == 200
    document["applications"][0]["notes"] = JOURNAL_CANARY + " imported"
    assert (await client.post("/v1/me/import", json=document, headers=headers)).status_code == 200
    document["applications"][0]["interest"] = JOURNAL_CANARY
    assert (await client.post("/v1/me/import", json=document, headers=headers)).status_code == 422

    # An unexpected database error (500) whose statement carries the journal text.
    monkeypatch.setattr(reflections, "check_references", fail_checking)
    failed = await client.post(
        "/v1/reflections",
        json={"diagnosis": "unsure", "to_improve": [JOURNAL_CANARY]},
        headers=headers,
    )
    assert failed.status_code == 500
    monkeypatch.undo()

    # Erasing the account with the wrong password, then the right one.
    wrong_erase = await client.request(
        "DELETE", "/v1/me", json={"password": PASSWORD_CANARY}, headers=headers
    )
    assert wrong_erase.status_code in {401, 403}
    erased = await client.request(
        "DELETE", "/v1/me", json={"password": PASSWORD_CANARY + "2"}, headers=headers
    )
    assert erased.status_code == 204

    formatter = JsonFormatter()
    records = [r for r in all_logs_at_debug.records if not r.name.startswith(CLIENT_LOGGERS)]
    assert records, "the story was logged"
    assert any(r.levelno < logging.INFO for r in all_logs_at_debug.records), "DEBUG is captured"
    for record in records:
        line = formatter.format(record)
        for canary in CANARIES:
            assert canary not in line, f"{record.name} logged a canary: {line[:500]}"
    for response in recorder.responses:
        shown = response.text + "".join(response.headers.values())
        for canary in (PASSWORD_CANARY, TOKEN_CANARY):
            assert canary not in shown, f"{response.request.url.path} showed {canary}"
        if response.status_code >= 400:
            assert f"journal-canary-{RUN}" not in shown, (
                f"{response.status_code} {response.request.url.path} echoed journal text"
            )
