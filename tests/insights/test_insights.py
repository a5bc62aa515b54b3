"""GET /v1/insights against hand-counted figures for the users of world.py.

Every expected number below was worked out by hand from the records in world.py; the
comments show the working. All four users exist in every test, so a figure that leaked from
one user into another's would show up as a wrong count.
"""

from typing import Any

import httpx

from tests.helpers import assert_problem, bad_fields, register
from tests.insights.world import build_world

STAGES = (
    "wishlist",
    "applied",
    "screening",
    "interviewing",
    "offer",
    "rejected",
    "withdrawn",
    "on_hold",
    "ghosted",
)
END_STAGES = (*(s for s in STAGES if s != "rejected"), "unknown")
SOURCES = ("referral", "network", "recruiter", "job_board", "company_site", "other")
DIAGNOSES = ("in_person", "on_paper", "network", "fit", "circumstantial", "unsure")


def counts(keys: tuple[str, ...], **given: int) -> dict[str, int]:
    return {key: given.get(key, 0) for key in keys}


def conversion(
    applications: int,
    reached: int,
    offers: int,
    interview_rate: float | None,
    offer_rate: float | None,
) -> dict[str, Any]:
    return {
        "applications": applications,
        "reached_interview": reached,
        "offers": offers,
        "interview_rate": interview_rate,
        "offer_rate": offer_rate,
    }


NONE = conversion(0, 0, 0, None, None)


def by_source(**given: dict[str, Any]) -> dict[str, Any]:
    return {source: given.get(source, NONE) for source in SOURCES}


async def insights(client: httpx.AsyncClient, user: dict[str, Any], **params: str) -> Any:
    response = await client.get("/v1/insights", params=params, headers=user["headers"])
    assert response.status_code == 200, response.text
    return response.json()


async def catalogue_titles(client: httpx.AsyncClient, user: dict[str, Any]) -> dict[str, str]:
    """Titles of reasons and categories as the guidance catalogue serves them."""
    response = await client.get("/v1/guidance/reasons", headers=user["headers"])
    titles = {}
    for reason in response.json()["items"]:
        titles[reason["key"]] = reason["title"]
        titles[reason["category"]["key"]] = reason["category"]["title"]
    return titles


def reason(titles: dict[str, str], key: str, category: str, stated: int, suspected: int) -> Any:
    return {
        "key": key,
        "title": titles[key],
        "category": category,
        "count": stated + suspected,
        "stated": stated,
        "suspected": suspected,
    }


def category(titles: dict[str, str], key: str, stated: int, suspected: int) -> Any:
    return {
        "key": key,
        "title": titles[key],
        "count": stated + suspected,
        "stated": stated,
        "suspected": suspected,
    }


def suggestion_outline(body: Any) -> list[tuple[str, str, str | None, dict[str, Any]]]:
    """(key, guidance_key, action_key, evidence) of each suggestion; the wording has its test."""
    for suggestion in body["suggestions"]:
        assert suggestion["title"] and suggestion["reason"]
    return [
        (s["key"], s["guidance_key"], s["action_key"], s["evidence"]) for s in body["suggestions"]
    ]


async def test_a_full_search_adds_up_to_the_hand_counted_figures(client):
    world = await build_world(client)
    ana = world["ana"]
    titles = await catalogue_titles(client, ana)
    reflections = await client.get("/v1/reflections", headers=ana["headers"])
    this_month = reflections.json()["items"][0]["created_at"][:7]

    body = await insights(client, ana)

    assert body["period"] == {"from": None, "to": None}
    # Live: Northwind, Contoso, Fabrikam, Globex, Initech, Umbrella, Hooli, Stark, Wayne,
    # Acme. Soylent was deleted.
    assert body["applications"] == {
        "total": 10,
        "by_stage": counts(STAGES, wishlist=1, applied=1, offer=1, rejected=6, ghosted=1),
        "by_source": counts(
            SOURCES, referral=2, network=1, recruiter=1, job_board=4, company_site=2
        ),
    }
    # Rejections: Northwind, Contoso, Fabrikam, Globex, Umbrella (Acme has no outcome, and
    # Soylent's went with it). Offers: Initech (Wayne's was deleted). 5 / 1.
    rejections_per_offer = body["rejections_per_offer"]
    assert rejections_per_offer.pop("message")
    assert rejections_per_offer == {
        "rejections": 5,
        "offers": 1,
        "ratio": 5.0,
        "usual_range": {"min": 5, "max": 10},
        "within_usual_range": True,
    }
    # Northwind, Globex and Fabrikam (its phone screen moved it on) from interviewing,
    # Umbrella from screening, Contoso and Acme (rejected by Ana herself) from applied.
    assert body["where_applications_end"] == {
        "rejected_applications": 6,
        "by_stage": counts(END_STAGES, applied=2, screening=1, interviewing=3),
    }
    # communication: Fabrikam (suspected) and Globex (stated); one each for the rest.
    assert body["reasons"] == {
        "stated": 3,
        "suspected": 4,
        "top": [
            reason(titles, "communication", "in_person", 1, 1),
            reason(titles, "stronger_candidate", "circumstantial", 1, 0),
            reason(titles, "headcount_or_budget", "circumstantial", 1, 0),
            reason(titles, "chemistry", "in_person", 0, 1),
            reason(titles, "experience_gap", "on_paper", 0, 1),
            reason(titles, "no_inside_advocate", "network", 0, 1),
        ],
        "categories": [
            category(titles, "in_person", 1, 2),
            category(titles, "circumstantial", 2, 0),
            category(titles, "on_paper", 0, 1),
            category(titles, "network", 0, 1),
            category(titles, "fit", 0, 0),
        ],
    }
    # Warm: Northwind, Fabrikam, Initech all reached an interview; Initech got the offer.
    # Cold: Globex (interviews) and Umbrella (screening) reached one, of 7; Hooli's
    # interview was deleted and Wayne's offer too, so neither counts.
    assert body["conversion_by_source"] == {
        "warm": conversion(3, 3, 1, 1.0, 0.33),
        "cold": conversion(7, 2, 0, 0.29, 0.0),
        "by_source": by_source(
            referral=conversion(2, 2, 1, 1.0, 0.5),
            network=conversion(1, 1, 0, 1.0, 0.0),
            recruiter=conversion(1, 1, 0, 1.0, 0.0),
            job_board=conversion(4, 0, 0, 0.0, 0.0),
            company_site=conversion(2, 1, 0, 0.5, 0.0),
        ),
    }
    # Asked: Northwind and Contoso (completed), Globex (no response), Hooli (requested);
    # Umbrella's is only planned. Rejections with a request: Northwind, Contoso, Globex.
    # Offered to talk and not asked yet: Fabrikam, Umbrella.
    assert body["feedback"] == {
        "planned": 1,
        "requested": 4,
        "awaiting": 1,
        "completed": 2,
        "declined_or_no_response": 1,
        "completion_rate": 0.5,
        "trust": {"genuine": 1, "partly": 0, "generic": 1, "doubtful": 0, "not_rated": 0},
        "rejections": 5,
        "rejections_with_request": 3,
        "request_rate": 0.6,
        "offers_to_talk_not_taken": 2,
    }
    # Contoso 02-14 → Fabrikam 03-01: 15; Northwind 02-20 → 03-01: 9; Fabrikam 03-20 →
    # Initech 04-10: 21; Globex 04-02 → 04-10: 8; Umbrella 04-30 → Hooli 05-06: 6.
    # Sorted 6, 8, 9, 15, 21.
    assert body["bounce_back"] == {
        "median_days": 9.0,
        "rejections_followed": 5,
        "rejections_awaiting": 0,
    }
    # Moods 4, 6 and 7 (the deleted ones, 1 and 0, left out): 17 / 3.
    assert body["mood_trend"] == {
        "months": [{"month": this_month, "average_mood": 5.7, "reflections": 3}],
        "average_mood": 5.7,
    }
    assert body["diagnoses"] == counts(DIAGNOSES, in_person=2, network=1, unsure=1)
    # Done: the introduction story, the colleagues. Open: the mock interview (due 2020), the
    # introduction (due 2100), the STAR answers (due 2020).
    assert body["next_steps"] == {"done": 2, "open": 3, "overdue": 2}
    assert suggestion_outline(body) == [
        ("accept_feedback_offers", "unsure", "request_feedback", {"offers_to_talk_not_taken": 2}),
        # in_person: communication ×2 and chemistry, plus two reflections.
        (
            "practise_interviewing",
            "in_person",
            "mock_interview",
            {"stated": 1, "suspected": 2, "reflections": 2, "total": 5},
        ),
        # network: no_inside_advocate, plus Globex's reflection.
        (
            "build_relationships",
            "network",
            "team_conversations",
            {"stated": 0, "suspected": 1, "reflections": 1, "total": 2},
        ),
        (
            "lean_on_relationships",
            "network",
            "ask_for_introductions",
            {
                "warm_applications": 3,
                "warm_interview_rate": 1.0,
                "warm_offer_rate": 0.33,
                "cold_applications": 7,
                "cold_interview_rate": 0.29,
                "cold_offer_rate": 0.0,
            },
        ),
        (
            "check_your_guesses",
            "unsure",
            "separate_known_from_suspected",
            {"stated": 3, "suspected": 4},
        ),
        # review_next_steps (2 overdue) also applies, but only five are shown.
    ]


async def test_a_period_counts_each_record_by_its_own_date(client):
    world = await build_world(client)

    body = await insights(client, world["ana"], **{"from": "2025-03-01", "to": "2025-04-30"})

    assert body["period"] == {"from": "2025-03-01", "to": "2025-04-30"}
    # Applied in the period, both ends included: Fabrikam (03-01), Globex, Initech, Umbrella.
    assert body["applications"] == {
        "total": 4,
        "by_stage": counts(STAGES, offer=1, rejected=3),
        "by_source": counts(SOURCES, referral=1, network=1, recruiter=1, company_site=1),
    }
    # Received in the period: Fabrikam, Globex, Umbrella (04-30, included). Initech's offer
    # came on 05-02.
    rejections_per_offer = body["rejections_per_offer"]
    assert rejections_per_offer.pop("message").startswith("3 rejections and no offer yet")
    assert rejections_per_offer == {
        "rejections": 3,
        "offers": 0,
        "ratio": None,
        "usual_range": {"min": 5, "max": 10},
        "within_usual_range": None,
    }
    # Fabrikam and Globex from interviewing, Umbrella from screening.
    assert body["where_applications_end"] == {
        "rejected_applications": 3,
        "by_stage": counts(END_STAGES, screening=1, interviewing=2),
    }
    assert [(r["key"], r["stated"], r["suspected"]) for r in body["reasons"]["top"]] == [
        ("communication", 1, 1),
        ("headcount_or_budget", 1, 0),
        ("no_inside_advocate", 0, 1),
    ]
    assert [(c["key"], c["count"]) for c in body["reasons"]["categories"]] == [
        ("in_person", 2),
        ("network", 1),
        ("circumstantial", 1),
        ("on_paper", 0),
        ("fit", 0),
    ]
    assert body["conversion_by_source"] == {
        "warm": conversion(2, 2, 1, 1.0, 0.5),
        "cold": conversion(2, 2, 0, 1.0, 0.0),
        "by_source": by_source(
            referral=conversion(1, 1, 1, 1.0, 1.0),
            network=conversion(1, 1, 0, 1.0, 0.0),
            recruiter=conversion(1, 1, 0, 1.0, 0.0),
            company_site=conversion(1, 1, 0, 1.0, 0.0),
        ),
    }
    # The conversations were created today, outside the period; the rejections were not.
    # Globex's rejection had a request; Fabrikam's and Umbrella's offers to talk were not taken.
    assert body["feedback"] == {
        "planned": 0,
        "requested": 0,
        "awaiting": 0,
        "completed": 0,
        "declined_or_no_response": 0,
        "completion_rate": None,
        "trust": {"genuine": 0, "partly": 0, "generic": 0, "doubtful": 0, "not_rated": 0},
        "rejections": 3,
        "rejections_with_request": 1,
        "request_rate": 0.33,
        "offers_to_talk_not_taken": 2,
    }
    # Gaps 21, 8 and 6; Umbrella's next application (Hooli, 05-06) lies after the period
    # and still counts.
    assert body["bounce_back"] == {
        "median_days": 8.0,
        "rejections_followed": 3,
        "rejections_awaiting": 0,
    }
    assert body["mood_trend"] == {"months": [], "average_mood": None}
    assert body["diagnoses"] == counts(DIAGNOSES)
    assert body["next_steps"] == {"done": 0, "open": 0, "overdue": 0}
    assert [s["key"] for s in body["suggestions"]] == [
        "accept_feedback_offers",
        "ask_for_feedback",  # after 1 of 3 rejections
        "practise_interviewing",  # communication ×2
        "lean_on_relationships",  # offer rate 0.5 warm against 0.0 cold
    ]


async def test_either_end_of_the_period_may_be_left_open(client):
    world = await build_world(client)

    since_june = await insights(client, world["ana"], **{"from": "2025-06-01"})
    february = await insights(client, world["ana"], to="2025-02-28")

    # Since June: Acme (06-02) and the undated Stark (today); Wayne's ghosting is neither a
    # rejection nor an offer; today's conversations and reflections count.
    assert since_june["applications"]["total"] == 2
    assert since_june["applications"]["by_stage"] == counts(STAGES, wishlist=1, rejected=1)
    assert since_june["rejections_per_offer"]["rejections"] == 0
    assert since_june["feedback"]["requested"] == 4
    assert since_june["diagnoses"] == counts(DIAGNOSES, in_person=2, network=1, unsure=1)
    # Up to February: Northwind and Contoso, both rejected; nothing created today.
    assert february["applications"]["total"] == 2
    assert february["rejections_per_offer"]["rejections"] == 2
    assert february["bounce_back"]["median_days"] == 12.0  # gaps 9 and 15
    assert february["feedback"]["requested"] == 0


async def test_many_rejections_and_no_offer(client):
    world = await build_world(client)

    body = await insights(client, world["ben"])

    assert body["applications"] == {
        "total": 13,
        "by_stage": counts(STAGES, applied=1, rejected=12),
        "by_source": counts(SOURCES, job_board=10, other=3),
    }
    assert body["rejections_per_offer"]["rejections"] == 12
    assert body["rejections_per_offer"]["ratio"] is None
    assert body["rejections_per_offer"]["within_usual_range"] is None
    assert "12 rejections and no offer yet" in body["rejections_per_offer"]["message"]
    assert body["where_applications_end"] == {
        "rejected_applications": 12,
        "by_stage": counts(END_STAGES, applied=12),
    }
    assert (body["reasons"]["stated"], body["reasons"]["suspected"]) == (1, 3)
    assert [(r["key"], r["stated"], r["suspected"]) for r in body["reasons"]["top"]] == [
        ("role_mismatch", 0, 3),
        ("experience_gap", 1, 0),
    ]
    assert [(c["key"], c["count"]) for c in body["reasons"]["categories"]] == [
        ("on_paper", 4),
        ("in_person", 0),
        ("network", 0),
        ("fit", 0),
        ("circumstantial", 0),
    ]
    assert body["conversion_by_source"] == {
        "warm": NONE,
        "cold": conversion(13, 0, 0, 0.0, 0.0),
        "by_source": by_source(
            job_board=conversion(10, 0, 0, 0.0, 0.0), other=conversion(3, 0, 0, 0.0, 0.0)
        ),
    }
    assert body["feedback"]["requested"] == 0
    assert body["feedback"]["completion_rate"] is None
    assert (body["feedback"]["rejections"], body["feedback"]["request_rate"]) == (12, 0.0)
    # Gaps 22, 20, 12, 0 (the same day), 54, 31, 45, 44, 43, 40, 39, 4; the middle two of
    # 0 4 12 20 22 31 | 39 40 43 44 45 54 are 31 and 39.
    assert body["bounce_back"] == {
        "median_days": 35.0,
        "rejections_followed": 12,
        "rejections_awaiting": 0,
    }
    assert suggestion_outline(body) == [
        (
            "ask_for_feedback",
            "unsure",
            "request_feedback",
            {"rejections": 12, "rejections_with_request": 0, "request_rate": 0.0},
        ),
        (
            "close_a_gap",
            "on_paper",
            "list_gaps",
            {"stated": 1, "suspected": 3, "reflections": 0, "total": 4},
        ),
        (
            "check_your_guesses",
            "unsure",
            "separate_known_from_suspected",
            {"stated": 1, "suspected": 3},
        ),
        (
            "keep_perspective",
            "on_paper",
            "target_matching_roles",
            {"rejections": 12, "offers": 0, "rejections_per_offer": None},
        ),
        (
            "restart_gently",
            "circumstantial",
            "keep_going",
            {"median_days": 35.0, "rejections_followed": 12},
        ),
    ]


async def test_one_rejection_with_a_reflection(client):
    world = await build_world(client)
    dan = world["dan"]
    reflections = await client.get("/v1/reflections", headers=dan["headers"])
    this_month = reflections.json()["items"][0]["created_at"][:7]

    body = await insights(client, dan)

    assert body["applications"]["total"] == 1
    assert body["rejections_per_offer"]["message"].startswith("1 rejection and no offer yet")
    assert body["where_applications_end"]["by_stage"] == counts(END_STAGES, interviewing=1)
    # One each: catalogue order (culture_fit before low_enthusiasm), then in_person and fit
    # tied at 1 in category order.
    assert [r["key"] for r in body["reasons"]["top"]] == ["culture_fit", "low_enthusiasm"]
    assert [(c["key"], c["count"]) for c in body["reasons"]["categories"]][:2] == [
        ("in_person", 1),
        ("fit", 1),
    ]
    assert body["conversion_by_source"]["cold"] == conversion(1, 1, 0, 1.0, 0.0)
    # Nothing applied for since the rejection.
    assert body["bounce_back"] == {
        "median_days": None,
        "rejections_followed": 0,
        "rejections_awaiting": 1,
    }
    assert body["mood_trend"] == {
        "months": [{"month": this_month, "average_mood": 3.0, "reflections": 1}],
        "average_mood": 3.0,
    }
    assert body["next_steps"] == {"done": 0, "open": 1, "overdue": 1}
    # Low enthusiasm calls for choosing roles with care, like culture fit and his diagnosis.
    assert suggestion_outline(body) == [
        (
            "choose_roles_with_care",
            "fit",
            "write_must_haves",
            {"stated": 1, "suspected": 1, "reflections": 1, "total": 3},
        )
    ]


async def test_a_user_with_no_records_gets_zeros_and_nulls(client):
    world = await build_world(client)
    titles = await catalogue_titles(client, world["carol"])

    body = await insights(client, world["carol"])

    assert body == {
        "period": {"from": None, "to": None},
        "applications": {
            "total": 0,
            "by_stage": counts(STAGES),
            "by_source": counts(SOURCES),
        },
        "rejections_per_offer": {
            "rejections": 0,
            "offers": 0,
            "ratio": None,
            "usual_range": {"min": 5, "max": 10},
            "within_usual_range": None,
            "message": body["rejections_per_offer"]["message"],
        },
        "where_applications_end": {"rejected_applications": 0, "by_stage": counts(END_STAGES)},
        "reasons": {
            "stated": 0,
            "suspected": 0,
            "top": [],
            # All zero: the catalogue order.
            "categories": [
                category(titles, key, 0, 0)
                for key in ("in_person", "on_paper", "network", "fit", "circumstantial")
            ],
        },
        "conversion_by_source": {"warm": NONE, "cold": NONE, "by_source": by_source()},
        "feedback": {
            "planned": 0,
            "requested": 0,
            "awaiting": 0,
            "completed": 0,
            "declined_or_no_response": 0,
            "completion_rate": None,
            "trust": {"genuine": 0, "partly": 0, "generic": 0, "doubtful": 0, "not_rated": 0},
            "rejections": 0,
            "rejections_with_request": 0,
            "request_rate": None,
            "offers_to_talk_not_taken": 0,
        },
        "bounce_back": {"median_days": None, "rejections_followed": 0, "rejections_awaiting": 0},
        "mood_trend": {"months": [], "average_mood": None},
        "diagnoses": counts(DIAGNOSES),
        "next_steps": {"done": 0, "open": 0, "overdue": 0},
        "suggestions": [],
    }
    assert "No decisions recorded" in body["rejections_per_offer"]["message"]


async def test_suggestions_point_at_advice_that_exists(client):
    world = await build_world(client)
    ana = world["ana"]
    advice = (await client.get("/v1/guidance/next-steps", headers=ana["headers"])).json()
    actions = {item["diagnosis"]: {a["key"] for a in item["actions"]} for item in advice["items"]}

    suggestions = [
        suggestion
        for user in world.values()
        for suggestion in (await insights(client, user))["suggestions"]
    ]

    assert len(suggestions) == 11
    for suggestion in suggestions:
        assert suggestion["guidance_key"] in actions
        assert suggestion["action_key"] in actions[suggestion["guidance_key"]]


async def test_overdue_next_steps_suggest_a_review(client):
    world = await build_world(client)

    # Since June 2025 Ana has Acme (rejected without an outcome), Stark, and everything she
    # wrote today: no rejection to suggest anything about, but two overdue next steps.
    body = await insights(client, world["ana"], **{"from": "2025-06-01"})

    assert suggestion_outline(body) == [
        # in_person: two reflections; network: one, below the threshold.
        (
            "practise_interviewing",
            "in_person",
            "mock_interview",
            {"stated": 0, "suspected": 0, "reflections": 2, "total": 2},
        ),
        ("review_next_steps", "in_person", None, {"overdue": 2, "open": 3}),
    ]


async def test_rejections_per_offer_is_set_against_the_usual_range(client):
    world = await build_world(client)
    dan = world["dan"]
    extra = await client.post(
        "/v1/applications",
        json={"company": "Vandelay", "role_title": "Designer", "applied_on": "2025-09-01"},
        headers=dan["headers"],
    )
    await client.post(
        "/v1/outcomes",
        json={
            "application_id": extra.json()["id"],
            "kind": "offer",
            "received_on": "2025-09-20",
        },
        headers=dan["headers"],
    )

    body = await insights(client, dan)

    # One rejection, one offer: fewer than usual.
    assert (
        body["rejections_per_offer"]["ratio"],
        body["rejections_per_offer"]["within_usual_range"],
    ) == (1.0, False)
    assert "Fewer rejections per offer" in body["rejections_per_offer"]["message"]
    # Dan's rejection is now followed by an application, 17 days later.
    assert body["bounce_back"]["median_days"] == 17.0


async def test_from_after_to_is_refused(client):
    user = await register(client)

    response = await client.get(
        "/v1/insights", params={"from": "2025-05-01", "to": "2025-04-30"}, headers=user["headers"]
    )

    assert bad_fields(response) == {"query.from"}


async def test_dates_must_be_calendar_days(client):
    user = await register(client)

    response = await client.get(
        "/v1/insights", params={"from": "2025-02-30"}, headers=user["headers"]
    )

    assert bad_fields(response) == {"query.from"}


async def test_a_single_day_is_a_valid_period(client):
    world = await build_world(client)

    body = await insights(client, world["ana"], **{"from": "2025-03-01", "to": "2025-03-01"})

    assert body["applications"]["by_source"] == counts(SOURCES, network=1)  # Fabrikam


async def test_insights_need_a_token(client):
    response = await client.get("/v1/insights")

    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_every_field_of_the_document_is_described(app):
    schemas = app.openapi()["components"]["schemas"]
    operation = app.openapi()["paths"]["/v1/insights"]["get"]
    seen: set[str] = set()
    undocumented: list[str] = []

    def walk(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        schema = schemas[name]
        for field, spec in schema.get("properties", {}).items():
            if not spec.get("description"):
                undocumented.append(f"{name}.{field}")
            for ref in _refs(spec):
                walk(ref)

    walk("Insights")

    assert operation["operationId"] == "getInsights"
    assert {p["name"] for p in operation["parameters"]} == {"from", "to"}
    assert all(p.get("description") for p in operation["parameters"])
    assert undocumented == []
    assert len(seen) > 15


def _refs(spec: Any) -> list[str]:
    if isinstance(spec, dict):
        found = [spec["$ref"].rsplit("/", 1)[1]] if "$ref" in spec else []
        return found + [ref for value in spec.values() for ref in _refs(value)]
    if isinstance(spec, list):
        return [ref for value in spec for ref in _refs(value)]
    return []
