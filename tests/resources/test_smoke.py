from tests.helpers import register


async def test_application_flow(client):
    user = await register(client, display_name="Ada")
    h = user["headers"]
    r = await client.post(
        "/v1/applications",
        json={"company": "Acme", "role_title": "Engineer", "tags": ["a", "b"]},
        headers=h,
    )
    assert r.status_code == 201, r.text
    app_id = r.json()["id"]
    etag = r.headers["etag"]
    r = await client.get(f"/v1/applications/{app_id}", headers={**h, "If-None-Match": etag})
    assert r.status_code == 304
    r = await client.patch(
        f"/v1/applications/{app_id}",
        json={"stage": "interviewing"},
        headers={**h, "If-Match": etag},
    )
    assert r.status_code == 200, r.text
    r = await client.post(
        "/v1/outcomes",
        json={
            "application_id": app_id,
            "kind": "rejection",
            "received_on": "2026-11-20",
            "reasons": [{"key": "chemistry", "source": "suspected"}],
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    out_id = r.json()["id"]
    r = await client.get(f"/v1/applications/{app_id}/timeline", headers=h)
    assert [i["to_stage"] for i in r.json()["items"]] == ["applied", "interviewing", "rejected"], (
        r.text
    )
    r = await client.post(
        "/v1/feedback-conversations",
        json={"application_id": app_id, "outcome_id": out_id, "contact_name": "Bob"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    fid = r.json()["id"]
    r = await client.patch(
        f"/v1/feedback-conversations/{fid}", json={"status": "completed"}, headers=h
    )
    assert r.status_code == 200, r.text
    r = await client.patch(
        f"/v1/feedback-conversations/{fid}", json={"status": "planned"}, headers=h
    )
    assert r.status_code == 422, r.text
    r = await client.get(
        f"/v1/feedback-conversations/{fid}/request-draft?format=call_script", headers=h
    )
    assert r.status_code == 200, r.text
    r = await client.post(
        "/v1/reflections",
        json={
            "outcome_id": out_id,
            "mood": 4,
            "went_well": ["x"],
            "next_steps": [{"text": "practise", "due_on": "2026-12-01"}],
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    assert r.json()["application_id"] == app_id
    r = await client.post(
        "/v1/interviews",
        json={
            "application_id": app_id,
            "kind": "technical",
            "scheduled_at": "2026-11-01T10:00:00+02:00",
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    assert r.json()["scheduled_at"] == "2026-11-01T08:00:00Z"
    r = await client.get("/v1/applications?tag=a", headers=h)
    assert len(r.json()["items"]) == 1, r.text
    r = await client.get("/v1/applications?tag=zz", headers=h)
    assert len(r.json()["items"]) == 0, r.text
    token = r.json()["sync_token"]
    r = await client.delete(f"/v1/applications/{app_id}", headers=h)
    assert r.status_code == 204, r.text
    for path in ["applications", "interviews", "outcomes", "feedback-conversations", "reflections"]:
        r = await client.get(f"/v1/{path}?updated_since={token}", headers=h)
        items = r.json()["items"]
        assert len(items) == 1 and items[0]["deleted_at"], (path, r.text)
    r = await client.post(
        "/v1/applications",
        json={"company": "Acme", "role_title": "Engineer"},
        headers={**h, "Idempotency-Key": "k1"},
    )
    r2 = await client.post(
        "/v1/applications",
        json={"company": "Acme", "role_title": "Engineer"},
        headers={**h, "Idempotency-Key": "k1"},
    )
    assert r2.json() == r.json() and r2.headers["idempotent-replayed"] == "true"
    r3 = await client.post(
        "/v1/applications",
        json={"company": "Acme2", "role_title": "Engineer"},
        headers={**h, "Idempotency-Key": "k1"},
    )
    assert r3.status_code == 422


async def test_export_and_erase(client, app):
    import uuid

    from sqlalchemy import func, select

    from app.tables import metadata

    user = await register(client)
    other = await register(client)
    h = user["headers"]
    r = await client.post(
        "/v1/applications", json={"company": "Acme", "role_title": "Eng"}, headers=h
    )
    app_id = r.json()["id"]
    await client.post(
        "/v1/outcomes",
        json={"application_id": app_id, "kind": "rejection", "received_on": "2026-11-20"},
        headers=h,
    )
    await client.post(
        "/v1/applications", json={"company": "Other", "role_title": "Eng"}, headers=other["headers"]
    )
    r = await client.get("/v1/me/export", headers=h)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert [a["company"] for a in doc["applications"]] == ["Acme"]
    assert len(doc["timeline"]) == 2 and len(doc["outcomes"]) == 1
    r = await client.request("DELETE", "/v1/me", json={"password": "wrong password!"}, headers=h)
    assert r.status_code == 403
    r = await client.request(
        "DELETE", "/v1/me", json={"password": "correct horse battery"}, headers=h
    )
    assert r.status_code == 204
    assert (await client.get("/v1/applications", headers=h)).status_code == 401
    async with app.state.engine.connect() as c:
        for table in metadata.sorted_tables:
            column = table.c.get("user_id") if table.name != "users" else table.c.id
            count = await c.scalar(
                select(func.count())
                .select_from(table)
                .where(column == uuid.UUID(user["user"]["id"]))
            )
            assert count == 0, table.name
    r = await client.get("/v1/applications", headers=other["headers"])
    assert len(r.json()["items"]) == 1
