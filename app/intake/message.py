"""Reads a pasted email: what news it brings, from which company, for which application, and why.

The reader is rule-based so that every decision can be shown: each phrase that counted comes
back as `Evidence`, a verbatim piece of the text. The phrases live in `phrases/<language>.json`
(English, German, French, Spanish; the syntax is described in `en.json`); this module holds the
logic and reads the files once, at import. Every phrase compiles to a regular expression whose
repetitions are all bounded, so no input makes matching slow.

How a message is read:
1. Layout: header lines (From, Subject…), the new text, the signature, and quoted or
   forwarded history are told apart line by line. Only the new text and the subject decide the
   kind; a reply that quotes a rejection is judged on what the reply itself says. Signature,
   headers and history still name the company.
2. Kind: each kind's phrases found in the new text add up (noisy-or of their weights). A phrase
   in a conditional sentence ("if you do not hear from us… we went with other candidates")
   counts for little; a positive phrase under a negation ("we cannot offer you") not at all.
3. Reasons: only taxonomy keys whose phrases the text states, and only for a rejection or a
   pause. A generic "we decided not to proceed" states none.
4. Company, role and the user's matching applications; for invitations, the interview's kind
   and time (only when a date, a time and a zone are all given, and only one such slot).

Text is never logged or kept: a reading holds pieces of the text only as evidence.
"""

import functools
import itertools
import json
import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.guidance.catalogue import REASON_KEYS
from app.interviews.models import InterviewKind

PHRASES_DIR = Path(__file__).parent / "phrases"
LANGUAGES = ("en", "de", "fr", "es")
# Strongest claim first: when two kinds score the same, the earlier one wins.
KINDS = ("rejection", "offer", "on_hold", "interview_invitation", "acknowledgement")
# Kinds whose phrases a conditional sentence weakens ("if… we will invite you").
_ASSERTED_KINDS = frozenset({"rejection", "offer", "on_hold", "interview_invitation"})
# Kinds whose phrases are positive, so a negation in the same clause cancels them.
_POSITIVE_KINDS = frozenset({"offer", "on_hold", "interview_invitation", "acknowledgement"})
_REASONED_KINDS = frozenset({"rejection", "on_hold"})

KIND_THRESHOLD = 0.5  # below this, the text decides nothing: "unknown"
MATCH_THRESHOLD = 0.5  # an application below this score is not offered as a match
MAX_MATCHES = 5
_CONDITIONAL_FACTOR = 0.15
_CLOSING_WEIGHT = 0.85  # a rejection phrase this strong closes the application
_SCAN_LIMIT = 20_000  # characters read of the new text and of the history; mails are shorter
_MAX_EVIDENCE = 24
_HITS_PER_PHRASE = 20  # a phrase counts once; a few sightings are enough to weigh it
_SIGNATURE_LINES = 12  # a signature's company is near its top; below come footers

_SPACE = r"\s{1,12}"
_OPTIONAL_SPACE = r"\s{0,12}"
_GAP_CHAR = r"(?:[^.!?\n]|\n(?![ \t]{0,40}\n))"
_GAP = f"(?:{_GAP_CHAR}{{1,80}}?{_SPACE})?"
_SHORT_GAP = r"(?:[^\s.!?]{1,25}\s{1,12}){0,3}"
_NOT_MID_WORD = r"(?!(?<=\w)\w)"


# ---------------------------------------------------------------------------------------------
# The reading


@dataclass(frozen=True)
class Candidate:
    """One of the user's applications, as the caller knows it."""

    id: uuid.UUID
    company: str
    role_title: str
    stage: str
    applied_on: date | None


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    score: float  # 0..1


@dataclass(frozen=True)
class Evidence:
    text: str  # a verbatim piece of the message
    signal: str  # "rejection", "reason:stronger_candidate", "feedback_offered", "company", …


@dataclass(frozen=True)
class Reading:
    kind: str  # rejection | offer | on_hold | interview_invitation | acknowledgement | unknown
    confidence: float  # 0..1
    language: str  # en | de | fr | es
    company: str | None
    role_title: str | None
    matches: list[Match]  # best first
    stated_reason: str | None  # verbatim sentence(s) of the message that give the reasons
    reasons: list[str]  # taxonomy keys the message states
    feedback_offered: bool
    evidence: list[Evidence]
    interview_at: datetime | None  # UTC; only when date, time and zone are all given
    interview_kind: str | None  # an InterviewKind value


# ---------------------------------------------------------------------------------------------
# Phrase data, read once


class PhraseError(ValueError):
    """A phrase file that does not say what the reader needs; raised at import."""


@dataclass(frozen=True)
class _Phrase:
    pattern: re.Pattern[str]
    weight: float
    language: str
    negatable: bool  # False when the phrase states its own negation ("haven't made a decision")
    anchors: tuple[tuple[str, ...], ...]  # the text holds a word of each (see `_anchors`)


@dataclass
class _Language:
    code: str
    stopwords: frozenset[str]
    negators: re.Pattern[str]
    negation_exceptions: re.Pattern[str] | None
    clause_breaks: re.Pattern[str]
    conditionals: re.Pattern[str]
    disclaimers: re.Pattern[str] | None
    role_stops: re.Pattern[str]
    role_generic: frozenset[str]


@dataclass
class _Phrasebook:
    languages: dict[str, _Language] = field(default_factory=dict)
    kinds: dict[str, list[_Phrase]] = field(default_factory=dict)  # KINDS + "unknown"
    reasons: dict[str, list[_Phrase]] = field(default_factory=dict)
    feedback: list[_Phrase] = field(default_factory=list)
    interview_kinds: list[tuple[str, _Phrase]] = field(default_factory=list)
    company_before: list[_Phrase] = field(default_factory=list)
    company_after: list[_Phrase] = field(default_factory=list)
    company_closing: list[_Phrase] = field(default_factory=list)
    role_patterns: list[_Phrase] = field(default_factory=list)
    signoff: re.Pattern[str] = re.compile(r"(?!)")
    signoff_opening: re.Pattern[str] = re.compile(r"(?!)")
    signature_marker: re.Pattern[str] = re.compile(r"(?!)")
    reply_intros: list[tuple[re.Pattern[str], re.Pattern[str]]] = field(default_factory=list)
    quote_separator: re.Pattern[str] = re.compile(r"(?!)")
    forward_marker: re.Pattern[str] = re.compile(r"(?!)")
    header_line: re.Pattern[str] = re.compile(r"(?!)")
    header_fields: dict[str, str] = field(default_factory=dict)  # casefolded name -> field
    company_noise: frozenset[str] = frozenset()
    legal_suffixes: frozenset[str] = frozenset()
    org_prefixes: frozenset[str] = frozenset()
    org_words: frozenset[str] = frozenset()
    generic_senders: frozenset[str] = frozenset()
    all_stopwords: frozenset[str] = frozenset()
    months: dict[str, int] = field(default_factory=dict)
    zones: dict[str, str] = field(default_factory=dict)  # casefolded name -> offset or IANA name
    zone_pattern: re.Pattern[str] = re.compile(r"(?!)")
    date_patterns: tuple[re.Pattern[str], ...] = ()


def _phrase_regex(phrase: str, role: bool = False, head_guard: bool = True) -> str:
    """The regular expression for one phrase of the data files (syntax in en.json).

    Without `head_guard` the pattern may start inside a word and the caller checks (`_find`):
    a pattern that opens with a literal lets the regex engine skip ahead to it, which a leading
    look-around would prevent."""
    out: list[str] = []
    i = 0
    while i < len(phrase):
        after_optional = phrase[max(0, i - 2) : i] == ")?"
        lead = _OPTIONAL_SPACE if after_optional else _SPACE
        char = phrase[i]
        if phrase.startswith(" ~ ", i):  # the word before may carry a comma: "magst, können"
            out.append(f"[,;:)\"'’]{{0,2}}{lead}{_GAP}")
            i += 3
            continue
        if phrase.startswith(" … ", i):  # at most three words: "invite you to a final interview"
            out.append(f"{lead}{_SHORT_GAP}")
            i += 3
            continue
        if role and phrase.startswith("ROLE", i):
            rest = phrase[i + 4 :]
            lazy = "?" if rest.strip() else ""
            out.append(rf"(?P<role>[^\n.,;:!?()\[\]\"“”|<>–—]{{2,60}}{lazy})")
            i += 4
            continue
        if char == " ":
            out.append(lead)
        elif char == "*":  # the word goes on, gender markers included: "Kandidat:innen"
            out.append(r"[\w:*·]{0,20}")
        elif char in "'’":
            out.append("['’]")
        elif char == "[":
            end = phrase.index("]", i)
            out.append(phrase[i : end + 1])
            i = end + 1
            continue
        elif char in "()|?":
            out.append(char)
        else:
            out.append(re.escape(char))
        i += 1
    # A phrase neither starts nor ends inside a word; one ending in an apostrophe ("d'") or a
    # space may run straight into the next word.
    tail = "" if phrase[-1] in "'’" or phrase.endswith(("')", "’)")) else _NOT_MID_WORD
    head = _NOT_MID_WORD if head_guard else ""
    return f"{head}(?:{''.join(out)}){tail}"


def _top_level(phrase: str) -> tuple[str, list[str]]:
    """The phrase outside any group, and its required (not optional) top-level groups."""
    outside: list[str] = []
    groups: list[str] = []
    depth = 0
    current: list[str] = []
    i = 0
    while i < len(phrase):
        char = phrase[i]
        if char == "[":
            end = phrase.index("]", i)
            (current if depth else outside).append(" ")
            i = end + 1
            continue
        if char == "(":
            depth += 1
            if depth == 1:
                current = []
                outside.append(" ")
                i += 1
                continue
        elif char == ")":
            depth -= 1
            if depth == 0:
                optional = phrase[i + 1 : i + 2] == "?"
                if not optional:
                    groups.append("".join(current))
                i += 2 if optional else 1
                continue
        if depth:
            current.append(char)
        elif char == "?" and outside:
            outside[-1] = " "  # the character before is optional
        else:
            outside.append(char)
        i += 1
    return "".join(outside), groups


def _longest_word(text: str) -> str:
    words = [w for w in re.split(r"[^\w]+", text.replace("*", " ").casefold()) if len(w) >= 3]
    return max(words, key=len, default="")


def _anchors(phrase: str) -> tuple[tuple[str, ...], ...]:
    """What the text must contain for the phrase to match, as a cheap pre-check: every word
    outside a group, and for each required group one word of one of its alternatives."""
    outside, groups = _top_level(phrase.replace("ROLE", " "))
    required: list[tuple[str, ...]] = [
        (word,)
        for word in re.split(r"[^\w]+", outside.replace("*", " ").casefold())
        if len(word) >= 3
    ]
    for group in groups:
        words = tuple(_longest_word(_top_level(alt)[0]) for alt in _split_alternatives(group))
        if all(words):
            required.append(tuple(dict.fromkeys(words)))
    return tuple(dict.fromkeys(required))


def _split_alternatives(group: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in group:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "|" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _words_regex(words: Iterable[str]) -> str:
    """One regular expression for a list of phrases, longest first."""
    alternatives = [_phrase_regex(word) for word in sorted(set(words), key=len, reverse=True)]
    return "|".join(alternatives) or r"(?!)"


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _load_phrase(entry: Any, language: "_Language", where: str, role: bool = False) -> _Phrase:
    if isinstance(entry, str):
        text, weight = entry, 0.9
    elif isinstance(entry, dict) and isinstance(entry.get("phrase"), str):
        text, weight = entry["phrase"], float(entry.get("weight", 0.9))
    else:
        raise PhraseError(f"{where}: a phrase is a string or {{phrase, weight}}, not {entry!r}")
    if not text.strip() or not 0 < weight <= 1:
        raise PhraseError(f"{where}: empty phrase or weight outside (0, 1]: {entry!r}")
    # Phrases run on the lower-cased text (see `_lowered`), so they are lower-cased here and
    # compiled case-sensitively, which keeps the engine's literal-prefix search.
    source = text.replace("ROLE", "\0").lower().replace("\0", "ROLE")
    try:
        pattern = re.compile(_phrase_regex(source, role=role, head_guard=False))
    except (re.error, ValueError) as error:
        raise PhraseError(f"{where}: {text!r} does not compile: {error}") from error
    plain = re.sub(r"[()|?~…*\[\]]", " ", text)
    return _Phrase(
        pattern=pattern,
        weight=weight,
        language=language.code,
        negatable=language.negators.search(plain) is None,
        anchors=_anchors(text),
    )


def _load_language(data: dict[str, Any], book: _Phrasebook) -> None:
    code = data["language"]
    exceptions = data.get("negation_exceptions", [])
    disclaimers = data.get("reason_disclaimers", [])
    negators = [w for w in data["negators"] if "'" not in w]
    elisions = [w for w in data["negators"] if "'" in w]
    negator_regex = _words_regex(negators)
    for word in elisions:  # "n't" ends a word ("won't"), "n'" starts one ("n'avons")
        core = re.escape(word).replace("'", "['’]")
        negator_regex += rf"|(?<!\w){core}" if word.endswith("'") else rf"|{core}(?!\w)"
    language = _Language(
        code=code,
        stopwords=frozenset(data["stopwords"]),
        negators=_compile(negator_regex),
        negation_exceptions=_compile(_words_regex(exceptions)) if exceptions else None,
        clause_breaks=_compile(r"[,;:()–—]|" + _words_regex(data["clause_breaks"])),
        conditionals=_compile(_words_regex(data["conditionals"])),
        disclaimers=_compile(_words_regex(disclaimers)) if disclaimers else None,
        role_stops=re.compile(
            "|".join(rf"(?<!\w){re.escape(stop.casefold())}(?!\w)" for stop in data["role_stops"])
        ),
        role_generic=frozenset(data["role_generic"]),
    )
    book.languages[code] = language

    for kind in (*KINDS, "unknown"):
        entries = data["kinds"].get(kind, [])
        book.kinds.setdefault(kind, []).extend(
            _load_phrase(e, language, f"{code}.kinds.{kind}") for e in entries
        )
    unknown_kinds = set(data["kinds"]) - {*KINDS, "unknown"}
    if unknown_kinds:
        raise PhraseError(f"{code}.kinds: unknown kinds {sorted(unknown_kinds)}")
    unknown_reasons = set(data["reasons"]) - REASON_KEYS
    if unknown_reasons:
        raise PhraseError(f"{code}.reasons: not taxonomy keys {sorted(unknown_reasons)}")
    for key, entries in data["reasons"].items():
        book.reasons.setdefault(key, []).extend(
            _load_phrase(e, language, f"{code}.reasons.{key}") for e in entries
        )
    book.feedback.extend(
        _load_phrase(e, language, f"{code}.feedback_offered") for e in data["feedback_offered"]
    )
    interview_values = {kind.value for kind in InterviewKind}
    for kind, entries in data["interview_kinds"].items():
        if kind not in interview_values:
            raise PhraseError(f"{code}.interview_kinds: {kind!r} is not an InterviewKind")
        book.interview_kinds.extend(
            (kind, _load_phrase(e, language, f"{code}.interview_kinds.{kind}")) for e in entries
        )
    book.company_before.extend(
        _load_phrase(e, language, f"{code}.company_before") for e in data["company_before"]
    )
    book.company_after.extend(
        _load_phrase(e, language, f"{code}.company_after") for e in data["company_after"]
    )
    book.company_closing.extend(
        _load_phrase(e, language, f"{code}.company_closing") for e in data["company_closing"]
    )
    book.role_patterns.extend(
        _load_phrase(e, language, f"{code}.role_patterns", role=True) for e in data["role_patterns"]
    )
    for pattern in book.role_patterns:
        if "role" not in pattern.pattern.groupindex:
            raise PhraseError(f"{code}.role_patterns: every pattern needs ROLE")


def _load_phrasebook(directory: Path = PHRASES_DIR) -> _Phrasebook:
    book = _Phrasebook()
    files: dict[str, dict[str, Any]] = {}
    for code in LANGUAGES:
        data = json.loads((directory / f"{code}.json").read_text(encoding="utf-8"))
        if data.get("language") != code:
            raise PhraseError(f"{code}.json: 'language' must be {code!r}")
        files[code] = data
        _load_language(data, book)

    def merged(key: str) -> list[Any]:
        return [item for data in files.values() for item in data.get(key, [])]

    book.signoff = _compile(
        r"^(?:" + "|".join(_phrase_regex(p) for p in merged("signoffs")) + r")"
        r"[\s,.!]*(?:[,–-]\s*[^\W\d_][\w .'’-]{0,40})?$"
    )
    book.signoff_opening = _compile(
        r"^(?:" + "|".join(_phrase_regex(p) for p in merged("signoffs")) + r")\s"
    )
    book.signature_marker = _compile(
        r"^(?:--\s*|" + "|".join(_phrase_regex(p) for p in merged("signature_markers")) + r")$"
    )
    book.reply_intros = [
        (
            _compile(rf"^\s*{re.escape(intro['start'])}\s.{{0,300}}$"),
            _compile(rf"(?<!\w){_phrase_regex(intro['end'])}.{{0,200}}:?\s*$"),
        )
        for intro in merged("reply_intros")
    ]
    book.quote_separator = _compile(r"^\s*(?:" + "|".join(merged("quote_separators")) + r")\s*$")
    book.forward_marker = _compile(r"^\s*(?:" + "|".join(merged("forward_markers")) + r")\s*$")
    header_fields: dict[str, str] = {}
    for data in files.values():
        for field_name, names in data["header_names"].items():
            for name in names:
                header_fields[name.casefold()] = field_name
    book.header_fields = header_fields
    names = "|".join(re.escape(n) for n in sorted(header_fields, key=len, reverse=True))
    book.header_line = _compile(rf"^\s*(?P<name>{names})[ \t]*:[ \t]*(?P<value>.{{0,400}}?)\s*$")

    def folded(key: str) -> frozenset[str]:
        return frozenset(str(w).casefold() for w in merged(key))

    book.company_noise = folded("company_noise")
    book.legal_suffixes = frozenset(s.replace(".", "").strip() for s in folded("legal_suffixes"))
    book.org_prefixes = folded("org_prefixes")
    book.org_words = folded("org_words")
    book.generic_senders = folded("generic_senders")
    book.all_stopwords = frozenset().union(*(lang.stopwords for lang in book.languages.values()))
    for data in files.values():
        book.months.update({name.casefold(): number for name, number in data["months"].items()})
        book.zones.update({name.casefold(): value for name, value in data["time_zones"].items()})
    for value in book.zones.values():
        if not _ZONE_OFFSET.fullmatch(value) and "/" not in value:
            raise PhraseError(f"time zone {value!r} is neither an offset nor an IANA name")
    zone_names = sorted(
        (name for data in files.values() for name in data["time_zones"]), key=len, reverse=True
    )
    book.zone_pattern = re.compile(
        r"^[\s(,]{0,3}(?:Uhr\s{0,3}|h\s{0,3})?[(,]?\s{0,3}(?P<zone>(?:UTC|GMT)\s?[+\-−]\s?\d{1,2}"
        r"(?::?\d{2})?|[+\-−]\d{2}:?\d{2}|" + "|".join(_zone_regex(z) for z in zone_names) + ")",
        re.IGNORECASE,
    )
    months = "|".join(re.escape(m) for m in sorted(book.months, key=len, reverse=True))
    book.date_patterns = (
        re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d)"),
        re.compile(
            r"(?<![\d.])(?P<d>\d{1,2})(?P<sep>[./])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})(?!\d)"
        ),
        re.compile(
            rf"(?<![\w.])(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|\.|º)?\s{{1,3}}(?:de\s{{1,3}})?"
            rf"(?P<mname>{months})\.?,?\s{{1,3}}(?:de\s{{1,3}})?(?P<y>\d{{4}})(?!\d)",
            re.IGNORECASE,
        ),
        re.compile(
            rf"(?<!\w)(?P<mname>{months})\.?\s{{1,3}}(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s{{1,3}}"
            rf"(?P<y>\d{{4}})(?!\d)",
            re.IGNORECASE,
        ),
    )
    return book


_ZONE_OFFSET = re.compile(r"[+\-−]\d{2}:\d{2}")


def _zone_regex(name: str) -> str:
    """Abbreviations match in capitals only: French "et" is not Eastern Time."""
    regex = re.escape(name).replace(r"\ ", r"\s{1,3}") + r"(?!\w)"
    return f"(?-i:{regex})" if name.isupper() else regex


_BOOK = _load_phrasebook()


# ---------------------------------------------------------------------------------------------
# Layout: headers, new text, signature, history


@dataclass(frozen=True)
class _Header:
    field: str  # from | to | subject | date
    start: int  # of the value
    end: int
    quoted: bool


@dataclass
class _Layout:
    headers: list[_Header] = field(default_factory=list)
    segments: list[tuple[int, int]] = field(default_factory=list)  # new text, subject first
    signature: list[tuple[int, int]] = field(default_factory=list)  # lines
    quoted: list[tuple[int, int]] = field(default_factory=list)  # lines
    attributions: list[tuple[int, int]] = field(default_factory=list)  # "On … wrote:" lines
    body_lines: list[tuple[int, int]] = field(default_factory=list)


def _lines(text: str) -> list[tuple[int, int]]:
    spans = []
    position = 0
    for raw in text.split("\n"):
        end = position + len(raw)
        spans.append((position, end - 1 if raw.endswith("\r") else end))
        position = end + 1
    return spans


def _layout(text: str) -> _Layout:
    book = _BOOK
    layout = _Layout()
    lines = _lines(text)
    state = "header"
    body_has_content = False
    skip_next = False
    for index, (start, end) in enumerate(lines):
        if skip_next:
            skip_next = False
            continue
        line = text[start:end]
        stripped = line.strip()
        header = book.header_line.match(line) if len(line) < 500 else None
        if state == "quoted":
            layout.quoted.append((start, end))
            if header:
                _add_header(layout, header, start, quoted=True)
            continue
        if book.forward_marker.match(stripped):
            state = "header"
            continue
        intro = _reply_intro(text, lines, index)
        if intro:
            layout.attributions.append((start, end))
            if intro == 2:
                layout.attributions.append(lines[index + 1])
                skip_next = True
            state = "quoted"
            continue
        if book.quote_separator.match(stripped) or (
            header
            and state != "header"
            and book.header_fields[header.group("name").casefold()] == "from"
            and _header_block_follows(text, lines, index)
        ):
            state = "quoted"
            layout.quoted.append((start, end))
            if header:
                _add_header(layout, header, start, quoted=True)
            continue
        if stripped.startswith(">"):
            layout.quoted.append((start, end))
            continue
        if state == "header":
            if not stripped:
                continue
            if header:
                _add_header(layout, header, start, quoted=False)
                continue
            state = "body"
        if state == "body":
            if body_has_content and _starts_signature(text, lines, index, stripped):
                state = "signature"
            else:
                layout.body_lines.append((start, end))
                body_has_content = body_has_content or bool(stripped)
                continue
        layout.signature.append((start, end))

    body = layout.body_lines
    if not body_has_content:  # nothing new: a forwarded or quoted message is all there is
        body = sorted(span for span in layout.signature + layout.quoted if span[1] > span[0])
        layout.signature = []
    subjects = [(h.start, h.end) for h in layout.headers if h.field == "subject" and not h.quoted]
    layout.segments = subjects[:1] + _join_lines(body)
    return layout


def _add_header(layout: _Layout, match: re.Match[str], line_start: int, quoted: bool) -> None:
    field_name = _BOOK.header_fields[match.group("name").casefold()]
    start, end = line_start + match.start("value"), line_start + match.end("value")
    if end > start:
        layout.headers.append(_Header(field_name, start, end, quoted))


def _reply_intro(text: str, lines: list[tuple[int, int]], index: int) -> int:
    """1 when this line is "On … wrote:", 2 when the next line finishes it, else 0."""
    start, end = lines[index]
    line = text[start:end]
    if len(line) > 400:
        return 0
    for opening, closing in _BOOK.reply_intros:
        if not opening.match(line):
            continue
        if closing.search(line) and line.rstrip().endswith(":"):
            return 1
        if index + 1 < len(lines):
            following = text[lines[index + 1][0] : lines[index + 1][1]]
            if (
                len(following) < 200
                and closing.search(following)
                and following.rstrip()[-1:] == ":"
            ):
                return 2
    return 0


def _header_block_follows(text: str, lines: list[tuple[int, int]], index: int) -> bool:
    """A "From:" line starts quoted history when more header lines follow it."""
    for start, end in lines[index + 1 : index + 5]:
        header = _BOOK.header_line.match(text[start:end])
        if header and _BOOK.header_fields[header.group("name").casefold()] != "from":
            return True
    return False


def _starts_signature(text: str, lines: list[tuple[int, int]], index: int, stripped: str) -> bool:
    if _BOOK.signature_marker.match(stripped):
        return True
    if len(stripped) > 60:
        return False
    if not _BOOK.signoff.match(stripped) and not (
        len(stripped) <= 45 and stripped.endswith(",") and _BOOK.signoff_opening.match(stripped)
    ):
        return False
    for start, end in lines[index + 1 : index + 4]:  # a sign-off is followed by a short line
        following = text[start:end].strip()
        if following:
            return len(following) <= 60
    return True


def _join_lines(lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Adjacent lines become one segment, so phrases may run across a line break."""
    segments: list[tuple[int, int]] = []
    for start, end in lines:
        if segments and start <= segments[-1][1] + 2:
            segments[-1] = (segments[-1][0], end)
        else:
            segments.append((start, end))
    return segments


# ---------------------------------------------------------------------------------------------
# Matching phrases in context


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    weight: float
    phrase: _Phrase


def _lowered(text: str) -> str:
    """The text in lower case, character for character (offsets stay valid)."""
    lowered = text.lower()
    if len(lowered) != len(text):  # "İ" lowers to two characters
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered


def _inside_word(lowered: str, start: int) -> bool:
    if start == 0 or lowered.startswith(("n't", "n’t"), start):  # "(not|n't)" ends "won't"
        return False
    before, first = lowered[start - 1], lowered[start]
    return (before.isalnum() or before == "_") and (first.isalnum() or first == "_")


@dataclass(frozen=True)
class _Text:
    """The message, its lower-cased twin that phrases run on, and the casefolded new text that
    phrase anchors are looked up in (each word once per message)."""

    original: str
    lowered: str
    folded: str
    _seen: dict[str, bool] = field(default_factory=dict)

    def may_match(self, phrase: _Phrase) -> bool:
        seen = self._seen
        for words in phrase.anchors:
            for word in words:
                present = seen.get(word)
                if present is None:
                    present = seen[word] = word in self.folded
                if present:
                    break
            else:
                return False
        return True


def _find(
    phrases: Iterable[_Phrase],
    message: _Text,
    segments: Sequence[tuple[int, int]],
    *,
    conditional: bool = False,
    negation: bool = False,
    disclaimers: bool = False,
    folded: str | None = None,
) -> list[_Hit]:
    """Every phrase found in the segments, weighed in its sentence."""
    text, lowered = message.original, message.lowered
    hits = []
    for phrase in phrases:
        if folded is None:
            if not message.may_match(phrase):
                continue
        elif not all(any(word in folded for word in words) for words in phrase.anchors):
            continue
        language = _BOOK.languages[phrase.language]
        for seg_start, seg_end in segments:
            matches = phrase.pattern.finditer(lowered, seg_start, seg_end)
            for match in itertools.islice(matches, _HITS_PER_PHRASE):
                if _inside_word(lowered, match.start()):
                    continue
                weight = phrase.weight
                if conditional or negation or disclaimers:
                    sentence = _sentence_start(text, seg_start, match.start())
                    before = text[sentence : match.start()]
                    if disclaimers and language.disclaimers and language.disclaimers.search(before):
                        continue
                    if conditional and language.conditionals.search(before):
                        weight *= _CONDITIONAL_FACTOR
                    if negation and phrase.negatable and _negated(language, before, match[0]):
                        continue
                hits.append(_Hit(match.start(), match.end(), weight, phrase))
    return hits


_SENTENCE_BOUNDARY = re.compile(r"[.!?…]{1,5}[\"'’)\]]?\s|\n[ \t]{0,40}\n")


def _sentence_start(text: str, floor: int, position: int) -> int:
    window_start = max(floor, position - 400)
    start = window_start
    for boundary in _SENTENCE_BOUNDARY.finditer(text, window_start, position):
        start = boundary.end()
    return start


def _sentence_end(text: str, position: int, ceiling: int) -> int:
    boundary = _SENTENCE_BOUNDARY.search(text, position, min(ceiling, position + 400))
    if boundary:
        return boundary.start() + len(boundary.group().rstrip())
    return min(ceiling, position + 400)


def _negated(language: _Language, before: str, matched: str) -> bool:
    """A negation in the phrase's clause, before it or inside it ("kein Angebot machen")."""
    clause_start = 0
    for breaker in language.clause_breaks.finditer(before):
        clause_start = breaker.end()
    scope = before[clause_start:] + " " + matched
    if language.negation_exceptions:
        scope = language.negation_exceptions.sub(lambda m: " " * len(m[0]), scope)
    return language.negators.search(scope) is not None


def _noisy_or(weights: Iterable[float]) -> float:
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - weight
    return 1.0 - remaining


def _strongest_per_phrase(hits: Iterable[_Hit]) -> dict[int, _Hit]:
    best: dict[int, _Hit] = {}
    for hit in hits:
        key = id(hit.phrase)
        if key not in best or hit.weight > best[key].weight:
            best[key] = hit
    return best


# ---------------------------------------------------------------------------------------------
# Language


_WORD = re.compile(r"[^\W\d_]+")


def _detect_language(folded: str) -> tuple[str, str | None]:
    """The language whose common words the text uses most, and its most frequent such word."""
    counts: dict[str, dict[str, int]] = {code: {} for code in LANGUAGES}
    for word in _WORD.findall(folded[:_SCAN_LIMIT]):
        for code, language in _BOOK.languages.items():
            if word in language.stopwords:
                counts[code][word] = counts[code].get(word, 0) + 1
    best = max(LANGUAGES, key=lambda code: sum(counts[code].values()))  # ties: en first
    words = counts[best]
    return best, max(words, key=lambda w: words[w]) if words else None


# ---------------------------------------------------------------------------------------------
# Company


_TOKEN = re.compile(r"[^\s,;:!?()\[\]<>\"“”|/·•–—]+")
_CONNECTORS = frozenset({"&", "+", "and", "und", "et", "y", "de", "del", "of", "la", "le", "du"})
_ABBREVIATIONS = frozenset({"st.", "co.", "inc.", "corp.", "ltd.", "bros.", "s.a.", "s.l.", "b.v."})
_EMAIL = re.compile(r"(?P<local>[\w.+\-]{1,64})@(?P<domain>[\w\-]{1,63}(?:\.[\w\-]{1,63}){1,5})")
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "gob", "edu", "or", "ne"})
_PARENTHESISED = re.compile(r"\((?:(?P<title>[^()\n,]{1,40}),\s{0,3})?(?P<name>[^()\n,]{2,50})\)")
# "Head of Talent, Acme" / "Recruiting | Acme GmbH" / "Talent @ Acme"
_TITLE_AND_COMPANY = re.compile(
    r"^(?P<left>[^|,–—@\n]{1,60}?)\s{0,3}(?:,|\||–|—| - |@| at | bei | chez | en )\s{0,3}"
    r"(?P<right>[^\n]{2,60})$"
)
_SUFFIX_CANDIDATE = re.compile(r"(?<![\w&])[A-Za-z][\w.]{1,14}")
_ABBREVIATED_SUFFIXES = frozenset({"co", "inc", "corp", "ltd", "sa", "sl", "bv"})


@dataclass(frozen=True)
class _CompanySource:
    name: str
    start: int  # of the evidence in the text
    end: int
    weight: float
    from_domain: bool = False


def _is_capitalised(token: str) -> bool:
    return token[:1].isupper() or (token[:1].isdigit() and any(c.isalpha() for c in token))


@functools.lru_cache(maxsize=4096)
def _company_tokens(name: str) -> tuple[str, ...]:
    """A company name reduced for comparison: case, accents, legal forms and "the" dropped."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"(?<![^\W\d_])([^\W\d_])\.", r"\1", text)  # s.a. -> sa
    words = [w for w in re.split(r"[\W_]+", text) if w]
    kept: list[str] = []
    for position, word in enumerate(words):
        if word in _CONNECTORS or word == "the":
            continue
        if position > 0 and word in _BOOK.legal_suffixes:
            continue
        if not kept and word in _BOOK.org_prefixes and position < len(words) - 1:
            continue
        kept.append(word)
    return tuple(kept)


@functools.lru_cache(maxsize=4096)
def match_key(name: str) -> str:
    """How the reader compares company names written freely in mail: "Acme GmbH" and "ACME",
    "Harlow & Finch LLP" and "Harlow and Finch", "Groupe Vernier" and "Vernier", "Pallas Health"
    and the domain "pallashealth" share it. Looser than the stored key
    (app.shared.company_names.company_key), which must stay a stable slug."""
    return "".join(_company_tokens(name))


def _has_org_word(name: str) -> bool:
    words = {w.casefold().rstrip(".") for w in name.split()}
    return bool(words & (_BOOK.org_words | _BOOK.legal_suffixes | _BOOK.org_prefixes))


class _CompanyFinder:
    """Collects every place that names the sender's company, each with a weight."""

    def __init__(self, message: _Text, layout: _Layout, language: str) -> None:
        self.message = message
        self.text = message.original
        self.layout = layout
        # Only the message's own language (and English) decides which capitalised words are
        # ordinary words: French "Sur" must not cut "Puerto Sur" short.
        self.stopwords = _BOOK.languages[language].stopwords | _BOOK.languages["en"].stopwords
        self.sources: list[_CompanySource] = []

    def find(self) -> list[_CompanySource]:
        text, layout = self.text, self.layout
        regions = [(s, e, 1.0) for s, e in layout.segments]
        signature_top = layout.signature[:_SIGNATURE_LINES]
        regions += [(s, e, 0.85) for s, e in _join_lines(signature_top)]
        for region_start, region_end, factor in regions:
            self._from_phrases(region_start, min(region_end, region_start + _SCAN_LIMIT), factor)
        # "Tim von Acme", "Sam, Founder at Acme": words as plain as "at" name the company only
        # where a message signs off, not in its prose ("your experience at Google").
        closing = (
            signature_top
            + [span for span in layout.body_lines if text[span[0] : span[1]].strip()][-3:]
        )
        for start, end in closing:
            self._from_phrases(start, end, 0.85, _BOOK.company_closing)

        signature = set(signature_top)
        for start, end in signature_top + layout.body_lines:
            if start < 2 * _SCAN_LIMIT:
                self._from_line(start, end, in_signature=(start, end) in signature)
        self._from_signature_end()
        self._from_body_end()

        for header in layout.headers:
            if header.field == "from" or (header.field == "to" and header.quoted):
                factor = 0.6 if header.quoted else 1.0
                domain_only = header.field == "to"  # the user's own name is on that line
                self._from_address(header.start, header.end, factor, domain_only)
        for start, end in layout.attributions:
            self._from_address(start, end, 0.5)
        if not any(source.weight >= 0.6 for source in self.sources):
            # Only when the new text, its signature and the headers name no company does the
            # quoted history get read for one ("opportunity at Acme" in the user's own mail).
            for region_start, region_end in _join_lines(layout.quoted)[:40]:
                self._from_phrases(region_start, min(region_end, region_start + _SCAN_LIMIT), 0.5)
        return self.sources

    def _add(self, span: tuple[int, int] | None, weight: float) -> None:
        if span:
            name = self.text[span[0] : span[1]]
            key = match_key(name)
            if key and key not in _BOOK.generic_senders:
                self.sources.append(_CompanySource(name, span[0], span[1], weight))

    def _from_phrases(
        self,
        region_start: int,
        region_end: int,
        factor: float,
        only: list[_Phrase] | None = None,
    ) -> None:
        """ "interest in Acme", "the Acme team", "(People Ops, Acme)"; with `only`, just
        those phrases before a name."""
        text, segment = self.text, [(region_start, region_end)]
        folded = self.message.lowered[region_start:region_end]
        before = _BOOK.company_before if only is None else only
        for hit in _find(before, self.message, segment, folded=folded):
            self._add(self._run_after(hit.end, region_end), factor * hit.weight)
        if only is not None:
            return
        for hit in _find(_BOOK.company_after, self.message, segment, folded=folded):
            line_start = max(text.rfind("\n", region_start, hit.start) + 1, region_start)
            self._add(self._run_before(hit.start, line_start), factor * hit.weight)
        for found in _PARENTHESISED.finditer(text, region_start, region_end):
            span = self._whole_run(found.start("name"), found.end("name"))
            if span and (found.group("title") or _has_org_word(text[span[0] : span[1]])):
                self._add(span, factor * 0.7)

    def _from_line(self, start: int, end: int, in_signature: bool) -> None:
        """A name with a legal form anywhere ("bei der Terrafix GmbH"); in a signature, a line
        that is a company ("Brückner Consulting GmbH") or a title and a company."""
        text = self.text
        line = text[start : min(end, start + 2000)]
        stripped = line.strip()
        if not stripped:
            return
        for suffix in _SUFFIX_CANDIDATE.finditer(line):
            word = suffix[0].casefold().rstrip(".")
            if word in _BOOK.legal_suffixes and (suffix[0][0].isupper() or word == "plc"):
                word_end = start + suffix.start() + len(suffix[0].rstrip("."))
                if word in _ABBREVIATED_SUFFIXES:
                    word_end = start + suffix.end()
                span = self._run_before(word_end, start, ends_here=True)
                if span and span[0] < start + suffix.start():
                    self._add(span, 0.7)
        if len(stripped) > 80:
            return
        offset = start + (len(line) - len(line.lstrip()))
        whole = self._whole_run(offset, offset + len(stripped))
        if whole and _has_org_word(text[whole[0] : whole[1]]):
            self._add(whole, 0.8 if in_signature else 0.6)
            return
        if in_signature:
            self._from_title_line(offset, stripped, 0.85, need_title=False)

    def _from_title_line(self, offset: int, stripped: str, weight: float, need_title: bool) -> None:
        split = _TITLE_AND_COMPANY.match(stripped)
        if not split:
            return
        if need_title:  # outside a signature, the left side must read as a title
            left = {w.casefold().strip(".") for w in split.group("left").split()}
            if not left & _BOOK.company_noise:
                return
        right = offset + split.start("right")
        department = {w.casefold().strip(".") for w in split.group("right").split()}
        if department <= _BOOK.company_noise:  # "Banque Ravel – Recrutement"
            self._add(self._whole_run(offset, offset + len(split.group("left"))), weight)
            return
        span = self._whole_run(right, offset + len(stripped))
        if span is None and not need_title:  # "Sergio, Talent en Olivo Fintech"
            self._from_title_line(right, split.group("right"), weight, need_title=True)
            return
        self._add(span, weight)

    def _from_signature_end(self) -> None:
        """The last line of a signature of three or more lines is often the company."""
        text = self.text
        lines = [(s, e) for s, e in self.layout.signature[:_SIGNATURE_LINES] if text[s:e].strip()]
        if len(lines) < 3:  # the sign-off, a name, and something after it
            return
        start, end = lines[-1]
        line = text[start:end]
        stripped = line.strip()
        if len(stripped.split()) > 4:
            return
        offset = start + (len(line) - len(line.lstrip()))
        self._add(self._whole_run(offset, offset + len(stripped)), 0.45)

    def _from_body_end(self) -> None:
        """A message without a sign-off may still end in "Recruiting Lead, Acme"."""
        text = self.text
        lines = [(s, e) for s, e in self.layout.body_lines if text[s:e].strip()][-3:]
        for start, end in lines:
            line = text[start:end]
            stripped = line.strip()
            if len(stripped) <= 60:
                offset = start + (len(line) - len(line.lstrip()))
                self._from_title_line(offset, stripped, 0.6, need_title=True)

    def _from_address(self, start: int, end: int, factor: float, domain_only: bool = False) -> None:
        """The company in "Acme Talent <jobs@acme.com>": its display name, or its email domain."""
        text = self.text
        value = text[start:end]
        email = _EMAIL.search(value)
        domain_label = None
        if email:
            labels = email.group("domain").casefold().split(".")
            registrable = labels[-2]
            if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
                registrable = labels[-3]
            if registrable not in _BOOK.generic_senders and not any(
                label in _BOOK.generic_senders for label in labels[:-1] if label != registrable
            ):
                domain_label = registrable
        display = value[: email.start() if email else len(value)]
        cut = re.search(r"\s(?:via|through)\s|\(via", display, re.IGNORECASE)
        if cut:
            display = display[: cut.start()]
        at = re.search(r"\s(?:at|@|bei|chez|en)\s", display)
        display_start = start + (at.end() if at else 0)
        if text[display_start : display_start + 1] in ('"', "'", "“"):
            display_start += 1
        run = self._run_after(display_start, start + len(display))
        person = False
        if run and email:  # "Priya Raman <priya@…>" is a person, not a company
            local = set(re.split(r"[._+\-]", email.group("local").casefold()))
            person = bool({w.casefold() for w in text[run[0] : run[1]].split()} & local)
        if run and not person and not domain_only:
            name = text[run[0] : run[1]]
            key = match_key(name)
            if key and key not in _BOOK.generic_senders:
                if domain_label is None or key == match_key(domain_label) or _has_org_word(name):
                    self.sources.append(_CompanySource(name, run[0], run[1], 0.8 * factor))
        if domain_label and email:
            domain_start = start + email.start("domain")
            shown = _text_form(text, domain_label) or domain_label.replace("-", " ").title()
            domain_end = domain_start + len(email.group("domain"))
            self.sources.append(
                _CompanySource(shown, domain_start, domain_end, 0.6 * factor, from_domain=True)
            )

    def _run_after(self, position: int, limit: int) -> tuple[int, int] | None:
        """The capitalised name that starts at `position` (same line), as a span."""
        text = self.text
        end_limit = min(limit, position + 120)
        i = position
        while i < end_limit and text[i] in " \t":
            i += 1
        tokens: list[tuple[int, int]] = []
        stop_after = False
        while i < end_limit and len(tokens) < 6 and not stop_after:
            match = _TOKEN.match(text, i, end_limit)
            if not match:
                break
            token = match[0]
            start, end = match.start(), match.end()
            if token.endswith(("'s", "’s")):
                end -= 2
                stop_after = True
            elif token.endswith(".") and token.casefold() not in _ABBREVIATIONS:
                end -= len(token) - len(token.rstrip("."))  # the end of a sentence
                stop_after = True
            word = text[start:end].casefold().rstrip(".")
            if not word:
                break
            if word in _CONNECTORS and tokens:
                tokens.append((start, end))
            elif _is_capitalised(token) or word in _BOOK.legal_suffixes:
                if word in self.stopwords and word not in _BOOK.legal_suffixes and tokens:
                    break  # "Brandt Pharma und Ihre Bewerbung"
                tokens.append((start, end))
            else:
                break
            i = match.end()
            if text[i : i + 1] not in (" ", "\t") or text[i + 1 : i + 2].isspace():
                break
            i += 1
        return self._trim(tokens)

    def _run_before(
        self, position: int, line_start: int, ends_here: bool = False
    ) -> tuple[int, int] | None:
        """The capitalised name before `position` (same line), as a span; with `ends_here` the
        name's last word ends at `position` ("Terrafix GmbH"), else a space separates them."""
        text = self.text
        tokens = list(_TOKEN.finditer(text, max(line_start, position - 120), position))
        picked: list[tuple[int, int]] = []
        for match in reversed(tokens):
            token = match[0]
            word = token.casefold()
            between = text[match.end() : position if not picked else picked[0][0]]
            if (not between and (picked or not ends_here)) or between.strip():
                break  # glued to it ("Recruiting-Team") or something else stands between
            if (
                _is_capitalised(token)
                or word in _BOOK.legal_suffixes
                or (word in _CONNECTORS and picked)
            ):
                picked.insert(0, (match.start(), match.end()))
                if len(picked) == 6:
                    break
            else:
                break
        return self._trim(picked)

    def _whole_run(self, start: int, end: int) -> tuple[int, int] | None:
        """The span when the capitalised name fills text[start:end] (but for punctuation)."""
        span = self._run_after(start, end)
        if span and not self.text[span[1] : end].strip(" .!"):
            return span
        return None

    def _trim(self, tokens: list[tuple[int, int]]) -> tuple[int, int] | None:
        """Titles, departments and common words at either end are not the company's name."""
        text = self.text

        def noise(span: tuple[int, int]) -> bool:
            word = text[span[0] : span[1]].casefold().strip(".-–")
            return word in _BOOK.company_noise or word in _CONNECTORS or word in self.stopwords

        def connector(span: tuple[int, int]) -> bool:
            return text[span[0] : span[1]].casefold() in _CONNECTORS

        while tokens and noise(tokens[0]):
            tokens = tokens[1:]
        # "Hartmann & Partner": a title word after "&" is part of the name
        while tokens and noise(tokens[-1]) and not (len(tokens) > 1 and connector(tokens[-2])):
            tokens = tokens[:-1]
        if not tokens or not _is_capitalised(text[tokens[0][0] : tokens[0][1]]):
            return None
        if all(text[s:e].casefold() in _BOOK.legal_suffixes for s, e in tokens):
            return None
        start, end = tokens[0][0], tokens[-1][1]
        return (start, end) if end - start >= 2 else None


def _text_form(text: str, label: str) -> str | None:
    """How the text itself writes a domain's name: "orbitpay" -> "OrbitPay"."""
    letters = label.replace("-", "")
    if len(letters) < 3 or len(letters) > 40:
        return None
    flexible = r"[\s&-]?".join(re.escape(c) for c in letters)
    found = re.search(rf"(?<![\w@.]){flexible}(?!\w)(?!\.\w)", text[:_SCAN_LIMIT], re.IGNORECASE)
    return found[0] if found and _is_capitalised(found[0]) else None


def _choose_company(sources: list[_CompanySource]) -> _CompanySource | None:
    """The name with the most weight behind it, written as the text writes it."""
    totals: dict[str, float] = {}
    best: dict[str, _CompanySource] = {}
    for source in sources:
        key = match_key(source.name)
        totals[key] = totals.get(key, 0.0) + source.weight
        current = best.get(key)
        # the name as a sentence or signature writes it beats a name rebuilt from a domain
        rank = (not source.from_domain, source.weight)
        if current is None or rank > (not current.from_domain, current.weight):
            best[key] = source
    if not totals:
        return None
    first_seen = {match_key(s.name): i for i, s in reversed(list(enumerate(sources)))}
    key = max(totals, key=lambda k: (round(totals[k], 6), -first_seen[k]))
    return best[key]


# ---------------------------------------------------------------------------------------------
# Role


def _find_role(
    message: _Text, segments: Sequence[tuple[int, int]], language: str
) -> tuple[int, int] | None:
    text, lowered = message.original, message.lowered
    stops = (_BOOK.languages[language].role_stops, _BOOK.languages["en"].role_stops)
    generic = _BOOK.languages[language].role_generic | _BOOK.languages["en"].role_generic
    for seg_start, seg_end in segments:
        found = []
        for order, phrase in enumerate(_BOOK.role_patterns):
            if not message.may_match(phrase):
                continue
            for match in phrase.pattern.finditer(lowered, seg_start, seg_end):
                if _inside_word(lowered, match.start()):
                    continue
                span = _clean_role(text, match.start("role"), match.end("role"), stops, generic)
                if span:
                    found.append((match.start(), order, span))
                    break
        if found:
            return min(found)[2]
    return None


def _clean_role(
    text: str, start: int, end: int, stops: Sequence[re.Pattern[str]], generic: frozenset[str]
) -> tuple[int, int] | None:
    role = text[start:end]
    cut = len(role)
    lowered = role.casefold()
    for stop in stops:
        found = stop.search(lowered, 1)
        if found:
            cut = min(cut, found.start())
    cut = min(cut, *(i for i in (role.find(" - "), role.find(" – ")) if i > 0), cut)
    role = role[:cut].rstrip(" -–'’\"")
    leading = len(role) - len(role.lstrip(" \"'“"))
    words = role.split()
    if not words or len(words) > 8 or all(w.casefold() in generic for w in words):
        return None
    while words and words[0].casefold() in generic:
        leading += len(words[0]) + 1
        words = words[1:]
        role_rest = role[leading:]
        leading += len(role_rest) - len(role_rest.lstrip())
    # Titles are written with capitals ("Senior Data Engineer"); "this one" is not a title.
    if not words or not any(c.isupper() for c in "".join(words)):
        return None
    span_start = start + leading
    span_end = start + len(role)
    return (span_start, span_end) if span_end - span_start >= 2 else None


# ---------------------------------------------------------------------------------------------
# Interview time


_TIME = re.compile(
    r"(?<![\d:.])(?:"
    r"(?P<h1>[01]?\d|2[0-3]):(?P<m1>[0-5]\d)(?:\s{0,2}(?P<ap1>[ap]\.?\s?m\.?))?(?![\w:])"
    r"|(?P<h2>1[0-2]|0?\d)\s{0,2}(?P<ap2>[ap]\.?\s?m\.?)(?!\w)"
    r"|(?P<h3>[01]?\d|2[0-3])\s?h(?:\s?(?P<m3>[0-5]\d))?(?!\w)"
    r"|(?P<h4>[01]?\d|2[0-3])(?:[.:](?P<m4>[0-5]\d))?\s{0,2}(?=Uhr\b))",
    re.IGNORECASE,
)
_RANGE = re.compile(
    r"^\s{0,3}(?:-|–|to|bis|à|a|al|hasta|until)\s{1,3}(?:[01]?\d|2[0-3])(?:[:.h]\s?[0-5]\d|h)?"
    r"(?:\s{0,2}[ap]\.?\s?m\.?)?(?![\w:])",
    re.IGNORECASE,
)


def _interview_time(
    text: str, segments: Sequence[tuple[int, int]], language: str
) -> tuple[datetime, int, int] | None:
    """The one interview slot the text gives with date, time and zone, in UTC."""
    found: dict[datetime, tuple[int, int]] = {}
    unsure = False
    for seg_start, seg_end in segments:
        for pattern in _BOOK.date_patterns:
            for match in pattern.finditer(text, seg_start, seg_end):
                day = _date_of(match, language)
                if day is None:
                    continue
                time = _TIME.search(text, match.end(), min(seg_end, match.end() + 50))
                if time is None or _SENTENCE_BOUNDARY.search(text, match.end(), time.start()):
                    continue
                hour, minute = _clock(time)
                if hour is None:
                    continue
                zone_from = time.end()
                spread = _RANGE.match(text[zone_from : zone_from + 30])
                if spread:
                    zone_from += spread.end()
                zone_match = _BOOK.zone_pattern.match(text[zone_from : zone_from + 50])
                zone = _zone(zone_match.group("zone")) if zone_match else None
                if zone is None:
                    unsure = True
                    continue
                try:
                    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
                except ValueError:
                    continue
                end = zone_from + zone_match.end() if zone_match else time.end()
                found.setdefault(moment.astimezone(UTC), (match.start(), end))
    if len(found) != 1 or unsure:
        return None
    [(moment, (start, end))] = found.items()
    return moment, start, end


def _date_of(match: re.Match[str], language: str) -> date | None:
    groups = match.groupdict()
    try:
        year = int(groups["y"])
        day = int(groups["d"])
        if groups.get("mname"):
            month = _BOOK.months[groups["mname"].casefold()]
        else:
            month = int(groups["m"])
            if groups.get("sep") == "/" and language == "en":
                if day > 12 >= month:
                    pass  # 14/10/2025: day first
                elif month > 12 >= day:
                    day, month = month, day  # 10/14/2025: month first
                else:
                    return None  # 03/04/2025 is ambiguous in English mail
        return date(year, month, day)
    except (ValueError, KeyError):
        return None


def _clock(time: re.Match[str]) -> tuple[int | None, int]:
    groups = time.groupdict()
    for index in "1234":
        if groups[f"h{index}"] is not None:
            hour = int(groups[f"h{index}"])
            minute = int(groups.get(f"m{index}") or 0)
            meridiem = (groups.get(f"ap{index}") or "").casefold()
            if meridiem:
                if hour > 12 or hour == 0:
                    return None, 0
                hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
            return hour, minute
    return None, 0


def _zone(name: str) -> tzinfo | None:
    offset = re.fullmatch(r"(?:UTC|GMT)?\s?([+\-−])\s?(\d{1,2}):?(\d{2})?", name.strip(), re.I)
    if offset:
        sign = -1 if offset.group(1) in "-−" else 1
        hours, minutes = int(offset.group(2)), int(offset.group(3) or 0)
        if hours > 14:
            return None
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    value = _BOOK.zones.get(name.casefold())
    if value is None:
        return None
    if _ZONE_OFFSET.fullmatch(value):
        sign = -1 if value[0] in "-−" else 1
        return timezone(sign * timedelta(hours=int(value[1:3]), minutes=int(value[4:6])))
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return None  # no time zone database: not sure, so no time


# ---------------------------------------------------------------------------------------------
# Candidates


def _role_tokens(role: str) -> set[str]:
    role = re.sub(r"\((?:m|w|d|f|h|x|div)(?:/(?:m|w|d|f|h|x|div)){1,3}\)", " ", role.casefold())
    ignored = {"of", "the", "and", "für", "de", "du", "des", "del", "la", "le", "y", "und", "et"}
    return {t for t in re.split(r"[\W_]+", role) if t and t not in ignored}


def _without_accents(text: str) -> str:
    """Casefolded, accents dropped: how `_mentions` compares (computed once per message)."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    folded = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in folded if not unicodedata.combining(c))


def _mentions(text: str, name: str, plain: str | None = None) -> bool:
    """Whether the text names the company: case-insensitively unless the name is a common word.
    `plain` is `_without_accents(text)` when the caller already has it."""
    return _mention(text, name, plain) is not None


def _mention(text: str, name: str, plain: str | None = None) -> tuple[int, int] | None:
    """Where the text names the company (see `_mentions`); the span is in `plain` when the name
    is compared without case and accents."""
    tokens = _company_tokens(name)
    if not tokens:
        return None
    key = "".join(tokens)
    common = len(key) < 4 or key in _BOOK.all_stopwords
    pattern = r"[\s\-&.,]{1,4}(?:and\s|und\s|et\s|y\s)?".join(re.escape(t) for t in tokens)
    if common:
        originals = [t for t in re.split(r"[\W_]+", name) if t.casefold() in tokens]
        if not originals:
            return None
        pattern = r"[\s\-&.,]{1,4}".join(re.escape(t) for t in originals)
        found = re.search(rf"(?<!\w){pattern}(?!\w)", text)
        return found.span() if found else None
    if plain is None:
        plain = _without_accents(text)
    if tokens[0] not in plain:  # the cheap test first: most of the user's companies are absent
        return None
    found = re.search(rf"(?<!\w){pattern}(?!\w)", plain)
    return found.span() if found else None


def _company_similarity(a: str, b: str) -> float:
    left, right = _company_tokens(a), _company_tokens(b)
    if not left or not right:
        return 0.0
    if "".join(left) == "".join(right):
        return 1.0
    common = set(left) & set(right)
    if not common:
        return 0.0
    if len(common) == min(len(set(left)), len(set(right))):
        return 0.85  # one name contains the other: "Nordlicht" and "Nordlicht Software"
    return 0.6 * len(common) / len(set(left) | set(right))


def _match_candidates(
    candidates: Sequence[Candidate],
    text: str,
    company: str | None,
    other_companies: Sequence[str],
    role: str | None,
) -> list[Match]:
    if not candidates:
        return []
    scanned = text[: 2 * _SCAN_LIMIT]
    plain = _without_accents(scanned)
    text_tokens = _role_tokens(scanned)
    found_role = _role_tokens(role) if role else set()
    matches = []
    for candidate in candidates:
        company_score = _company_similarity(candidate.company, company) if company else 0.0
        if company_score < 0.85 and _mentions(scanned, candidate.company, plain):
            company_score = max(company_score, 0.85)
        for other in other_companies:
            company_score = max(company_score, 0.75 * _company_similarity(candidate.company, other))
        wanted = _role_tokens(candidate.role_title)
        role_score = 0.0
        if wanted and found_role:
            role_score = 2 * len(wanted & found_role) / (len(wanted) + len(found_role))
        elif wanted:
            role_score = 0.6 * len(wanted & text_tokens) / len(wanted)
        if company_score:
            score = 0.8 * company_score + 0.2 * role_score
        else:
            score = 0.35 * role_score  # a title alone never makes a match
        if score >= MATCH_THRESHOLD:
            matches.append(Match(candidate, round(score, 3)))
    matches.sort(key=lambda m: m.candidate.applied_on or date.min, reverse=True)
    matches.sort(key=lambda m: m.score, reverse=True)
    return matches[:MAX_MATCHES]


# ---------------------------------------------------------------------------------------------
# Reading


def read_message(text: str, candidates: Sequence[Candidate] = ()) -> Reading:
    """Read a pasted email: its kind, company, role, matching applications, reasons and evidence."""
    if not text or not text.strip():
        return Reading("unknown", 0.0, "en", None, None, [], None, [], False, [], None, None)

    layout = _layout(text)
    segments = _limit(layout.segments, _SCAN_LIMIT)
    folded = "\n".join(text[s:e] for s, e in segments).casefold()
    language, language_word = _detect_language(folded or text[:_SCAN_LIMIT].casefold())
    message = _Text(text, _lowered(text), folded)

    kind_hits: dict[str, list[_Hit]] = {}
    scores: dict[str, float] = {}
    for kind in (*KINDS, "unknown"):
        hits = _find(
            _BOOK.kinds[kind],
            message,
            segments,
            conditional=kind in _ASSERTED_KINDS,
            negation=kind in _POSITIVE_KINDS,
        )
        strongest = _strongest_per_phrase(hits)
        kind_hits[kind] = sorted(strongest.values(), key=lambda h: h.start)
        scores[kind] = _noisy_or(h.weight for h in strongest.values())

    best = max(KINDS, key=lambda k: (scores[k], -KINDS.index(k)))
    if best in ("on_hold", "acknowledgement") and any(
        hit.weight >= _CLOSING_WEIGHT for hit in kind_hits["rejection"]
    ):
        # "The role is on hold, so we are not moving forward": a message that closes the
        # application is a rejection whatever else it says (the pause becomes its reason).
        best = "rejection"
    others = max(score for kind, score in scores.items() if kind != best)
    if scores[best] < KIND_THRESHOLD or scores["unknown"] >= scores[best]:
        kind = "unknown"
        confidence = 0.5 + 0.4 * scores["unknown"] - 0.4 * scores[best]
    else:
        kind = best
        confidence = scores[best] * (1 - 0.5 * others)
    confidence = round(min(max(confidence, 0.05), 0.99), 2)

    evidence: list[Evidence] = []
    cited: set[tuple[int, int, str]] = set()

    def cite(start: int, end: int, signal: str) -> None:
        if len(evidence) < _MAX_EVIDENCE and end > start and (start, end, signal) not in cited:
            cited.add((start, end, signal))
            evidence.append(Evidence(text[start:end], signal))

    for hit in kind_hits[kind]:
        if hit.weight >= 0.25:
            cite(hit.start, hit.end, kind)

    reasons: list[str] = []
    stated_reason = None
    if kind in _REASONED_KINDS:
        reason_hits: list[tuple[str, _Hit]] = []
        for key in sorted(REASON_KEYS):
            for hit in _find(
                _BOOK.reasons.get(key, []),
                message,
                segments,
                conditional=True,
                disclaimers=True,
            ):
                if hit.weight >= 0.5:
                    reason_hits.append((key, hit))
        reason_hits.sort(key=lambda pair: pair[1].start)
        for key, hit in reason_hits:
            if key not in reasons:
                reasons.append(key)
            cite(hit.start, hit.end, f"reason:{key}")
        stated_reason = _stated_reason(text, segments, [hit for _, hit in reason_hits])

    feedback_hits = _find(_BOOK.feedback, message, segments, negation=True)
    for hit in sorted(feedback_hits, key=lambda h: h.start)[:2]:
        cite(hit.start, hit.end, "feedback_offered")

    sources = _CompanyFinder(message, layout, language).find()
    chosen = _choose_company(sources)
    if chosen:
        cite(chosen.start, chosen.end, "company")
    role_span = _find_role(message, segments, language)
    role = text[role_span[0] : role_span[1]] if role_span else None
    if role_span:
        cite(role_span[0], role_span[1], "role")
    company = chosen.name if chosen else None
    if company is None:
        scanned = text[:_SCAN_LIMIT]
        plain = _without_accents(scanned) if candidates else ""
        for candidate in candidates:  # the text names one of the user's companies
            span = _mention(scanned, candidate.company, plain)
            if span:
                company = candidate.company
                if len(plain) == len(scanned):  # the span then holds for the text too
                    cite(span[0], span[1], "company")
                break

    interview_at = None
    interview_kind = None
    if kind == "interview_invitation":
        kind_hits_found = _find([phrase for _, phrase in _BOOK.interview_kinds], message, segments)
        if kind_hits_found:
            first = min(kind_hits_found, key=lambda h: h.start)
            interview_kind = next(k for k, p in _BOOK.interview_kinds if p is first.phrase)
            cite(first.start, first.end, f"interview_kind:{interview_kind}")
        slot = _interview_time(text, segments, language)
        if slot:
            interview_at, start, end = slot
            cite(start, end, "interview_at")

    if language_word:
        word = re.search(rf"(?<!\w){re.escape(language_word)}(?!\w)", text, re.IGNORECASE)
        if word:
            cite(word.start(), word.end(), f"language:{language}")

    others_named = [s.name for s in sources if chosen is None or s is not chosen]
    return Reading(
        kind=kind,
        confidence=confidence,
        language=language,
        company=company,
        role_title=role,
        matches=_match_candidates(candidates, text, company, others_named[:10], role),
        stated_reason=stated_reason,
        reasons=reasons,
        feedback_offered=bool(feedback_hits),
        evidence=evidence,
        interview_at=interview_at,
        interview_kind=interview_kind,
    )


def _limit(segments: Sequence[tuple[int, int]], budget: int) -> list[tuple[int, int]]:
    limited = []
    for start, end in segments:
        if budget <= 0:
            break
        end = min(end, start + budget)
        limited.append((start, end))
        budget -= end - start
    return limited


def _stated_reason(text: str, segments: Sequence[tuple[int, int]], hits: list[_Hit]) -> str | None:
    """The sentence(s) that state the reasons, verbatim: one span from the first to the last."""
    if not hits:
        return None
    spans = []
    for hit in hits:
        segment = next((s for s in segments if s[0] <= hit.start < s[1]), None)
        if segment is None:
            continue
        start = _sentence_start(text, segment[0], hit.start)
        end = _sentence_end(text, hit.end, segment[1])
        spans.append((start, max(end, hit.end), segment))
    if not spans:
        return None
    first, last = min(spans), max(spans, key=lambda s: s[1])
    if first[2] == last[2] and last[1] - first[0] <= 600:
        start, end = first[0], last[1]
    else:
        start, end = first[0], first[1]
    return text[start:end].strip() or None
