"""GET /v1/applications/export.csv: the caller's live applications as a CSV file (filters,
history, formula-safe cells, keyset pages), and the round trip: an export imported into a
fresh account gives the same applications."""

import csv
import io
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from app.applications import spreadsheet_export
from tests.helpers import assert_problem, register
from tests.resources.factories import create_application, create_outcome
from tests.resources.factories_sync import walk
from tests.resources.test_csv_import import FIELDS, imported

PATH = "/v1/applications/export.csv"
HEADER = [
    "Company",
    "Role title",
    "Stage",
    "Applied on",
    "Job URL",
    "Location",
    "Work mode",
    "Source",
    "Referrer",
    "Salary min",
    "Salary max",
    "Currency",
    "Interest",
    "Tags",
    "Notes",
    "Job description",
    "Outcome date",
]


async def export(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> str:
    response = await client.get(PATH, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.text


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def companies(text: str) -> list[str]:
    return [row["Company"] for row in rows(text)]


async def test_the_file_lists_the_callers_applications_by_applied_date(client):
    user = await register(client)
    h = user["headers"]
    await create_application(client, h, company="Later", applied_on="2026-10-02")
    await create_application(
        client,
        h,
        company="Globex",
        role_title="Platform engineer",
        applied_on="2026-10-01",
        job_url="https://globex.example/jobs/42",
        location="Berlin",
        work_mode="hybrid",
        source="referral",
        referrer="Hank",
        salary_min=80000,
        salary_max=95000,
        currency="EUR",
        interest=4,
        tags=["platform", "berlin"],
        notes='Said "call me",\nthen wrote.',
    )
    await create_application(client, h, company="Undated")

    response = await client.get(PATH, headers=h)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="applications.csv"'
    assert response.headers["cache-control"] == "no-store"
    assert not response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.startswith(",".join(HEADER).encode() + b"\r\n")
    listed = rows(response.text)
    assert [row["Company"] for row in listed] == ["Undated", "Globex", "Later"]
    assert listed[1] == {
        "Company": "Globex",
        "Role title": "Platform engineer",
        "Stage": "applied",
        "Applied on": "2026-10-01",
        "Job URL": "https://globex.example/jobs/42",
        "Location": "Berlin",
        "Work mode": "hybrid",
        "Source": "referral",
        "Referrer": "Hank",
        "Salary min": "80000",
        "Salary max": "95000",
        "Currency": "EUR",
        "Interest": "4",
        "Tags": "platform, berlin",
        "Notes": 'Said "call me",\nthen wrote.',
        "Job description": "",
        "Outcome date": "",
    }


async def test_stage_and_applied_date_filters(client):
    user = await register(client)
    h = user["headers"]
    await create_application(client, h, company="Sept", applied_on="2026-09-30")
    await create_application(client, h, company="Oct 1", applied_on="2026-10-01")
    await create_application(client, h, company="Oct 31", applied_on="2026-10-31", stage="offer")
    await create_application(client, h, company="Nov", applied_on="2026-11-01")
    await create_application(client, h, company="Undated", stage="offer")

    october = await export(client, h, **{"from": "2026-10-01", "to": "2026-10-31"})
    offers = await export(client, h, stage="offer")
    since = await export(client, h, **{"from": "2026-10-31"})

    assert companies(october) == ["Oct 1", "Oct 31"]
    assert companies(offers) == ["Undated", "Oct 31"]
    assert companies(since) == ["Oct 31", "Nov"]


async def test_from_after_to_is_422(client):
    user = await register(client)

    response = await client.get(
        PATH, params={"from": "2026-11-01", "to": "2026-10-01"}, headers=user["headers"]
    )

    assert [e["field"] for e in assert_problem(response, 422)["errors"]] == ["query.from"]


async def test_with_history_lists_each_stage_change_and_the_outcome_date(client):
    user = await register(client)
    h = user["headers"]
    application = await create_application(client, h, company="Hooli", applied_on="2026-10-01")
    moved = await client.patch(
        f"/v1/applications/{application['id']}", json={"stage": "interviewing"}, headers=h
    )
    assert moved.status_code == 200, moved.text
    await create_outcome(client, h, application["id"], received_on="2026-10-20")
    today = datetime.now(UTC).date().isoformat()

    plain = rows(await export(client, h))
    with_history = rows(await export(client, h, with_history="true"))

    assert "History" not in plain[0]
    assert plain[0]["Stage"] == "rejected" and plain[0]["Outcome date"] == "2026-10-20"
    history = with_history[0]["History"]
    assert history.split("; ") == [f"{today} applied", f"{today} interviewing", f"{today} rejected"]


async def test_cells_a_spreadsheet_would_run_are_quoted_and_come_back_as_they_were(client):
    user = await register(client)
    risky = {
        "company": '=HYPERLINK("https://evil.example","Click")',
        "role_title": "-1+1",
        "location": "@home",
        "notes": "+49 30 1234567",
        "referrer": "'=already quoted",
        "tags": ["=cmd", "plain"],
    }
    await create_application(client, user["headers"], **risky)

    text = await export(client, user["headers"])

    row = rows(text)[0]
    assert row["Company"] == "'" + risky["company"]
    assert row["Role title"] == "'-1+1"
    assert row["Location"] == "'@home"
    assert row["Notes"] == "'+49 30 1234567"
    assert row["Referrer"] == "''=already quoted"
    assert row["Tags"] == "'=cmd, plain"
    fresh = await register(client)
    await imported(client, fresh["headers"], text)
    (back,) = (await walk(client, fresh["headers"], "applications"))[0]
    assert {name: back[name] for name in risky} == risky


async def test_an_export_imported_into_a_fresh_account_gives_the_same_applications(client):
    user = await register(client)
    h = user["headers"]
    await create_application(
        client,
        h,
        company="Müller & Söhne GmbH",
        role_title="Backend-Entwickler (m/w/d)",
        job_url="https://mueller.example/jobs/12?ref=board",
        location="München",
        work_mode="onsite",
        source="job_board",
        salary_min=55000,
        salary_max=65000,
        currency="EUR",
        stage="screening",
        applied_on="2026-10-01",
        interest=5,
        notes='Line one;\nline two, "quoted"\ttabbed',
        tags=["backend", "münchen"],
        job_description="We build things.\n\n- Python\n- PostgreSQL",
    )
    decided = await create_application(
        client, h, company="Initech", role_title="SRE", applied_on="2026-09-01"
    )
    await create_outcome(client, h, decided["id"], kind="rejection", received_on="2026-09-15")
    silent = await create_application(client, h, company="Hooli", source="recruiter")
    await create_outcome(client, h, silent["id"], kind="ghosted", received_on="2026-08-01")
    await create_application(client, h, company="Umbrella", stage="wishlist", work_mode="remote")
    text = await export(client, h)
    fresh = await register(client)

    report = await imported(client, fresh["headers"], text)

    assert report["created"] == 4 and report["errors"] == []
    assert all(column["field"] is not None for column in report["columns"])

    def comparable(headers_of: dict[str, str]) -> Any:
        async def read() -> list[dict[str, Any]]:
            items, _, _ = await walk(client, headers_of, "applications")
            return sorted(({name: i[name] for name in FIELDS} for i in items), key=str)

        return read()

    assert await comparable(fresh["headers"]) == await comparable(h)
    received = {
        (o["kind"], o["received_on"]) for o in (await walk(client, fresh["headers"], "outcomes"))[0]
    }
    assert received == {("rejection", "2026-09-15"), ("ghosted", "2026-08-01")}
    again = rows(await export(client, fresh["headers"]))
    assert sorted(again, key=str) == sorted(rows(text), key=str)


async def test_another_users_and_deleted_applications_never_appear(client):
    owner = await register(client)
    other = await register(client)
    await create_application(client, other["headers"], company="Not Yours")
    kept = await create_application(client, owner["headers"], company="Kept")
    gone = await create_application(client, owner["headers"], company="Deleted")
    deleted = await client.delete(f"/v1/applications/{gone['id']}", headers=owner["headers"])
    assert deleted.status_code == 204

    text = await export(client, owner["headers"], with_history="true")

    assert companies(text) == [kept["company"]]
    assert "Not Yours" not in text and "Deleted" not in text


async def test_a_file_longer_than_a_page_is_read_page_by_page(client, monkeypatch):
    monkeypatch.setattr(spreadsheet_export, "PAGE_ROWS", 2)
    user = await register(client)
    for day in (5, 1, 3, 2, 4):
        await create_application(
            client, user["headers"], company=f"Day {day}", applied_on=f"2026-10-0{day}"
        )
    await create_application(client, user["headers"], company="Undated")

    text = await export(client, user["headers"], with_history="true")

    assert companies(text) == ["Undated", *(f"Day {day}" for day in range(1, 6))]


async def test_an_account_without_applications_gets_the_header_only(client):
    user = await register(client)

    assert await export(client, user["headers"]) == ",".join(HEADER) + "\r\n"


@pytest.mark.parametrize("params", [{}, {"with_history": "true"}])
async def test_without_a_token_it_is_401(client, params):
    assert_problem(await client.get(PATH, params=params), 401)
