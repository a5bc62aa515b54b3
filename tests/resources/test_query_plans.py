"""The list and sync queries use their indexes (PostgreSQL): the exact SQL the app runs for a
request is captured, then EXPLAINed with its parameters on a seeded, analysed database."""

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from tests.helpers import register
from tests.resources.factories_sync import create_application, create_record, walk
from tests.sql_capture import captured

# Rows per user: enough that reading the whole table costs more than walking an index.
PER_USER = 300
INDEX_SCANS = {"Index Scan", "Index Only Scan"}


@pytest.fixture(autouse=True)
def postgres_only(settings):
    if settings.is_sqlite:
        pytest.skip("query plans are PostgreSQL's")


async def seed(app: Any, user_id: uuid.UUID, rows: int) -> None:
    """`rows` applications, each with one interview, in one statement per table."""
    async with app.state.engine.begin() as connection:
        await connection.execute(
            text(
                """
                INSERT INTO applications (id, user_id, created_at, updated_at, version,
                    change_seq, company, role_title, source, stage, interest, tags)
                SELECT gen_random_uuid(), :user_id, now() - make_interval(mins => g),
                    now() - make_interval(mins => g), 1, g, 'Company ' || g, 'Engineer',
                    'other', 'applied', 3, '[]'::jsonb
                FROM generate_series(1, :rows) AS g
                """
            ),
            {"user_id": user_id, "rows": rows},
        )
        await connection.execute(
            text(
                """
                INSERT INTO interviews (id, user_id, created_at, updated_at, version,
                    change_seq, application_id, kind, interviewers)
                SELECT gen_random_uuid(), user_id, created_at, updated_at, 1,
                    change_seq + :rows, id, 'technical', '[]'::jsonb
                FROM applications WHERE user_id = :user_id
                """
            ),
            {"user_id": user_id, "rows": rows},
        )
        await connection.execute(
            text("UPDATE users SET change_seq = :seq WHERE id = :user_id"),
            {"user_id": user_id, "seq": 2 * rows},
        )


async def analyse(app: Any) -> None:
    async with app.state.engine.connect() as connection:
        await connection.execute(text("ANALYZE applications"))
        await connection.execute(text("ANALYZE interviews"))
        await connection.commit()


def list_statement(statements: list[tuple[str, Any]], table: str) -> tuple[str, Any]:
    found = [
        (sql, params)
        for sql, params in statements
        if sql.lstrip().upper().startswith("SELECT")
        and f"FROM {table}" in sql
        and "ORDER BY" in sql
        and "LIMIT" in sql
    ]
    assert len(found) == 1, statements
    return found[0]


async def explain(app: Any, sql: str, parameters: Any) -> dict[str, Any]:
    async with app.state.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection  # asyncpg: the captured SQL uses its $n placeholders
        assert driver is not None
        plan = await driver.fetchval(f"EXPLAIN (FORMAT JSON) {sql}", *(parameters or ()))
    if isinstance(plan, str | bytes):  # unless the dialect's JSON codec decoded it already
        plan = json.loads(plan)
    return plan[0]["Plan"]


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def describe(plan: dict[str, Any]) -> list[str]:
    return [
        f"{node['Node Type']}{' on ' + node['Index Name'] if 'Index Name' in node else ''}"
        f"{' ' + node['Scan Direction'] if 'Scan Direction' in node else ''}"
        for node in nodes(plan)
    ]


def assert_uses_index(plan: dict[str, Any], index: str, sql: str) -> None:
    used = [
        node
        for node in nodes(plan)
        if node["Node Type"] in INDEX_SCANS and node.get("Index Name") == index
    ]
    assert used, f"expected an index scan on {index}; plan: {describe(plan)}\nSQL: {sql}"
    # Rows come out of the index already in order: no table-wide scan, and no sort below the
    # LIMIT. Above it, at most the page (limit + 1 rows) is put back in order after the join
    # with the user's row.
    limits = [node for node in nodes(plan) if node["Node Type"] == "Limit"]
    assert limits, describe(plan)
    below = {node["Node Type"] for limit in limits for node in nodes(limit)}
    assert not below & {"Sort", "Seq Scan"}, describe(plan)
    assert "Seq Scan" not in {node["Node Type"] for node in nodes(plan)}, describe(plan)
    for node in nodes(plan):
        if node["Node Type"] == "Sort":
            assert node["Plan Rows"] <= 201, describe(plan)  # MAX_LIMIT + 1


async def current_token(client: Any, headers: dict[str, str], collection: str) -> str:
    """The token after reading everything, taken by paging a delta from the epoch (plain-list
    cursors of the default sort are broken: see test_the_next_page_of_the_default_list...)."""
    return (await walk(client, headers, collection, updated_since="1970-01-01T00:00:00Z"))[1]


async def seeded_users(client: Any, app: Any) -> dict[str, Any]:
    alice = await register(client)
    bob = await register(client)
    for user in (alice, bob):
        user_id = uuid.UUID((await client.get("/v1/me", headers=user["headers"])).json()["id"])
        await seed(app, user_id, PER_USER)
    await analyse(app)
    return alice


async def test_the_default_list_walks_the_recency_index(client, app):
    alice = await seeded_users(client, app)

    with captured(app) as statements:
        response = await client.get("/v1/applications", headers=alice["headers"])
    assert response.status_code == 200, response.text
    assert len(response.json()["items"]) == 50

    sql, parameters = list_statement(statements, "applications")
    plan = await explain(app, sql, parameters)
    assert_uses_index(plan, "ix_applications_user_updated", sql)


async def test_the_next_page_of_the_default_list_walks_the_recency_index(client, app):
    alice = await seeded_users(client, app)
    first = (await client.get("/v1/applications", headers=alice["headers"])).json()

    with captured(app) as statements:
        response = await client.get(
            "/v1/applications", params={"cursor": first["next_cursor"]}, headers=alice["headers"]
        )
    assert response.status_code == 200, response.text

    sql, parameters = list_statement(statements, "applications")
    plan = await explain(app, sql, parameters)
    assert_uses_index(plan, "ix_applications_user_updated", sql)


async def test_the_sync_query_walks_the_change_index(client, app):
    alice = await seeded_users(client, app)
    token = await current_token(client, alice["headers"], "applications")
    for n in range(3):
        await create_application(client, alice["headers"], n)

    with captured(app) as statements:
        response = await client.get(
            "/v1/applications", params={"updated_since": token}, headers=alice["headers"]
        )
    assert response.status_code == 200, response.text
    assert len(response.json()["items"]) == 3

    sql, parameters = list_statement(statements, "applications")
    assert "change_seq >" in sql
    plan = await explain(app, sql, parameters)
    assert_uses_index(plan, "ix_applications_user_change", sql)


async def test_the_interview_sync_query_walks_the_change_index(client, app):
    alice = await seeded_users(client, app)
    parent = await create_application(client, alice["headers"])
    token = await current_token(client, alice["headers"], "interviews")
    interview = await create_record(client, alice["headers"], "interviews", parent["id"])

    with captured(app) as statements:
        response = await client.get(
            "/v1/interviews", params={"updated_since": token}, headers=alice["headers"]
        )
    assert response.status_code == 200, response.text
    assert [item["id"] for item in response.json()["items"]] == [interview["id"]]

    sql, parameters = list_statement(statements, "interviews")
    plan = await explain(app, sql, parameters)
    assert_uses_index(plan, "ix_interviews_user_change", sql)
