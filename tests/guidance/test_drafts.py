import pytest

from app.feedback.drafts import render_request_draft
from app.guidance.catalogue import FEEDBACK_QUESTIONS

NAMES = {"contact_name": "Grace Hopper", "company": "Acme Robotics", "role_title": "Data Engineer"}


@pytest.mark.parametrize("kind", ["email", "call_script"])
def test_drafts_are_personalised(kind):
    draft = render_request_draft(kind, user_name="Ada Lovelace", **NAMES)

    assert draft.format == kind
    for name in ("Ada Lovelace", "Grace Hopper", "Acme Robotics", "Data Engineer"):
        assert name in draft.body
    assert [q.key for q in draft.questions] == [q.key for q in FEEDBACK_QUESTIONS]
    assert "<" not in draft.body


def test_the_email_asks_for_a_short_call_and_has_a_subject():
    draft = render_request_draft("email", user_name="Ada Lovelace", **NAMES)

    assert draft.subject is not None and "Data Engineer" in draft.subject
    assert "10 to 15 minutes" in draft.body
    assert "phone" in draft.body
    assert draft.body.rstrip().endswith("Ada Lovelace")


def test_the_call_script_asks_every_question_in_order_and_has_no_subject():
    draft = render_request_draft("call_script", user_name="Ada Lovelace", **NAMES)

    assert draft.subject is None
    positions = [draft.body.index(f"{n}. {q.text}") for n, q in enumerate(FEEDBACK_QUESTIONS, 1)]
    assert positions == sorted(positions) and len(positions) == 5
    assert "a few specific questions" in draft.body
    assert "stay" in draft.body.split("Closing", 1)[1]


@pytest.mark.parametrize("kind", ["email", "call_script"])
def test_without_a_user_name_nothing_says_none(kind):
    draft = render_request_draft(kind, user_name=None, **NAMES)

    assert "None" not in draft.body
    assert "None" not in (draft.subject or "")
    assert "Grace Hopper" in draft.body


@pytest.mark.parametrize("kind", ["email", "call_script"])
def test_names_cannot_reshape_the_template(kind):
    draft = render_request_draft(
        kind,
        user_name="{user_name} $user",
        contact_name="Grace\n\nSubject: hi",
        company="{company!r}",
        role_title="%(role)s",
    )

    assert "{user_name} $user" in draft.body
    assert "Grace Subject: hi" in draft.body
    assert "{company!r}" in draft.body
    assert "%(role)s" in draft.body
    assert "\n" not in (draft.subject or "")
