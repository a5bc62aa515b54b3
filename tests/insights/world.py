"""The fixture world of the insights tests: four users built through the API.

- Ana: a realistic search with everything in it (warm and cold applications, interviews,
  offers, rejections with stated and suspected reasons, feedback conversations, reflections),
  plus records she deleted, which must not count.
- Ben: thirteen cold applications, twelve rejections and no offer.
- Dan: one interview that ended in a rejection he reflected on.
- Carol: an account with no records at all.

Dates are chosen so every expected figure in the tests can be worked out by hand; the
feedback conversations and reflections are dated by the day they are created (today).
"""

from typing import Any

import httpx

from tests.helpers import register
from tests.resources.factories import (
    create_application,
    create_feedback,
    create_interview,
    create_outcome,
    create_reflection,
)

User = dict[str, Any]


def stated(key: str) -> dict[str, str]:
    return {"key": key, "source": "stated"}


def suspected(key: str) -> dict[str, str]:
    return {"key": key, "source": "suspected"}


def step(text: str, *, done: bool = False, due_on: str | None = None) -> dict[str, Any]:
    return {"text": text, "done": done, "due_on": due_on}


async def _delete(client: httpx.AsyncClient, user: User, path: str) -> None:
    response = await client.delete(path, headers=user["headers"])
    assert response.status_code == 204, response.text


async def build_ana(client: httpx.AsyncClient) -> User:
    ana = await register(client, display_name="Ana")
    h = ana["headers"]

    async def apply(company: str, source: str, stage: str, applied_on: str | None) -> str:
        body = {"source": source, "stage": stage}
        if applied_on is not None:
            body["applied_on"] = applied_on
        application = await create_application(
            client, h, company=company, role_title="Product Designer", **body
        )
        return application["id"]

    # Warm: a referral that ended after the interviews (feedback offered and taken).
    northwind = await apply("Northwind", "referral", "interviewing", "2025-02-03")
    await create_interview(client, h, northwind, kind="phone_screen")
    northwind_no = await create_outcome(
        client,
        h,
        northwind,
        kind="rejection",
        received_on="2025-02-20",
        reasons=[suspected("chemistry"), stated("stronger_candidate")],
        feedback_offered=True,
    )
    await create_feedback(
        client, h, northwind, outcome_id=northwind_no["id"], status="completed", trust="genuine"
    )
    await create_reflection(
        client,
        h,
        outcome_id=northwind_no["id"],
        mood=4,
        diagnosis="in_person",
        next_steps=[
            step("Mock interview with Sam", due_on="2020-01-10"),
            step("Rewrite my introduction story", done=True),
        ],
    )

    # Cold: turned down on paper, before any conversation; feedback asked for by email.
    contoso = await apply("Contoso", "job_board", "applied", "2025-02-10")
    await create_outcome(
        client,
        h,
        contoso,
        kind="rejection",
        received_on="2025-02-14",
        reasons=[suspected("experience_gap")],
    )
    await create_feedback(client, h, contoso, channel="email", status="completed", trust="generic")

    # Warm: from her network, at screening until its phone screen was recorded (which moves it
    # to interviewing); the company offered to talk, no reply yet.
    fabrikam = await apply("Fabrikam", "network", "screening", "2025-03-01")
    await create_interview(client, h, fabrikam, kind="phone_screen")
    fabrikam_no = await create_outcome(
        client,
        h,
        fabrikam,
        kind="rejection",
        received_on="2025-03-20",
        reasons=[suspected("communication"), suspected("no_inside_advocate")],
        feedback_offered=True,
    )
    await create_reflection(
        client,
        h,
        outcome_id=fabrikam_no["id"],
        mood=6,
        diagnosis="in_person",
        next_steps=[
            step("Ask Lee for an introduction", due_on="2100-01-01"),
            step("Practise STAR answers", due_on="2020-02-01"),
        ],
    )

    # Cold: two interviews, then a stated reason; the feedback request went unanswered.
    globex = await apply("Globex", "company_site", "interviewing", "2025-03-05")
    await create_interview(client, h, globex, kind="technical")
    await create_interview(client, h, globex, kind="final")
    globex_no = await create_outcome(
        client,
        h,
        globex,
        kind="rejection",
        received_on="2025-04-02",
        reasons=[stated("communication")],
    )
    await create_feedback(client, h, globex, status="no_response")
    await create_reflection(
        client,
        h,
        outcome_id=globex_no["id"],
        mood=7,
        diagnosis="network",
        next_steps=[step("Message two former colleagues", done=True)],
    )

    # Warm: the offer.
    initech = await apply("Initech", "referral", "interviewing", "2025-04-10")
    await create_interview(client, h, initech, kind="onsite")
    await create_outcome(client, h, initech, kind="offer", received_on="2025-05-02")

    # Cold: a recruiter's lead that stopped at screening; the talk she was offered is only
    # planned so far.
    umbrella = await apply("Umbrella", "recruiter", "screening", "2025-04-15")
    await create_outcome(
        client,
        h,
        umbrella,
        kind="rejection",
        received_on="2025-04-30",
        reasons=[stated("headcount_or_budget")],
        feedback_offered=True,
    )
    await create_feedback(client, h, umbrella, status="planned")

    # Cold, still open: an interview logged by mistake and deleted; a request sent.
    hooli = await apply("Hooli", "job_board", "applied", "2025-05-06")
    mistaken = await create_interview(client, h, hooli, kind="technical")
    await _delete(client, ana, f"/v1/interviews/{mistaken['id']}")
    await create_feedback(client, h, hooli, status="requested")

    # Cold, on the wishlist, undated: it counts on the day it was created (today).
    await apply("Stark", "job_board", "wishlist", None)

    # Cold: an offer recorded by mistake and deleted (the stage moves back), then ghosted.
    wayne = await apply("Wayne", "company_site", "applied", "2025-05-20")
    wrong_offer = await create_outcome(client, h, wayne, kind="offer", received_on="2025-06-10")
    await _delete(client, ana, f"/v1/outcomes/{wrong_offer['id']}")
    await create_outcome(client, h, wayne, kind="ghosted", received_on="2025-06-20")

    # Cold: she marked it rejected herself, without recording an outcome.
    acme = await apply("Acme", "job_board", "applied", "2025-06-02")
    response = await client.patch(f"/v1/applications/{acme}", json={"stage": "rejected"}, headers=h)
    assert response.status_code == 200, response.text

    # A reflection without a mood or a diagnosis yet.
    await create_reflection(client, h)

    # Deleted: an application with everything attached (the delete cascades) ...
    soylent = await apply("Soylent", "referral", "interviewing", "2025-03-10")
    await create_interview(client, h, soylent, kind="final")
    soylent_no = await create_outcome(
        client,
        h,
        soylent,
        kind="rejection",
        received_on="2025-03-12",
        reasons=[stated("culture_fit")],
        feedback_offered=True,
    )
    await create_feedback(client, h, soylent, status="completed", trust="doubtful")
    await create_reflection(
        client,
        h,
        outcome_id=soylent_no["id"],
        mood=1,
        diagnosis="fit",
        next_steps=[step("Write down what I need from a team", due_on="2020-03-01")],
    )
    await _delete(client, ana, f"/v1/applications/{soylent}")
    # ... and a reflection on its own.
    diary = await create_reflection(
        client, h, mood=0, diagnosis="fit", next_steps=[step("Rest", due_on="2020-04-01")]
    )
    await _delete(client, ana, f"/v1/reflections/{diary['id']}")
    return ana


# Ben's thirteen applications: (applied_on, source, received_on of the rejection, reasons).
BEN_APPLICATIONS: list[tuple[str, str, str | None, list[dict[str, str]]]] = [
    ("2025-01-02", "job_board", "2025-01-10", [suspected("role_mismatch")]),
    ("2025-01-03", "job_board", "2025-01-12", [suspected("role_mismatch")]),
    ("2025-01-04", "job_board", "2025-01-20", [suspected("role_mismatch")]),
    ("2025-02-01", "job_board", "2025-02-03", [stated("experience_gap")]),
    ("2025-02-02", "job_board", "2025-02-05", []),
    ("2025-02-03", "job_board", "2025-02-28", []),
    ("2025-03-31", "job_board", "2025-04-05", []),
    ("2025-04-01", "job_board", "2025-04-06", []),
    ("2025-04-02", "job_board", "2025-04-07", []),
    ("2025-05-20", "job_board", "2025-05-25", []),
    ("2025-05-21", "other", "2025-05-26", []),
    ("2025-05-22", "other", "2025-06-30", []),
    ("2025-07-04", "other", None, []),
]


async def build_ben(client: httpx.AsyncClient) -> User:
    ben = await register(client, display_name="Ben")
    h = ben["headers"]
    for number, (applied_on, source, rejected_on, reasons) in enumerate(BEN_APPLICATIONS):
        application = await create_application(
            client, h, company=f"Company {number}", source=source, applied_on=applied_on
        )
        if rejected_on is not None:
            await create_outcome(
                client, h, application["id"], received_on=rejected_on, reasons=reasons
            )
    return ben


async def build_dan(client: httpx.AsyncClient) -> User:
    dan = await register(client, display_name="Dan", timezone="Asia/Tokyo")
    h = dan["headers"]
    initrode = await create_application(
        client, h, company="Initrode", source="other", stage="interviewing", applied_on="2025-08-01"
    )
    await create_interview(client, h, initrode["id"], kind="final")
    rejection = await create_outcome(
        client,
        h,
        initrode["id"],
        received_on="2025-08-15",
        reasons=[stated("culture_fit"), suspected("low_enthusiasm")],
    )
    await create_reflection(
        client,
        h,
        outcome_id=rejection["id"],
        mood=3,
        diagnosis="fit",
        next_steps=[step("List what I want from my next team", due_on="2020-05-01")],
    )
    return dan


async def build_world(client: httpx.AsyncClient) -> dict[str, User]:
    """All four users; Carol, who has nothing, is registered last."""
    return {
        "ana": await build_ana(client),
        "ben": await build_ben(client),
        "dan": await build_dan(client),
        "carol": await register(client, display_name="Carol"),
    }
