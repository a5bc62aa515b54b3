"""`make soak`: the real server (`python -m app.main`) on a PostgreSQL database of its own,
under moderate mixed load from several users for SOAK_SECONDS, its memory sampled meanwhile.

Prints requests, errors, p50/p99 latency and RSS at start, end and peak; exits 1 on any error
(any answer but 2xx/3xx) or when RSS grows by more than SOAK_MAX_RSS_GROWTH after warm-up.
Every request goes to 127.0.0.1; the load stops by itself at the deadline.

Settings (environment): SOAK_SECONDS (600), SOAK_RPS (50, the whole load's target rate),
SOAK_USERS (8), SOAK_WORKERS_PER_USER (2), SOAK_SAMPLE_SECONDS (10), SOAK_WARMUP_SECONDS
(a quarter of the run, at most 60), SOAK_MAX_RSS_GROWTH (0.20), TEST_POSTGRES_URL.
"""

import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from tests.live_server import ROOT, free_port, wait_until_healthy

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
SECONDS = float(os.environ.get("SOAK_SECONDS", "600"))
RPS = float(os.environ.get("SOAK_RPS", "50"))
USERS = int(os.environ.get("SOAK_USERS", "8"))
WORKERS_PER_USER = int(os.environ.get("SOAK_WORKERS_PER_USER", "2"))
SAMPLE_SECONDS = float(os.environ.get("SOAK_SAMPLE_SECONDS", "10"))
WARMUP_SECONDS = float(os.environ.get("SOAK_WARMUP_SECONDS", str(min(60.0, SECONDS / 4))))
MAX_RSS_GROWTH = float(os.environ.get("SOAK_MAX_RSS_GROWTH", "0.20"))
PASSWORD = "soak test password"


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    by_route: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)

    def record(self, method: str, route: str, response: httpx.Response, seconds: float) -> None:
        self.latencies.append(seconds)
        self.by_route.setdefault(route, []).append(seconds)
        self.statuses[response.status_code] += 1
        if response.status_code >= 400:
            self.errors[f"{method} {route} → {response.status_code}"] += 1


class User:
    """One account's traffic: reads dominate, every write kind is in the mix."""

    def __init__(self, http: httpx.AsyncClient, tally: Tally, token: str) -> None:
        self.http, self.tally = http, tally
        self.headers = {"Authorization": f"Bearer {token}"}
        self.applications: list[str] = []
        self.sync_token: str | None = None

    async def call(self, method: str, url: str, route: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        started = time.perf_counter()
        try:
            response = await self.http.request(method, url, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            self.tally.errors[f"{method} {route} → {type(exc).__name__}"] += 1
            raise
        self.tally.record(method, route, response, time.perf_counter() - started)
        return response

    async def step(self, rng: random.Random) -> None:
        roll = rng.random()
        if roll < 0.30 or not self.applications:
            await self.call("GET", "/v1/applications", "list applications")
        if not self.applications or roll < 0.40:
            created = await self.call(
                "POST",
                "/v1/applications",
                "create application",
                json={"company": f"Company {rng.randrange(1000)}", "role_title": "Engineer"},
            )
            if created.status_code == 201:
                self.applications.append(created.json()["id"])
            return
        application = rng.choice(self.applications)
        if roll < 0.55:
            await self.call("GET", f"/v1/applications/{application}", "get application")
        elif roll < 0.65:
            await self.call(
                "PATCH",
                f"/v1/applications/{application}",
                "patch application",
                json={"notes": f"note {rng.randrange(10**6)}", "interest": rng.randint(1, 5)},
            )
        elif roll < 0.72:
            await self.call(
                "POST",
                "/v1/reflections",
                "create reflection",
                json={"diagnosis": "unsure", "went_well": ["stayed calm"], "mood": 5},
                headers={**self.headers, "Idempotency-Key": str(uuid.uuid4())},
            )
        elif roll < 0.80:
            params = {"updated_since": self.sync_token} if self.sync_token else {}
            page = await self.call("GET", "/v1/applications", "sync", params=params)
            if page.status_code == 200:
                self.sync_token = page.json()["sync_token"]
        elif roll < 0.88:
            await self.call("GET", "/v1/insights", "insights")
        elif roll < 0.95:
            await self.call("GET", "/v1/agenda", "agenda")
        else:
            await self.call("GET", "/v1/me", "profile")


async def load(url: str, tally: Tally, deadline: float) -> None:
    limits = httpx.Limits(max_connections=USERS * WORKERS_PER_USER)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as http:
        users = []
        for n in range(USERS):
            registered = await http.post(
                "/v1/auth/register",
                json={
                    "email": f"soak-{n}-{uuid.uuid4().hex[:6]}@example.com",
                    "password": PASSWORD,
                },
            )
            registered.raise_for_status()
            users.append(User(http, tally, registered.json()["tokens"]["access_token"]))
        workers = USERS * WORKERS_PER_USER
        interval = workers / RPS  # each worker's pace, so that all of them together make RPS

        async def worker(user: User, seed: int) -> None:
            rng = random.Random(seed)  # noqa: S311 (load shape, not security)
            next_at = time.monotonic()
            while time.monotonic() < deadline:
                try:
                    await user.step(rng)
                except httpx.HTTPError:
                    pass  # counted as an error by User.call
                next_at += interval
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))

        await asyncio.gather(
            *(worker(users[i % USERS], i) for i in range(workers)),
        )


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def sample_rss(
    pid: int, samples: list[tuple[float, int]], start: float, deadline: float
) -> None:
    while time.monotonic() < deadline:
        samples.append((time.monotonic() - start, rss_kib(pid)))
        await asyncio.sleep(min(SAMPLE_SECONDS, max(0.0, deadline - time.monotonic())))
    samples.append((time.monotonic() - start, rss_kib(pid)))


async def admin(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_URL, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def percentile(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else 0.0
    )


async def soak(url: str, pid: int) -> tuple[Tally, list[tuple[float, int]]]:
    tally, samples = Tally(), []
    start = time.monotonic()
    deadline = start + SECONDS
    await asyncio.gather(load(url, tally, deadline), sample_rss(pid, samples, start, deadline))
    return tally, samples


def report(tally: Tally, samples: list[tuple[float, int]]) -> list[str]:
    """Print the figures; return what failed."""
    total = sum(tally.statuses.values())
    errors = sum(tally.errors.values())
    warm = [kib for at, kib in samples if at >= WARMUP_SECONDS] or [samples[-1][1]]
    baseline, end, peak = warm[0], samples[-1][1], max(kib for _, kib in samples)
    growth = (max(warm) - baseline) / baseline
    p50 = percentile(tally.latencies, 50) * 1000
    p99 = percentile(tally.latencies, 99) * 1000
    print(f"soak: {SECONDS:.0f} s at a target of {RPS:.0f} req/s, {USERS} users")
    print(f"requests: {total} ({total / SECONDS:.1f}/s), errors: {errors}")
    print(f"statuses: {dict(sorted(tally.statuses.items()))}")
    for what, count in tally.errors.most_common(10):
        print(f"  error: {what} × {count}")
    print(f"latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    for route, seconds in sorted(tally.by_route.items()):
        print(
            f"  {route}: {len(seconds)} requests, p50 {percentile(seconds, 50) * 1000:.1f} ms,"
            f" p99 {percentile(seconds, 99) * 1000:.1f} ms"
        )
    print(
        f"RSS: start {samples[0][1] / 1024:.1f} MiB, after warm-up {baseline / 1024:.1f} MiB, "
        f"end {end / 1024:.1f} MiB, max {peak / 1024:.1f} MiB, "
        f"growth after warm-up {growth * 100:+.1f}% (limit {MAX_RSS_GROWTH * 100:.0f}%)"
    )
    print(
        "RSS samples (s: MiB): " + ", ".join(f"{at:.0f}: {kib / 1024:.1f}" for at, kib in samples)
    )
    failures = []
    if errors:
        failures.append(f"{errors} errors")
    if growth > MAX_RSS_GROWTH:
        failures.append(f"RSS grew {growth * 100:.1f}% after warm-up")
    if total == 0:
        failures.append("no request was made")
    return failures


def main() -> int:
    name = f"rebound_soak_{uuid.uuid4().hex[:12]}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        with tempfile.TemporaryDirectory(prefix="rebound-soak-") as tmp:
            env = {
                **os.environ,
                "ENVIRONMENT": "test",
                "DATABASE_URL": f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}",
                "SECRET_KEY": "soak-test-" + "k" * 40,
                "VAR_DIR": tmp,
                "LOG_LEVEL": "WARNING",
                "HOST": "127.0.0.1",
            }
            subprocess.run(  # noqa: S603 (our own interpreter and arguments)
                [sys.executable, "-m", "alembic", "upgrade", "head"],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
            port = free_port()
            server = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
                [sys.executable, "-m", "app.main"], cwd=ROOT, env={**env, "PORT": str(port)}
            )
            try:
                url = f"http://127.0.0.1:{port}"
                if not wait_until_healthy(server, url):
                    print("the server did not start", file=sys.stderr)
                    return 1
                tally, samples = asyncio.run(soak(url, server.pid))
            finally:
                server.send_signal(signal.SIGTERM)
                exit_code = server.wait(timeout=60)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    failures = report(tally, samples)
    if exit_code != 0:
        failures.append(f"the server exited with {exit_code} on SIGTERM")
    print("soak: FAILED (" + "; ".join(failures) + ")" if failures else "soak: passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
