import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from app.guidance.catalogue import (
    CATALOGUES,
    DATA_DIR,
    DIAGNOSES,
    FEEDBACK_QUESTION_KEYS,
    FEEDBACK_QUESTIONS,
    REASON_KEYS,
    REFLECTION_PROMPT_KEYS,
    CatalogueError,
    category_of,
    load_catalogues,
)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A private copy of the real catalogues, for a test to break."""
    return Path(shutil.copytree(DATA_DIR, tmp_path / "data"))


def read(directory: Path, file: str) -> list[dict[str, Any]]:
    return json.loads((directory / file).read_text())


def write(directory: Path, file: str, entries: list[dict[str, Any]]) -> None:
    (directory / file).write_text(json.dumps(entries))


def test_the_real_catalogues_load():
    catalogues = load_catalogues(DATA_DIR)

    assert set(catalogues.reasons.by_key) == REASON_KEYS
    assert len(REASON_KEYS) == 10
    assert [c.key for c in catalogues.categories.items] == [
        "in_person",
        "on_paper",
        "network",
        "fit",
        "circumstantial",
    ]
    assert [q.key for q in FEEDBACK_QUESTIONS] == [
        "prepare_better",
        "chosen_candidate",
        "right_role",
        "better_roles",
        "who_to_talk_to",
    ]
    assert FEEDBACK_QUESTION_KEYS == set(catalogues.feedback_questions.by_key)
    assert len(REFLECTION_PROMPT_KEYS) == 10
    assert set(catalogues.next_steps.by_key) == set(DIAGNOSES)


def test_etags_are_the_quoted_sha256_of_each_file():
    for catalogue in (CATALOGUES.reasons, CATALOGUES.next_steps):
        digest = hashlib.sha256((DATA_DIR / catalogue.file).read_bytes()).hexdigest()
        assert catalogue.etag == f'"{digest}"'


def test_helpers_answer_from_the_catalogue():
    assert category_of("chemistry") == "in_person"
    assert category_of("headcount_or_budget") == "circumstantial"
    assert CATALOGUES.feedback_questions.by_key["better_roles"].applies_when == "right_role_no"
    assert CATALOGUES.categories.by_key["circumstantial"].fixable is False
    with pytest.raises(KeyError):
        category_of("bad_luck")


def test_reflection_prompts_follow_the_users_plans():
    prompts = CATALOGUES.reflection_prompts.by_key
    strengthen, other_roles = prompts["what_would_strengthen"], prompts["other_roles"]

    assert strengthen.applies_to("rejection", "yes")
    assert not strengthen.applies_to("rejection", "no")
    assert other_roles.applies_to("rejection", "no")
    assert not other_roles.applies_to("rejection", "yes")
    # Unsure users see both directions.
    assert strengthen.applies_to("rejection", "unsure") and other_roles.applies_to(None, "unsure")
    assert not prompts["did_i_impress"].applies_to("offer", None)
    assert prompts["did_well"].applies_to("offer", None)


def test_invalid_json_names_the_file(data_dir):
    (data_dir / "reasons.json").write_text('[{"key": "chemistry",')

    with pytest.raises(CatalogueError, match=r"reasons\.json: not valid JSON \(line 1"):
        load_catalogues(data_dir)


def test_a_field_given_twice_is_refused(data_dir):
    (data_dir / "categories.json").write_text('[{"key": "fit", "key": "network"}]')

    with pytest.raises(CatalogueError, match=r"categories\.json: .*'key' appears twice"):
        load_catalogues(data_dir)


def test_a_missing_reason_key_names_the_file_and_the_key(data_dir):
    reasons = [r for r in read(data_dir, "reasons.json") if r["key"] != "chemistry"]
    write(data_dir, "reasons.json", reasons)

    with pytest.raises(CatalogueError, match=r"reasons\.json: missing reason keys: chemistry"):
        load_catalogues(data_dir)


def test_an_extra_reason_key_is_refused(data_dir):
    reasons = read(data_dir, "reasons.json")
    reasons.append({**reasons[0], "key": "bad_luck"})
    write(data_dir, "reasons.json", reasons)

    with pytest.raises(CatalogueError, match=r"reasons\.json: unknown reason keys: bad_luck"):
        load_catalogues(data_dir)


def test_a_reason_with_an_unknown_category_names_the_file_and_the_reason(data_dir):
    reasons = read(data_dir, "reasons.json")
    chemistry = next(r for r in reasons if r["key"] == "chemistry")
    chemistry["category"] = "luck"
    write(data_dir, "reasons.json", reasons)

    with pytest.raises(CatalogueError, match=r"reasons\.json: .*'chemistry'.*category"):
        load_catalogues(data_dir)


@pytest.mark.parametrize(
    ("file", "field"),
    [
        ("reasons.json", "key"),
        ("categories.json", "key"),
        ("feedback_questions.json", "key"),
        ("reflection_prompts.json", "key"),
        ("next_steps.json", "diagnosis"),
    ],
)
def test_duplicate_keys_name_the_file(data_dir, file, field):
    entries = read(data_dir, file)
    entries.append(dict(entries[0]))
    write(data_dir, file, entries)

    expected = f"{file}: the key '{entries[0][field]}' is used more than once"
    with pytest.raises(CatalogueError, match=re.escape(expected)):
        load_catalogues(data_dir)


def test_a_missing_diagnosis_names_the_file(data_dir):
    advice = [a for a in read(data_dir, "next_steps.json") if a["diagnosis"] != "unsure"]
    write(data_dir, "next_steps.json", advice)

    with pytest.raises(CatalogueError, match=r"next_steps\.json: missing diagnosis keys: unsure"):
        load_catalogues(data_dir)


def test_a_missing_file_is_named(data_dir):
    (data_dir / "reflection_prompts.json").unlink()

    with pytest.raises(CatalogueError, match=r"reflection_prompts\.json: cannot be read"):
        load_catalogues(data_dir)


def test_unknown_fields_are_refused(data_dir):
    prompts = read(data_dir, "reflection_prompts.json")
    prompts[2]["tone"] = "gentle"
    write(data_dir, "reflection_prompts.json", prompts)

    with pytest.raises(
        CatalogueError, match=r"reflection_prompts\.json: .*entry 2 \('wanted_the_job'\).*tone"
    ):
        load_catalogues(data_dir)


def test_feedback_questions_keep_their_order(data_dir):
    questions = read(data_dir, "feedback_questions.json")
    questions.reverse()
    write(data_dir, "feedback_questions.json", questions)

    with pytest.raises(CatalogueError, match=r"feedback_questions\.json: .*in this order"):
        load_catalogues(data_dir)


def test_a_condition_must_point_to_an_earlier_question(data_dir):
    questions = read(data_dir, "feedback_questions.json")
    questions[1]["applies_when"] = "who_to_talk_to_yes"
    write(data_dir, "feedback_questions.json", questions)

    with pytest.raises(CatalogueError, match=r"feedback_questions\.json: .*'who_to_talk_to'"):
        load_catalogues(data_dir)


def test_a_repeated_action_key_is_refused(data_dir):
    advice = read(data_dir, "next_steps.json")
    advice[0]["actions"].append(advice[0]["actions"][0])
    write(data_dir, "next_steps.json", advice)

    with pytest.raises(CatalogueError, match=r"next_steps\.json: .*repeats an action key"):
        load_catalogues(data_dir)
