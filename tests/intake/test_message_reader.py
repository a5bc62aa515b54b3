"""The message reader (app/intake/message.py): its quality on a labelled corpus of mail, and how
it behaves on the cases that matter one by one.

The corpus is `tests/intake/messages/<language>/*.txt`. Each file opens with its labels, one
per line, then a line `---`, then the message as a user would paste it:

    kind: rejection                      (rejection | offer | on_hold | interview_invitation |
                                          acknowledgement | unknown)
    reasons: stronger_candidate          (the taxonomy keys the text states; may be empty)
    company: Pallas Health               (optional: the company the message is from)
    feedback: yes                        (optional: yes | no, whether feedback is offered)
    role: Product Designer               (optional)
    interview_kind: technical            (optional: an InterviewKind value, or none)
    interview_at: 2025-10-14T13:00:00+00:00   (optional: an ISO time in UTC, or none)

The corpus is read once, at import; the figures the gates judge are computed once, and every
gate's message carries the whole table.
"""

import dataclasses
import re
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from app.guidance.catalogue import REASON_KEYS
from app.intake import message as reader
from app.intake.message import (
    KINDS,
    MATCH_THRESHOLD,
    MAX_MATCHES,
    Candidate,
    PhraseError,
    Reading,
    match_key,
    read_message,
)
from app.interviews.models import InterviewKind

CORPUS_DIR = Path(__file__).parent / "messages"
LANGUAGES = ("en", "de", "fr", "es")
ALL_KINDS = (*KINDS, "unknown")

MIN_PRECISION = 0.95  # every kind but unknown
MIN_RECALL = {"rejection": 0.85, "offer": 0.85}
# Measured on this corpus when the gates were set (208 messages): company 185/185 (1.00),
# feedback offered 94/94, interview kind 21/21, role 24/24. Each floor is the measurement minus
# a margin that lets a few labelled messages change without touching the reader; a larger drop
# means the reader got worse. These gates guard against regressions; they do not measure mail
# the rules have never seen. When the corpus grew in batches written before the rules were
# adjusted, about six in ten new messages got their kind right on first reading and nearly all
# of the others came out "unknown" rather than wrong: unseen wording costs recall, not precision.
COMPANY_ACCURACY_FLOOR = 0.95
FEEDBACK_ACCURACY_FLOOR = 0.95
INTERVIEW_KIND_ACCURACY_FLOOR = 0.9
ROLE_ACCURACY_FLOOR = 0.9


@dataclasses.dataclass(frozen=True)
class Labelled:
    name: str
    language: str
    text: str
    labels: dict[str, str]

    @property
    def kind(self) -> str:
        return self.labels["kind"]

    @property
    def reasons(self) -> frozenset[str]:
        return frozenset(r.strip() for r in self.labels.get("reasons", "").split(",") if r.strip())


def _load(path: Path) -> Labelled:
    head, text = path.read_text(encoding="utf-8").split("\n---\n", 1)
    labels = {}
    for line in head.splitlines():
        key, _, value = line.partition(":")
        labels[key.strip()] = value.strip()
    return Labelled(path.relative_to(CORPUS_DIR).as_posix(), path.parent.name, text, labels)


CORPUS = [_load(path) for path in sorted(CORPUS_DIR.glob("*/*.txt"))]
READINGS: dict[str, Reading] = {item.name: read_message(item.text) for item in CORPUS}


def _confusion() -> dict[str, tuple[int, int, int]]:
    """Per kind: true positives, false positives, false negatives."""
    counts = {}
    for kind in ALL_KINDS:
        tp = sum(1 for m in CORPUS if m.kind == kind and READINGS[m.name].kind == kind)
        fp = sum(1 for m in CORPUS if m.kind != kind and READINGS[m.name].kind == kind)
        fn = sum(1 for m in CORPUS if m.kind == kind and READINGS[m.name].kind != kind)
        counts[kind] = (tp, fp, fn)
    return counts


def _ratio(hits: int, total: int) -> float:
    return hits / total if total else 1.0


CONFUSION = _confusion()
PRECISION = {k: _ratio(tp, tp + fp) for k, (tp, fp, _) in CONFUSION.items()}
RECALL = {k: _ratio(tp, tp + fn) for k, (tp, _, fn) in CONFUSION.items()}


def _accuracy(label: str, correct: Callable[[Labelled, Reading], bool]) -> tuple[int, int]:
    labelled = [m for m in CORPUS if label in m.labels and m.labels[label] != ""]
    return sum(1 for m in labelled if correct(m, READINGS[m.name])), len(labelled)


def _same_company(item: Labelled, reading: Reading) -> bool:
    return reading.company is not None and match_key(reading.company) == match_key(
        item.labels["company"]
    )


COMPANY = _accuracy("company", _same_company)
FEEDBACK = _accuracy("feedback", lambda m, r: r.feedback_offered == (m.labels["feedback"] == "yes"))
INTERVIEW_KIND = _accuracy(
    "interview_kind", lambda m, r: (r.interview_kind or "none") == m.labels["interview_kind"]
)
ROLE = _accuracy(
    "role", lambda m, r: (r.role_title or "").casefold() == m.labels["role"].casefold()
)


def _table() -> str:
    lines = [f"{'kind':22} {'n':>4} {'precision':>10} {'recall':>8}"]
    for kind in ALL_KINDS:
        tp, _, fn = CONFUSION[kind]
        lines.append(f"{kind:22} {tp + fn:>4} {PRECISION[kind]:>10.3f} {RECALL[kind]:>8.3f}")
    for label, (hits, total) in (
        ("company", COMPANY),
        ("feedback offered", FEEDBACK),
        ("interview kind", INTERVIEW_KIND),
        ("role", ROLE),
    ):
        lines.append(f"{label:22} {hits:>4}/{total:<4} accuracy {_ratio(hits, total):.3f}")
    misread = [
        f"  {m.name}: {READINGS[m.name].kind} (labelled {m.kind})"
        for m in CORPUS
        if READINGS[m.name].kind != m.kind
    ]
    return "\n".join([*lines, *(["misread:", *misread] if misread else [])])


TABLE = _table()


# ---------------------------------------------------------------------------------------------
# The corpus and the gates


def test_the_corpus_is_large_varied_and_labelled_with_known_values():
    per_language = Counter(m.language for m in CORPUS)
    per_kind = Counter(m.kind for m in CORPUS)
    assert len(CORPUS) >= 100, len(CORPUS)
    assert all(per_language[code] >= 15 for code in LANGUAGES), per_language
    assert set(per_kind) == set(ALL_KINDS), per_kind
    interview_kinds = {k.value for k in InterviewKind} | {"none"}
    for item in CORPUS:
        assert item.kind in ALL_KINDS, item.name
        assert item.reasons <= REASON_KEYS, item.name
        assert item.labels.get("interview_kind", "none") in interview_kinds, item.name
        assert item.labels.get("feedback", "no") in ("yes", "no"), item.name


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_is_read_with_high_precision(kind: str):
    assert PRECISION[kind] >= MIN_PRECISION, f"{kind}\n{TABLE}"


@pytest.mark.parametrize("kind", sorted(MIN_RECALL))
def test_rejections_and_offers_are_rarely_missed(kind: str):
    assert RECALL[kind] >= MIN_RECALL[kind], f"{kind}\n{TABLE}"


def test_no_reason_is_returned_that_the_text_does_not_state():
    invented = {
        m.name: sorted(set(READINGS[m.name].reasons) - m.reasons)
        for m in CORPUS
        if set(READINGS[m.name].reasons) - m.reasons
    }
    assert invented == {}, f"{invented}\n{TABLE}"


def test_the_company_is_found():
    hits, total = COMPANY
    assert _ratio(hits, total) >= COMPANY_ACCURACY_FLOOR, TABLE


def test_feedback_offers_interview_kinds_and_roles_are_found():
    assert _ratio(*FEEDBACK) >= FEEDBACK_ACCURACY_FLOOR, TABLE
    assert _ratio(*INTERVIEW_KIND) >= INTERVIEW_KIND_ACCURACY_FLOOR, TABLE
    assert _ratio(*ROLE) >= ROLE_ACCURACY_FLOOR, TABLE


def test_an_interview_time_is_given_only_when_the_text_gives_it_all():
    """A wrong time is worse than none: every labelled time must be exact."""
    wrong = {}
    for item in CORPUS:
        expected = item.labels.get("interview_at")
        if expected is None:
            continue
        found = READINGS[item.name].interview_at
        if (found.isoformat() if found else "none") != expected:
            wrong[item.name] = found
    assert wrong == {}


def test_every_reading_quotes_the_message_verbatim():
    for item in CORPUS:
        reading = READINGS[item.name]
        for evidence in reading.evidence:
            assert evidence.text and evidence.text in item.text, (item.name, evidence)
        if reading.stated_reason is not None:
            assert reading.stated_reason in item.text, item.name
        assert reading.reasons == [] or reading.kind in ("rejection", "on_hold"), item.name
        assert 0 <= reading.confidence <= 1


def test_a_decided_kind_shows_its_evidence():
    for item in CORPUS:
        reading = READINGS[item.name]
        signals = {e.signal for e in reading.evidence}
        if reading.kind != "unknown":
            assert reading.kind in signals, item.name
        for key in reading.reasons:
            assert f"reason:{key}" in signals, item.name
        if reading.feedback_offered:
            assert "feedback_offered" in signals, item.name


# ---------------------------------------------------------------------------------------------
# Layout: the new text decides, history and signature do not


REJECTION = (
    "Hi Maria,\n\nThank you for your time. We've decided to move forward with other candidates "
    "whose experience more closely matches what we need.\n\nIf you'd like feedback, just reply."
    "\n\nBest,\nPriya\nPallas Health Talent"
)


def quoted(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.splitlines())


def test_a_reply_quoting_a_rejection_is_judged_on_the_reply():
    text = (
        "Hi Priya,\n\nThanks for letting me know. Would 15 minutes next week work?\n\nMaria\n\n"
        "On Tue, Oct 7, 2025 at 4:12 PM Priya Raman <priya@pallashealth.com> wrote:\n"
        + quoted(REJECTION)
    )
    reading = read_message(text)
    assert reading.kind == "unknown"
    assert reading.reasons == [] and reading.stated_reason is None
    assert not reading.feedback_offered
    assert all(e.signal in ("company", "language:en") for e in reading.evidence)
    assert match_key(reading.company or "") == match_key("Pallas Health")


@pytest.mark.parametrize(
    "attribution",
    [
        "On Mon, Oct 6, 2025 at 9:00 AM Talent <talent@acme.com> wrote:",
        "On Mon, Oct 6, 2025 at 9:00 AM Acme Talent <\ntalent@acme.com> wrote:",
        "Am 06.10.2025 um 09:00 schrieb Acme Talent <talent@acme.com>:",
        "Le lun. 6 oct. 2025 à 09:00, Acme Talent <talent@acme.com> a écrit :",
        "El lun, 6 oct 2025 a las 9:00, Acme Talent (<talent@acme.com>) escribió:",
        "-----Original Message-----\nFrom: Acme Talent <talent@acme.com>\nSent: Monday",
        "From: Acme Talent <talent@acme.com>\nSent: Monday, October 6, 2025 9:00 AM\nTo: Sam",
        "De : Acme Talent <talent@acme.com>\nEnvoyé : lundi 6 octobre 2025 09:00",
        "________________________________",
    ],
)
def test_history_after_any_reply_header_does_not_decide(attribution: str):
    text = (
        "Hi Sam,\n\nThanks for your patience! We would like to invite you to a technical "
        "interview with our team next week.\n\nBest,\nLea\nAcme\n\n"
        f"{attribution}\n\nUnfortunately we have decided not to move forward with your "
        "application. The position has been put on hold."
    )
    reading = read_message(text)
    assert reading.kind == "interview_invitation"
    assert reading.reasons == []
    assert all("decided not" not in e.text for e in reading.evidence)


def test_inline_quoted_lines_are_history():
    text = (
        "> We are pleased to offer you the position of Analyst.\n\n"
        "Thank you for your application. We have received your application and will review it."
    )
    assert read_message(text).kind == "acknowledgement"


def test_a_signature_and_its_footer_do_not_decide_but_name_the_company():
    text = (
        "Hi Sam,\n\nUnfortunately we will not be moving forward with your application.\n\n"
        "Kind regards,\nAnna Weber\nTalent Acquisition | Kestrel Insurance Ltd\n"
        "We are pleased to offer you 20% off our travel insurance this month!\n"
        "Sent from my iPhone"
    )
    reading = read_message(text)
    assert reading.kind == "rejection"
    assert "offer" not in {e.signal for e in reading.evidence}
    assert match_key(reading.company or "") == match_key("Kestrel Insurance")


def test_a_forwarded_message_is_read_as_the_message():
    text = (
        "FYI\n\n---------- Forwarded message ---------\n"
        "From: Acme Careers <no-reply@greenhouse.io>\nSubject: Your application to Acme\n\n"
        "Hi Alex,\n\nThank you for your interest in Acme. Unfortunately, we won't be moving "
        "forward with your application.\n\nAcme Recruiting"
    )
    reading = read_message(text)
    assert (reading.kind, reading.company) == ("rejection", "Acme")


def test_headers_name_the_company_and_the_subject_is_read():
    text = (
        "From: Vantage Recruiting <recruiting@vantage.ai>\n"
        "Subject: Interview invitation: Machine Learning Engineer\n\n"
        "Hi Wei,\n\nPlease find the details below.\n"
    )
    reading = read_message(text)
    assert reading.kind == "interview_invitation"
    assert reading.company == "Vantage"


def test_an_acknowledgement_that_mentions_a_rejection_conditionally_stays_one():
    text = (
        "Thank you for applying! We have received your application for the Analyst role. "
        "If you do not hear from us within 30 days, please assume that we have decided to "
        "pursue other candidates."
    )
    reading = read_message(text)
    assert reading.kind == "acknowledgement"
    assert reading.reasons == []


def test_a_rejection_with_polite_praise_is_a_rejection():
    text = (
        "Dear Ms. Novak,\n\nWe were impressed by your background and would love to keep your CV "
        "on file. However, we regret to inform you that we have chosen to pursue other "
        "applicants for this position.\n\nHuman Resources"
    )
    reading = read_message(text)
    assert reading.kind == "rejection"
    assert reading.reasons == [] and reading.stated_reason is None


@pytest.mark.parametrize(
    "text",
    [
        "Unfortunately we are not able to offer you the role.",
        "We have decided not to extend an offer at this time.",
        "Leider können wir Ihnen kein Angebot machen.",
        "Nous ne sommes pas en mesure de vous proposer le poste.",
        "Lamentablemente no podemos ofrecerte el puesto.",
    ],
)
def test_a_negated_offer_is_no_offer(text: str):
    reading = read_message(text)
    assert reading.kind != "offer"
    assert "offer" not in {e.signal for e in reading.evidence}


# ---------------------------------------------------------------------------------------------
# Reasons: stated, verbatim, never invented


@pytest.mark.parametrize(
    "text",
    [
        "We have decided not to proceed with your application.",
        "Unfortunately, we will not be moving forward with your candidacy at this time.",
        "After careful consideration, we have decided to move forward with other candidates.",
        "The position has been filled.",
        "Leider müssen wir Ihnen mitteilen, dass wir Ihre Bewerbung nicht berücksichtigen können.",
        "Nous sommes au regret de vous informer que nous ne donnerons pas suite à votre "
        "candidature.",
        "Lamentamos comunicarte que hemos decidido no seguir adelante con tu candidatura.",
    ],
)
def test_a_generic_rejection_states_no_reason(text: str):
    reading = read_message(text)
    assert reading.kind == "rejection"
    assert reading.reasons == []
    assert reading.stated_reason is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "We've decided to move forward with other candidates whose experience more\n"
            "closely matches the role.",
            "stronger_candidate",
        ),
        ("Unfortunately the role was filled by an internal candidate.", "stronger_candidate"),
        (
            "We won't be moving forward: we need someone with more experience with Kubernetes.",
            "experience_gap",
        ),
        (
            "Unfortunately the position has been put on hold, so we are not moving forward.",
            "headcount_or_budget",
        ),
        ("Leider mussten wir die Stelle aus budgetären Gründen streichen.", "headcount_or_budget"),
        (
            "Nous avons retenu un candidat dont l'expérience correspond mieux au poste.",
            "stronger_candidate",
        ),
        (
            "Buscamos a alguien con más experiencia en React, así que no seguiremos.",
            "experience_gap",
        ),
    ],
)
def test_a_stated_reason_is_found_and_quoted_verbatim(text: str, reason: str):
    reading = read_message(text)
    assert reading.kind == "rejection", reading
    assert reason in reading.reasons
    assert reading.stated_reason is not None and reading.stated_reason in text
    assert any(e.signal == f"reason:{reason}" and e.text in text for e in reading.evidence)


def test_a_disclaimer_states_no_reason():
    text = (
        "We have decided not to move forward with your application. This is not because of "
        "a lack of experience with Python."
    )
    assert read_message(text).reasons == []


def test_feedback_offers_are_told_from_refusals():
    offered = read_message(
        "We won't be moving forward. I'd be happy to share some feedback if useful."
    )
    refused = read_message(
        "We won't be moving forward. Due to the volume of applications we are unable to "
        "provide individual feedback."
    )
    assert offered.feedback_offered and not refused.feedback_offered


# ---------------------------------------------------------------------------------------------
# Companies and the user's applications


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Acme GmbH", "ACME"),
        ("Acme Inc.", "acme"),
        ("Harlow & Finch LLP", "Harlow and Finch"),
        ("The Acme Company", "Acme"),
        ("Société Générale S.A.", "Societe Generale"),
        ("Grupo Alba S.L.", "Alba"),
        ("Autohaus Berger GmbH & Co. KG", "Autohaus Berger"),
        ("Nordlicht-Software AG", "Nordlicht Software"),
    ],
)
def test_company_names_are_compared_without_legal_forms_case_or_accents(one: str, other: str):
    assert match_key(one) == match_key(other) != ""


def test_different_companies_keep_different_keys():
    assert match_key("Acme Health") != match_key("Acme Bank")
    assert match_key("Co") == "co"  # a name that is only a legal word is kept


def candidate(company: str, role: str, applied_on: date | None = None) -> Candidate:
    return Candidate(uuid.uuid4(), company, role, "interviewing", applied_on)


MATCHING_TEXT = (
    "From: Lumen Labs <no-reply@ashbyhq.com>\nSubject: Your application to Lumen Labs\n\n"
    "Hi Sam,\n\nThank you for interviewing for the Platform Engineer position at Lumen Labs. "
    "Unfortunately we have decided not to move forward.\n\nLumen Labs Recruiting"
)


def test_the_application_at_the_company_and_role_scores_highest():
    exact = candidate("Lumen Labs GmbH", "Platform Engineer")
    same_company = candidate("Lumen Labs", "Data Analyst")
    same_role = candidate("Brightwater", "Platform Engineer")
    other = candidate("Foxglove", "Designer")
    reading = read_message(MATCHING_TEXT, [other, same_role, same_company, exact])
    assert [m.candidate for m in reading.matches] == [exact, same_company]
    assert reading.matches[0].score >= 0.9
    assert MATCH_THRESHOLD <= reading.matches[1].score < reading.matches[0].score
    assert all(0 <= m.score <= 1 for m in reading.matches)


def test_a_title_alone_never_makes_a_match():
    reading = read_message(MATCHING_TEXT, [candidate("Brightwater", "Platform Engineer")])
    assert reading.matches == []


def test_ties_go_to_the_most_recent_application():
    older = candidate("Lumen Labs", "Platform Engineer", date(2025, 3, 1))
    undated = candidate("Lumen Labs", "Platform Engineer", None)
    newer = candidate("Lumen Labs", "Platform Engineer", date(2025, 9, 1))
    reading = read_message(MATCHING_TEXT, [older, undated, newer])
    assert [m.candidate for m in reading.matches] == [newer, older, undated]


def test_at_most_five_matches_come_back():
    many = [candidate("Lumen Labs", f"Role {n}", date(2025, 1, n + 1)) for n in range(8)]
    assert len(read_message(MATCHING_TEXT, many).matches) == MAX_MATCHES


def test_a_company_named_only_in_the_history_still_matches():
    text = (
        "Thanks, that's good to know!\n\nOn Mon, Oct 6, 2025 at 9:00 AM Sam wrote:\n"
        "> I'm still very excited about the Operations Analyst role at Redwood Logistics."
    )
    wanted = candidate("Redwood Logistics Inc.", "Operations Analyst")
    reading = read_message(text, [wanted, candidate("Acme", "Operations Analyst")])
    assert [m.candidate for m in reading.matches] == [wanted]


def test_a_short_common_word_company_needs_its_own_spelling():
    via = candidate("Via", "Driver")
    lowercase = read_message("Sent via Greenhouse. We have received your application.", [via])
    capitalised = read_message("Thank you for your interest in Via. We received your CV.", [via])
    assert lowercase.matches == []
    assert [m.candidate for m in capitalised.matches] == [via]


def test_generic_senders_are_not_companies():
    text = (
        "From: Jobs <no-reply@myworkday.com>\nSubject: Thank you for applying\n\n"
        "We have received your application and will review it shortly."
    )
    assert read_message(text).company is None


# ---------------------------------------------------------------------------------------------
# Languages, interview details, odd input


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        (
            "Unfortunately we have decided not to move forward with your application.",
            "en",
            "rejection",
        ),
        (
            "Leider haben wir uns für eine andere Kandidatin entschieden. Viele Grüße",
            "de",
            "rejection",
        ),
        (
            "Nous avons bien reçu votre candidature et nous vous en remercions.",
            "fr",
            "acknowledgement",
        ),
        (
            "¡Enhorabuena! Nos complace ofrecerte el puesto de Analista en nuestra empresa.",
            "es",
            "offer",
        ),
        (
            "Wir möchten Sie gerne zu einem Vorstellungsgespräch einladen.",
            "de",
            "interview_invitation",
        ),
        (
            "Suite à une réorganisation, le recrutement est suspendu pour le moment.",
            "fr",
            "on_hold",
        ),
        (
            "Hemos recibido tu candidatura y la revisaremos en los próximos días.",
            "es",
            "acknowledgement",
        ),
        ("We have put the role on hold while we review our budget.", "en", "on_hold"),
    ],
)
def test_each_language_is_recognised_and_read(text: str, language: str, kind: str):
    reading = read_message(text)
    assert (reading.language, reading.kind) == (language, kind)
    assert f"language:{language}" in {e.signal for e in reading.evidence}


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (
            "on Tuesday, October 14, 2025 at 3:00 PM CEST",
            datetime(2025, 10, 14, 13, tzinfo=UTC),
        ),
        ("on 2025-11-03 at 16:30 UTC", datetime(2025, 11, 3, 16, 30, tzinfo=UTC)),
        ("on 14 October 2025 at 10:00 (UTC+2)", datetime(2025, 10, 14, 8, tzinfo=UTC)),
        ("on 14 October 2025 at 10:00", None),  # no zone: not sure
        ("on October 14 at 10:00 CET", None),  # no year: not sure
        ("on 03/04/2025 at 10:00 GMT", None),  # March 4th or April 3rd?
        ("on October 14, 2025 at 10:00 CET or October 15, 2025 at 11:00 CET", None),  # two slots
    ],
)
def test_an_interview_time_needs_date_time_and_zone(when: str, expected: datetime | None):
    text = f"We would like to invite you to a technical interview {when}. Please confirm."
    reading = read_message(text)
    assert reading.kind == "interview_invitation"
    assert reading.interview_at == expected
    assert reading.interview_kind == InterviewKind.technical


def test_interview_details_belong_to_invitations_only():
    text = (
        "Unfortunately we decided not to proceed after your technical interview on 2025-11-03 "
        "at 16:30 UTC."
    )
    reading = read_message(text)
    assert reading.kind == "rejection"
    assert reading.interview_at is None and reading.interview_kind is None


@pytest.mark.parametrize("text", ["", " ", "\n\n\t  \n"])
def test_empty_text_reads_as_nothing(text: str):
    reading = read_message(text, [candidate("Acme", "Engineer")])
    assert reading == Reading("unknown", 0.0, "en", None, None, [], None, [], False, [], None, None)


@pytest.mark.parametrize(
    "text",
    [
        "a" * 50_000,
        " " * 50_000,
        "." * 50_000,
        "\n" * 50_000,
        ">" * 50_000,
        "-" * 50_000,
        "(" * 50_000,
        "é" * 50_000,
        "İ" * 5_000,
        "On " + "x" * 50_000,
        "From: " * 10_000,
        "decided not to " * 5_000,
        "at Acme " * 12_000,
        "Thank you, " * 8_000,
        "we have decided not to move forward, " * 3_000,
        "1" * 50_000,
        "~*()|?[]" * 6_000,
    ],
)
def test_pathological_text_is_read_without_blowing_up(text: str):
    reading = read_message(text)
    assert reading.kind in ALL_KINDS
    assert all(e.text in text for e in reading.evidence)


def test_a_hundred_kilobyte_message_is_read():
    body = (
        CORPUS_DIR.joinpath("en/02-lever-closer-match-feedback.txt")
        .read_text()
        .split("---\n", 1)[1]
    )
    text = (body + "\n" + quoted(body) + "\n") * (100_000 // (2 * len(body)))
    assert len(text) > 90_000
    reading = read_message(text)
    assert reading.kind == "rejection"
    assert all(e.text in text for e in reading.evidence)


# ---------------------------------------------------------------------------------------------
# The phrase data


def _unbounded_repeats(tree: object) -> list[object]:
    """Every repetition without an upper bound in a parsed regular expression."""
    import re._constants as constants  # noqa: PLC0415 - the parser's names, for this check only

    found = []
    for op, argument in tree:  # type: ignore[attr-defined]
        if op in (constants.MAX_REPEAT, constants.MIN_REPEAT, constants.POSSESSIVE_REPEAT):
            low, high, item = argument
            if high == constants.MAXREPEAT:
                found.append((op, argument))
            found += _unbounded_repeats(item)
        elif op is constants.SUBPATTERN:
            found += _unbounded_repeats(argument[-1])
        elif op is constants.BRANCH:
            for branch in argument[1]:
                found += _unbounded_repeats(branch)
        elif op in (constants.ASSERT, constants.ASSERT_NOT):
            found += _unbounded_repeats(argument[1])
    return found


def test_no_phrase_can_backtrack_without_bound():
    """Every phrase compiles to repetitions with an upper bound, so matching time is linear in
    the text whatever the input: the structural reason the pathological inputs above are fast."""
    import re._parser as parser  # noqa: PLC0415

    book = reader._BOOK
    phrases = [
        *(p for group in book.kinds.values() for p in group),
        *(p for group in book.reasons.values() for p in group),
        *book.feedback,
        *(p for _, p in book.interview_kinds),
        *book.company_before,
        *book.company_after,
        *book.role_patterns,
    ]
    assert len(phrases) > 300
    unbounded = {
        p.pattern.pattern: _unbounded_repeats(parser.parse(p.pattern.pattern))
        for p in phrases
        if _unbounded_repeats(parser.parse(p.pattern.pattern))
    }
    assert unbounded == {}


def test_phrase_files_with_unknown_keys_stop_the_import(tmp_path: Path):
    for name in ("reasons", "interview_kinds"):
        directory = tmp_path / name
        directory.mkdir()
        for file in reader.PHRASES_DIR.glob("*.json"):
            text = file.read_text(encoding="utf-8")
            if file.name == "en.json":
                text = text.replace('"culture_fit":', '"bad_fit":', 1).replace(
                    '"phone_screen":', '"coffee":', 1
                )
            (directory / file.name).write_text(text, encoding="utf-8")
        with pytest.raises(PhraseError):
            reader._load_phrasebook(directory)


def test_the_reader_neither_logs_nor_prints():
    source = Path(reader.__file__).read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import logging|from logging|print\()", source, re.MULTILINE)
