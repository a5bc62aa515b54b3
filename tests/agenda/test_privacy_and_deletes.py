"""Only the caller's live records reach the agenda: never another user's, never a deleted one."""

import pytest

from app.agenda.models import AgendaKind
from tests.agenda.support import agenda_at, delete, one_of_each_kind
from tests.helpers import register

KINDS = [kind.value for kind in AgendaKind]


def record_ids(agenda) -> set[str]:
    return {str(item.record.id) for item in agenda.items}


def path_ids(paths: dict[str, str]) -> set[str]:
    return {path.rsplit("/", 1)[1] for path in paths.values()}


async def test_every_kind_is_found_once_for_its_owner_and_never_for_anyone_else(app, client):
    ada, bob = await register(client), await register(client)
    now, ada_paths = await one_of_each_kind(client, ada["headers"])
    _, bob_paths = await one_of_each_kind(client, bob["headers"])

    agenda = await agenda_at(app, ada, now)

    assert sorted(item.kind for item in agenda.items) == sorted(KINDS)
    assert agenda.counts.model_dump() == {**dict.fromkeys(KINDS, 1), "total": len(KINDS)}
    assert record_ids(agenda) == path_ids(ada_paths)
    assert record_ids(agenda).isdisjoint(path_ids(bob_paths))


async def test_a_user_with_no_records_has_an_empty_agenda_whatever_others_have(app, client):
    ada, bob = await register(client), await register(client)
    now, _ = await one_of_each_kind(client, bob["headers"])

    agenda = await agenda_at(app, ada, now, horizon_days=60, quiet_days=1, feedback_wait_days=1)

    assert agenda.items == []
    assert agenda.counts.total == 0


@pytest.mark.parametrize("kind", KINDS)
async def test_a_deleted_record_leaves_the_agenda(app, client, kind):
    user = await register(client)
    now, paths = await one_of_each_kind(client, user["headers"])
    gone = paths[kind].rsplit("/", 1)[1]

    await delete(client, user["headers"], paths[kind])

    agenda = await agenda_at(app, user, now)
    assert gone not in record_ids(agenda)
    assert getattr(agenda.counts, kind) == 0


async def test_a_deleted_application_takes_its_items_with_it(app, client):
    user = await register(client)
    now, paths = await one_of_each_kind(client, user["headers"])
    rejected = (await client.get(paths["interview_upcoming"], headers=user["headers"])).json()

    await delete(client, user["headers"], f"/v1/applications/{rejected['application_id']}")

    agenda = await agenda_at(app, user, now)
    assert sorted(item.kind for item in agenda.items) == [
        "contact_follow_up_due",
        "possibly_ghosted",
    ]
