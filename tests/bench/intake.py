"""Getting data in, measured against the served API (issue 19's targets): reading a 3 kB
pasted email and a 500 kB posting page, one request at a time over a kept-alive connection,
and importing a 10,000-row CSV, with the API worker's memory before and after, to show that
an import's memory does not grow with its file."""

import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from app.intake.message import read_message
from app.intake.posting import read_posting
from tests.resources.csv_samples import sample_csv

MESSAGE_READS = 200
POSTING_READS = 40
SMALL_IMPORT, LARGE_IMPORT = 1_000, 10_000

_REJECTION = """\
From: Northwind Robotics Talent <careers@northwind-robotics.example>
Subject: Your application for Senior mobile engineer

Hi Sam,

Thank you for taking the time to interview with us for the Senior mobile engineer role at
Northwind Robotics, and for the thought you put into the take-home exercise.

After careful consideration we have decided to move forward with another candidate whose
experience more closely matches the needs of the team at this time. This was a difficult
decision: we were impressed by your background and by how you approached the system design
conversation.

If it would help, we would be happy to share some feedback on the interviews: just reply to
this email and we will set up a short call.

We wish you every success in your search.

Best regards,
Dana Park
Talent Acquisition, Northwind Robotics

"""
_QUOTED = (
    "> On Monday, Sam wrote:\n> Thank you for the update on the timeline, I look forward to it.\n"
)


def message_text(size: int = 3_000) -> str:
    """A rejection with quoted history, `size` characters long."""
    text = _REJECTION
    while len(text) < size:
        text += _QUOTED
    return text[:size]


def posting_page(size: int = 500_000) -> str:
    """A job board's page of `size` characters: JSON-LD, OpenGraph, a long description and
    the markup around it that a real page carries."""
    description = "".join(
        f"<p>Responsibility {n}: build and run the mobile platform &amp; its tooling.</p>"
        f"<ul><li>Kotlin {n}</li><li>Swift {n}</li></ul>"
        for n in range(200)
    )
    head = (
        "<!doctype html><html><head><title>Senior mobile engineer - Northwind Robotics</title>"
        '<meta property="og:title" content="Senior mobile engineer">'
        '<meta property="og:site_name" content="Northwind Robotics">'
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
        '"JobPosting", "title": "Senior mobile engineer", "hiringOrganization": {"@type": '
        '"Organization", "name": "Northwind Robotics"}, "jobLocation": {"@type": "Place", '
        '"address": {"addressLocality": "Berlin", "addressCountry": "DE"}}, "baseSalary": '
        '{"@type": "MonetaryAmount", "currency": "EUR", "value": {"@type": '
        '"QuantitativeValue", "minValue": 80000, "maxValue": 95000, "unitText": "YEAR"}}, '
        f'"description": "{description.replace(chr(34), "&quot;")}"}}</script></head><body>'
    )
    filler = '<div class="nav"><a href="/jobs?page=1">Jobs</a><span>Search</span></div>\n'
    body = head
    while len(body) < size - 100:
        body += filler
    return body + "</body></html>"


def _p50_ms(send: Callable[[], httpx.Response], count: int) -> float:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = send()
        times.append(time.perf_counter() - started)
        response.raise_for_status()
    return statistics.median(times) * 1000


def _register(client: httpx.Client) -> dict[str, str]:
    email = f"intake-{uuid.uuid4().hex[:8]}@example.com"
    response = client.post(
        "/v1/auth/register", json={"email": email, "password": "correct horse battery"}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['tokens']['access_token']}"}


def _reader_p50_ms(read: Callable[[], object], count: int) -> float:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        read()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def measure(base_url: str, rss_mib: Callable[[], list[float]]) -> dict[str, Any]:
    """The intake figures of one served API: p50s in ms of the readers alone (in this
    process) and of their routes (over HTTP: the reading plus parsing the body, the token,
    the rate limit and the caller's applications), the import's seconds and the API worker's
    resident memory (MiB) before and after each import."""
    text, page = message_text(), posting_page()
    found: dict[str, Any] = {
        "message_reader_p50_ms": _reader_p50_ms(lambda: read_message(text), MESSAGE_READS),
        "posting_reader_p50_ms": _reader_p50_ms(lambda: read_posting(html=page), POSTING_READS),
    }
    with httpx.Client(base_url=base_url, timeout=600) as client:
        headers = _register(client)
        message = {"text": text}
        found["message_p50_ms"] = _p50_ms(
            lambda: client.post("/v1/intake/message", json=message, headers=headers),
            MESSAGE_READS,
        )
        posting = {"html": page, "url": "https://boards.greenhouse.io/northwind/jobs/1"}
        found["posting_p50_ms"] = _p50_ms(
            lambda: client.post("/v1/intake/posting", json=posting, headers=headers),
            POSTING_READS,
        )
        csv_headers = {**headers, "Content-Type": "text/csv"}
        found["rss_before_mib"] = max(rss_mib())
        for rows, start in ((SMALL_IMPORT, 0), (LARGE_IMPORT, SMALL_IMPORT)):
            body = sample_csv(rows, start=start)  # rows of their own: none a duplicate
            started = time.perf_counter()
            response = client.post("/v1/applications/import.csv", content=body, headers=csv_headers)
            seconds = time.perf_counter() - started
            response.raise_for_status()
            created = response.json()["created"]
            if created != rows:
                raise RuntimeError(f"the {rows}-row import created {created}")
            found[f"import_{rows}_seconds"] = seconds
            found[f"import_{rows}_bytes"] = len(body)
            found[f"rss_after_{rows}_mib"] = max(rss_mib())
    return found
