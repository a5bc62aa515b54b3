"""POST /v1/applications/import.csv: other trackers' and spreadsheets' files read by their
column names, every row checked as POST /v1/applications checks a body, all or nothing (or
`skip_invalid`), duplicates skipped so that a second import creates nothing, decisions
recorded as outcomes, and the refusals: encoding, columns, media type, size, budget."""

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.helpers import assert_problem, bad_fields, client_of, register
from tests.openapi_validation import OpenAPIResponseChecker
from tests.resources.csv_samples import read_sample, sample_csv
from tests.resources.factories import create_application
from tests.resources.factories_sync import walk

PATH = "/v1/applications/import.csv"
FIELDS = (
    "company",
    "role_title",
    "job_url",
    "location",
    "work_mode",
    "source",
    "referrer",
    "salary_min",
    "salary_max",
    "currency",
    "stage",
    "applied_on",
    "interest",
    "notes",
    "tags",
    "job_description",
)


async def import_csv(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    body: str | bytes,
    content_type: str | None = "text/csv",
    **params: Any,
) -> httpx.Response:
    """POST the file; `mapping` is sent as JSON, booleans as true/false."""
    query = {
        name: json.dumps(value)
        if name == "mapping"
        else str(value).lower()
        if isinstance(value, bool)
        else value
        for name, value in params.items()
    }
    sent = dict(headers)
    if content_type is not None:
        sent["Content-Type"] = content_type
    content = body.encode() if isinstance(body, str) else body
    return await client.post(PATH, content=content, params=query, headers=sent)


async def imported(
    client: httpx.AsyncClient, headers: dict[str, str], body: str | bytes, **params: Any
) -> dict[str, Any]:
    response = await import_csv(client, headers, body, **params)
    assert response.status_code == 200, response.text
    return response.json()


async def applications(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    """The caller's applications by company (each test's companies are distinct)."""
    items, _, _ = await walk(client, headers, "applications")
    return {item["company"]: item for item in items}


async def outcomes(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    return (await walk(client, headers, "outcomes"))[0]


def fields(item: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: item[name] for name in names or FIELDS}


def columns(report: dict[str, Any]) -> dict[str, str | None]:
    return {column["header"]: column["field"] for column in report["columns"]}


# --- real-world files -------------------------------------------------------------------------


async def test_a_huntr_like_board_export_is_read_by_its_column_names(client):
    user = await register(client)

    report = await imported(client, user["headers"], read_sample("huntr.csv"))

    assert {k: v for k, v in report.items() if k != "columns"} == {
        "dry_run": False,
        "rows": 5,
        "created": 5,
        "outcomes_created": 2,
        "skipped_duplicates": 0,
        "invalid_rows": 0,
        "errors": [],
        "more_errors": 0,
    }
    assert columns(report) == {
        "Job Title": "role_title",
        "Company": "company",
        "List": "stage",
        "Job Post URL": "job_url",
        "Location": "location",
        "Salary": "salary",
        "Date Applied": "applied_on",
        "Notes": "notes",
    }
    found = await applications(client, user["headers"])
    assert fields(found["Globex"], "role_title", "stage", "location", "applied_on") == {
        "role_title": "Platform Engineer",
        "stage": "applied",
        "location": "Berlin, DE",
        "applied_on": "2026-10-01",
    }
    assert fields(found["Globex"], "salary_min", "salary_max", "currency") == {
        "salary_min": 80000,
        "salary_max": 95000,
        "currency": "EUR",
    }
    assert found["Initech"]["stage"] == "interviewing"
    assert found["Initech"]["notes"] == "Two rounds:\ntech, then culture"
    assert fields(found["Hooli"], "stage", "salary_min", "salary_max", "currency") == {
        "stage": "rejected",
        "salary_min": 150000,
        "salary_max": 170000,
        "currency": "USD",
    }
    assert fields(found["Umbrella"], "stage", "applied_on", "job_url") == {
        "stage": "wishlist",
        "applied_on": None,
        "job_url": None,
    }
    assert fields(found["Vandelay Industries"], "stage", "salary_min", "salary_max") == {
        "stage": "offer",
        "salary_min": 210000,
        "salary_max": 210000,
    }
    decided = {(o["kind"], o["received_on"]) for o in await outcomes(client, user["headers"])}
    assert decided == {("rejection", "2026-09-02"), ("offer", "2026-08-15")}


async def test_a_teal_like_tracker_export_maps_its_statuses_and_leaves_other_columns_out(client):
    user = await register(client)

    report = await imported(client, user["headers"], read_sample("teal.csv"))

    assert report["created"] == 6 and report["outcomes_created"] == 3
    assert columns(report)["Job Position"] == "role_title"
    assert columns(report)["Excitement"] == "interest"
    assert columns(report)["Date Saved"] is None
    assert columns(report)["Follow Up"] is None
    found = await applications(client, user["headers"])
    assert {company: item["stage"] for company, item in found.items()} == {
        "Acme": "applied",
        "Wayne Enterprises": "interviewing",
        "Stark Industries": "rejected",
        "Cyberdyne": "ghosted",
        "Tyrell Corp": "wishlist",
        "Soylent": "withdrawn",
    }
    assert fields(found["Acme"], "salary_min", "salary_max", "interest", "applied_on") == {
        "salary_min": 90000,
        "salary_max": 110000,
        "interest": 4,
        "applied_on": "2026-10-01",
    }
    kinds = sorted(o["kind"] for o in await outcomes(client, user["headers"]))
    assert kinds == ["ghosted", "rejection", "withdrawn"]


async def test_a_german_excel_file_with_semicolons_a_bom_and_day_first_dates(client):
    user = await register(client)
    german = read_sample("excel_german.csv")
    assert german.startswith(b"\xef\xbb\xbf") and b";" in german and b"\r\n" in german

    report = await imported(client, user["headers"], german, date_format="%d.%m.%Y")

    assert report["created"] == 4 and report["errors"] == []
    assert columns(report) == {
        "Firma": "company",
        "Stelle": "role_title",
        "Status": "stage",
        "Beworben am": "applied_on",
        "Ort": "location",
        "Gehalt": "salary",
        "Notizen": "notes",
        "Link": "job_url",
    }
    found = await applications(client, user["headers"])
    assert fields(
        found["Müller & Söhne GmbH"],
        "role_title",
        "stage",
        "applied_on",
        "location",
        "salary_min",
        "salary_max",
        "currency",
        "notes",
    ) == {
        "role_title": "Backend-Entwickler (m/w/d)",
        "stage": "applied",
        "applied_on": "2026-10-01",
        "location": "München",
        "salary_min": 55000,
        "salary_max": 65000,
        "currency": "EUR",
        "notes": "Über Empfehlung",
    }
    assert found["Übersee GmbH"]["stage"] == "interviewing"
    assert found["Übersee GmbH"]["salary_min"] == 60000
    decided = {(o["kind"], o["received_on"]) for o in await outcomes(client, user["headers"])}
    assert decided == {("rejection", "2026-09-15"), ("ghosted", "2026-08-01")}


async def test_day_first_dates_without_date_format_are_errors_naming_the_column(client):
    user = await register(client)

    response = await import_csv(client, user["headers"], read_sample("excel_german.csv"))

    body = assert_problem(response, 422)
    assert [(e["line"], e["column"]) for e in body["errors"]] == [
        (line, "Beworben am") for line in (2, 3, 4, 5)
    ]
    assert "date_format" in body["errors"][0]["message"]
    assert await applications(client, user["headers"]) == {}


async def test_a_google_sheets_tab_separated_file(client):
    user = await register(client)

    report = await imported(client, user["headers"], read_sample("google_sheets.tsv"))

    assert report["created"] == 3 and report["outcomes_created"] == 1
    found = await applications(client, user["headers"])
    assert fields(found["Pied Piper"], "stage", "tags", "work_mode", "source") == {
        "stage": "screening",
        "tags": ["python", "backend"],
        "work_mode": "remote",
        "source": "job_board",
    }
    assert fields(found["Aviato"], "stage", "tags", "work_mode", "source") == {
        "stage": "on_hold",
        "tags": ["startup"],
        "work_mode": None,
        "source": "referral",
    }
    assert found["Raviga"]["job_url"] == "https://raviga.example/careers/architect"


async def test_french_and_spanish_column_names_and_statuses(client):
    user = await register(client)
    french = (
        "Entreprise,Poste,Statut,Date de candidature,Lieu\nAlpha,Ingénieure,Refus,2026-09-01,Lyon\n"
    )
    spanish = (
        "Empresa;Puesto;Estado;Fecha;Ubicación\nBeta;Desarrollador;Entrevista;2026-09-02;Sevilla\n"
    )

    await imported(client, user["headers"], french)
    await imported(client, user["headers"], spanish)

    found = await applications(client, user["headers"])
    assert fields(found["Alpha"], "role_title", "stage", "location") == {
        "role_title": "Ingénieure",
        "stage": "rejected",
        "location": "Lyon",
    }
    assert fields(found["Beta"], "role_title", "stage", "location", "applied_on") == {
        "role_title": "Desarrollador",
        "stage": "interviewing",
        "location": "Sevilla",
        "applied_on": "2026-09-02",
    }


async def test_an_excel_sep_line_and_cells_across_lines_keep_line_numbers_true(client):
    user = await register(client)
    body = (
        "sep=;\r\n"  # line 1
        "Company;Job Title;Status\r\n"  # line 2
        "Acme;Engineer;Applied\r\n"  # line 3
        '"Two\r\nLines";SRE;Unheard\r\n'  # lines 4 and 5
    )

    response = await import_csv(client, user["headers"], body)

    error = assert_problem(response, 422)["errors"][0]
    assert (error["line"], error["column"]) == (4, "Status")
    assert "stage" in error["message"]


# --- mapping and options ----------------------------------------------------------------------


async def test_mapping_names_the_columns_an_import_does_not_know_and_leaves_others_out(client):
    user = await register(client)
    body = "Arbeitgeber,Was,Memo,Intern\nInitrode,Tester,Call back,x-17\n"

    report = await imported(
        client,
        user["headers"],
        body,
        mapping={"Arbeitgeber": "company", "was": "role_title", "Memo": "notes", "Intern": None},
    )

    assert columns(report) == {
        "Arbeitgeber": "company",
        "Was": "role_title",
        "Memo": "notes",
        "Intern": None,
    }
    found = await applications(client, user["headers"])
    assert fields(found["Initrode"], "role_title", "notes") == {
        "role_title": "Tester",
        "notes": "Call back",
    }


@pytest.mark.parametrize(
    ("mapping", "date_format", "field"),
    [
        ('{"Company": "salary_maximum"}', None, "query.mapping"),
        ('["company"]', None, "query.mapping"),
        ("{not json", None, "query.mapping"),
        ('{"Nowhere": "company"}', None, "query.mapping"),
        (None, "%d", "query.date_format"),
        (None, "%Q.%m.%Y", "query.date_format"),
    ],
)
async def test_a_wrong_mapping_or_date_format_is_422_naming_it(client, mapping, date_format, field):
    user = await register(client)
    params = {"mapping": mapping, "date_format": date_format}
    sent = {name: value for name, value in params.items() if value is not None}

    response = await client.post(
        PATH,
        content=b"Company,Title\nAcme,Engineer\n",
        params=sent,
        headers={**user["headers"], "Content-Type": "text/csv"},
    )

    assert [e["field"] for e in assert_problem(response, 422)["errors"]] == [field]
    assert await applications(client, user["headers"]) == {}


async def test_a_file_without_company_and_role_columns_lists_the_headers_found(client):
    user = await register(client)

    response = await import_csv(client, user["headers"], "Firm name,Status,Whatever\nA,Applied,1\n")

    body = assert_problem(response, 422)
    assert body["found_headers"] == ["Firm name", "Status", "Whatever"]
    assert body["understood_headers"] == {"Status": "stage"}
    assert body["missing_fields"] == ["company", "role_title"]
    assert "mapping" in body["detail"]


async def test_an_empty_file_is_422(client):
    user = await register(client)

    assert_problem(await import_csv(client, user["headers"], ""), 422)


# --- all or nothing ---------------------------------------------------------------------------

MIXED = (
    "Company,Job Title,Status,Date Applied,Salary\n"
    "Good One,Engineer,Applied,2026-10-01,\n"
    ",Engineer,Applied,2026-10-01,\n"
    "Bad Stage,Engineer,Dreaming,2026-10-01,\n"
    "Bad Salary,Engineer,Applied,2026-10-01,95k-80k\n"
    "Good Two,Engineer,Rejected,2026-10-02,\n"
)


async def test_one_invalid_row_refuses_the_file_and_every_error_is_listed(client):
    user = await register(client)

    response = await import_csv(client, user["headers"], MIXED)

    body = assert_problem(response, 422)
    assert [(e["line"], e["column"], e["code"]) for e in body["errors"]] == [
        (3, "Company", "missing"),
        (4, "Status", "invalid"),
        (5, "Salary", "salary_range"),
    ]
    assert body["invalid_rows"] == 3 and body["more_errors"] == 0
    assert "line 3, column Company" in body["detail"]
    assert "skip_invalid" in body["detail"]
    assert await applications(client, user["headers"]) == {}
    assert await outcomes(client, user["headers"]) == []


async def test_skip_invalid_imports_the_valid_rows_and_reports_the_others(client):
    user = await register(client)

    report = await imported(client, user["headers"], MIXED, skip_invalid=True)

    assert report["created"] == 2 and report["invalid_rows"] == 3
    assert [e["line"] for e in report["errors"]] == [3, 4, 5]
    assert set(await applications(client, user["headers"])) == {"Good One", "Good Two"}
    assert len(await outcomes(client, user["headers"])) == 1


async def test_errors_list_the_first_hundred_and_count_the_others(client):
    user = await register(client)
    body = "Company,Job Title,Status\n" + "".join(f"C{n},Engineer,Nope\n" for n in range(150))

    response = await import_csv(client, user["headers"], body)

    problem = assert_problem(response, 422)
    assert len(problem["errors"]) == 100 and problem["more_errors"] == 50
    assert problem["invalid_rows"] == 150


async def test_errors_never_quote_a_cell(client):
    user = await register(client)
    body = (
        "Company,Job Title,Status,Salary,Date Applied\n"
        "Acme,Eng,zz-private-status,zz-private-pay,zz-day\n"
    )

    response = await import_csv(client, user["headers"], body)

    assert_problem(response, 422)
    assert "zz-private" not in response.text
    assert "zz-day" not in response.text


async def test_a_dry_run_reports_what_an_import_would_do_and_writes_nothing(client):
    user = await register(client)

    dry = await imported(client, user["headers"], read_sample("huntr.csv"), dry_run=True)

    assert dry["dry_run"] is True and dry["created"] == 5 and dry["outcomes_created"] == 2
    assert await applications(client, user["headers"]) == {}
    assert await outcomes(client, user["headers"]) == []
    real = await imported(client, user["headers"], read_sample("huntr.csv"))
    assert {**dry, "dry_run": False} == real


# --- duplicates -------------------------------------------------------------------------------


async def test_importing_the_same_file_again_creates_nothing(client):
    user = await register(client)
    body = sample_csv(1_200)
    first = await imported(client, user["headers"], body)
    assert first["created"] == 1_200

    again = await imported(client, user["headers"], body)

    assert again["created"] == 0 and again["outcomes_created"] == 0
    assert again["skipped_duplicates"] == 1_200
    assert len((await walk(client, user["headers"], "applications"))[0]) == 1_200


async def test_a_row_repeating_an_application_or_an_earlier_row_is_skipped(client):
    user = await register(client)
    h = user["headers"]
    await create_application(client, h, company="Posting Co", job_url="https://p.example/jobs/1")
    await create_application(
        client, h, company="Acme", role_title="Engineer", applied_on="2026-10-01"
    )
    body = (
        "Company,Job Title,Date Applied,URL\n"
        "Posting Co (renamed),Other title,,https://www.p.example/jobs/1/?utm_source=x#apply\n"
        "ACME GmbH,  engineer ,2026-10-01,\n"
        "Acme,Engineer,2026-10-02,\n"
        "Twins,Engineer,2026-10-03,https://twins.example/a\n"
        "Twins,Engineer,2026-10-03,https://twins.example/b\n"
        "Twins,Engineer,2026-10-03,https://twins.example/b?utm_campaign=again\n"
    )

    report = await imported(client, h, body)

    assert (report["created"], report["skipped_duplicates"]) == (3, 3)
    items, _, _ = await walk(client, h, "applications")
    assert sorted((i["company"], i["applied_on"], i["job_url"]) for i in items) == [
        ("Acme", "2026-10-01", None),
        ("Acme", "2026-10-02", None),
        ("Posting Co", None, "https://p.example/jobs/1"),
        ("Twins", "2026-10-03", "https://twins.example/a"),
        ("Twins", "2026-10-03", "https://twins.example/b"),
    ]


async def test_another_users_application_is_no_duplicate(client):
    owner = await register(client)
    await create_application(
        client, owner["headers"], company="Shared", job_url="https://s.example/1"
    )
    other = await register(client)

    report = await imported(
        client, other["headers"], "Company,Title,URL\nShared,Eng,https://s.example/1\n"
    )

    assert report["created"] == 1 and report["skipped_duplicates"] == 0
    assert len(await applications(client, owner["headers"])) == 1


# --- decisions --------------------------------------------------------------------------------


async def test_decided_rows_get_outcomes_that_insights_count(client):
    user = await register(client)
    h = user["headers"]
    body = (
        "Company,Job Title,Status,Date Applied,Date Rejected\n"
        "Told,Engineer,Rejected,2026-09-01,2026-09-20\n"
        "Undated Answer,Engineer,Absage,2026-09-02,\n"
        "No Dates,Engineer,Not selected,,\n"
        "Silent,Engineer,Ghosted,2026-08-01,\n"
        "Waiting,Engineer,Applied,2026-10-01,2026-10-05\n"
    )

    before = datetime.now(UTC).date().isoformat()
    report = await imported(client, h, body)
    after = datetime.now(UTC).date().isoformat()

    assert report["outcomes_created"] == 4
    found = await applications(client, h)
    received = {
        next(c for c, item in found.items() if item["id"] == o["application_id"]): (
            o["kind"],
            o["received_on"],
        )
        for o in await outcomes(client, h)
    }
    assert received["Told"] == ("rejection", "2026-09-20")
    assert received["Undated Answer"] == ("rejection", "2026-09-02")
    assert received["No Dates"][0] == "rejection"
    assert received["No Dates"][1] in {before, after}  # today, in the user's zone (UTC)
    assert received["Silent"] == ("ghosted", "2026-08-01")
    insights = (await client.get("/v1/insights", headers=h)).json()
    assert insights["rejections_per_offer"]["rejections"] == 3


async def test_an_imported_application_s_timeline_starts_with_its_stage(client):
    user = await register(client)
    await imported(client, user["headers"], "Company,Title,Status\nHooli,Engineer,Rejected\n")
    application = (await applications(client, user["headers"]))["Hooli"]

    response = await client.get(
        f"/v1/applications/{application['id']}/timeline", headers=user["headers"]
    )

    assert [
        (entry["from_stage"], entry["to_stage"], entry["cause"])
        for entry in response.json()["items"]
    ] == [(None, "rejected", "user")]


async def test_imported_records_reach_a_syncing_client(client):
    user = await register(client)
    before = (await client.get("/v1/changes", headers=user["headers"])).json()["sync_token"]

    await imported(client, user["headers"], "Company,Title,Status\nHooli,Engineer,Rejected\n")

    changes = await client.get(
        "/v1/changes", params={"updated_since": before}, headers=user["headers"]
    )
    assert sorted(item["collection"] for item in changes.json()["items"]) == [
        "applications",
        "outcomes",
    ]


# --- refusals ---------------------------------------------------------------------------------


async def test_bytes_that_are_not_utf8_are_422_naming_where_never_what(client):
    user = await register(client)
    body = b"Company,Job Title\r\nAcme,Engineer\r\nCaf\xe9 Noir,Barista\r\n"

    response = await import_csv(client, user["headers"], body)

    problem = assert_problem(response, 422)
    offset = body.index(b"\xe9")  # 37
    assert f"offset {offset} (line 3)" in problem["detail"]
    assert [(e["line"], e["column"], e["code"]) for e in problem["errors"]] == [
        (3, None, "encoding")
    ]
    assert "Caf" not in response.text and "Barista" not in response.text
    assert await applications(client, user["headers"]) == {}


async def test_a_utf16_file_is_422_saying_how_to_save_it(client):
    user = await register(client)
    body = "Company\tJob Title\nAcme\tEngineer\n".encode("utf-16")

    problem = assert_problem(await import_csv(client, user["headers"], body), 422)

    assert "UTF-16" in problem["detail"] and "CSV UTF-8" in problem["detail"]


@pytest.mark.parametrize(
    "content_type", ["application/json", None, "text/plain", "text/csv; charset=iso-8859-1"]
)
async def test_a_body_not_sent_as_utf8_csv_is_415(client, content_type):
    user = await register(client)

    response = await import_csv(
        client, user["headers"], "Company,Title\nAcme,Eng\n", content_type=content_type
    )

    assert "text/csv" in assert_problem(response, 415)["detail"]
    assert await applications(client, user["headers"]) == {}


async def test_without_a_token_it_is_401(client):
    response = await import_csv(client, {}, "Company,Title\nAcme,Eng\n")

    assert_problem(response, 401)


def checked_client(app: Any) -> httpx.AsyncClient:
    http = client_of(app)
    http.event_hooks["response"].append(OpenAPIResponseChecker())
    return http


async def test_a_file_over_the_size_limit_is_413_and_writes_nothing(app_with):
    app = app_with(max_csv_import_bytes=1024, max_body_bytes=1024)
    async with checked_client(app) as http:
        user = await register(http)
        body = "Company,Title\n" + "".join(f"Company {n},Engineer\n" for n in range(100))
        assert len(body) > 1024

        response = await import_csv(http, user["headers"], body)

        assert_problem(response, 413)
        assert await applications(http, user["headers"]) == {}


async def test_rows_are_spent_from_the_import_budget_dry_runs_too(app_with):
    app = app_with(rate_limit_import_records_per_user="10/hour")
    async with checked_client(app) as http:
        user = await register(http)
        h = user["headers"]
        await imported(http, h, sample_csv(4), dry_run=True)  # 4
        await imported(http, h, sample_csv(4, start=10))  # 8

        refused = await import_csv(http, h, sample_csv(3, start=20))

        assert_problem(refused, 429)
        assert 1 <= int(refused.headers["retry-after"]) <= 3600
        assert len(await applications(http, h)) == 4
        await imported(http, h, sample_csv(2, start=30))  # refused, it spent nothing: 10
        too_many = await import_csv(http, h, sample_csv(11, start=40))
        assert_problem(too_many, 413)


async def test_an_import_beyond_the_record_quota_is_refused_whole(app_with):
    app = app_with(quota_records_per_collection=5)
    async with checked_client(app) as http:
        user = await register(http)
        await create_application(http, user["headers"], company="Kept")

        response = await import_csv(http, user["headers"], sample_csv(5))

        assert assert_problem(response, 422)["type"].endswith("/quota-exceeded")
        assert set(await applications(http, user["headers"])) == {"Kept"}
        assert (await imported(http, user["headers"], sample_csv(4)))["created"] == 4


async def test_a_keyed_import_replays_and_a_keyed_dry_run_writes_nothing(client):
    user = await register(client)
    h = {**user["headers"], "Idempotency-Key": "csv-dry"}
    body = read_sample("teal.csv")

    dry = await import_csv(client, h, body, dry_run=True)
    replayed_dry = await import_csv(client, h, body, dry_run=True)

    assert dry.status_code == replayed_dry.status_code == 200
    assert replayed_dry.headers["idempotent-replayed"] == "true"
    assert replayed_dry.json() == dry.json()
    assert await applications(client, user["headers"]) == {}

    keyed = {**user["headers"], "Idempotency-Key": "csv-real"}
    first = await import_csv(client, keyed, body)
    again = await import_csv(client, keyed, body)

    assert first.status_code == again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json() and first.json()["created"] == 6
    assert len(await applications(client, user["headers"])) == 6
    assert len(await outcomes(client, user["headers"])) == 3


async def test_a_keyed_import_refused_for_an_invalid_row_writes_nothing(client):
    user = await register(client)
    h = {**user["headers"], "Idempotency-Key": "csv-bad"}

    response = await import_csv(client, h, MIXED)

    assert_problem(response, 422)
    assert await applications(client, user["headers"]) == {}


async def test_a_form_upload_imports_the_same_way(client):
    """Swagger UI and generated clients upload a file as a form's `file` part."""
    user = await register(client)
    body = b"Company,Job Title,Status\r\nGlobex,Platform engineer,Applied\r\n"
    response = await client.post(
        "/v1/applications/import.csv",
        files={"file": ("applications.csv", body, "text/csv")},
        headers=user["headers"],
    )
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 1

    missing = await client.post(
        "/v1/applications/import.csv",
        files={"other": ("applications.csv", body, "text/csv")},
        headers=user["headers"],
    )
    assert_problem(missing, 422)
    assert bad_fields(missing) == {"body.file"}


async def test_empty_mapping_and_date_format_mean_not_given(client):
    user = await register(client)
    response = await client.post(
        PATH,
        content=b"Company,Title\nAcme,Engineer\n",
        params={"mapping": "", "date_format": ""},
        headers={**user["headers"], "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 1


async def test_a_form_with_other_parts_is_refused_naming_file(client):
    user = await register(client)
    body = b"Company,Job Title\r\nGlobex,Platform engineer\r\n"
    for files, data in (
        ({"file": ("a.csv", body, "text/csv")}, {"note": "x"}),
        ({"file": ("a.csv", body, "text/csv"), "other": ("b.csv", body, "text/csv")}, None),
    ):
        response = await client.post(
            "/v1/applications/import.csv", files=files, data=data, headers=user["headers"]
        )
        assert_problem(response, 422)
        assert bad_fields(response) == {"body.file"}
    assert await applications(client, user["headers"]) == {}
