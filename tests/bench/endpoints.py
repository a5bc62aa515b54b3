"""The endpoints a run measures, as wrk loads, and the checks that each answers as it should
before it is loaded (so a benchmark never measures fast 4xx answers)."""

import json
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

from tests.bench.load import Load
from tests.bench.seed import MEASURED_EMAIL, PASSWORD, WRITER_EMAIL, Seeded

LIST_PATH = "/v1/applications?limit=50"
CEILING_PATH = "/raw"
# What a client sends when the user saves a new application (no id: the server makes one).
NEW_APPLICATION = {
    "company": "Globex",
    "role_title": "Platform engineer",
    "job_url": "https://globex.example/jobs/42",
    "location": "Berlin",
    "work_mode": "hybrid",
    "source": "referral",
    "referrer": "Hank Scorpio",
    "salary_min": 80000,
    "salary_max": 95000,
    "currency": "EUR",
    "stage": "applied",
    "applied_on": "2026-10-01",
    "interest": 4,
    "notes": "Met the hiring manager at a meetup; the team rebuilds its data platform.",
    "tags": ["platform", "berlin"],
}
LOGIN_FORM = urlencode({"username": MEASURED_EMAIL, "password": PASSWORD})
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    load: Load
    on_ceiling: bool = False  # served by the ceiling app, not the API


def sign_in(base_url: str, email: str) -> str:
    response = httpx.post(
        f"{base_url}/v1/auth/token",
        data={"username": email, "password": PASSWORD},
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def endpoints(base_url: str, seeded: Seeded) -> list[Endpoint]:
    """Every measured endpoint, the ceiling first."""
    token = sign_in(base_url, MEASURED_EMAIL)
    writer = sign_in(base_url, WRITER_EMAIL)
    ids = seeded.application_ids[:200]
    since = urlencode({"updated_since": seeded.sync_token, "limit": 50})
    return [
        Endpoint("ceiling", "ceiling (JWT + same page, no database)",
                 Load(CEILING_PATH, token=token), on_ceiling=True),
        Endpoint("list", "list applications (limit=50)", Load(LIST_PATH, token=token)),
        Endpoint("get", "get one application",
                 Load("/v1/applications", paths=tuple(f"/v1/applications/{i}" for i in ids),
                      token=token)),
        Endpoint("create", "create an application",
                 Load("/v1/applications", method="POST", body=json.dumps(NEW_APPLICATION),
                      content_type="application/json", token=writer)),
        Endpoint("sync", "delta sync page (updated_since, limit=50)",
                 Load(f"/v1/applications?{since}", token=token)),
        Endpoint("insights", "insights", Load("/v1/insights", token=token)),
        Endpoint("agenda", "agenda", Load("/v1/agenda", token=token)),
        Endpoint("token", "token (sign in, Argon2)",
                 Load("/v1/auth/token", method="POST", body=LOGIN_FORM, content_type=FORM)),
    ]  # fmt: skip


def check(base_url: str, ceiling_url: str, endpoint: Endpoint) -> int:
    """Send the endpoint's request once; fail unless it answers 2xx. Returns the body size."""
    load = endpoint.load
    url = (ceiling_url if endpoint.on_ceiling else base_url) + (
        load.paths[0] if load.paths else load.path
    )
    headers = {"Authorization": f"Bearer {load.token}"} if load.token else {}
    if load.content_type:
        headers["Content-Type"] = load.content_type
    response = httpx.request(
        load.method or "GET", url, content=load.body, headers=headers, timeout=600
    )
    if not response.is_success:
        raise RuntimeError(f"{endpoint.label}: {response.status_code} {response.text[:500]}")
    if endpoint.key in ("list", "sync", "ceiling"):
        page = response.json()
        if len(page["items"]) != 50:
            raise RuntimeError(f"{endpoint.label}: {len(page['items'])} items, not 50")
    return len(response.content)


def check_records_render(base_url: str, token: str) -> None:
    """Every seeded record of the measured user goes through the API's response models."""
    response = httpx.get(
        f"{base_url}/v1/me/export", headers={"Authorization": f"Bearer {token}"}, timeout=300
    )
    if not response.is_success:
        raise RuntimeError(f"the export of the seeded user fails: {response.text[:500]}")
