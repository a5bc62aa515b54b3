"""Read a job posting (a page's HTML, its URL or pasted text) into a draft application.

Nothing is fetched: the reader reads only what it is given. Each field comes from the most
trustworthy place that has it: the page's schema.org `JobPosting` (JSON-LD), then its OpenGraph
tags and canonical link, then its `<title>`, then the applicant-tracking system its URL names,
then the words themselves (pasted text, or the posting's description). `field_sources` names
the place each field came from (a role spelled in a URL's slug, as Workday and SmartRecruiters
do, comes last, after the words). Words read from prose (a "Location:" line, a salary range,
"fully remote") count as `text` wherever the prose was, since they are read, not declared.

Two choices a reader of the drafts should know:
- A salary stated per hour, day, week or month is left out, not annualised: the factor
  (2080 hours? 12 or 14 months?) depends on the country and the contract, and a wrong yearly
  figure is worse than none. A JSON-LD salary without `unitText` is yearly; one in words
  without a period ("per year", "brutto/Jahr", "brut annuel") only from 10,000 up.
- `og:description` is a teaser (a few hundred characters, often cut mid-sentence), so for the
  description only, the page's own text beats it when the page has more to say.

Content never makes the reader raise: what cannot be read is left out, garbage gives an empty
draft, and the work is bounded (libxml2 caps nesting depth, the JSON-LD walk and the text
written are capped).
"""

import html as html_entities
import itertools
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree

from app.shared.company_names import company_key
from app.shared.job_urls import job_url_key

MAX_DESCRIPTION_CHARS = 100_000
_MAX_NAME_CHARS = 200  # company, role title and location, as POST /v1/applications takes them
_MAX_URL_CHARS = 2048
_MAX_SALARY = 100_000_000

# The words the reader knows (labels, work modes, currencies, job titles' words, job boards),
# in the four languages the intake reads: data, kept apart from the code that uses it.
_WORDS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "posting_data" / "words.json").read_text(encoding="utf-8")
)

JSON_LD = "json_ld"
OPEN_GRAPH = "open_graph"
TITLE = "title"
URL = "url"
TEXT = "text"

REMOTE = "remote"
HYBRID = "hybrid"
ONSITE = "onsite"


@dataclass
class PostingDraft:
    company: str | None
    role_title: str | None
    location: str | None
    work_mode: str | None  # onsite | hybrid | remote | None
    job_url: str | None  # as given or declared (canonical if the page declares one)
    salary_min: int | None
    salary_max: int | None
    currency: str | None  # ISO 4217
    job_description: str | None  # readable text, at most MAX_DESCRIPTION_CHARS
    field_sources: dict[str, str]  # field -> json_ld | open_graph | title | url | text


@dataclass(frozen=True)
class _Salary:
    minimum: int | None
    maximum: int | None
    currency: str | None


@dataclass
class _Reading:
    """What one place says about the posting; None where it says nothing."""

    company: str | None = None
    role_title: str | None = None
    location: str | None = None
    work_mode: str | None = None
    job_url: str | None = None
    salary: _Salary | None = None


@dataclass
class _Page:
    root: Any  # the lxml document
    json_ld: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    canonical: str | None = None
    title: str | None = None
    markup: str = ""  # searched for a description's container only when one is needed


@dataclass(frozen=True)
class _AtsReading:
    platform: str | None = None
    company: str | None = None
    role_title: str | None = None  # from a URL slug: the last resort for the role


def read_posting(
    url: str | None = None, html: str | None = None, text: str | None = None
) -> PostingDraft:
    """A draft application from whatever of a posting's URL, HTML and pasted text is given."""
    given_url = _web_url(url)
    if html is None and text is not None and _is_html_document(text):
        html, text = text, None  # a share sheet that hands over the page as text
    page = _read_page(html) if html else None
    pasted = _pasted_text(text) if text else None

    posting = _chosen_posting(page, given_url) if page else None
    structured = _from_json_ld(posting, given_url) if posting else _Reading()
    declared_url = structured.job_url or (_declared_url(page, given_url) if page else None)
    # Pasted text may name the posting's address ("Apply here: https://jobs.lever.co/…").
    pasted_url = _ats_url_in(pasted) if pasted and not given_url and not declared_url else None
    ats_url = given_url or declared_url or pasted_url
    ats = _from_ats_url(ats_url)
    if ats.platform is None and declared_url and declared_url != ats_url:
        ats = _from_ats_url(declared_url)

    site_company = _site_company(page.meta.get("og:site_name")) if page else None
    hint = company_key(structured.company or site_company or ats.company)
    graph = _from_open_graph(page, given_url, hint, ats.platform) if page else _Reading()
    titled = _from_title(page.title, hint, ats.platform) if page and page.title else _Reading()

    structured_description = _description_text(posting.get("description")) if posting else None
    description, description_source = _chosen_description(structured_description, page, pasted)
    prose_text = pasted if pasted is not None else description
    prose = _from_prose(prose_text, first_line_is_title=pasted is not None)
    prose.job_url = pasted_url

    readings = [
        (JSON_LD, structured),
        (OPEN_GRAPH, graph),
        (TITLE, titled),
        (URL, _Reading(company=ats.company, job_url=given_url)),
        (TEXT, prose),
        (URL, _Reading(role_title=ats.role_title)),
    ]
    return _merged(readings, description, description_source)


def _merged(
    readings: list[tuple[str, _Reading]], description: str | None, description_source: str | None
) -> PostingDraft:
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    salary: _Salary | None = None
    salary_source = ""
    for source, reading in readings:
        for name in ("company", "role_title", "location", "work_mode", "job_url"):
            value = getattr(reading, name)
            if value is not None and name not in values:
                values[name] = value
                sources[name] = source
        # A salary is read whole from one place: never one place's minimum with another's currency.
        if salary is None and reading.salary is not None:
            salary, salary_source = reading.salary, source
    if salary is not None:
        for name, value in (
            ("salary_min", salary.minimum),
            ("salary_max", salary.maximum),
            ("currency", salary.currency),
        ):
            if value is not None:
                values[name] = value
                sources[name] = salary_source
    if description is not None and description_source is not None:
        values["job_description"] = description
        sources["job_description"] = description_source
    return PostingDraft(
        company=values.get("company"),
        role_title=values.get("role_title"),
        location=values.get("location"),
        work_mode=values.get("work_mode"),
        job_url=values.get("job_url"),
        salary_min=values.get("salary_min"),
        salary_max=values.get("salary_max"),
        currency=values.get("currency"),
        job_description=values.get("job_description"),
        field_sources=sources,
    )


# ---------------------------------------------------------------------------------------------
# The page

# Any of the tags a page or a posting's markup is made of: without one, it is not HTML.
_MARKUP_TAG = re.compile(
    r"<(?:!doctype|html|head|body|meta|title|script|link|div|p|span|a|h[1-6]|ul|ol|li|br|"
    r"section|article|main|table|strong|b|em|i|img)\b[^<>]*>",
    re.IGNORECASE,
)
_DOCUMENT_START = re.compile(r"\A[\s\ufeff]*<(?:!doctype\s+html|html|head)\b", re.IGNORECASE)


def _is_html_document(text: str) -> bool:
    return bool(_DOCUMENT_START.match(text[:1000]))


def _parse_html(markup: str) -> Any:
    """The lxml document of some markup, or None. Never raises for content."""
    # libxml2 caps nesting at 2048 with huge_tree (256 without, which loses what follows a
    # deep stretch); it resolves no entity and reads nothing from the network either way.
    parser = etree.HTMLParser(
        encoding="utf-8",
        recover=True,
        huge_tree=True,
        no_network=True,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        if any(mark in markup for mark in _MARK_CHARACTERS):
            markup = _MARKS.sub("", markup)  # the marks in the text we write are ours alone
        raw = markup.encode("utf-8", "replace")
        return etree.fromstring(raw, parser)  # noqa: S320
    except (etree.LxmlError, ValueError):
        return None


def _read_page(markup: str) -> _Page | None:
    if not _MARKUP_TAG.search(markup):
        return None
    root = _parse_html(markup)
    if root is None:
        return None
    page = _Page(root=root, markup=markup)
    for element in root.iter("script", "meta", "link", "title"):
        tag = element.tag
        if tag == "script":
            if "ld+json" in (element.get("type") or "").lower() and element.text:
                page.json_ld.append(element.text)
        elif tag == "meta":
            name = (element.get("property") or element.get("name") or "").strip().lower()
            content = element.get("content")
            if name and content and name not in page.meta:
                page.meta[name] = content
        elif tag == "link":
            if "canonical" in (element.get("rel") or "").lower().split():
                page.canonical = page.canonical or element.get("href")
        elif page.title is None and not any(a.tag == "svg" for a in element.iterancestors()):
            page.title = "".join(element.itertext())
    return page


def _declared_url(page: _Page, base: str | None) -> str | None:
    return _web_url(page.canonical, base) or _web_url(page.meta.get("og:url"), base)


def _web_url(value: Any, base: str | None = None) -> str | None:
    """An absolute http(s) URL as POST /v1/applications takes it, or None."""
    if not isinstance(value, str):
        return None
    candidate = value.strip()
    if not candidate.isprintable() or any(char.isspace() for char in candidate):
        return None  # urlsplit would quietly drop leading control characters
    if candidate.startswith("//"):
        candidate = "https:" + candidate
    elif base and not re.match(r"^[a-z][a-z0-9+.-]*:", candidate, re.IGNORECASE):
        candidate = urljoin(base, candidate)
    elif re.match(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:[/?#]|$)", candidate, re.IGNORECASE):
        candidate = "https://" + candidate  # "boards.greenhouse.io/acme/jobs/1", typed as is
    try:
        parts = urlsplit(candidate)
        host = parts.hostname
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host or not candidate.isascii():
        return None
    candidate = scheme + candidate[len(scheme) :]  # "HTTPS://…" as the API takes it
    return candidate if len(candidate) <= _MAX_URL_CHARS else None


# ---------------------------------------------------------------------------------------------
# schema.org JobPosting in JSON-LD

_MAX_JSON_NODES = 20_000  # a page's JSON-LD is walked this far at most
_COMMENT_WRAPPER = re.compile(r"^\s*(?://\s*)?(?:<!--|<!\[CDATA\[)|(?://\s*)?(?:-->|\]\]>)\s*$")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def _loaded_json(raw: str) -> Any:
    """The JSON of one script, or None: a malformed script never stops the others."""
    source = _COMMENT_WRAPPER.sub("", raw).strip()
    if not source:
        return None
    for candidate in (source, _TRAILING_COMMA.sub(r"\1", source)):
        try:
            return json.loads(candidate, strict=False)  # strict=False: raw newlines in strings
        except (ValueError, RecursionError):
            continue
    return None


def _is_job_posting(node: dict[str, Any]) -> bool:
    kinds = node.get("@type")
    for kind in kinds if isinstance(kinds, list) else [kinds]:
        if isinstance(kind, str) and re.split(r"[/:#]", kind)[-1] == "JobPosting":
            return True
    return False


def _job_postings(scripts: list[str]) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Every JobPosting in the scripts (in a list, a @graph or nested anywhere), and every node
    with an @id, for the references (`"hiringOrganization": {"@id": "#org"}`) a @graph uses."""
    postings: list[dict[str, Any]] = []
    nodes_by_id: dict[str, dict[str, Any]] = {}
    visited = 0
    for raw in scripts:
        stack: list[Any] = [_loaded_json(raw)]
        while stack and visited < _MAX_JSON_NODES:
            node = stack.pop()
            visited += 1
            if isinstance(node, list):
                stack.extend(reversed(node))
            elif isinstance(node, dict):
                node_id = node.get("@id")
                if isinstance(node_id, str) and len(node) > 1:
                    nodes_by_id.setdefault(node_id, node)
                if _is_job_posting(node):
                    postings.append(node)
                stack.extend(reversed(list(node.values())))
    return postings, nodes_by_id


def _chosen_posting(page: _Page, given_url: str | None) -> dict[str, Any] | None:
    postings, nodes_by_id = _job_postings(page.json_ld)
    postings = [_resolved_posting(posting, nodes_by_id) for posting in postings]
    if not postings:
        return None
    # A page of one posting may list others ("similar jobs"): the one at the given URL first.
    given_key = job_url_key(given_url)
    for posting in postings:
        if given_key and job_url_key(_web_url(_first_text(posting.get("url")))) == given_key:
            return posting
    return next((p for p in postings if _first_text(p.get("title"))), postings[0])


def _resolved_posting(
    posting: dict[str, Any], nodes_by_id: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """The posting with its references to other @graph nodes replaced by those nodes."""

    def resolve(value: Any, depth: int = 0) -> Any:
        if depth > 3:
            return value
        if isinstance(value, list):
            return [resolve(item, depth + 1) for item in value[:50]]
        if isinstance(value, dict):
            node_id = value.get("@id")
            if isinstance(node_id, str) and len(value) == 1 and node_id in nodes_by_id:
                value = nodes_by_id[node_id]
            return {key: resolve(item, depth + 1) for key, item in value.items()}
        return value

    keys = ("hiringOrganization", "jobLocation", "applicantLocationRequirements", "baseSalary")
    return {key: resolve(value) if key in keys else value for key, value in posting.items()}


def _first_text(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str | dict)), None)
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    return value if isinstance(value, str) else None


def _from_json_ld(posting: dict[str, Any], base: str | None) -> _Reading:
    role = _name(_first_text(posting.get("title")) or _first_text(posting.get("name")))
    location = _job_location(posting.get("jobLocation")) or _places(
        posting.get("applicantLocationRequirements")
    )
    mode = _mode_of_location_type(posting.get("jobLocationType"))
    return _Reading(
        company=_organization_name(posting.get("hiringOrganization")),
        role_title=role,
        location=location,
        work_mode=mode or _mode_in_title(role) or _mode_in_location(location),
        job_url=_web_url(_first_text(posting.get("url")), base),
        salary=_json_ld_salary(posting),
    )


def _organization_name(value: Any) -> str | None:
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            return _name(item)
        if isinstance(item, dict):
            name = _first_text(item.get("name")) or _first_text(item.get("legalName"))
            if name and _name(name):
                return _name(name)
    return None


def _address_text(address: Any) -> str | None:
    if isinstance(address, str):
        return _inline(address)
    if not isinstance(address, dict):
        return None
    parts: list[str] = []
    for key in ("addressLocality", "addressRegion", "addressCountry"):
        part = _inline(_first_text(address.get(key)) or "")
        if part and part.casefold() not in (known.casefold() for known in parts):
            parts.append(part)
    return ", ".join(parts) or _inline(_first_text(address.get("name")) or "")


def _job_location(value: Any) -> str | None:
    places: list[str] = []
    for place in value if isinstance(value, list) else [value]:
        if isinstance(place, str):
            text = _inline(place)
        elif isinstance(place, dict):
            addresses = place.get("address")
            text = None
            for address in addresses if isinstance(addresses, list) else [addresses]:
                text = text or _address_text(address)
            text = text or _inline(_first_text(place.get("name")) or "")
        else:
            text = None
        if text:
            places.append(text)
    return _joined_places(places)


def _places(value: Any) -> str | None:
    names = [
        _inline(_first_text(item) or "")
        for item in (value if isinstance(value, list) else [value])
        if isinstance(item, str | dict)
    ]
    return _joined_places([name for name in names if name])


def _joined_places(places: list[str]) -> str | None:
    """Distinct places, "; " between them, as many whole ones as 200 characters hold."""
    kept: list[str] = []
    for place in places:
        if place.casefold() in (known.casefold() for known in kept):
            continue
        if len("; ".join([*kept, place])) > _MAX_NAME_CHARS:
            break
        kept.append(place)
    return "; ".join(kept) or None


def _mode_of_location_type(value: Any) -> str | None:
    for item in value if isinstance(value, list) else [value]:
        kind = item.strip().upper().replace("-", "_") if isinstance(item, str) else ""
        if kind == "TELECOMMUTE":
            return REMOTE
        if kind == "HYBRID":
            return HYBRID
        if kind in ("ONSITE", "ON_SITE", "IN_OFFICE"):
            return ONSITE
    return None


_YEARLY_UNITS = frozenset(
    {"year", "yearly", "annual", "annually", "per year", "per_year", "peryear", "yr", "p1y", "y"}
)


def _json_ld_salary(posting: dict[str, Any]) -> _Salary | None:
    fallback_currency = _currency_code(_first_text(posting.get("salaryCurrency")))
    amounts = posting.get("baseSalary")
    for amount in amounts if isinstance(amounts, list) else [amounts]:
        salary = _monetary_amount(amount, fallback_currency)
        if salary is not None:
            return salary
    return None


def _monetary_amount(amount: Any, fallback_currency: str | None) -> _Salary | None:
    if isinstance(amount, str):
        found = _salary_in_text(amount, stated=True)
        if found and found.currency is None and fallback_currency:
            return _Salary(found.minimum, found.maximum, fallback_currency)
        return found
    if not isinstance(amount, dict):
        return _salary_of(None, None, fallback_currency, single=_amount_value(amount))
    currency = _currency_code(_first_text(amount.get("currency"))) or fallback_currency
    value = amount.get("value")
    unit = amount.get("unitText")
    if isinstance(value, dict):  # a QuantitativeValue
        unit = value.get("unitText") or unit
        low, high, single = value.get("minValue"), value.get("maxValue"), value.get("value")
    else:
        low, high, single = amount.get("minValue"), amount.get("maxValue"), value
    unit_text = _first_text(unit)
    if unit_text and unit_text.strip().casefold() not in _YEARLY_UNITS:
        return None  # hourly, daily, weekly or monthly: see the module's docstring
    return _salary_of(_amount_value(low), _amount_value(high), currency, _amount_value(single))


def _amount_value(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) and value > 0 else None
    if isinstance(value, str):
        match = _AMOUNT.fullmatch(value.strip())
        if match:
            number = _number(match.group("number"))
            if number is not None and match.group("thousand"):
                number *= 1000
            return number
    return None


def _salary_of(
    low: float | None, high: float | None, currency: str | None, single: float | None = None
) -> _Salary | None:
    """A yearly salary from its bounds; None when nothing plausible is left."""
    if low is None and high is None:
        low = high = single
    bounds = [
        round(value) if value is not None and 1000 <= value <= _MAX_SALARY else None
        for value in (low, high)
    ]
    minimum, maximum = bounds
    if minimum is None and maximum is None:
        return None
    if minimum is not None and maximum is not None and minimum > maximum:
        minimum, maximum = maximum, minimum
    return _Salary(minimum, maximum, currency)


# ---------------------------------------------------------------------------------------------
# OpenGraph, the canonical link and the page title

# Job boards, applicant-tracking systems and words that name no employer in a title.
_NOT_EMPLOYERS = frozenset(_WORDS["not_employers"])
_COMPANY_FIRST_PLATFORMS = frozenset({"lever"})
_MAX_TITLE_CHARS = 300  # longer is no title, and not worth splitting
_TITLE_SEPARATOR = re.compile(r"\s*[|·•]\s*|\s+[-–—]\s+|\s*[–—]\s*|\s+//\s+|\s+::\s+")
_CAREERS_AT = re.compile(
    r"^(?:careers?|jobs?|karriere|working|work|life|stellenangebote|emplois?|carri[eè]res?|"
    r"empleos?|trabaja)\s+(?:at|bei|chez|en|with|@)\s+(?P<name>.+)$",
    re.IGNORECASE,
)
_NAME_CAREERS = re.compile(
    r"^(?P<name>.+?)\s+(?:careers?|jobs|karriere|stellenangebote|job board|career site|"
    r"carri[eè]res|empleos)$",
    re.IGNORECASE,
)
_APPLICATION_FOR = re.compile(r"^job application for (?P<role>.+?) at (?P<company>.+)$", re.I)
_HIRING = re.compile(
    r"^(?P<company>.+?) (?:is )?hiring (?:an? )?(?P<role>.+?)(?: in (?P<location>.+))?$", re.I
)
_ROLE_AT = re.compile(r"^(?P<role>.+)\s+(?:at|bei|chez|@)\s+(?P<company>.+)$", re.IGNORECASE)


def _platform_word(segment: str) -> str:
    word = segment.strip().casefold().removeprefix("www.")
    word = re.sub(r"\.(?:com|de|co\.uk|io|fr|es|ch|at|co|net|org|jobs)$", "", word)
    return re.sub(r"[\s']+", "-", word)


def _is_not_employer(segment: str) -> bool:
    return _platform_word(segment) in _NOT_EMPLOYERS


def _company_named_in(segment: str) -> str | None:
    """ "Careers at Acme" and "Acme Careers" name Acme."""
    match = _CAREERS_AT.match(segment) or _NAME_CAREERS.match(segment)
    return _name(match.group("name")) if match else None


def _site_company(site_name: str | None) -> str | None:
    name = _inline(site_name or "")
    if not name or _is_not_employer(name):
        return None
    return _company_named_in(name) or _name(name)


def _same_company(segment: str, hint: str | None) -> bool:
    key = company_key(segment)
    if not key or not hint:
        return False
    if key == hint:
        return True
    # "Acme Labs" is Acme; "Graph Engineer" is not Graph Co (whose key is "graph").
    prefixed = key.startswith(hint + "-") or hint.startswith(key + "-")
    return prefixed and not _looks_like_role(segment)


@dataclass(frozen=True)
class _TitleParts:
    role_title: str | None = None
    company: str | None = None
    location: str | None = None


def _split_title(title: str, hint: str | None, platform: str | None) -> _TitleParts:
    """A page or OpenGraph title's role, company and (rarely) location.

    "Senior Engineer - Acme | Greenhouse", "Job Application for X at Acme", "Acme - Senior
    Engineer - Lever", "X | Acme | Workday", "Acme hiring X in Berlin | LinkedIn". Which side
    is the employer: the one the hint (a company named elsewhere) names, else the platform's
    habit, else the side that does not read like a job title, else the last one.
    """
    text = _inline(title)
    if not text or len(text) > _MAX_TITLE_CHARS:
        return _TitleParts()
    match = _APPLICATION_FOR.match(text)
    if match:
        employer = _TITLE_SEPARATOR.split(match.group("company"))[0]
        return _TitleParts(_name(match.group("role")), _name(employer))
    company: str | None = None
    company_first = platform in _COMPANY_FIRST_PLATFORMS
    kept: list[str] = []
    for segment in _TITLE_SEPARATOR.split(text):
        if not segment.strip():
            continue
        if _is_not_employer(segment):
            company_first = company_first or _platform_word(segment) in _COMPANY_FIRST_PLATFORMS
            continue
        if _mode_of_word(segment):
            continue  # "Engineer – Remote": a work mode, read by _mode_in_title
        named = _company_named_in(segment)
        if named:
            company = company or named
            continue
        kept.append(segment.strip())
    if not kept:
        return _TitleParts(company=company)
    if len(kept) == 1:
        only = kept[0]
        hiring = _HIRING.match(only)
        if hiring and not company:
            return _TitleParts(
                _name(hiring.group("role")),
                _name(hiring.group("company")),
                _name(hiring.group("location") or ""),
            )
        at = _ROLE_AT.match(only)
        if at and not company and _looks_like_role(at.group("role")):
            return _TitleParts(_name(at.group("role")), _name(at.group("company")))
        if _same_company(only, hint):
            return _TitleParts(company=company or _name(only))
        return _TitleParts(role_title=_name(only), company=company)
    matching = [index for index, segment in enumerate(kept) if _same_company(segment, hint)]
    if matching:
        index = matching[0]
    elif company:
        return _TitleParts(_name(" - ".join(kept)), company)
    elif company_first:
        index = 0
    elif _looks_like_role(kept[-1]) and not _looks_like_role(kept[0]):
        index = 0
    else:
        index = len(kept) - 1
    role = " - ".join(segment for position, segment in enumerate(kept) if position != index)
    return _TitleParts(_name(role), company or _name(kept[index]))


def _from_open_graph(
    page: _Page, base: str | None, hint: str | None, platform: str | None
) -> _Reading:
    title = page.meta.get("og:title")
    # A lone og:title is the role unless it names the employer: job pages title it so.
    parts = _split_title(title, hint, platform) if title else _TitleParts()
    company = _site_company(page.meta.get("og:site_name")) or parts.company
    return _Reading(
        company=company,
        role_title=parts.role_title,
        location=parts.location,
        work_mode=_mode_in_title(title) or _mode_in_location(parts.location),
        job_url=_declared_url(page, base),
    )


def _from_title(title: str, hint: str | None, platform: str | None) -> _Reading:
    parts = _split_title(title, hint, platform)
    role = parts.role_title
    # A lone <title> must read like a role: a careers page is often titled with a company.
    if role and not parts.company and not _looks_like_role(role):
        role = None
    return _Reading(
        company=parts.company,
        role_title=role,
        location=parts.location,
        work_mode=_mode_in_title(title) or _mode_in_location(parts.location),
    )


# ---------------------------------------------------------------------------------------------
# Applicant-tracking systems' URLs

_ATS_URLS = (
    (
        "greenhouse",
        r"(?:job-)?boards(?:\.eu)?\.greenhouse\.io/"
        r"embed/job_app\?(?:.*&)?for=(?P<company>[^&]+)",
    ),
    ("greenhouse", r"(?:job-)?boards(?:\.eu)?\.greenhouse\.io/(?!embed(?:/|$))(?P<company>[^/?]+)"),
    ("lever", r"jobs(?:\.eu)?\.lever\.co/(?P<company>[^/?]+)"),
    (
        "workday",
        r"(?P<company>[a-z0-9-]+)\.wd\d+\.myworkdayjobs\.com/"
        r"(?:[^?]*/)?job/[^/?]+/(?P<role>[^/?]+?)_[^/?_]+(?:[/?].*)?",
    ),
    ("workday", r"(?P<company>[a-z0-9-]+)\.wd\d+\.myworkdayjobs\.com(?:[/?].*)?"),
    ("workday", r"wd\d+\.myworkdaysite\.com/(?:[^/?]+/)?recruiting/(?P<company>[^/?]+)"),
    ("ashby", r"jobs\.ashbyhq\.com/(?P<company>[^/?]+)"),
    (
        "smartrecruiters",
        r"(?:jobs|careers)\.smartrecruiters\.com/"
        r"(?P<company>[^/?]+)(?:/\d+-(?P<role>[^/?]+))?",
    ),
    ("recruitee", r"(?P<company>[a-z0-9-]+)\.recruitee\.com(?:/o/(?P<role>[^/?]+))?"),
    ("personio", r"(?P<company>[a-z0-9-]+)\.jobs\.personio\.(?:de|com)(?:[/?].*)?"),
    ("workable", r"apply\.workable\.com/(?P<company>[^/?]+)"),
    ("teamtailor", r"(?P<company>[a-z0-9-]+)\.teamtailor\.com(?:/jobs/\d+-(?P<role>[^/?]+))?"),
)
_ATS_PATTERNS = tuple((platform, re.compile(pattern)) for platform, pattern in _ATS_URLS)
_NOT_COMPANY_SLUGS = frozenset({"www", "api", "app", "jobs", "careers", "embed", "o", "j"})
_ATS_URL_IN_TEXT = re.compile(
    r"https?://[^\s<>\"')\]]*(?:greenhouse\.io|lever\.co|myworkdayjobs\.com|myworkdaysite\.com|"
    r"ashbyhq\.com|smartrecruiters\.com|recruitee\.com|personio\.(?:de|com)|workable\.com|"
    r"teamtailor\.com)[^\s<>\"')\]]*",
    re.IGNORECASE,
)


def _from_ats_url(url: str | None) -> _AtsReading:
    """The employer (and for some, the role) an applicant-tracking system's URL names."""
    key = job_url_key(url)  # host in lower case without www., tracking parameters dropped
    if not key:
        return _AtsReading()
    for platform, pattern in _ATS_PATTERNS:
        match = pattern.match(key)
        if not match:
            continue
        slug = unquote(match.group("company"))
        if slug.casefold() in _NOT_COMPANY_SLUGS:
            continue
        role = match.groupdict().get("role")
        return _AtsReading(
            platform=platform,
            company=_name_from_slug(slug),
            role_title=_role_from_slug(unquote(role)) if role else None,
        )
    return _AtsReading()


def _ats_url_in(text: str) -> str | None:
    match = _ATS_URL_IN_TEXT.search(text[:MAX_DESCRIPTION_CHARS])
    return _web_url(match.group(0).rstrip(".,;:")) if match else None


# Words a slug spells in lower case that a name writes otherwise.
_SLUG_WORDS: dict[str, str] = _WORDS["slug_words"]
_SLUG_GENDER = re.compile(r"(?:^|[-_ ])(?:[mwfdhx](?:[-_][mwfdhx]){1,2}|all[-_]genders)[-_ ]*$")


def _name_from_slug(slug: str) -> str | None:
    """ "acme-corp" → "Acme Corp"; a slug that already has capitals ("AcmeCorp") is kept, and
    Workday's "---" is the " - " of "Scientist - Virology"."""
    if "---" in slug:
        parts = [_name_from_slug(part) for part in slug.split("---")]
        return _name(" - ".join(part for part in parts if part))
    words = re.sub(r"[-_+.]+", " ", slug).split()
    if not words:
        return None
    if any(char.isupper() for char in slug):
        return _name(" ".join(words))
    spelled = [_SLUG_WORDS.get(word, word.capitalize()) for word in words]
    if spelled[0].islower():  # "and", "de": small words, but not first
        spelled[0] = spelled[0].capitalize()
    return _name(" ".join(spelled))


def _role_from_slug(slug: str) -> str | None:
    return _name_from_slug(_SLUG_GENDER.sub("", slug.strip("-_ ")))


# ---------------------------------------------------------------------------------------------
# Words: pasted text and a posting's description

_ROLE_WORDS = re.compile(
    r"\b(?:" + "|".join(map(re.escape, _WORDS["role_words"])) + r")(?:s|in|innen|e|es|a)?\b",
    re.IGNORECASE,
)
_GENDER_MARK = re.compile(
    r"\((?:[mwfdhxi*]\s*/\s*){1,3}[mwfdhxi*]\)|\(all genders\)|\(gn\)", re.IGNORECASE
)


def _looks_like_role(text: str) -> bool:
    return bool(_ROLE_WORDS.search(text) or _GENDER_MARK.search(text))


_EMPLOYMENT_TYPES = frozenset(_WORDS["employment_types"])
_LABELS = {label: kind for kind, labels in _WORDS["labels"].items() for label in labels}
_LABEL_LINE = re.compile(r"^(?P<label>[^:：]{2,40}?)\s*[:：]\s*(?P<value>\S.*)$")
_LINE_MARKUP = re.compile(r"^\s*(?:[-*•#>]+\s+|#+)?|\*\*|__")


def _plain_line(line: str) -> str:
    """A line without its list bullet, heading marks or bold markers."""
    return _LINE_MARKUP.sub("", line).strip()


def _from_prose(text: str | None, first_line_is_title: bool) -> _Reading:
    """Fields written in words: labelled lines, a salary, the work mode, and for pasted text
    the first line when it reads like a job title ("Senior Engineer at Acme")."""
    if not text:
        return _Reading()
    text = text[:MAX_DESCRIPTION_CHARS]
    plain = (_plain_line(line) for line in text.splitlines() if line.strip())
    lines = [line for line in itertools.islice(plain, 400) if line]
    labelled: dict[str, str] = {}
    for line in lines:
        match = _LABEL_LINE.match(line)
        if match:
            kind = _LABELS.get(match.group("label").strip(" *_").casefold())
            if kind and kind not in labelled:
                labelled[kind] = match.group("value").strip(" *_")
    reading = _Reading(
        company=_name(labelled.get("company", "")),
        role_title=_name(labelled.get("role", "")),
        location=_name(labelled.get("location", "")),
        work_mode=_mode_in_label(labelled.get("work_mode", "")),
        salary=_salary_in_text(text),
    )
    if first_line_is_title and lines:
        _read_title_lines(lines, reading)
    reading.work_mode = (
        reading.work_mode
        or _mode_in_location(reading.location)
        or next((mode for line in lines[:12] if (mode := _mode_alone(line))), None)
        or _mode_in_prose(text)
    )
    return reading


def _read_title_lines(lines: list[str], reading: _Reading) -> None:
    """The first line of pasted text as its title, and a LinkedIn-like "Acme · Berlin" after."""
    first = lines[0]
    if len(first) > 120 or len(first.split()) > 14 or first[-1] in ".!?;,:":
        return
    at = _ROLE_AT.match(first)
    if at and _looks_like_role(at.group("role")):
        reading.role_title = reading.role_title or _name(at.group("role"))
        reading.company = reading.company or _name(at.group("company"))
    elif _looks_like_role(first):
        reading.role_title = reading.role_title or _name(first)
    else:
        return
    reading.work_mode = reading.work_mode or _mode_in_title(first)
    if len(lines) > 1 and " · " in lines[1] and not _LABEL_LINE.match(lines[1]):
        parts = [part.strip() for part in lines[1].split(" · ")]
        if _mode_alone(parts[0]) or parts[0].casefold() in _EMPLOYMENT_TYPES:
            return  # "Hybrid · Full-time": no company on this line
        reading.company = reading.company or _name(parts[0])
        if len(parts) > 1 and not re.search(r"\d", parts[1]) and not _mode_alone(parts[1]):
            reading.location = reading.location or _name(parts[1])


def _pasted_text(text: str) -> str | None:
    """The pasted text as the description: itself, without control characters, capped."""
    cleaned = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not cleaned or not _looks_like_prose(cleaned):
        return None
    return cleaned[:MAX_DESCRIPTION_CHARS].rstrip()


def _looks_like_prose(text: str) -> bool:
    """Words of some language, not binary noise or one endless token."""
    sample = text[:5000]
    words = sample.split()
    visible = sum(map(len, words))
    if not words or visible / len(words) > 25:
        return False
    alphanumeric = sum(map(str.isalnum, sample))
    odd = len(_ODD_CHARACTERS.findall(sample))
    return alphanumeric >= 0.6 * visible and odd <= 0.02 * len(sample)


# Controls, replacement characters and private use: what a page of words does not hold.
_ODD_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff]")


# ---------------------------------------------------------------------------------------------
# Work mode

_MODE_WORDS = {word: mode for mode, words in _WORDS["work_modes"].items() for word in words}
_MODE_SEGMENTS = re.compile(r"[()\[\]|,/·•–—:;]|\s-\s|\s{2,}")
_REMOTE_REGION = re.compile(r"^(?:fully\s+|100\s?%\s+)?remote\s+[A-Z]{2,4}$", re.IGNORECASE)


def _mode_of_word(segment: str) -> str | None:
    word = " ".join(segment.split()).casefold()
    if word in _MODE_WORDS:
        return _MODE_WORDS[word]
    if _REMOTE_REGION.match(segment.strip()) and segment.strip()[-2:].isupper():
        return REMOTE  # "Remote US", "Remote EMEA"; not "Remote Sensing"
    return None


def _mode_in_title(title: str | None) -> str | None:
    """A work mode that stands alone in a title: "Engineer (Remote)", "Engineer - Hybrid"."""
    if not title:
        return None
    modes = {mode for part in _MODE_SEGMENTS.split(title) if (mode := _mode_of_word(part))}
    return modes.pop() if len(modes) == 1 else None


def _mode_alone(line: str) -> str | None:
    """A short line that is a work mode ("Hybrid", "Remote · Full-time")."""
    return _mode_in_title(line) if len(line) <= 40 else None


_LOCATION_MODES = (
    (
        REMOTE,
        re.compile(r"\bremote\b|\bhome\s?office\b|télétravail|\bremoto\b|\bteletrabajo\b", re.I),
    ),
    (HYBRID, re.compile(r"\bhybrid|\bhybride\b|\bhíbrido\b", re.I)),
    (ONSITE, re.compile(r"\bon-?site\b|\bin-office\b|\bpresencial\b|présentiel", re.I)),
)


def _mode_in_location(location: str | None) -> str | None:
    """A location is about the job: "Remote - Europe", "Berlin (Hybrid)"."""
    if not location:
        return None
    modes = {mode for mode, pattern in _LOCATION_MODES if pattern.search(location)}
    return modes.pop() if len(modes) == 1 else None


_PARTIAL = re.compile(
    r"hybrid|hybride|híbrido|teilweise|partiel|parcial|\b\d\s*(?:days?|tage?n?|jours?|días?)\b",
    re.IGNORECASE,
)
_YES = re.compile(r"^(?:yes|ja|oui|sí|si|possible|möglich)\b", re.IGNORECASE)


def _mode_in_label(value: str) -> str | None:
    """The mode a "Work mode:" line's value states."""
    if not value:
        return None
    if _PARTIAL.search(value):
        return HYBRID
    if _YES.match(value):
        return REMOTE
    return _mode_in_location(value) or _mode_in_title(value)


# Phrases that state a work mode in running text. "remote" alone is not one: descriptions
# speak of remote teams, remote sensing and remote support.
_PROSE_MODES = (
    (
        REMOTE,
        (
            r"\b(?:fully|100\s?%|completely|entirely|full)[\s-]remote\b",
            r"\b(?:this|the)\s+(?:role|position|job)\s+is\s+(?:a\s+)?(?:fully\s+)?remote\b",
            r"\bremote[\s-](?:first|only)\b",
            r"\bwork\s+from\s+anywhere\b",
            r"\b100\s?%\s*(?:home\s?office|télétravail|remoto|teletrabajo)",
            r"\b(?:vollständig|komplett|voll)\s+(?:remote|im\s+homeoffice)\b",
            r"\btélétravail\s+(?:complet|total|intégral|à\s+100\s?%)",
            r"\b(?:totalmente|completamente)\s+(?:en\s+)?remoto\b",
            r"\btrabajo\s+(?:en\s+)?remoto\b",
        ),
    ),
    (
        HYBRID,
        (
            r"\bhybrid(?:e|es|er)?[\s-](?:role|position|job|work|working|model|setup|schedule|arrangement|policy|arbeiten|arbeitsmodell|modell|remote)\b",
            r"\bhybrides\s+arbeiten\b",
            r"\b(?:this|the)\s+(?:role|position|job)\s+is\s+(?:a\s+)?hybrid\b",
            r"\b(?:[1-4]|one|two|three|four|zwei|drei|vier|deux|trois|quatre|dos|tres|cuatro)\s+(?:days?|tage?n?|jours?|días?)\s+(?:(?:per|a|pro|par|por|in\s+der)\s+(?:week|woche|semaine|semana)\s+)?(?:in|im|at|au|en|vor\s+ort\s+im)\s+(?:the\s+|our\s+|dem\s+|unserem\s+|le\s+|la\s+)?(?:office|büro|bureau|oficina)\b",
            r"\btélétravail\s+(?:partiel|hybride)",
            r"\b(?:modelo|trabajo|modalidad)\s+h[ií]brid[oa]\b",
        ),
    ),
    (
        ONSITE,
        (
            r"\b(?:this|the)\s+(?:role|position|job)\s+is\s+(?:fully\s+|100\s?%\s+)?(?:on[\s-]?site|in[\s-]office|office[\s-]based)\b",
            r"\b(?:fully|100\s?%)\s+(?:on[\s-]?site|in[\s-]office)\b",
            r"\b(?:on[\s-]?site|in[\s-]office)\s+(?:role|position|job)\b",
            r"\b100\s?%\s+(?:présentiel|presencial)\b",
            r"\bposte\s+en\s+présentiel\b",
            r"\btrabajo\s+presencial\b",
        ),
    ),
)
_PROSE_MODE_PATTERNS = tuple(
    (mode, re.compile("|".join(phrases), re.I)) for mode, phrases in _PROSE_MODES
)
_ROLE_IS = re.compile(r"\b(?:this|the)\s+(?:role|position|job)\s+is\s+(?P<rest>.{0,40})", re.I)


# Words without which no phrase above matches: only the lines holding one are searched
# (substring tests are far cheaper than the phrases' regexes on a long description).
_PROSE_MODE_WORDS = tuple(_WORDS["prose_mode_words"])


def _mode_in_prose(text: str) -> str | None:
    """The one work mode the text's phrases state; when they disagree (a remote-first
    company offering a hybrid role), the one "this role is …" names, else none."""
    lowered = text[:MAX_DESCRIPTION_CHARS].casefold()
    if not any(word in lowered for word in _PROSE_MODE_WORDS):
        return None
    sample = "\n".join(
        line for line in lowered.splitlines() if any(word in line for word in _PROSE_MODE_WORDS)
    )
    modes = {mode for mode, pattern in _PROSE_MODE_PATTERNS if pattern.search(sample)}
    if len(modes) == 1:
        return modes.pop()
    if modes:
        for match in _ROLE_IS.finditer(sample):
            stated = {mode for mode, pattern in _PROSE_MODE_PATTERNS if pattern.search(match[0])}
            stated = stated or {m for m in [_mode_in_location(match["rest"])] if m}
            if len(stated) == 1:
                return stated.pop()
    return None


# ---------------------------------------------------------------------------------------------
# Salary in words: "€80,000 – €95,000", "$120k-$150k", "80.000–95.000 EUR", "£50,000 per year"

_CURRENCY_SIGNS: dict[str, str] = _WORDS["currency_signs"]
_CURRENCY_WORDS: dict[str, str] = _WORDS["currency_words"]
_CURRENCY_CODES = frozenset(_WORDS["currency_codes"])
_CURRENCY = (
    "|".join(re.escape(sign) for sign in sorted(_CURRENCY_SIGNS, key=len, reverse=True))
    + r"|(?<![A-Za-z])(?:"
    + "|".join(sorted(_CURRENCY_CODES))
    + r")(?![A-Za-z])|(?i:\b(?:"
    + "|".join(_CURRENCY_WORDS)
    + r")\b)"
)
# 80,000 · 80.000 · 80 000 · 120'000 · 80.000,00 · 1,234.56 · 95000 · 120.5
_NUMBER_TEXT = r"\d{1,3}(?:[.,\u00a0\u202f '’]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_AMOUNT = re.compile(
    rf"(?<![\w.,])(?:(?P<before>{_CURRENCY})\s?)?(?P<number>{_NUMBER_TEXT})(?!\d)"
    rf"(?:\s?(?P<thousand>[kK](?![a-zA-Z])|Tsd\.?|T(?=€|EUR)))?"
    rf"(?:\s?(?P<after>{_CURRENCY}))?"
)
_RANGE_BETWEEN = re.compile(r"\s*(?:-|–|—|~|to|bis|à|a|et|and|und|y)\s*", re.IGNORECASE)
_GROUPED = re.compile(r"(\d{1,3})((?:[.,\u00a0\u202f '’]\d{3})+)(?:[.,](\d{1,2}))?")
_PERIODS = (
    (
        "hour",
        (
            r"per hour",
            r"an hour",
            r"hourly",
            r"/\s?(?:hour|hr|h)\b",
            r"\bp/?h\b",
            r"pro stunde",
            r"stundenlohn",
            r"stundensatz",
            r"/\s?std\b",
            r"de l'heure",
            r"par heure",
            r"/\s?heure",
            r"horaire",
            r"por hora",
            r"/\s?hora",
            r"la hora",
        ),
    ),
    (
        "day",
        (
            r"per day",
            r"a day\b",
            r"daily",
            r"day rate",
            r"/\s?(?:day|d)\b",
            r"pro tag",
            r"tagessatz",
            r"/\s?tag\b",
            r"par jour",
            r"/\s?jour",
            r"\btjm\b",
            r"por d[ií]a",
            r"/\s?d[ií]a",
        ),
    ),
    (
        "week",
        (
            r"per week",
            r"a week\b",
            r"weekly",
            r"/\s?(?:week|wk)\b",
            r"pro woche",
            r"/\s?woche",
            r"par semaine",
            r"/\s?semaine",
            r"por semana",
            r"/\s?semana",
        ),
    ),
    (
        "month",
        (
            r"per month",
            r"a month\b",
            r"monthly",
            r"/\s?(?:month|mo|mth)\b",
            r"pro monat",
            r"monatlich",
            r"/\s?monat",
            r"im monat",
            r"monatsgehalt",
            r"par mois",
            r"/\s?mois",
            r"mensuel",
            r"al mes",
            r"por mes",
            r"/\s?mes\b",
            r"mensual",
        ),
    ),
    (
        "year",
        (
            r"per year",
            r"a year\b",
            r"per annum",
            r"\bp\.?\s?a\.?(?!\w)",
            r"annual",
            r"annually",
            r"yearly",
            r"/\s?(?:year|yr|y|annum)\b",
            r"pro jahr",
            r"/\s?jahr",
            r"im jahr",
            r"jährlich",
            r"jahres",
            r"par an\b",
            r"/\s?an\b",
            r"annuel",
            r"al año",
            r"por año",
            r"/\s?año",
            r"anual",
            r"\bote\b",
        ),
    ),
)
_PERIOD_PATTERNS = tuple((period, re.compile("|".join(words), re.I)) for period, words in _PERIODS)
_SALARY_WORDS = re.compile(
    r"\b(?:" + "|".join(map(re.escape, _WORDS["salary_words"])) + r")\b", re.IGNORECASE
)
# Cheap first tests: a currency's sign or a code-like word, and the stems of _SALARY_WORDS.
# (Substring tests: a regex alternation costs more on a long page than all the rest.)
_MONEY_SIGNS = ("$", "€", "£", "¥", "₹", "₩", "₪", "₺", "zł", "Fr.", "uro", "ounds", "ranken")
_CODE_LIKE = re.compile(r"[A-Z]{3}")
_SALARY_STEMS = tuple(_WORDS["salary_stems"])
_DIGIT = re.compile(r"\d")
_UP_TO = re.compile(r"(?:up to|bis zu|max(?:imum|\.)?|jusqu'à|hasta)\s*$", re.IGNORECASE)
_FROM = re.compile(
    r"(?:from|starting at|ab|mindestens|at least|min(?:imum|\.)?|à partir de|desde)\s*$",
    re.IGNORECASE,
)


def _mentions_money(text: str) -> bool:
    return any(sign in text for sign in _MONEY_SIGNS) or bool(_CODE_LIKE.search(text))


def _number(text: str) -> float | None:
    """80,000 and 80.000 and 80 000 are eighty thousand; 80,50 and 80.5 are eighty and a half."""
    text = text.strip()
    grouped = _GROUPED.fullmatch(text)
    if grouped:
        separators = set(re.findall(r"[^\d]", grouped.group(2)))
        if len(separators) == 1:
            whole = grouped.group(1) + re.sub(r"[^\d]", "", grouped.group(2))
            return float(whole) + (float("0." + grouped.group(3)) if grouped.group(3) else 0.0)
        return None
    plain = re.fullmatch(r"(\d+)(?:[.,](\d{1,2}))?", text)
    if not plain:
        return None
    return float(plain.group(1)) + (float("0." + plain.group(2)) if plain.group(2) else 0.0)


def _currency_code(sign: str | None) -> str | None:
    if not sign:
        return None
    sign = sign.strip()
    code = _CURRENCY_SIGNS.get(sign) or _CURRENCY_WORDS.get(sign.casefold()) or sign.upper()
    return code if re.fullmatch(r"[A-Z]{3}", code) else None


def _period_near(line: str, start: int, end: int) -> str | None:
    """The pay period stated right after an amount, else right before it."""
    after = line[end : end + 40]
    following = [
        (match.start(), period)
        for period, pattern in _PERIOD_PATTERNS
        if (match := pattern.search(after))
    ]
    if following:
        return min(following)[1]
    before = line[max(0, start - 40) : start]
    preceding = [
        (match.end(), period)
        for period, pattern in _PERIOD_PATTERNS
        if (match := pattern.search(before))
    ]
    return max(preceding)[1] if preceding else None


@dataclass(frozen=True)
class _Amount:
    start: int
    end: int
    value: float
    thousand: bool
    currency: str | None


def _amounts(line: str) -> list[_Amount]:
    found: list[_Amount] = []
    for match in _AMOUNT.finditer(line):
        value = _number(match.group("number"))
        thousand = bool(match.group("thousand"))
        if value is None or (thousand and match.group("number") in ("401", "403", "457")):
            continue  # 401(k) is a pension plan, not a salary
        currency = _currency_code(match.group("before") or match.group("after"))
        found.append(_Amount(match.start(), match.end(), value, thousand, currency))
    return found


def _salary_in_text(text: str, stated: bool = False) -> _Salary | None:
    """The first yearly salary the text states: a range first, else a single amount.

    A range needs a currency or a salary word on its line (or the line before); a single
    amount needs a currency and either a salary word or a yearly period. `stated` is for a
    value already known to be a salary (JSON-LD `baseSalary` as text).
    """
    text = text[:MAX_DESCRIPTION_CHARS]
    lowered = text.casefold()
    pay_words = stated or any(stem in lowered for stem in _SALARY_STEMS)
    if not pay_words and not _mentions_money(text):
        return None  # no currency and no word about pay: nothing on any line can qualify
    single: _Salary | None = None
    previous = ""
    for line in text.splitlines():
        about_pay = stated or (
            pay_words and bool(_SALARY_WORDS.search(line) or _SALARY_WORDS.search(previous))
        )
        if not _DIGIT.search(line) or not (about_pay or _mentions_money(line)):
            previous = line if line.strip() else previous
            continue
        amounts = _amounts(line)
        index = 0
        while index < len(amounts):
            first = amounts[index]
            second = amounts[index + 1] if index + 1 < len(amounts) else None
            if second and _RANGE_BETWEEN.fullmatch(line[first.end : second.start]):
                salary = _range_salary(line, first, second, about_pay)
                if salary:
                    return salary
                index += 2
                continue
            if single is None:
                single = _single_salary(line, first, about_pay)
            index += 1
        previous = line
    return single


def _range_salary(line: str, low: _Amount, high: _Amount, about_pay: bool) -> _Salary | None:
    currency = low.currency or high.currency
    if currency is None and not about_pay:
        return None
    low_value, high_value = low.value, high.value
    if high.thousand or (low.thousand and high_value < 1000):
        high_value *= 1000
    if low.thousand or (high.thousand and low_value < 1000):
        low_value *= 1000
    period = _period_near(line, low.start, high.end)
    if period not in (None, "year") or (period is None and max(low_value, high_value) < 10_000):
        return None
    return _salary_of(low_value, high_value, currency)


def _single_salary(line: str, amount: _Amount, about_pay: bool) -> _Salary | None:
    if not about_pay and amount.currency is None:
        return None
    period = _period_near(line, amount.start, amount.end)
    value = amount.value * 1000 if amount.thousand else amount.value
    if amount.currency is None and not (about_pay and period == "year"):
        return None
    if not (about_pay or period == "year") or period not in (None, "year"):
        return None
    if period is None and value < 10_000:
        return None
    lead = line[max(0, amount.start - 20) : amount.start]
    if _UP_TO.search(lead):
        return _salary_of(None, value, amount.currency)
    if _FROM.search(lead):
        return _salary_of(value, None, amount.currency)
    return _salary_of(value, value, amount.currency)


# ---------------------------------------------------------------------------------------------
# Description: markup to readable text
#
# A small XSLT stylesheet (libxslt, in C) writes the text with a private-use character
# where each paragraph, line, line break and list item begins and ends; a few regexes then
# turn those marks into blank lines, newlines and "- " bullets. A tree walk in Python costs
# ten times as much on a long page.

_WHITESPACE = re.compile(r"[ \t\n\r\f\v\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad\ufffd]")
# Control characters, and halves of surrogate pairs (JSON's "\\ud800"), which no text can hold.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_BULLET_LINE = re.compile(r"^[ \t]*[•·▪◦●‣⁃∙■□➢➤✓✔]\s*", re.MULTILINE)
_EMPTY_ITEM = re.compile(r"^[ \t]*(?:-|\d+\.)[ \t]*$\n?", re.MULTILINE)
_HAS_MARKUP = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_ESCAPED_MARKUP = re.compile(r"&(?:amp;)*lt;/?[a-zA-Z]")

# The marks: a paragraph, a line, a <br>, an ordered list starting (then its items' depth),
# a list item (then its depth, ":" and "o" or "u") and the end of a list item's mark.
_MARK_CHARACTERS = "\ue000\ue001\ue002\ue003\ue004\ue005"
_MARKS = re.compile(f"[{_MARK_CHARACTERS}]")
# A run of marks (and spaces) is a blank line when it holds a paragraph or two <br>, else a
# newline: one match a run, so a run thousands of marks long costs no more than its length.
_MARK_RUN = re.compile(r"[ \ue000\ue001\ue002]*[\ue000\ue001\ue002][ \ue000\ue001\ue002]*")
_BR_AFTER_LINE = re.compile(r"\ue001 *\ue002")
_AFTER_ITEM = re.compile(r"\ue004[ \ue000\ue001\ue002]+")
_LIST_MARKS = re.compile(r"\ue005(\d+)\ue004|\ue003(\d+):([ou])\ue004")

_NEVER_TEXT = (
    "script style noscript template svg math head title iframe object embed canvas button "
    "select option input textarea meta link"
).split()
_PAGE_CHROME = [*_NEVER_TEXT, "nav", "header", "footer", "aside", "form", "dialog", "label"]
_PARAGRAPHS = (
    "p h1 h2 h3 h4 h5 h6 section article main blockquote pre table figure dl header footer "
    "aside nav address details fieldset hr center ul ol menu"
).split()
_LINES = "div tr dt dd caption summary legend figcaption body form".split()
_LIST_DEPTH = "count(ancestor-or-self::ul|ancestor-or-self::ol|ancestor-or-self::menu)"
_ITEM_KIND = (
    '<xsl:choose><xsl:when test="parent::ol">o</xsl:when><xsl:otherwise>u</xsl:otherwise>'
    "</xsl:choose>"
)
_ITEM_DEPTH = _LIST_DEPTH.replace("-or-self", "")


def _templates(mode: str, paragraph: str) -> str:
    """The templates of one mode: "" outside list items, "item" inside them, where a
    paragraph is a line (`paragraph`: the mark a paragraph writes)."""
    apply = '<xsl:apply-templates mode="item"/>' if mode else "<xsl:apply-templates/>"
    within = f'mode="{mode}"' if mode else ""
    item = '<xsl:apply-templates mode="item"/>'
    return "".join(
        (
            f'<xsl:template match="{{skipped}}" {within}/>',
            f'<xsl:template match="{"|".join(_PARAGRAPHS)}" {within}>'
            f"{paragraph}{apply}{paragraph}</xsl:template>",
            f'<xsl:template match="{"|".join(_LINES)}" {within}>'
            f"&#xE001;{apply}&#xE001;</xsl:template>",
            f'<xsl:template match="ol" priority="1" {within}>{paragraph}&#xE005;'
            f'<xsl:value-of select="{_LIST_DEPTH}"/>&#xE004;{apply}{paragraph}</xsl:template>',
            f'<xsl:template match="li" {within}>&#xE001;&#xE003;'
            f'<xsl:value-of select="{_ITEM_DEPTH}"/>:{_ITEM_KIND}&#xE004;{item}&#xE001;'
            "</xsl:template>",
            f'<xsl:template match="br" {within}>&#xE002;</xsl:template>',
            f'<xsl:template match="td|th" {within}>{apply}<xsl:text> </xsl:text></xsl:template>',
            f'<xsl:template match="pre//text()" {within}>'
            "<xsl:value-of select=\"translate(., '&#10;', '&#xE002;')\"/></xsl:template>",
        )
    )


_TEXT_STYLESHEET = (
    '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
    '<xsl:output method="text" encoding="UTF-8"/>'
    + _templates("", "&#xE000;")
    + _templates("item", "&#xE001;")
    + "</xsl:stylesheet>"
)


def _text_stylesheet(skipped: list[str]) -> Any:
    source = _TEXT_STYLESHEET.replace("{skipped}", "|".join(skipped))
    return etree.XSLT(etree.XML(source), access_control=etree.XSLTAccessControl.DENY_ALL)


_FRAGMENT_TEXT = _text_stylesheet(_NEVER_TEXT)  # a JSON-LD description
_PAGE_TEXT = _text_stylesheet(_PAGE_CHROME)  # a page: without navigation, headers and forms


def _break(match: re.Match[str]) -> str:
    run = match.group(0)
    # Two <br>, or a <br> that starts a line ("<div><br></div>"), leave an empty line.
    blank = run.count("\ue002") > 1 or _BR_AFTER_LINE.search(run)
    return "\n\n" if "\ue000" in run or blank else "\n"


def _list_marks(text: str) -> str:
    """List items' marks as "- " and "1. ", indented two spaces a level."""
    numbers: dict[int, int] = {}

    def mark(match: re.Match[str]) -> str:
        if match.group(1):  # an ordered list starts
            numbers[int(match.group(1))] = 0
            return ""
        depth = int(match.group(2))
        if match.group(3) == "o":
            numbers[depth] = numbers.get(depth, 0) + 1
            return "  " * (depth - 1) + f"{numbers[depth]}. "
        return "  " * (depth - 1) + "- "

    text = text.replace("\ue0031:u\ue004", "- ")  # the most common mark, without a call
    return _LIST_MARKS.sub(mark, text) if "\ue003" in text or "\ue005" in text else text


def _readable_text(element: Any, stylesheet: Any) -> str | None:
    """The text of an element and what it holds (not its tail), as a reader sees it."""
    try:
        marked = str(stylesheet(element))
    except etree.XSLTApplyError:  # libxslt's recursion limit, past libxml2's depth cap
        marked = "".join(element.itertext())
    # Marks and runs of spaces shrink: twice the cap of marked text is plenty.
    marked = marked[: 2 * MAX_DESCRIPTION_CHARS]
    text = _WHITESPACE.sub(" ", _INVISIBLE.sub("", _CONTROL.sub("", marked)))
    text = _AFTER_ITEM.sub("\ue004", text)
    text = _MARK_RUN.sub(_break, text)
    return _finished(_MARKS.sub("", _list_marks(text)))


def _finished(text: str) -> str | None:
    text = _BULLET_LINE.sub("- ", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = _EMPTY_ITEM.sub("", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text[:MAX_DESCRIPTION_CHARS].rstrip() or None


def _description_text(value: Any) -> str | None:
    """A JSON-LD description (HTML, HTML escaped once or twice, or plain text) as text."""
    text = _first_text(value)
    if not text:
        return None
    for _ in range(3):
        if "<" in text or not _ESCAPED_MARKUP.search(text):
            break
        text = html_entities.unescape(text)
    if _HAS_MARKUP.search(text):
        root = _parse_html(text)
        return _readable_text(root, _FRAGMENT_TEXT) if root is not None else None
    plain = html_entities.unescape(text)
    lines = [
        _WHITESPACE.sub(" ", _INVISIBLE.sub("", _CONTROL.sub("", line))).strip()
        for line in plain.replace("\r\n", "\n").split("\n")
    ]
    return _finished("\n".join(lines))


# Where pages keep a posting's description: schema.org microdata, and the containers of the
# applicant-tracking systems and job boards. The markup is searched for their names first:
# an XPath that tests attributes on every element costs more than the rest of the reading.
_DESCRIPTION_NEEDLES = (
    'itemprop="description"',
    "itemprop='description'",
    "jobPostingDescription",
    "job-description",
    "jobDescription",
    "job_description",
    "job__description",
    "description__text",
    "posting-description",
    'id="content"',
    "id='content'",
)
_DESCRIPTION_CONTAINERS = etree.XPath(
    "//*[@itemprop='description' or @data-automation-id='jobPostingDescription'"
    " or @id='job-description' or @id='jobDescription' or @id='jobDescriptionText'"
    " or @id='job_description' or contains(@class, 'job-description')"
    " or contains(@class, 'job__description') or contains(@class, 'jobDescription')"
    " or contains(@class, 'description__text') or contains(@class, 'posting-description')"
    " or @id='content']"
)
_MIN_PAGE_DESCRIPTION = 200


def _has_description_container(markup: str) -> bool:
    # As the XPath does, case-sensitively: class and id values are.
    return any(needle in markup for needle in _DESCRIPTION_NEEDLES)


def _page_description(page: _Page) -> str | None:
    """The page's own text of the posting: its description's container, else its main
    content, else its body, without navigation, headers, footers and forms; None when that
    is too little to be a description."""
    containers: list[Any] = []
    if _has_description_container(page.markup):
        found = _DESCRIPTION_CONTAINERS(page.root)
        containers += sorted(found, key=lambda element: element.get("id") == "content")[:3]
    containers += list(page.root.iter("main", "article"))[:2]
    body = page.root.find("body")
    if body is not None:
        containers.append(body)
    for container in containers:
        text = _readable_text(container, _PAGE_TEXT)
        if text and len(text) >= _MIN_PAGE_DESCRIPTION and _looks_like_prose(text):
            return text
    return None


def _chosen_description(
    structured: str | None, page: _Page | None, pasted: str | None
) -> tuple[str | None, str | None]:
    if structured:
        return structured, JSON_LD
    if page is not None:
        teaser = _description_text(page.meta.get("og:description"))
        own = _page_description(page)
        if own and len(own) > len(teaser or ""):
            return own, TEXT
        if teaser:
            return teaser, OPEN_GRAPH
    if pasted:
        return pasted, TEXT
    return None, None


# ---------------------------------------------------------------------------------------------
# Small text helpers

_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


def _inline(text: str) -> str | None:
    """One line of text: entities decoded, tags and control characters out, spaces collapsed."""
    if not text:
        return None
    plain = _TAG.sub(" ", html_entities.unescape(text)) if "&" in text or "<" in text else text
    plain = _WHITESPACE.sub(" ", _INVISIBLE.sub("", _CONTROL.sub("", plain))).strip()
    return plain or None


def _name(text: str | None) -> str | None:
    """A company, role or location as POST /v1/applications takes it: one line of 1 to 200
    characters with a letter or digit in it, without quotes or separators around it."""
    if not text:
        return None
    plain = _inline(text)
    if not plain:
        return None
    plain = plain.strip(" -–—|·•:,;\"'“”‘’")
    if not plain or len(plain) > _MAX_NAME_CHARS or not any(c.isalnum() for c in plain):
        return None
    return plain
