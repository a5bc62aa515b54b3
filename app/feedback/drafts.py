"""Feedback request drafts: a short email asking for feedback, or a script for the call itself."""

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


# What the opening thanks the contact for, by the kind of the linked outcome: only a decision
# the company made and told is thanked as one (none linked, ghosted or withdrawn: nothing).
_THANKS_FOR = {
    "rejection": ", and for letting me know your decision",
    "offer": ", and for letting me know your decision",
    "on_hold": ", and for keeping me updated",
}
# How the email asks, by the conversation's channel: the way the user chose to hear back.
_ASK_BY_CHANNEL = {
    "phone": "Could you spare 10 to 15 minutes for a short phone call in the coming weeks, at "
    "whatever time works for you?",
    "video": "Could you spare 10 to 15 minutes for a short video call in the coming weeks, at "
    "whatever time works for you?",
    "in_person": "Could you spare 10 to 15 minutes to talk in the coming weeks, over a coffee "
    "or on a call, at whatever time works for you?",
    "email": "A few lines in reply to this email would mean a lot, whenever you have a moment; "
    "if you would rather talk, I would be just as glad of a short call at a time that suits "
    "you.",
}


def _email(
    user: str, contact: str, company: str, role: str, channel: str, outcome_kind: str | None
) -> tuple[str, str]:
    subject = f"Thank you for the {role} interview" if role else "Thank you for the interview"
    position = f"the {role} role" if role else "the role"
    at_company = f" at {company}" if company else ""
    thanks_for = _THANKS_FOR.get(outcome_kind or "", "")
    paragraphs = [
        f"Hello {contact}," if contact else "Hello,",
        f"Thank you for interviewing me for {position}{at_company}{thanks_for}. I enjoyed "
        "learning about the team and the work.",
        "I am keen to keep improving, and I would truly value any candid feedback you are "
        f"able to share. {_ASK_BY_CHANNEL.get(channel, _ASK_BY_CHANNEL['phone'])}",
    ]
    if channel == "email":  # a written answer goes easier with the questions in front of one
        numbered = [
            f"{number}. {question.text}" for number, question in enumerate(FEEDBACK_QUESTIONS, 1)
        ]
        paragraphs.append("These are the questions I have in mind:\n" + "\n".join(numbered))
    paragraphs += [
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
    channel: str = "phone",
    outcome_kind: str | None = None,
) -> RequestDraft:
    """The feedback request as an email, or the script for the feedback call. The email asks
    the way the conversation's `channel` says, and thanks for a decision only when the linked
    outcome is one the company made."""
    user, contact = _one_line(user_name), _one_line(contact_name)
    company, role = _one_line(company), _one_line(role_title)
    questions = [
        DraftQuestion(key=question.key, text=question.text) for question in FEEDBACK_QUESTIONS
    ]
    if kind == "email":
        subject, body = _email(user, contact, company, role, channel, outcome_kind)
        return RequestDraft(format="email", subject=subject, body=body, questions=questions)
    return RequestDraft(
        format="call_script",
        subject=None,
        body=_call_script(user, contact, company, role),
        questions=questions,
    )
