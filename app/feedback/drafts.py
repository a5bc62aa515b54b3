"""Feedback request drafts: a short email asking for a call, or a script for the call itself."""

from typing import Literal

from pydantic import BaseModel, Field

from app.guidance.catalogue import FEEDBACK_QUESTIONS

DraftFormat = Literal["email", "call_script"]


class DraftQuestion(BaseModel):
    key: str = Field(examples=["prepare_better"])
    text: str


class RequestDraft(BaseModel):
    """A plain-text draft the user edits, then sends or reads from."""

    format: DraftFormat
    subject: str | None = Field(description="The email subject; null for a call script.")
    body: str = Field(description="Plain text, lines separated by `\\n`.")
    questions: list[DraftQuestion] = Field(
        description="The questions to ask, in order; answers are logged against these keys."
    )


def _one_line(value: str | None) -> str:
    """Collapse whitespace, so a name can never add lines or reshape the draft."""
    return " ".join(value.split()) if value else ""


def _email(user: str, contact: str, company: str, role: str) -> tuple[str, str]:
    subject = f"Thank you for the {role} interview" if role else "Thank you for the interview"
    position = f"the {role} role" if role else "the role"
    at_company = f" at {company}" if company else ""
    paragraphs = [
        f"Hello {contact}," if contact else "Hello,",
        f"Thank you for interviewing me for {position}{at_company}, and for letting me know "
        "your decision. I enjoyed learning about the team and the work.",
        "I am keen to keep improving, and I would truly value any candid feedback you are "
        "able to share. Could you spare 10 to 15 minutes for a short call in the coming "
        "weeks? A quick phone conversation would suit me best, at whatever time works for you.",
        "Either way, thank you again for your time and consideration.",
        f"Best regards,\n{user}" if user else "Best regards,",
    ]
    return subject, "\n\n".join(paragraphs)


def _call_script(user: str, contact: str, company: str, role: str) -> str:
    greeting = f"Hello {contact}" if contact else "Hello"
    introduction = f"{greeting}, this is {user}." if user else f"{greeting}."
    position = f"the {role} role" if role else "the role"
    at_company = f" at {company}" if company else ""
    numbered = [
        f"{number}. {question.text}" for number, question in enumerate(FEEDBACK_QUESTIONS, 1)
    ]
    team = f"the team at {company}" if company else "your team"
    lines = [
        "Opening",
        f"{introduction} Thank you for taking the time to talk with me. I know your time is "
        "valuable, so I will keep this short.",
        f"I really appreciated the chance to interview for {position}{at_company}, and I would "
        "like to learn from it. I have a few specific questions, if that is all right.",
        "",
        "Questions",
        *numbered,
        "",
        "Closing",
        f"Thank you, this is really helpful. I enjoyed getting to know {team}. Would it be all "
        "right if I stayed in touch, in case a role that suits me opens up in the future?",
    ]
    return "\n".join(lines)


def render_request_draft(
    kind: DraftFormat,
    *,
    user_name: str | None,
    contact_name: str,
    company: str,
    role_title: str,
) -> RequestDraft:
    """The feedback request as an email, or the script for the feedback call."""
    user, contact = _one_line(user_name), _one_line(contact_name)
    company, role = _one_line(company), _one_line(role_title)
    questions = [
        DraftQuestion(key=question.key, text=question.text) for question in FEEDBACK_QUESTIONS
    ]
    if kind == "email":
        subject, body = _email(user, contact, company, role)
        return RequestDraft(format="email", subject=subject, body=body, questions=questions)
    return RequestDraft(
        format="call_script",
        subject=None,
        body=_call_script(user, contact, company, role),
        questions=questions,
    )
