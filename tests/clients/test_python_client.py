"""The Python client a stock generator makes from openapi/openapi.json: openapi-python-client
with default settings, offline, generates a package that imports and runs a mobile user's sync
story against a live server, through its own functions and models (as the TypeScript client
does in clients/typescript/src/scenario.ts)."""

import importlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.helpers import PASSWORD
from tests.live_server import ROOT, live_server

PACKAGE = "rebound_api_client"  # openapi-python-client's name for the document's title

# A live server on a fresh SQLite file: the PostgreSQL run would start the same server again.
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_POSTGRES_URL")),
    reason="the generated client runs against a live SQLite server in the SQLite run",
)


CSV_BODY_SKIPPED = (
    "WARNING parsing POST /v1/applications/import.csv within applications.\n\n"
    "Unsupported content type text/csv"
)


def generate(into: Path) -> Path:
    """`openapi-python-client generate --path openapi/openapi.json`, no config; returns the
    project folder. Its formatting hooks run the ruff of this environment; a proxy that
    refuses every connection makes any download attempt fail the test."""
    bin_dir = str(Path(sys.executable).parent)
    unreachable = "http://127.0.0.1:9"
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "HTTP_PROXY": unreachable,
        "HTTPS_PROXY": unreachable,
        "NO_PROXY": "",
    }
    result = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(ROOT / "openapi" / "openapi.json"),
        ],
        cwd=into,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # It skips what it cannot read with a warning and still exits 0: nothing may be skipped,
    # but for one body it cannot send: a CSV import as `text/csv`, which the same operation
    # also takes as a form's `file` part, the variant this client generates.
    assert "WARNING" not in output.replace(CSV_BODY_SKIPPED, ""), output
    (project,) = into.iterdir()
    return project


@pytest.fixture(scope="module")
def client_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    project = generate(tmp_path_factory.mktemp("python-client"))
    sys.path.insert(0, str(project))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(project))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with live_server() as url:
        yield url


def module(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_every_time_zone_has_its_own_member(client_package: ModuleType) -> None:
    """`GMT+0`, `GMT-0` and `GMT0` (and `Etc/GMT+1`, `Etc/GMT-1`) stay apart."""
    zones = module("models.user_register_timezone").UserRegisterTimezone
    from app.users.models import _TIMEZONES

    assert {zone.value for zone in zones} == _TIMEZONES
    assert zones("GMT+0") is zones.GMT_PLUS_0 and zones("GMT-0") is zones.GMT_MINUS_0
    assert zones("Etc/GMT+1") is not zones("Etc/GMT-1")


def test_the_sync_story_through_the_generated_client(
    client_package: ModuleType, server: str
) -> None:
    # The generated modules, one per operation, as `from rebound_api_client.api… import …`.
    models = module("models")
    register = module("api.auth.register")
    create_application = module("api.applications.create_application")
    get_application = module("api.applications.get_application")
    update_application = module("api.applications.update_application")
    list_applications = module("api.applications.list_applications")
    create_interview = module("api.interviews.create_interview")
    delete_interview = module("api.interviews.delete_interview")
    list_interviews = module("api.interviews.list_interviews")
    create_outcome = module("api.outcomes.create_outcome")
    list_outcomes = module("api.outcomes.list_outcomes")
    create_reflection = module("api.reflections.create_reflection")
    list_reflections = module("api.reflections.list_reflections")

    registered = register.sync_detailed(
        client=client_package.Client(base_url=server),
        body=models.UserRegister(
            email=f"python-{uuid.uuid4().hex[:8]}@example.com",
            password=PASSWORD,
            timezone=models.UserRegisterTimezone.EUROPE_BERLIN,
        ),
    )
    assert registered.status_code == 201, registered.content
    assert registered.parsed.user.timezone == "Europe/Berlin"
    client = client_package.AuthenticatedClient(
        base_url=server, token=registered.parsed.tokens.access_token
    )

    application = create_application.sync(
        client=client,
        body=models.ApplicationCreate(
            company="Northwind Robotics",
            role_title="Senior mobile engineer",
            applied_on=date.today() - timedelta(days=14),
            tags=["mobile"],
        ),
    )
    assert isinstance(application, models.ApplicationPublic), application
    interview = create_interview.sync(
        client=client,
        body=models.InterviewCreate(
            application_id=application.id, kind=models.InterviewKind.TECHNICAL, self_rating=4
        ),
    )
    assert isinstance(interview, models.InterviewPublic), interview
    outcome = create_outcome.sync(
        client=client,
        body=models.OutcomeCreate(
            application_id=application.id,
            kind=models.OutcomeKind.REJECTION,
            received_on=date.today(),
            stated_reason="Another candidate had more platform experience.",
        ),
    )
    assert isinstance(outcome, models.OutcomePublic), outcome
    reflection = create_reflection.sync(
        client=client,
        body=models.ReflectionCreate(
            outcome_id=outcome.id,
            went_well=["Clear answers on state management"],
            next_steps=[models.NextStep(text="Rehearse the system design answer")],
        ),
    )
    assert isinstance(reflection, models.ReflectionPublic), reflection
    assert reflection.application_id == application.id

    # A first sync: every list, whole, and the token each one ends with.
    lists = {
        "applications": list_applications,
        "interviews": list_interviews,
        "outcomes": list_outcomes,
        "reflections": list_reflections,
    }
    created = {
        "applications": application.id,
        "interviews": interview.id,
        "outcomes": outcome.id,
        "reflections": reflection.id,
    }
    tokens = {}
    for collection, operation in lists.items():
        page = operation.sync(client=client, limit=200)
        assert [item.id for item in page.items] == [created[collection]], collection
        assert page.next_cursor is None
        tokens[collection] = page.sync_token
    refreshed = get_application.sync(record_id=application.id, client=client)
    assert refreshed.stage == models.Stage.REJECTED

    # Then the user takes notes on the application and drops the interview.
    updated = update_application.sync(
        record_id=application.id,
        client=client,
        body=models.ApplicationUpdate(notes="Ask for feedback on the design round."),
    )
    assert isinstance(updated, models.ApplicationPublic), updated
    assert updated.version == refreshed.version + 1
    deleted = delete_interview.sync_detailed(record_id=interview.id, client=client)
    assert deleted.status_code == 204, deleted.content

    # The next sync from each token returns just that: the change and the tombstone.
    changes = {
        collection: operation.sync(client=client, updated_since=tokens[collection])
        for collection, operation in lists.items()
    }
    (changed,) = changes["applications"].items
    assert changed.id == application.id and changed.notes == "Ask for feedback on the design round."
    (gone,) = changes["interviews"].items
    assert gone.id == interview.id and gone.deleted_at is not None
    assert changes["outcomes"].items == [] and changes["reflections"].items == []
