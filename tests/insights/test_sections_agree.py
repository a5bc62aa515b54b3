"""Every section of GET /v1/insights counts an application once, and at one stage: an
application that conversion_by_source counts as having reached an interview (or an offer) is
one that where_applications_end places at screening, interviewing or offer, never before any
conversation, however its story was recorded."""

from typing import Any

import httpx

from tests.helpers import register
from tests.resources.factories import create_application, create_interview, create_outcome

Headers = dict[str, str]
REACHED = ("screening", "interviewing", "offer")


async def insights(client: httpx.AsyncClient, h: Headers) -> Any:
    response = await client.get("/v1/insights", headers=h)
    assert response.status_code == 200, response.text
    return response.json()


async def patch(client: httpx.AsyncClient, h: Headers, path: str, body: dict[str, Any]) -> None:
    response = await client.patch(path, json=body, headers=h)
    assert response.status_code == 200, response.text


async def delete(client: httpx.AsyncClient, h: Headers, path: str) -> None:
    response = await client.delete(path, headers=h)
    assert response.status_code == 204, response.text


def assert_sections_agree(body: Any) -> None:
    """The same applications, once each, in every section (for a user whose applications all
    ended in a rejection)."""
    applications = body["applications"]
    ends = body["where_applications_end"]
    conversion = body["conversion_by_source"]
    total = applications["total"]
    assert sum(applications["by_stage"].values()) == total
    assert sum(applications["by_source"].values()) == total
    assert conversion["warm"]["applications"] + conversion["cold"]["applications"] == total
    assert ends["rejected_applications"] == applications["by_stage"]["rejected"] == total
    assert sum(ends["by_stage"].values()) == total
    reached = conversion["warm"]["reached_interview"] + conversion["cold"]["reached_interview"]
    offers = conversion["warm"]["offers"] + conversion["cold"]["offers"]
    assert sum(ends["by_stage"][stage] for stage in REACHED) == reached
    assert ends["by_stage"]["offer"] == offers
    assert body["rejections_per_offer"]["rejections"] == body["feedback"]["rejections"]


async def test_the_issues_story_counts_the_interview_in_every_section(client):
    """Applied, interviewed, rejected: where it ended and whether it reached an interview
    are one answer (before, `applied: 1` beside `reached_interview: 1`)."""
    h = (await register(client))["headers"]
    application = await create_application(client, h, stage="applied", source="job_board")
    await create_interview(client, h, application["id"])
    await create_outcome(client, h, application["id"], kind="rejection")

    body = await insights(client, h)

    assert body["where_applications_end"]["by_stage"]["interviewing"] == 1
    assert body["where_applications_end"]["by_stage"]["applied"] == 0
    assert body["conversion_by_source"]["cold"]["reached_interview"] == 1
    assert_sections_agree(body)


async def test_sections_agree_however_the_story_was_recorded(client):
    h = (await register(client))["headers"]

    async def application(stage: str, source: str = "job_board") -> str:
        return (await create_application(client, h, stage=stage, source=source))["id"]

    # Rejected on paper, from the wishlist and after applying: no conversation.
    await create_outcome(client, h, await application("wishlist"))
    await create_outcome(client, h, await application("applied", "referral"))
    # Rejected from the start: nothing before it.
    await application("rejected")
    # Screening set by the user, then rejected.
    await create_outcome(client, h, await application("screening"))
    # The interview recorded only after the rejection: the stage stays rejected, and the
    # application still reached an interview.
    late = await application("applied", "network")
    await create_outcome(client, h, late)
    await create_interview(client, h, late)
    # The user moved it back to applied by hand after the interview, then it was rejected.
    by_hand = await application("applied")
    await create_interview(client, h, by_hand)
    await patch(client, h, f"/v1/applications/{by_hand}", {"stage": "applied"})
    await create_outcome(client, h, by_hand)
    # An interview recorded by mistake, a rejection, then the interview deleted: it no longer
    # counts as reached anywhere.
    mistaken = await application("applied")
    interview = await create_interview(client, h, mistaken)
    await create_outcome(client, h, mistaken)
    await delete(client, h, f"/v1/interviews/{interview['id']}")
    # An offer recorded, then corrected into a rejection: no offer anywhere.
    corrected = await application("applied", "recruiter")
    offer = await create_outcome(client, h, corrected, kind="offer")
    await patch(client, h, f"/v1/outcomes/{offer['id']}", {"kind": "rejection"})
    # Interviewed, put on hold, then rejected.
    paused = await application("applied")
    await create_interview(client, h, paused)
    await create_outcome(client, h, paused, kind="on_hold")
    await create_outcome(client, h, paused)
    # Ghosted, then a late rejection.
    ghosted = await application("applied")
    await create_outcome(client, h, ghosted, kind="ghosted")
    await create_outcome(client, h, ghosted)
    # The user marked an offer, then rejected it by hand.
    offered = await application("offer", "referral")
    await patch(client, h, f"/v1/applications/{offered}", {"stage": "rejected"})

    body = await insights(client, h)

    assert body["applications"]["total"] == 11
    assert body["where_applications_end"]["by_stage"] == {
        "wishlist": 1,
        "applied": 1,
        "screening": 1,
        "interviewing": 3,  # late, by_hand, paused
        "offer": 1,  # offered
        "withdrawn": 0,
        "on_hold": 0,
        "ghosted": 1,
        "unknown": 3,  # rejected from the start, mistaken, corrected
    }
    assert_sections_agree(body)
