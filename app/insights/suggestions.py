"""Suggested next actions: fixed rules over the insight figures, ranked deterministically.

Each rule fires when its threshold is met and cites the figures that made it fire. The rules
are ranked by a fixed priority that follows the healthy path of the domain: first gather real
evidence (accept and ask for feedback), then act on the patterns the evidence shows, then look
after the search itself. The thresholds are small on purpose: a job search has tens of
records, not thousands, and a pattern seen twice is worth a look.
"""

from dataclasses import dataclass

from app.guidance.catalogue import CATALOGUES
from app.insights.models import (
    BounceBack,
    ConversionBySource,
    DiagnosisCounts,
    FeedbackInsights,
    NextStepCounts,
    RejectionsPerOffer,
    Suggestion,
    SuggestionKey,
)
from app.reflections.models import Diagnosis

MAX_SUGGESTIONS = 5

# A category is a pattern when reasons citing it plus reflections diagnosing it reach this.
PATTERN_MIN_SIGNS = 2
# At most this many category-based suggestions, so the others still have room.
MAX_CATEGORY_SUGGESTIONS = 2
# Feedback is "rarely asked" when it was asked after fewer than half of the rejections,
# judged once there are at least two rejections.
FEEDBACK_MIN_REJECTIONS = 2
FEEDBACK_RATE_BELOW = 0.5
# Warm applications "convert better" when, with at least two applications on each side,
# their interview rate or their offer rate is ahead by 20 points or more.
WARM_MIN_APPLICATIONS = 2
WARM_LEAD = 0.2
# Guesses outweigh knowledge: at least three suspected reasons, and more than stated ones.
SUSPECTED_MIN = 3
# Next steps need a review when at least two open ones are past their due date.
OVERDUE_MIN = 2
# Above the usual range: more than ten rejections per offer (or than ten with no offer).
PERSPECTIVE_ABOVE = 10
# A slow restart: a median of two weeks or more, over at least two rejections.
BOUNCE_BACK_DAYS = 14
BOUNCE_BACK_MIN_REJECTIONS = 2


@dataclass(frozen=True, slots=True)
class Signals:
    """What the rules read: the computed sections, plus two breakdowns they need."""

    reasons: dict[str, tuple[int, int]]  # reason key -> (stated, suspected)
    diagnoses: DiagnosisCounts
    feedback: FeedbackInsights
    conversion: ConversionBySource
    next_steps: NextStepCounts
    overdue_by_diagnosis: dict[str, int]
    rejections_per_offer: RejectionsPerOffer
    bounce_back: BounceBack


@dataclass(frozen=True, slots=True)
class _CategoryRule:
    key: SuggestionKey
    title: str
    action_key: str
    advice: str


# The categories with something to work on, in catalogue order (the tie-break). The
# circumstantial category has nothing to fix, so it suggests nothing.
_CATEGORY_RULES: dict[Diagnosis, _CategoryRule] = {
    Diagnosis.in_person: _CategoryRule(
        SuggestionKey.practise_interviewing,
        "Practise your interview answers out loud",
        "mock_interview",
        "Interview skills grow quickly with practice, and a mock interview shows where.",
    ),
    Diagnosis.on_paper: _CategoryRule(
        SuggestionKey.close_a_gap,
        "Close one gap, or aim where you already fit",
        "list_gaps",
        "Listing what the hired person had that you lack shows which gap is worth closing.",
    ),
    Diagnosis.network: _CategoryRule(
        SuggestionKey.build_relationships,
        "Talk to people on the team before you apply",
        "team_conversations",
        "Someone inside who knows you can tip a close decision.",
    ),
    Diagnosis.fit: _CategoryRule(
        SuggestionKey.choose_roles_with_care,
        "Choose your openings with care",
        "write_must_haves",
        "Writing down what you need from a role makes the wrong ones easier to turn down.",
    ),
}
# Low enthusiasm is an in-person reason in the taxonomy (it showed in the interview), but
# practising does not fix it: being more selective does. Its signs go to the fit rule.
_SELECTIVITY_REASON = "low_enthusiasm"


def _plural(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def suggest(signals: Signals) -> list[Suggestion]:
    """At most five suggestions, in priority order."""
    found = [
        *_accept_feedback_offers(signals),
        *_ask_for_feedback(signals),
        *_category_patterns(signals),
        *_lean_on_relationships(signals),
        *_check_your_guesses(signals),
        *_review_next_steps(signals),
        *_keep_perspective(signals),
        *_restart_gently(signals),
    ]
    return found[:MAX_SUGGESTIONS]


def _accept_feedback_offers(signals: Signals) -> list[Suggestion]:
    not_taken = signals.feedback.offers_to_talk_not_taken
    if not_taken < 1:
        return []
    return [
        Suggestion(
            key=SuggestionKey.accept_feedback_offers,
            title="Take up the offers to talk",
            reason=(
                f"{_plural(not_taken, 'company', 'companies')} offered to talk about "
                "turning you down, and you have not asked for that conversation yet. People "
                "say more on a call than in writing, so a short, friendly yes is worth it."
            ),
            evidence={"offers_to_talk_not_taken": not_taken},
            guidance_key=Diagnosis.unsure,
            action_key="request_feedback",
        )
    ]


def _ask_for_feedback(signals: Signals) -> list[Suggestion]:
    feedback = signals.feedback
    rate = feedback.request_rate
    if feedback.rejections < FEEDBACK_MIN_REJECTIONS or rate is None:
        return []
    if rate >= FEEDBACK_RATE_BELOW:
        return []
    return [
        Suggestion(
            key=SuggestionKey.ask_for_feedback,
            title="Ask for feedback after a rejection",
            reason=(
                f"You asked for feedback after {feedback.rejections_with_request} of your "
                f"{_plural(feedback.rejections, 'rejection')}. A ten-minute call is often the "
                "only way to learn the real reason instead of guessing it."
            ),
            evidence={
                "rejections": feedback.rejections,
                "rejections_with_request": feedback.rejections_with_request,
                "request_rate": rate,
            },
            guidance_key=Diagnosis.unsure,
            action_key="request_feedback",
        )
    ]


def _category_signs(signals: Signals) -> dict[Diagnosis, tuple[int, int, int]]:
    """Per category with a rule: (stated reasons, suspected reasons, reflections)."""
    signs = {category: [0, 0, getattr(signals.diagnoses, category)] for category in _CATEGORY_RULES}
    for key, (stated, suspected) in signals.reasons.items():
        category = Diagnosis(
            Diagnosis.fit if key == _SELECTIVITY_REASON else CATALOGUES.reasons.by_key[key].category
        )
        if category in signs:
            signs[category][0] += stated
            signs[category][1] += suspected
    return {category: (s[0], s[1], s[2]) for category, s in signs.items()}


def _category_patterns(signals: Signals) -> list[Suggestion]:
    patterns = [
        (category, signs)
        for category, signs in _category_signs(signals).items()
        if sum(signs) >= PATTERN_MIN_SIGNS
    ]
    # Stable sort: equal totals keep the catalogue order of _CATEGORY_RULES.
    patterns.sort(key=lambda pattern: -sum(pattern[1]))
    suggestions = []
    for category, (stated, suspected, reflections) in patterns[:MAX_CATEGORY_SUGGESTIONS]:
        rule = _CATEGORY_RULES[category]
        title = CATALOGUES.categories.by_key[category].title.lower()
        suggestions.append(
            Suggestion(
                key=rule.key,
                title=rule.title,
                reason=(
                    f"{_plural(stated + suspected, 'reason')} ({stated} stated by the company, "
                    f"{suspected} suspected) and {_plural(reflections, 'reflection')} point at "
                    f"{title}. {rule.advice}"
                ),
                evidence={
                    "stated": stated,
                    "suspected": suspected,
                    "reflections": reflections,
                    "total": stated + suspected + reflections,
                },
                guidance_key=category,
                action_key=rule.action_key,
            )
        )
    return suggestions


def _lean_on_relationships(signals: Signals) -> list[Suggestion]:
    warm, cold = signals.conversion.warm, signals.conversion.cold
    if min(warm.applications, cold.applications) < WARM_MIN_APPLICATIONS:
        return []

    def lead(warm_rate: float | None, cold_rate: float | None) -> float:
        return (warm_rate or 0.0) - (cold_rate or 0.0)

    interview_lead = lead(warm.interview_rate, cold.interview_rate)
    offer_lead = lead(warm.offer_rate, cold.offer_rate)
    # Rates are rounded to 2 decimals, so a lead of exactly 0.20 stays exactly comparable.
    if round(max(interview_lead, offer_lead), 2) < WARM_LEAD:
        return []
    return [
        Suggestion(
            key=SuggestionKey.lean_on_relationships,
            title="Lean on referrals and your network",
            reason=(
                f"Referrals and network contacts led to an interview in {warm.reached_interview} "
                f"of {_plural(warm.applications, 'application')} and to "
                f"{_plural(warm.offers, 'offer')}; cold applications in {cold.reached_interview} "
                f"of {cold.applications}, with {_plural(cold.offers, 'offer')}. An introduction "
                "is worth the extra effort."
            ),
            evidence={
                "warm_applications": warm.applications,
                "warm_interview_rate": warm.interview_rate,
                "warm_offer_rate": warm.offer_rate,
                "cold_applications": cold.applications,
                "cold_interview_rate": cold.interview_rate,
                "cold_offer_rate": cold.offer_rate,
            },
            guidance_key=Diagnosis.network,
            action_key="ask_for_introductions",
        )
    ]


def _check_your_guesses(signals: Signals) -> list[Suggestion]:
    stated = sum(pair[0] for pair in signals.reasons.values())
    suspected = sum(pair[1] for pair in signals.reasons.values())
    if suspected < SUSPECTED_MIN or suspected <= stated:
        return []
    return [
        Suggestion(
            key=SuggestionKey.check_your_guesses,
            title="Check your guesses against real feedback",
            reason=(
                f"{suspected} of the reasons you noted are suspicions, and {stated} came from "
                "the company. Guesses can send your effort to the wrong place: keep them apart "
                "from what you know, and test them when you ask for feedback."
            ),
            evidence={"stated": stated, "suspected": suspected},
            guidance_key=Diagnosis.unsure,
            action_key="separate_known_from_suspected",
        )
    ]


def _review_next_steps(signals: Signals) -> list[Suggestion]:
    steps = signals.next_steps
    if steps.overdue < OVERDUE_MIN:
        return []
    # Point at the advice behind most of the overdue steps (ties: catalogue order).
    ranked = sorted(Diagnosis, key=lambda d: -signals.overdue_by_diagnosis.get(d, 0))
    return [
        Suggestion(
            key=SuggestionKey.review_next_steps,
            title="Review your overdue next steps",
            reason=(
                f"{steps.overdue} of your {_plural(steps.open, 'open next step')} are past their "
                "due date. Pick the one that matters most and give the others a new date, or "
                "let them go: a short list is easier to act on."
            ),
            evidence={"overdue": steps.overdue, "open": steps.open},
            guidance_key=ranked[0],
            action_key=None,
        )
    ]


def _keep_perspective(signals: Signals) -> list[Suggestion]:
    figures = signals.rejections_per_offer
    ratio = figures.ratio
    compared = ratio if ratio is not None else figures.rejections
    if compared <= PERSPECTIVE_ABOVE:
        return []
    where = (
        f"{ratio} rejections per offer"
        if ratio is not None
        else f"{_plural(figures.rejections, 'rejection')} and no offer yet"
    )
    return [
        Suggestion(
            key=SuggestionKey.keep_perspective,
            title="Keep perspective, and aim where you fit",
            reason=(
                f"You are at {where}, more than the usual five to ten. That is hard, and it is "
                "not a verdict on you. Aiming at roles that match your background can change "
                "the odds."
            ),
            evidence={
                "rejections": figures.rejections,
                "offers": figures.offers,
                "rejections_per_offer": ratio,
            },
            guidance_key=Diagnosis.on_paper,
            action_key="target_matching_roles",
        )
    ]


def _restart_gently(signals: Signals) -> list[Suggestion]:
    bounce = signals.bounce_back
    if bounce.median_days is None or bounce.rejections_followed < BOUNCE_BACK_MIN_REJECTIONS:
        return []
    if bounce.median_days < BOUNCE_BACK_DAYS:
        return []
    days = f"{bounce.median_days:g}"
    return [
        Suggestion(
            key=SuggestionKey.restart_gently,
            title="Restart with one small step",
            reason=(
                f"After a rejection it took you {days} days, at the median, to send the next "
                "application. Taking time to recover is healthy; a small, fixed goal such as one "
                "application a week makes starting again easier."
            ),
            evidence={
                "median_days": bounce.median_days,
                "rejections_followed": bounce.rejections_followed,
            },
            guidance_key=Diagnosis.circumstantial,
            action_key="keep_going",
        )
    ]
