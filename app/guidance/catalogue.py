"""The guidance catalogues: read from `data/*.json` and checked once, at import.

Each file is a JSON array of entries. The keys are part of the API contract (outcomes,
feedback conversations and reflections store them), so the set of keys is fixed here and a
file that adds, drops or repeats one stops the app from starting. The wording lives in the
files and may change freely; each catalogue's ETag is the SHA-256 of its file's bytes.

- `reasons.json`: why someone was not hired — `Reason` {key, title, description, category}.
- `categories.json`: what a reason's category means and what to do — `Category`.
- `feedback_questions.json`: what to ask the interviewer, in asking order — `FeedbackQuestion`.
- `reflection_prompts.json`: what the user asks themselves — `ReflectionPrompt`.
- `next_steps.json`: advice per reflection diagnosis — `NextStepAdvice`.
"""

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Generic, Literal, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

DATA_DIR = Path(__file__).resolve().parent / "data"

CategoryKey = Literal["in_person", "on_paper", "network", "fit", "circumstantial"]
Diagnosis = Literal["in_person", "on_paper", "network", "fit", "circumstantial", "unsure"]
OutcomeKind = Literal["offer", "rejection", "on_hold", "withdrawn", "ghosted"]
PromptGroup = Literal["self_questions", "same_sitting"]

CATEGORY_KEYS: tuple[str, ...] = get_args(CategoryKey)
DIAGNOSES: tuple[str, ...] = get_args(Diagnosis)

# The stable keys: changing these is an API change, not an edit of the wording.
_REASON_KEYS = (
    "stronger_candidate",
    "unclear_requirements",
    "headcount_or_budget",
    "chemistry",
    "culture_fit",
    "communication",
    "role_mismatch",
    "low_enthusiasm",
    "experience_gap",
    "no_inside_advocate",
)
_FEEDBACK_QUESTION_ORDER = (
    "prepare_better",
    "chosen_candidate",
    "right_role",
    "better_roles",
    "who_to_talk_to",
)
_REFLECTION_PROMPT_KEYS = (
    "did_i_impress",
    "built_relationships",
    "wanted_the_job",
    "what_would_strengthen",
    "other_roles",
    "what_learned",
    "practise_more",
    "improve_answers",
    "did_well",
    "grateful_for",
)

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class CatalogueError(Exception):
    """A catalogue file is missing, unreadable, malformed or inconsistent."""


def _open_schema(schema: dict[str, Any]) -> None:
    # Files must not carry unknown fields, but clients may receive new fields in later versions.
    schema.pop("additionalProperties", None)


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_open_schema)


class Reason(_Entry):
    """One reason a candidate may not have been hired."""

    key: Key = Field(examples=["chemistry"])
    title: Text
    description: Text
    category: CategoryKey = Field(description="The category whose advice applies.")


class Category(_Entry):
    """A family of reasons and the advice that goes with it."""

    key: CategoryKey
    title: Text
    description: Text
    advice: tuple[Text, ...] = Field(min_length=1, description="Short, actionable suggestions.")
    fixable: bool = Field(
        description="True when work on the user's side (practice, experience, relationships) "
        "can change the result; false when it came from circumstances or a mismatch."
    )


class FeedbackQuestion(_Entry):
    """A question worth asking the interviewer in a feedback conversation."""

    key: Key = Field(examples=["prepare_better"])
    text: Text
    purpose: Text = Field(description="What the answer helps the user learn.")
    applies_when: str | None = Field(
        pattern=r"^[a-z][a-z0-9_]*_(yes|no)$",
        description="Ask only after this answer to an earlier question, written "
        "`<question_key>_yes` or `<question_key>_no`; null: always ask.",
        examples=["right_role_no"],
    )


class PromptCondition(_Entry):
    """When a reflection prompt applies; null in a field means no condition on it."""

    after_kinds: tuple[OutcomeKind, ...] | None = Field(
        description="Outcome kinds the prompt follows; null: after any outcome."
    )
    still_want_similar_roles: Literal["yes", "no"] | None = Field(
        description="Only when the user's answer to `still_want_similar_roles` is this; "
        "a user who answered `unsure` sees the prompt either way.",
    )


class ReflectionPrompt(_Entry):
    """A question the user asks themselves after an outcome."""

    key: Key = Field(examples=["did_well"])
    text: Text
    group: PromptGroup = Field(
        description="`self_questions`: looking back at this application; "
        "`same_sitting`: learning and gratitude, asked in the same session."
    )
    follow_ups: tuple[Text, ...] = Field(description="Questions that dig deeper; may be empty.")
    applies_when: PromptCondition

    def applies_to(self, outcome_kind: str | None, still_want_similar_roles: str | None) -> bool:
        """Whether to show this prompt; an unknown outcome or an `unsure` answer hides nothing."""
        kinds = self.applies_when.after_kinds
        if kinds is not None and outcome_kind is not None and outcome_kind not in kinds:
            return False
        wanted = self.applies_when.still_want_similar_roles
        if wanted is None or still_want_similar_roles not in ("yes", "no"):
            return True
        return still_want_similar_roles == wanted


class NextStepAction(_Entry):
    key: Key = Field(examples=["mock_interview"])
    text: Text


class NextStepAdvice(_Entry):
    """What to do next, for one reflection diagnosis."""

    diagnosis: Diagnosis
    title: Text
    summary: Text
    actions: tuple[NextStepAction, ...] = Field(min_length=1)


EntryT = TypeVar("EntryT", bound=_Entry)


@dataclass(frozen=True, slots=True)
class Catalogue(Generic[EntryT]):
    """One file's entries in file order, its strong ETag, and the entries by key."""

    file: str
    items: tuple[EntryT, ...]
    etag: str
    by_key: Mapping[str, EntryT]


@dataclass(frozen=True, slots=True)
class Catalogues:
    reasons: Catalogue[Reason]
    categories: Catalogue[Category]
    feedback_questions: Catalogue[FeedbackQuestion]
    reflection_prompts: Catalogue[ReflectionPrompt]
    next_steps: Catalogue[NextStepAdvice]


def _reject_duplicate_fields(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for name, value in pairs:
        if name in seen:
            raise ValueError(f"field {name!r} appears twice in one object")
        seen[name] = value
    return seen


def _describe(error: Any, raw: Any) -> str:
    location = list(error["loc"])
    where = "top level"
    if location and isinstance(location[0], int):
        index = location.pop(0)
        entry = raw[index] if isinstance(raw, list) else None
        key = (entry.get("key") or entry.get("diagnosis")) if isinstance(entry, dict) else None
        where = f"entry {index}" + (f" ({key!r})" if isinstance(key, str) else "")
    if location:
        where += ", field " + ".".join(str(part) for part in location)
    return f"{where}: {error['msg']}"


def _load(
    directory: Path, file: str, model: type[EntryT], key_of: Callable[[EntryT], str]
) -> Catalogue[EntryT]:
    path = directory / file
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise CatalogueError(f"{file}: cannot be read from {directory} ({exc.strerror})") from None
    try:
        raw = json.loads(content, object_pairs_hook=_reject_duplicate_fields)
    except json.JSONDecodeError as exc:
        raise CatalogueError(
            f"{file}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except ValueError as exc:  # invalid UTF-8, or a field given twice in one object
        raise CatalogueError(f"{file}: not valid JSON ({exc})") from None
    try:
        items = tuple(TypeAdapter(list[model]).validate_python(raw))  # type: ignore[valid-type]
    except ValidationError as exc:
        problems = [_describe(error, raw) for error in exc.errors()]
        shown = "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else "")
        raise CatalogueError(f"{file}: does not match the schema: {shown}") from None
    by_key: dict[str, EntryT] = {}
    for item in items:
        key = key_of(item)
        if key in by_key:
            raise CatalogueError(f"{file}: the key {key!r} is used more than once")
        by_key[key] = item
    etag = f'"{hashlib.sha256(content).hexdigest()}"'
    return Catalogue(file=file, items=items, etag=etag, by_key=MappingProxyType(by_key))


def _require_keys(catalogue: Catalogue[Any], expected: tuple[str, ...], what: str) -> None:
    missing = [key for key in expected if key not in catalogue.by_key]
    unexpected = [key for key in catalogue.by_key if key not in expected]
    if missing or unexpected:
        problems = []
        if missing:
            problems.append(f"missing {what} keys: {', '.join(missing)}")
        if unexpected:
            problems.append(f"unknown {what} keys: {', '.join(unexpected)}")
        raise CatalogueError(f"{catalogue.file}: {'; '.join(problems)}")


def load_catalogues(directory: Path) -> Catalogues:
    """Read and check every catalogue in `directory`; CatalogueError names the file at fault."""
    categories = _load(directory, "categories.json", Category, lambda entry: entry.key)
    _require_keys(categories, CATEGORY_KEYS, "category")

    reasons = _load(directory, "reasons.json", Reason, lambda entry: entry.key)
    # Every reason's category exists: the schema allows only CATEGORY_KEYS, and
    # categories.json was just required to define each of them.
    _require_keys(reasons, _REASON_KEYS, "reason")

    questions = _load(
        directory, "feedback_questions.json", FeedbackQuestion, lambda entry: entry.key
    )
    _require_keys(questions, _FEEDBACK_QUESTION_ORDER, "feedback question")
    order = tuple(question.key for question in questions.items)
    if order != _FEEDBACK_QUESTION_ORDER:
        raise CatalogueError(
            f"feedback_questions.json: questions must be in this order: "
            f"{', '.join(_FEEDBACK_QUESTION_ORDER)}"
        )
    for position, question in enumerate(questions.items):
        if question.applies_when is None:
            continue
        earlier = question.applies_when.rsplit("_", 1)[0]
        if earlier not in order[:position]:
            raise CatalogueError(
                f"feedback_questions.json: question {question.key!r} depends on "
                f"{earlier!r}, which is not an earlier question"
            )

    prompts = _load(directory, "reflection_prompts.json", ReflectionPrompt, lambda entry: entry.key)
    _require_keys(prompts, _REFLECTION_PROMPT_KEYS, "reflection prompt")

    next_steps = _load(directory, "next_steps.json", NextStepAdvice, lambda entry: entry.diagnosis)
    _require_keys(next_steps, DIAGNOSES, "diagnosis")
    for advice in next_steps.items:
        action_keys = [action.key for action in advice.actions]
        if len(set(action_keys)) != len(action_keys):
            raise CatalogueError(
                f"next_steps.json: diagnosis {advice.diagnosis!r} repeats an action key"
            )

    return Catalogues(
        reasons=reasons,
        categories=categories,
        feedback_questions=questions,
        reflection_prompts=prompts,
        next_steps=next_steps,
    )


# Loaded at import, so a broken file stops start-up instead of failing a request later.
CATALOGUES = load_catalogues(DATA_DIR)

REASON_KEYS: frozenset[str] = frozenset(CATALOGUES.reasons.by_key)
FEEDBACK_QUESTION_KEYS: frozenset[str] = frozenset(CATALOGUES.feedback_questions.by_key)
REFLECTION_PROMPT_KEYS: frozenset[str] = frozenset(CATALOGUES.reflection_prompts.by_key)
FEEDBACK_QUESTIONS: tuple[FeedbackQuestion, ...] = CATALOGUES.feedback_questions.items


def category_of(reason_key: str) -> CategoryKey:
    """The category of a reason; KeyError for a key outside REASON_KEYS."""
    return CATALOGUES.reasons.by_key[reason_key].category
