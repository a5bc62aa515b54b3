"""The posting reader: its corpus of real-shaped pages and texts, then case by case."""

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from app.applications.models import ApplicationCreate
from app.intake.posting import MAX_DESCRIPTION_CHARS, PostingDraft, read_posting

CORPUS = Path(__file__).parent / "postings"
MANIFEST: dict[str, dict[str, Any]] = {
    name: entry
    for name, entry in json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8")).items()
    if not name.startswith("_")
}
FIELDS = (
    "company",
    "role_title",
    "location",
    "work_mode",
    "job_url",
    "salary_min",
    "salary_max",
    "currency",
    "job_description",
)
SOURCES = {"json_ld", "open_graph", "title", "url", "text"}


def read_entry(entry: dict[str, Any]) -> tuple[PostingDraft, str | None]:
    content = None
    html = text = None
    if entry.get("file"):
        content = (CORPUS / entry["file"]).read_text(encoding="utf-8")
        if entry["file"].endswith(".html"):
            html = content
        else:
            text = content
    return read_posting(url=entry.get("url"), html=html, text=text), content


def description_matches(expected: Any, found: str | None, content: str | None) -> bool:
    if not isinstance(expected, dict):
        return found == expected
    if found is None:
        return False
    if expected.get("same_as_input"):
        return content is not None and found == content.strip()
    return (
        found.startswith(expected.get("startswith", ""))
        and all(part in found for part in expected.get("contains", []))
        and not any(part in found for part in expected.get("excludes", []))
    )


def mismatches(entry: dict[str, Any]) -> tuple[int, list[str]]:
    """How many fields the entry lists, and what the reader got wrong of them."""
    draft, content = read_entry(entry)
    wrong = []
    for name, expected in entry["expected"].items():
        found = getattr(draft, name)
        matched = (
            description_matches(expected, found, content)
            if name == "job_description"
            else found == expected
        )
        source = entry["sources"].get(name)
        if source is not None and draft.field_sources.get(name) != source:
            matched = False
        if not matched:
            wrong.append(
                f"{name}: expected {expected!r} from {source}, "
                f"got {found!r} from {draft.field_sources.get(name)}"
            )
    return len(entry["expected"]), wrong


# Each field as POST /v1/applications checks it.
API_FIELDS = {
    name: TypeAdapter(ApplicationCreate.model_fields[name].rebuild_annotation()) for name in FIELDS
}


def assert_acceptable(draft: PostingDraft) -> None:
    """A draft POST /v1/applications takes as it is, with sources for exactly its fields."""
    assert set(draft.field_sources) == {name for name in FIELDS if getattr(draft, name) is not None}
    assert set(draft.field_sources.values()) <= SOURCES
    for name in FIELDS:
        value = getattr(draft, name)
        if value is not None:
            API_FIELDS[name].validate_python(value)
    for name in ("company", "role_title", "location"):
        value = getattr(draft, name)
        assert value is None or value.strip() == value
    if draft.salary_min is not None and draft.salary_max is not None:
        assert draft.salary_min <= draft.salary_max
    assert draft.job_description is None or len(draft.job_description) <= MAX_DESCRIPTION_CHARS


# ---------------------------------------------------------------------------------------------
# The corpus


def test_the_corpus_has_every_shape():
    shapes = [entry["shape"] for entry in MANIFEST.values()]
    assert len(shapes) >= 36
    assert {"json_ld", "open_graph", "title", "text", "ats_url", "garbage"} <= set(shapes)


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_each_posting_reads_as_expected(name):
    _, wrong = mismatches(MANIFEST[name])
    assert wrong == []


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_each_draft_is_one_the_api_takes(name):
    draft, _ = read_entry(MANIFEST[name])
    assert_acceptable(draft)


def test_field_accuracy_over_the_corpus_is_total():
    checked = 0
    wrong: list[str] = []
    for name, entry in sorted(MANIFEST.items()):
        count, misses = mismatches(entry)
        checked += count
        wrong += [f"{name}: {miss}" for miss in misses]
    accuracy = (checked - len(wrong)) / checked
    assert checked >= 300
    assert accuracy == 1.0, "\n".join(wrong)


# ---------------------------------------------------------------------------------------------
# Trust: JSON-LD, then OpenGraph, then <title>, then the URL, then the words


def page(json_ld: str = "", open_graph: str = "", title: str = "", body: str = "") -> str:
    script = f'<script type="application/ld+json">{json_ld}</script>' if json_ld else ""
    title_tag = f"<title>{title}</title>" if title else ""
    return f"<html><head>{title_tag}{open_graph}{script}</head><body>{body}</body></html>"


LAYERS = {
    "json_ld": json.dumps(
        {
            "@type": "JobPosting",
            "title": "Staff Engineer",
            "hiringOrganization": {"name": "Structured Co"},
            "url": "https://structured.example/jobs/1",
        }
    ),
    "open_graph": (
        '<meta property="og:title" content="Graph Engineer">'
        '<meta property="og:site_name" content="Graph Co">'
        '<meta property="og:url" content="https://graph.example/jobs/1">'
    ),
    "title": "Title Engineer - Title Co | Greenhouse",
}
GREENHOUSE = "https://boards.greenhouse.io/url-co/jobs/42"


@pytest.mark.parametrize(
    ("layers", "company", "role", "job_url", "source"),
    [
        (("json_ld", "open_graph", "title"), "Structured Co", "Staff Engineer",
         "https://structured.example/jobs/1", "json_ld"),
        (("open_graph", "title"), "Graph Co", "Graph Engineer",
         "https://graph.example/jobs/1", "open_graph"),
        (("title",), "Title Co", "Title Engineer", GREENHOUSE, "title"),
        ((), "Url Co", None, GREENHOUSE, "url"),
    ],
)  # fmt: skip
def test_each_field_comes_from_the_most_trusted_place_that_has_it(
    layers, company, role, job_url, source
):
    html = page(
        json_ld=LAYERS["json_ld"] if "json_ld" in layers else "",
        open_graph=LAYERS["open_graph"] if "open_graph" in layers else "",
        title=LAYERS["title"] if "title" in layers else "",
    )
    draft = read_posting(url=GREENHOUSE, html=html)
    assert (draft.company, draft.role_title, draft.job_url) == (company, role, job_url)
    assert draft.field_sources["company"] == source
    if role is not None:
        assert draft.field_sources["role_title"] == source


def test_a_lower_place_fills_what_a_higher_one_leaves_out():
    html = page(
        json_ld=json.dumps({"@type": "JobPosting", "title": "Staff Engineer"}),
        open_graph='<meta property="og:site_name" content="Graph Co">',
    )
    draft = read_posting(url=GREENHOUSE, html=html)
    assert (draft.role_title, draft.company) == ("Staff Engineer", "Graph Co")
    assert draft.field_sources == {
        "role_title": "json_ld",
        "company": "open_graph",
        "job_url": "url",
    }


def test_the_canonical_link_beats_the_given_url():
    html = page(open_graph='<link rel="canonical" href="/jobs/7">')
    draft = read_posting(url="https://acme.example/jobs/7?utm_source=x", html=html)
    assert draft.job_url == "https://acme.example/jobs/7"
    assert draft.field_sources["job_url"] == "open_graph"


# ---------------------------------------------------------------------------------------------
# JSON-LD


def test_a_malformed_script_does_not_stop_the_others():
    html = (
        '<script type="application/ld+json">{"@type": "JobPosting", "title": </script>'
        '<script type="application/ld+json">' + "[" * 100_000 + "</script>"
        '<script type="application/ld+json">{"@type": "JobPosting", "title": "Chemist",'
        ' "hiringOrganization": "Soylent",}</script>'
    )
    draft = read_posting(html=html)
    assert (draft.role_title, draft.company) == ("Chemist", "Soylent")


def test_a_posting_nested_in_another_node_is_found():
    nested = {
        "@type": "WebPage",
        "mainEntity": {"@type": ["JobPosting"], "title": "Nurse", "hiringOrganization": "Mercy"},
    }
    draft = read_posting(html=page(json_ld=json.dumps(nested)))
    assert (draft.role_title, draft.company) == ("Nurse", "Mercy")


def test_of_several_postings_the_one_at_the_given_url_is_read():
    postings = [
        {"@type": "JobPosting", "title": "Other Role", "url": "https://acme.example/jobs/1"},
        {"@type": "JobPosting", "title": "This Role", "url": "https://acme.example/jobs/2"},
    ]
    draft = read_posting(url="https://acme.example/jobs/2?ref=x", html=page(json.dumps(postings)))
    assert draft.role_title == "This Role"


@pytest.mark.parametrize(
    ("base_salary", "expected"),
    [
        ({"currency": "EUR", "value": {"minValue": 50000, "maxValue": 60000, "unitText": "YEAR"}},
         (50000, 60000, "EUR")),
        ({"currency": "USD", "value": {"value": 90000}}, (90000, 90000, "USD")),
        ({"currency": "USD", "minValue": 70000, "maxValue": 80000}, (70000, 80000, "USD")),
        ({"currency": "USD", "value": {"minValue": "95,000", "maxValue": "105,000.00"}},
         (95000, 105000, "USD")),
        ({"currency": "GBP", "value": {"minValue": 60000.4, "maxValue": 70000.6}},
         (60000, 70001, "GBP")),
        ({"currency": "USD", "value": {"minValue": 30, "maxValue": 45, "unitText": "HOUR"}},
         (None, None, None)),
        ({"currency": "EUR", "value": {"value": 4000, "unitText": "MONTH"}}, (None, None, None)),
        ({"currency": "EUR", "value": {"value": 400, "unitText": "DAY"}}, (None, None, None)),
        ({"currency": "EUR", "value": {"value": 1500, "unitText": "WEEK"}}, (None, None, None)),
        ({"currency": "EUR", "value": {"minValue": True, "maxValue": "n/a"}}, (None, None, None)),
        ({"currency": "€", "value": 65000}, (65000, 65000, "EUR")),
    ],
)  # fmt: skip
def test_base_salary_is_yearly_or_left_out(base_salary, expected):
    posting = {"@type": "JobPosting", "title": "Analyst", "baseSalary": base_salary}
    draft = read_posting(html=page(json.dumps(posting)))
    assert (draft.salary_min, draft.salary_max, draft.currency) == expected


def test_telecommute_is_remote_and_a_location_requirement_is_the_location():
    posting = {
        "@type": "JobPosting",
        "title": "Writer",
        "jobLocationType": "TELECOMMUTE",
        "applicantLocationRequirements": [{"@type": "Country", "name": "Germany"}, "Austria"],
    }
    draft = read_posting(html=page(json.dumps(posting)))
    assert (draft.work_mode, draft.location) == ("remote", "Germany; Austria")


# ---------------------------------------------------------------------------------------------
# Description: HTML to text


def described(description_html: str) -> str | None:
    posting = {"@type": "JobPosting", "title": "Engineer", "description": description_html}
    # As pages do: "<\\/" in the JSON, so that no "</script>" ends the script early.
    return read_posting(html=page(json.dumps(posting).replace("</", "<\\/"))).job_description


def test_paragraphs_are_apart_and_list_items_are_bullets():
    text = described(
        "<h2>About us</h2><p>We make <b>tea</b>&nbsp;machines.<br>Since 1999.</p>"
        "<ul><li>Brew</li><li><p>Taste</p><ul><li>Green</li></ul></li></ul>"
        "<ol><li>Apply</li><li>Interview</li></ol><p>Bye &amp; thanks &#8211; &eacute;</p>"
    )
    assert text == (
        "About us\n\nWe make tea machines.\nSince 1999.\n\n- Brew\n- Taste\n  - Green\n\n"
        "1. Apply\n2. Interview\n\nBye & thanks – é"
    )


def test_scripts_styles_and_controls_never_reach_the_text():
    text = described(
        "<p>Keep<script>var x = 1;</script><style>p { color: red }</style> this</p>"
        "<noscript>Enable JS</noscript><template><p>hidden</p></template><p>\u0000\u200bend</p>"
    )
    assert text == "Keep this\n\nend"


def test_bullet_characters_and_plain_newlines_are_kept_readable():
    assert described("Intro\n\n• one\n• two\n\n\n\nOutro   here") == (
        "Intro\n\n- one\n- two\n\nOutro here"
    )


def test_the_page_text_leaves_out_navigation_headers_footers_and_forms():
    body = (
        "<header><nav>Home Jobs About</nav></header>"
        "<main><h1>Engineer</h1><p>" + "We build bridges across rivers and valleys. " * 8 + "</p>"
        "<form><label>Name</label><input><button>Apply</button></form></main>"
        "<footer>© Acme</footer>"
    )
    draft = read_posting(html=page(body=body))
    assert draft.job_description is not None
    assert draft.job_description.startswith("Engineer\n\nWe build bridges")
    for chrome in ("Home Jobs", "Name", "Apply", "© Acme"):
        assert chrome not in draft.job_description
    assert draft.field_sources["job_description"] == "text"


def test_a_teaser_is_the_description_only_when_the_page_has_no_more():
    teaser = '<meta property="og:description" content="Join us to build bridges.">'
    shell = read_posting(html=page(open_graph=teaser, body="<div id=root></div>"))
    assert shell.job_description == "Join us to build bridges."
    assert shell.field_sources["job_description"] == "open_graph"


@pytest.mark.parametrize(
    "make",
    [
        lambda long: read_posting(html=page(json.dumps({"@type": "JobPosting", "description":
                                                         f"<p>{long}</p>"}))),
        lambda long: read_posting(html=page(body=f"<main><p>{long}</p></main>")),
        lambda long: read_posting(text=long),
    ],
)  # fmt: skip
def test_the_description_is_capped_at_100k_characters(make):
    draft = make("Lorem ipsum dolor sit amet. " * 12_000)  # 336,000 characters
    assert draft.job_description is not None
    assert 99_000 < len(draft.job_description) <= MAX_DESCRIPTION_CHARS


# ---------------------------------------------------------------------------------------------
# Salary in words


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Salary: €80,000 – €95,000", (80000, 95000, "EUR")),
        ("$120k-$150k", (120000, 150000, "USD")),
        ("$120K – $150K base", (120000, 150000, "USD")),
        ("80.000–95.000 EUR", (80000, 95000, "EUR")),
        ("Gehalt: 65.000 € bis 75.000 € brutto im Jahr", (65000, 75000, "EUR")),
        ("45 000 € - 55 000 € brut annuel", (45000, 55000, "EUR")),
        ("Salaire : 45\u202f000 € – 55\u202f000 €", (45000, 55000, "EUR")),
        ("Salario: entre 30.000 y 36.000 € brutos anuales", (30000, 36000, "EUR")),
        ("45-55K€", (45000, 55000, "EUR")),
        ("£50,000 per year", (50000, 50000, "GBP")),
        ("Salary: up to £65,000", (None, 65000, "GBP")),
        ("Salary from €70,000 a year", (70000, None, "EUR")),
        ("CHF 120'000 - 140'000", (120000, 140000, "CHF")),
        ("CA$90,000 – CA$110,000", (90000, 110000, "CAD")),
        ("C$ 90,000 to 110,000", (90000, 110000, "CAD")),
        ("A$130k–A$150k", (130000, 150000, "AUD")),
        ("US$100,000 - 120,000", (100000, 120000, "USD")),
        ("Pay range: 95,000 - 80,000 USD", (80000, 95000, "USD")),
        ("Compensation: $120.5k - $140.5k", (120500, 140500, "USD")),
        ("Salary: 70000 - 90000", (70000, 90000, None)),
        ("$45 - $60 per hour", (None, None, None)),
        ("€4.000 - €5.000 pro Monat", (None, None, None)),
        ("€3,500 monthly", (None, None, None)),
        ("$25/hr", (None, None, None)),
        ("€45 - €60", (None, None, None)),
        ("We raised $50M from investors", (None, None, None)),
        ("Great 401k plan and competitive salary", (None, None, None)),
        ("A €1,000 learning budget", (None, None, None)),
        ("Founded 2010 - 2015 we grew", (None, None, None)),
        ("10,000 - 50,000 users a day", (None, None, None)),
    ],
)
def test_salary_in_words(line, expected):
    draft = read_posting(text=f"Software Engineer\n\n{line}\n")
    assert (draft.salary_min, draft.salary_max, draft.currency) == expected
    if expected[0] is not None or expected[1] is not None:
        assert draft.field_sources["salary_max" if expected[0] is None else "salary_min"] == "text"


# ---------------------------------------------------------------------------------------------
# Applicant-tracking systems' URLs


@pytest.mark.parametrize(
    ("url", "company", "role"),
    [
        ("https://boards.greenhouse.io/acme/jobs/4012345", "Acme", None),
        ("https://job-boards.greenhouse.io/acme-corp/jobs/4012345?gh_jid=4012345", "Acme Corp",
         None),
        ("https://boards.eu.greenhouse.io/acme/jobs/4012345", "Acme", None),
        ("https://boards.greenhouse.io/embed/job_app?for=acme&token=4012345", "Acme", None),
        ("https://jobs.lever.co/acme/5ac2c1f6-0d2b-4d6e-9a57-2a1f0c6a9b1d", "Acme", None),
        ("https://jobs.eu.lever.co/acme-gmbh/5ac2c1f6-0d2b-4d6e-9a57-2a1f0c6a9b1d/apply",
         "Acme GmbH", None),
        ("https://acme.wd5.myworkdayjobs.com/en-US/Careers/job/Berlin/Data-Engineer_R123",
         "Acme", "Data Engineer"),
        ("https://acme.wd1.myworkdayjobs.com/Careers", "Acme", None),
        ("https://wd3.myworkdaysite.com/en-US/recruiting/acme/Careers/job/Remote/QA_R1",
         "Acme", None),
        ("https://jobs.ashbyhq.com/acme/4b1c6a5e-7c1d-4b5a-8e8e-1c2d3e4f5a6b", "Acme", None),
        ("https://jobs.smartrecruiters.com/AcmeCorp/743999912345678-senior-analyst-m-w-d-",
         "AcmeCorp", "Senior Analyst"),
        ("https://acme.recruitee.com/o/ios-developer", "Acme", "iOS Developer"),
        ("https://acme-ai.jobs.personio.de/job/123456?language=en", "Acme AI", None),
        ("https://acme.jobs.personio.com/job/123456", "Acme", None),
        ("https://apply.workable.com/acme/j/ABC123DEF/", "Acme", None),
        ("https://acme.teamtailor.com/jobs/123456-sales-manager", "Acme", "Sales Manager"),
        ("https://www.acme.example/careers/engineer", None, None),
        ("not a url", None, None),
        ("https://boards.greenhouse.io/", None, None),
    ],
)  # fmt: skip
def test_the_applicant_tracking_system_of_the_url_names_the_employer(url, company, role):
    draft = read_posting(url=url)
    assert (draft.company, draft.role_title) == (company, role)
    if company:
        assert draft.field_sources["company"] == "url"
    if role:
        assert draft.field_sources["role_title"] == "url"


def test_a_url_typed_without_its_scheme_is_read():
    draft = read_posting(url="boards.greenhouse.io/acme/jobs/1")
    assert (draft.company, draft.job_url) == ("Acme", "https://boards.greenhouse.io/acme/jobs/1")


def test_a_slug_role_is_only_the_last_resort():
    url = "https://jobs.smartrecruiters.com/Acme/743999912345678-analyst"
    assert read_posting(url=url, text="Senior Data Analyst\n\nJoin us.").role_title == (
        "Senior Data Analyst"
    )


# ---------------------------------------------------------------------------------------------
# Work mode: only words clearly about the job


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("Engineer (Remote)\n\nBuild things.", "remote"),
        ("Engineer - Hybrid\n\nBuild things.", "hybrid"),
        ("Engineer\nWorkplace type: On-site\n", "onsite"),
        ("Engineer\n\nWe are a remote-first company.", "remote"),
        ("Engineer\n\nThis is a fully remote position.", "remote"),
        ("Entwickler (m/w/d)\n\n100% Homeoffice möglich.", "remote"),
        ("Développeur (H/F)\n\nTélétravail : 3 jours par semaine", "hybrid"),
        ("Desarrollador\n\nModalidad: presencial", "onsite"),
        ("Remote Sensing Engineer\n\nAnalyse satellite images.", None),
        ("Engineer\n\nYou will support our remote teams and remote customers.", None),
        ("Engineer\n\nWe work in a hybrid cloud environment.", None),
        ("Support Engineer\n\nHelp customers with remote desktop tools.", None),
    ],
)
def test_work_mode_is_read_conservatively(text, mode):
    assert read_posting(text=text).work_mode == mode


# ---------------------------------------------------------------------------------------------
# Garbage and pathological input: never an error, at most an empty draft


EMPTY = dict.fromkeys(FIELDS)


@pytest.mark.parametrize(
    "html",
    [
        "<div>" * 250_000,  # 1.25 MB of nesting
        "x" * 1_000_000,  # 1 MB without a tag
        "<p><b><i><a href='x'>" * 50_000,
        "<" * 500_000,
        "<html><head><title>" + "A - B | " * 100_000,
        "<script type='application/ld+json'>" + '{"a":' * 200_000 + "</script>",
        "\x00\x01\ud800<html>\ufffe<body>\x00</body>",
        "",
        " \n\t ",
    ],
    ids=["deep", "no_tags", "unclosed", "angles", "long_title", "deep_json", "controls", "empty",
         "blank"],
)  # fmt: skip
def test_pathological_html_never_raises(html):
    draft = read_posting(url="https://acme.example/jobs/1", html=html)
    assert_acceptable(draft)


@pytest.mark.parametrize(
    "text",
    ["<div>" * 250_000, "x" * 1_000_000, "\x00" * 10_000, "\ud800\udfff" * 1000, "1" * 100_000],
    ids=["deep", "no_spaces", "nul", "surrogates", "digits"],
)
def test_pathological_text_never_raises(text):
    assert_acceptable(read_posting(text=text))


def test_nothing_given_is_an_empty_draft():
    draft = read_posting()
    assert {name: getattr(draft, name) for name in FIELDS} == EMPTY
    assert draft.field_sources == {}


def test_a_two_megabyte_page_reads():
    row = "<div><p>Lorem ipsum dolor sit amet &amp; more <a href='/x'>link</a></p></div>\n"
    html = page(
        open_graph='<meta property="og:title" content="Engineer">',
        body=row * (2_000_000 // len(row)),
    )
    draft = read_posting(html=html)
    assert draft.role_title == "Engineer"
    assert_acceptable(draft)


@pytest.mark.parametrize("name", sorted(n for n, e in MANIFEST.items() if e.get("file")))
def test_a_page_cut_anywhere_still_reads(name):
    content = (CORPUS / MANIFEST[name]["file"]).read_text(encoding="utf-8")
    for cut in sorted({len(content) * step // 13 + step for step in range(13)}):
        assert_acceptable(read_posting(html=content[:cut]))
        assert_acceptable(read_posting(text=content[cut:]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    url=st.one_of(st.none(), st.text(max_size=80), st.from_regex(r"https://[a-z.]{1,20}/.{0,30}")),
    html=st.one_of(st.none(), st.text(max_size=400), st.lists(
        st.sampled_from(["<div>", "</div>", "<li>", "<br>", "<title>", "</title>", "<p>", "€1,000",
                         '<script type="application/ld+json">', "</script>", '{"@type":',
                         '"JobPosting"', "}", "&amp;", "&#0;", "Remote", " - ", " | "]),
        max_size=40).map("".join)),
    text=st.one_of(st.none(), st.text(max_size=400)),
)  # fmt: skip
def test_any_input_gives_a_draft_the_api_takes(url, html, text):
    assert_acceptable(read_posting(url=url, html=html, text=text))


def test_a_line_of_job_facts_after_the_title_names_no_company():
    draft = read_posting(text="Senior Analyst\nFull-time · Remote\n\nJoin our team.")
    assert (draft.role_title, draft.company, draft.work_mode) == ("Senior Analyst", None, "remote")


def test_pasted_text_fills_what_the_page_leaves_out():
    html = page(open_graph='<meta property="og:title" content="Acme - Data Engineer">')
    draft = read_posting(
        url="https://jobs.lever.co/acme/1", html=html, text="Salary: €70,000 – €80,000\nHybrid"
    )
    assert (draft.company, draft.role_title, draft.salary_min, draft.work_mode) == (
        "Acme",
        "Data Engineer",
        70000,
        "hybrid",
    )
    assert draft.field_sources["company"] == "open_graph"
    assert draft.field_sources["salary_min"] == "text"
    assert draft.job_description == "Salary: €70,000 – €80,000\nHybrid"


def test_a_page_pasted_as_text_is_read_as_a_page():
    html = page(json_ld=json.dumps({"@type": "JobPosting", "title": "Chemist"}))
    draft = read_posting(text="<!DOCTYPE html>" + html)
    assert draft.role_title == "Chemist"
    assert draft.field_sources["role_title"] == "json_ld"
