"""The insights document: every section and figure, described for the OpenAPI schema."""

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from app.reflections.models import Diagnosis

Rate = float | None
_RATE = "Share between 0 and 1, rounded to 2 decimals; null when there is nothing to divide by."
USUAL_MIN, USUAL_MAX = 5, 10


class _Section(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class InsightsPeriod(_Section):
    """The date range the figures cover, as requested (both ends inclusive).

    Each record is placed by its own date: applications by `applied_on` (the UTC date of
    `created_at` when it is not set), outcomes by `received_on`, feedback conversations and
    reflections by the UTC date of `created_at`."""

    from_: date | None = Field(
        alias="from", description="First day included; null: from the beginning."
    )
    to: date | None = Field(description="Last day included; null: no upper bound.")


class StageCounts(_Section):
    """Applications per current stage; every stage is present, zeros included."""

    wishlist: int = Field(description="Saved, not applied yet.")
    applied: int = Field(description="Applied, no answer yet.")
    screening: int = Field(description="In a first screening conversation.")
    interviewing: int = Field(description="In interviews.")
    offer: int = Field(description="Received an offer.")
    rejected: int = Field(description="Turned down by the company.")
    withdrawn: int = Field(description="Withdrawn by the user.")
    on_hold: int = Field(description="Paused by the company.")
    ghosted: int = Field(description="No news, marked as ghosted.")


class SourceCounts(_Section):
    """Applications per source; every source is present, zeros included."""

    referral: int = Field(description="Someone inside referred the user.")
    network: int = Field(description="Found through the user's own network.")
    recruiter: int = Field(description="Brought by a recruiter.")
    job_board: int = Field(description="Applied through a job board.")
    company_site: int = Field(description="Applied on the company's own site.")
    other: int = Field(description="Any other way.")


class ApplicationInsights(_Section):
    """The applications dated in the period (by `applied_on`, else the creation date)."""

    total: int = Field(description="Applications dated in the period.")
    by_stage: StageCounts = Field(description="The same applications, by current stage.")
    by_source: SourceCounts = Field(description="The same applications, by source.")


class UsualRange(_Section):
    """How many rejections per offer a job search commonly has."""

    min: int = Field(default=USUAL_MIN, description="Low end of the usual range.")
    max: int = Field(default=USUAL_MAX, description="High end of the usual range.")


class RejectionsPerOffer(_Section):
    """Rejections for every offer, from the outcomes received in the period, next to the
    usual range, so the app can show where the user stands."""

    rejections: int = Field(description="Outcomes of kind `rejection` received in the period.")
    offers: int = Field(description="Outcomes of kind `offer` received in the period.")
    ratio: float | None = Field(
        description="Rejections divided by offers, rounded to 1 decimal; null when there is "
        "no offer yet.",
        examples=[6.5],
    )
    usual_range: UsualRange = Field(description="The usual range: 5 to 10 rejections per offer.")
    within_usual_range: bool | None = Field(
        description="Whether `ratio` lies within the usual range (ends included); null when "
        "`ratio` is null."
    )
    message: str = Field(description="One or two sentences saying what the figure means.")


class EndStageCounts(_Section):
    """Rejected applications by how far they got before the rejection came."""

    wishlist: int = Field(description="Rejected from the wishlist.")
    applied: int = Field(description="Rejected after applying, before any conversation.")
    screening: int = Field(description="Rejected at the screening stage.")
    interviewing: int = Field(description="Rejected during or after interviews.")
    offer: int = Field(description="Rejected after an offer (for example, a withdrawn offer).")
    withdrawn: int = Field(description="Rejected after the user had withdrawn.")
    on_hold: int = Field(description="Rejected while on hold.")
    ghosted: int = Field(description="Rejected after being marked as ghosted.")
    unknown: int = Field(
        description="No earlier stage is known: recorded as rejected from the start, or the "
        "interview or outcome that had moved it on was deleted."
    )


class WhereApplicationsEnd(_Section):
    """For applications dated in the period whose current stage is `rejected`, each counted
    once: how far it got, read as conversion_by_source reads it (`offer`, `interviewing` or
    `screening`; the ones counted there as having reached an interview are exactly the ones
    here at those three stages); for the others, the stage they left for `rejected` (the latest
    move into `rejected` on their timeline)."""

    rejected_applications: int = Field(description="Rejected applications counted.")
    by_stage: EndStageCounts = Field(description="How many ended at each stage.")


class ReasonCount(_Section):
    """How often one reason of the taxonomy was given, split by who gave it."""

    key: str = Field(
        description="The reason key (GET /v1/guidance/reasons).", examples=["chemistry"]
    )
    title: str = Field(description="The reason's title in the guidance catalogue.")
    category: str = Field(description="The category the reason belongs to.", examples=["in_person"])
    count: int = Field(description="Outcomes citing this reason.")
    stated: int = Field(description="Of those, how many times the company said it.")
    suspected: int = Field(description="Of those, how many times only the user suspects it.")


class CategoryCount(_Section):
    """How often the reasons of one category were given, split by who gave them."""

    key: str = Field(description="The category key.", examples=["in_person"])
    title: str = Field(description="The category's title in the guidance catalogue.")
    count: int = Field(description="Reasons of this category cited, over all outcomes.")
    stated: int = Field(description="Of those, how many the company stated.")
    suspected: int = Field(description="Of those, how many the user only suspects.")


class ReasonInsights(_Section):
    """The reasons attached to outcomes received in the period: what is known (stated by the
    company) and what is only suspected, kept apart."""

    stated: int = Field(description="Reasons the company stated, over all outcomes.")
    suspected: int = Field(description="Reasons the user suspects, over all outcomes.")
    top: list[ReasonCount] = Field(
        description="Every reason cited at least once, most cited first (ties in catalogue order)."
    )
    categories: list[CategoryCount] = Field(
        description="Every category, zeros included, most cited first (ties in catalogue order)."
    )


class ConversionFigures(_Section):
    """How far a set of applications got.

    An application *reached an interview* when it is at `screening`, `interviewing` or `offer`,
    has an interview record or an offer outcome, or the user moved it to one of those stages at
    some point (its timeline). It *got an offer* when it is at `offer`, has an offer outcome or
    the user moved it to `offer` at some point. where_applications_end reads rejected
    applications the same way."""

    applications: int = Field(description="Applications dated in the period.")
    reached_interview: int = Field(description="Of those, how many reached an interview.")
    offers: int = Field(description="Of those, how many got an offer.")
    interview_rate: Rate = Field(description=f"reached_interview / applications. {_RATE}")
    offer_rate: Rate = Field(description=f"offers / applications. {_RATE}")


class SourceConversion(_Section):
    """Conversion figures for each source."""

    referral: ConversionFigures = Field(description="Applications with a referral.")
    network: ConversionFigures = Field(description="Applications found through the network.")
    recruiter: ConversionFigures = Field(description="Applications brought by a recruiter.")
    job_board: ConversionFigures = Field(description="Applications through a job board.")
    company_site: ConversionFigures = Field(description="Applications on the company's site.")
    other: ConversionFigures = Field(description="Applications from any other source.")


class ConversionBySource(_Section):
    """Whether warm introductions convert better than cold applications.

    *Warm*: someone vouched for or introduced the user (`referral`, `network`). *Cold*:
    everything else (`recruiter`, `job_board`, `company_site`, `other`); a recruiter knows the
    user only from a profile or CV, so their applications count as cold."""

    warm: ConversionFigures = Field(description="Referral and network applications together.")
    cold: ConversionFigures = Field(description="All other applications together.")
    by_source: SourceConversion = Field(description="The same figures for each source.")


class TrustCounts(_Section):
    """Completed conversations by how far the user believes what they were told."""

    genuine: int = Field(description="Candid feedback the user believes.")
    partly: int = Field(description="Partly believable.")
    generic: int = Field(description="A standard answer that says little.")
    doubtful: int = Field(description="Probably not the real reason.")
    not_rated: int = Field(description="Completed, but trust not recorded yet.")


class FeedbackInsights(_Section):
    """How often feedback was asked for, how often it came, and how far it was trusted.

    Conversations count by the date they were created; `rejections`, `rejections_with_request`
    and `offers_to_talk_not_taken` by the date the rejection was received."""

    planned: int = Field(description="Conversations planned, not asked for yet.")
    requested: int = Field(description="Conversations asked for (any status except `planned`).")
    awaiting: int = Field(description="Asked for, with no answer yet (`requested`, `scheduled`).")
    completed: int = Field(description="Conversations that took place.")
    declined_or_no_response: int = Field(description="Asked for, then declined or unanswered.")
    completion_rate: Rate = Field(description=f"completed / requested. {_RATE}")
    trust: TrustCounts = Field(description="The completed conversations, by trust.")
    rejections: int = Field(description="Rejections received in the period.")
    rejections_with_request: int = Field(
        description="Of those, how many have a feedback conversation asked for (status other "
        "than `planned`) about the same application."
    )
    request_rate: Rate = Field(description=f"rejections_with_request / rejections. {_RATE}")
    offers_to_talk_not_taken: int = Field(
        description="Rejections where the company offered to talk (`feedback_offered`) and no "
        "conversation has been asked for yet."
    )


class BounceBack(_Section):
    """How long it takes to apply again after a rejection.

    For each rejection received in the period: the days from `received_on` to the next
    application dated that day or later (any application other than the rejected one, even
    one dated after the period)."""

    median_days: float | None = Field(
        description="Median of those gaps in days; null when no rejection was followed by an "
        "application yet."
    )
    rejections_followed: int = Field(description="Rejections followed by a new application.")
    rejections_awaiting: int = Field(description="Rejections with no application since.")


class MoodMonth(_Section):
    """The average mood of the reflections written in one month (UTC)."""

    month: str = Field(description="The month, `YYYY-MM`.", examples=["2026-11"])
    average_mood: float = Field(description="Average mood (0–10), rounded to 1 decimal.")
    reflections: int = Field(description="Reflections with a mood that month.")


class MoodTrend(_Section):
    """Mood from the reflections written in the period (those without a mood are left out)."""

    months: list[MoodMonth] = Field(description="One entry per month with a mood, oldest first.")
    average_mood: float | None = Field(
        description="Average over the whole period, rounded to 1 decimal; null with no mood."
    )


class DiagnosisCounts(_Section):
    """Reflections written in the period, by the diagnosis they reached; zeros included."""

    in_person: int = Field(description="How the interview went.")
    on_paper: int = Field(description="Background: experience, credentials, level.")
    network: int = Field(description="Relationships inside the company.")
    fit: int = Field(description="The role or team did not suit the user.")
    circumstantial: int = Field(description="Outside the user's control.")
    unsure: int = Field(description="Not decided yet.")


class NextStepCounts(_Section):
    """The next steps listed in reflections written in the period."""

    done: int = Field(description="Steps marked done.")
    open: int = Field(description="Steps not done yet.")
    overdue: int = Field(
        description="Open steps whose `due_on` is before today (in the user's time zone)."
    )


class SuggestionKey(StrEnum):
    """The rule behind a suggestion: `accept_feedback_offers` (a company offered to talk),
    `ask_for_feedback` (rarely asked after rejections), `practise_interviewing`,
    `close_a_gap`, `build_relationships`, `choose_roles_with_care` (a recurring category or
    diagnosis), `lean_on_relationships` (warm applications convert better),
    `check_your_guesses` (suspected reasons outweigh stated ones), `review_next_steps`
    (overdue next steps), `keep_perspective` (above the usual rejections per offer),
    `restart_gently` (a slow restart after rejections)."""

    accept_feedback_offers = "accept_feedback_offers"
    ask_for_feedback = "ask_for_feedback"
    practise_interviewing = "practise_interviewing"
    close_a_gap = "close_a_gap"
    build_relationships = "build_relationships"
    choose_roles_with_care = "choose_roles_with_care"
    lean_on_relationships = "lean_on_relationships"
    check_your_guesses = "check_your_guesses"
    review_next_steps = "review_next_steps"
    keep_perspective = "keep_perspective"
    restart_gently = "restart_gently"


class Suggestion(_Section):
    """A next action the data points to, with the evidence behind it."""

    key: SuggestionKey = Field(description="Which rule suggested it; stable.")
    title: str = Field(description="The action, in a few words.")
    reason: str = Field(description="Why: the figures that triggered it, in a sentence or two.")
    evidence: dict[str, int | float | None] = Field(
        description="The numbers that triggered it, by name (they differ per `key`).",
        examples=[{"offers_to_talk_not_taken": 2}],
    )
    guidance_key: Diagnosis = Field(
        description="The advice to open: a diagnosis of GET /v1/guidance/next-steps (except "
        "`unsure`, also a category of GET /v1/guidance/reasons)."
    )
    action_key: str | None = Field(
        description="The action within that advice to start with; null: the advice as a whole.",
        examples=["mock_interview"],
    )


class Insights(_Section):
    """Patterns in the caller's job search over a period, computed from their own records
    (deleted records left out)."""

    period: InsightsPeriod = Field(description="The dates covered and how records are placed.")
    applications: ApplicationInsights = Field(description="Applications by stage and source.")
    rejections_per_offer: RejectionsPerOffer = Field(
        description="Rejections per offer against the usual 5–10 range."
    )
    where_applications_end: WhereApplicationsEnd = Field(
        description="The stage rejected applications had reached."
    )
    reasons: ReasonInsights = Field(description="Recurring reasons and categories.")
    conversion_by_source: ConversionBySource = Field(
        description="Interview and offer rates, warm versus cold."
    )
    feedback: FeedbackInsights = Field(description="Feedback asked for, given and trusted.")
    bounce_back: BounceBack = Field(description="Days from a rejection to the next application.")
    mood_trend: MoodTrend = Field(description="Mood from reflections, month by month.")
    diagnoses: DiagnosisCounts = Field(description="What reflections concluded.")
    next_steps: NextStepCounts = Field(description="Next steps from reflections: done and open.")
    suggestions: list[Suggestion] = Field(
        max_length=5, description="Up to five next actions, most useful first."
    )
