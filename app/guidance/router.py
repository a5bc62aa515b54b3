"""Read-only guidance: the reason taxonomy, reflection prompts, feedback questions, next steps.
Public, so an app can show it before sign-in."""

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from app.core.errors import problem_responses
from app.core.identity import caller_of, oauth2_scheme
from app.guidance.catalogue import (
    CATALOGUES,
    Category,
    CategoryKey,
    FeedbackQuestion,
    NextStepAdvice,
    ReflectionPrompt,
)
from app.shared.etag import not_modified


async def _valid_token_if_sent(
    request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> None:
    """No token is needed, but one that is sent must be valid: a client whose token went bad
    hears it here too (401), instead of reading on as if it had signed out."""
    if "authorization" in request.headers:
        caller_of(request, token)


router = APIRouter(
    prefix="/v1/guidance", tags=["guidance"], dependencies=[Depends(_valid_token_if_sent)]
)

# The token the dependency reads is optional: `{}` is the requirement met without one.
_TOKEN_OPTIONAL: dict[str, Any] = {"security": [{}]}

# The catalogues only change with a deploy, and they are the same for everyone (no
# `Vary: Authorization`): any cache may keep them an hour.
CACHE_CONTROL = "public, max-age=3600"

_RESPONSES: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the ETag in `If-None-Match` is still current."},
    **problem_responses(401),
}


class ReasonPublic(BaseModel):
    """A reason, with the category whose advice applies to it."""

    key: str = Field(examples=["chemistry"])
    title: str
    description: str
    category: Category


class ReasonsPublic(BaseModel):
    items: list[ReasonPublic]


class ReasonCategoriesPublic(BaseModel):
    items: list[Category]


class FeedbackQuestionsPublic(BaseModel):
    items: list[FeedbackQuestion]


class ReflectionPromptsPublic(BaseModel):
    items: list[ReflectionPrompt]


class NextStepsPublic(BaseModel):
    items: list[NextStepAdvice]


def _category(key: CategoryKey) -> Category:
    return CATALOGUES.categories.by_key[key]


# Built once: the catalogues are immutable for the life of the process.
_REASONS = ReasonsPublic(
    items=[
        ReasonPublic(
            key=reason.key,
            title=reason.title,
            description=reason.description,
            category=_category(reason.category),
        )
        for reason in CATALOGUES.reasons.items
    ]
)
# The reasons answer embeds the categories, so its validator must change when either file does.
_REASONS_DIGEST = hashlib.sha256(
    (CATALOGUES.reasons.etag + CATALOGUES.categories.etag).encode("ascii")
).hexdigest()
_REASONS_ETAG = f'"{_REASONS_DIGEST}"'
_CATEGORIES = ReasonCategoriesPublic(items=list(CATALOGUES.categories.items))
_FEEDBACK_QUESTIONS = FeedbackQuestionsPublic(items=list(CATALOGUES.feedback_questions.items))
_REFLECTION_PROMPTS = ReflectionPromptsPublic(items=list(CATALOGUES.reflection_prompts.items))
_NEXT_STEPS = NextStepsPublic(items=list(CATALOGUES.next_steps.items))


def _unchanged(request: Request, response: Response, etag: str) -> Response | None:
    """A 304 when the client already holds this version; otherwise tag the 200."""
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return None


@router.get(
    "/reasons", operation_id="listReasons", responses=_RESPONSES, openapi_extra=_TOKEN_OPTIONAL
)
async def list_reasons(request: Request, response: Response) -> ReasonsPublic:
    """Why people are not hired: each reason with its category and that category's advice."""
    if (unchanged := _unchanged(request, response, _REASONS_ETAG)) is not None:
        return unchanged  # type: ignore[return-value]
    return _REASONS


@router.get(
    "/categories",
    operation_id="listReasonCategories",
    responses=_RESPONSES,
    openapi_extra=_TOKEN_OPTIONAL,
)
async def list_reason_categories(request: Request, response: Response) -> ReasonCategoriesPublic:
    """The reason categories, what each means, and the advice that goes with it."""
    if (unchanged := _unchanged(request, response, CATALOGUES.categories.etag)) is not None:
        return unchanged  # type: ignore[return-value]
    return _CATEGORIES


@router.get(
    "/reflection-prompts",
    operation_id="listReflectionPrompts",
    responses=_RESPONSES,
    openapi_extra=_TOKEN_OPTIONAL,
)
async def list_reflection_prompts(request: Request, response: Response) -> ReflectionPromptsPublic:
    """Questions to reflect on after an outcome, with follow-ups and when each applies."""
    if (unchanged := _unchanged(request, response, CATALOGUES.reflection_prompts.etag)) is not None:
        return unchanged  # type: ignore[return-value]
    return _REFLECTION_PROMPTS


@router.get(
    "/feedback-questions",
    operation_id="listFeedbackQuestions",
    responses=_RESPONSES,
    openapi_extra=_TOKEN_OPTIONAL,
)
async def list_feedback_questions(request: Request, response: Response) -> FeedbackQuestionsPublic:
    """Questions worth asking the interviewer, in the order to ask them."""
    if (unchanged := _unchanged(request, response, CATALOGUES.feedback_questions.etag)) is not None:
        return unchanged  # type: ignore[return-value]
    return _FEEDBACK_QUESTIONS


@router.get(
    "/next-steps", operation_id="listNextSteps", responses=_RESPONSES, openapi_extra=_TOKEN_OPTIONAL
)
async def list_next_steps(request: Request, response: Response) -> NextStepsPublic:
    """Concrete next steps for each reflection diagnosis."""
    if (unchanged := _unchanged(request, response, CATALOGUES.next_steps.etag)) is not None:
        return unchanged  # type: ignore[return-value]
    return _NEXT_STEPS
