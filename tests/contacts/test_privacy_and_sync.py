"""Contacts and the account: ownership, delta sync with tombstones, export and erase."""

import uuid

from sqlalchemy import func, select
from sqlmodel import col

from app.contacts.models import Contact
from tests.contacts.factories import FULL, create_contact, list_contacts
from tests.helpers import PASSWORD, assert_problem, register
from tests.resources.factories import create_application, create_feedback

# --- ownership -----------------------------------------------------------------------------


async def test_another_users_contact_is_404_like_an_unknown_id(client):
    owner = await register(client)
    intruder = await register(client)
    contact = await create_contact(client, owner["headers"], **FULL)
    path = f"/v1/contacts/{contact['id']}"
    unknown = f"/v1/contacts/{uuid.uuid4()}"
    etag = (await client.get(path, headers=owner["headers"])).headers["etag"]

    for method, extra, body in [
        ("GET", {}, None),
        ("GET", {"If-None-Match": etag}, None),
        ("PATCH", {}, {"notes": "mine now"}),
        ("PATCH", {"If-Match": etag}, {"notes": "mine now"}),
        ("DELETE", {}, None),
        ("DELETE", {"If-Match": etag}, None),
    ]:
        headers = {**intruder["headers"], **extra}
        response = await client.request(method, path, headers=headers, json=body)
        reference = await client.request(method, unknown, headers=headers, json=body)
        mine = assert_problem(response, 404)
        theirs = assert_problem(reference, 404)
        assert {k: v for k, v in mine.items() if k != "instance"} == {
            k: v for k, v in theirs.items() if k != "instance"
        }
        assert FULL["name"] not in response.text and "etag" not in response.headers

    after = await client.get(path, headers=owner["headers"])
    assert after.json() == contact
    assert after.headers["etag"] == etag


async def test_another_users_application_cannot_be_linked(client):
    owner = await register(client)
    intruder = await register(client)
    theirs = await create_application(client, owner["headers"], company="Secret Corp")
    mine = await create_contact(client, intruder["headers"])

    posted = await client.post(
        "/v1/contacts",
        json={"name": "Dana", "application_ids": [theirs["id"]]},
        headers=intruder["headers"],
    )
    patched = await client.patch(
        f"/v1/contacts/{mine['id']}",
        json={"application_ids": [theirs["id"]]},
        headers=intruder["headers"],
    )

    # 422 naming the field, the same whether the application is another user's or none.
    for response in (posted, patched):
        problem = assert_problem(response, 422)
        assert [error["field"] for error in problem["errors"]] == ["body.application_ids.0"]
        assert "Secret Corp" not in response.text
    assert await list_contacts(client, intruder["headers"]) == [mine]


async def test_lists_show_only_the_callers_contacts(client):
    owner = await register(client)
    other = await register(client)
    await create_contact(client, owner["headers"], name="Owner's", tags=["shared-tag"])
    mine = await create_contact(client, other["headers"], name="Other's", tags=["shared-tag"])

    listed = await list_contacts(client, other["headers"])
    by_tag = await list_contacts(client, other["headers"], tag="shared-tag")
    since_epoch = await list_contacts(
        client, other["headers"], updated_since="1970-01-01T00:00:00Z"
    )

    assert listed == by_tag == since_epoch == [mine]


# --- delta sync ----------------------------------------------------------------------------


async def test_sync_returns_changes_in_order_with_tombstones(client):
    user = await register(client)
    h = user["headers"]
    kept = await create_contact(client, h, name="Kept")
    dropped = await create_contact(client, h, name="Dropped")
    start = await client.get("/v1/contacts", headers=h)
    token = start.json()["sync_token"]
    added = await create_contact(client, h, name="Added")
    await client.patch(f"/v1/contacts/{kept['id']}", json={"notes": "changed"}, headers=h)
    await client.delete(f"/v1/contacts/{dropped['id']}", headers=h)

    delta = await client.get("/v1/contacts", params={"updated_since": token}, headers=h)

    assert delta.status_code == 200, delta.text
    items = delta.json()["items"]
    assert [item["id"] for item in items] == [added["id"], kept["id"], dropped["id"]]
    assert items[1]["notes"] == "changed" and items[1]["version"] == 2
    assert items[2]["deleted_at"] is not None and items[2]["version"] == 2
    assert [item["deleted_at"] for item in items[:2]] == [None, None]
    again = await client.get(
        "/v1/contacts", params={"updated_since": delta.json()["sync_token"]}, headers=h
    )
    assert again.json()["items"] == []


async def test_a_synced_contact_has_the_same_shape_as_get(client):
    user = await register(client)
    h = user["headers"]
    application = await create_application(client, h)
    contact = await create_contact(client, h, **{**FULL, "application_ids": [application["id"]]})

    synced = await list_contacts(client, h, updated_since="1970-01-01T00:00:00Z")

    assert synced == [(await client.get(f"/v1/contacts/{contact['id']}", headers=h)).json()]


async def test_deleting_a_contact_tombstones_only_the_contact(client):
    user = await register(client)
    h = user["headers"]
    application = await create_application(client, h)
    contact = await create_contact(client, h, application_ids=[application["id"]])
    token = (await client.get("/v1/applications", headers=h)).json()["sync_token"]

    await client.delete(f"/v1/contacts/{contact['id']}", headers=h)

    unchanged = await client.get("/v1/applications", params={"updated_since": token}, headers=h)
    assert unchanged.json()["items"] == []
    assert (await client.get(f"/v1/applications/{application['id']}", headers=h)).is_success


# --- export and erase ----------------------------------------------------------------------


async def test_export_contains_the_callers_live_contacts(client):
    user = await register(client)
    other = await register(client)
    h = user["headers"]
    application = await create_application(client, h)
    contact = await create_contact(client, h, **{**FULL, "application_ids": [application["id"]]})
    deleted = await create_contact(client, h, name="Gone")
    await client.delete(f"/v1/contacts/{deleted['id']}", headers=h)
    await create_contact(client, other["headers"], name="Not mine")

    response = await client.get("/v1/me/export", headers=h)

    assert response.status_code == 200, response.text
    assert response.json()["contacts"] == [contact]


async def test_erasing_the_account_erases_its_contacts(client, app):
    user = await register(client)
    other = await register(client)
    h = user["headers"]
    application = await create_application(client, h)
    contact = await create_contact(client, h, application_ids=[application["id"]])
    await create_feedback(client, h, application["id"], contact_id=contact["id"])
    theirs = await create_contact(client, other["headers"])

    response = await client.request("DELETE", "/v1/me", json={"password": PASSWORD}, headers=h)

    assert response.status_code == 204, response.text
    async with app.state.engine.connect() as connection:
        mine = col(Contact.user_id) == uuid.UUID(user["user"]["id"])
        remaining = await connection.scalar(select(func.count()).select_from(Contact).where(mine))
    assert remaining == 0
    assert await list_contacts(client, other["headers"]) == [theirs]
