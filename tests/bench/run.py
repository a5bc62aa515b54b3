"""`make bench`: requests per second of GET /v1/applications (a full page of 50) against a raw
FastAPI endpoint that only verifies a JWT, both served by uvicorn, loaded by wrk, in one run.

Prints medians of several interleaved rounds and the ratio list/raw per database and
concurrency. Needs wrk (Debian: apt-get install wrk).
"""

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
CONCURRENCY = [int(c) for c in os.environ.get("BENCH_CONCURRENCY", "16,64").split(",")]


def serve(module: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "uvicorn",
            module,
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            *(["--factory"] if module.endswith("create_app") else []),
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{port}/docs", timeout=0.5)
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{module} did not start")


def wrk(url: str, token: str, connections: int) -> float:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{SECONDS}s",
            "-H",
            f"Authorization: Bearer {token}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"errors while loading {url}:\n{out}")
    return float(
        next(line for line in out.splitlines() if line.startswith("Requests/sec")).split()[1]
    )


def seed(base: str) -> str:
    with httpx.Client(base_url=base) as client:
        email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
        response = client.post(
            "/v1/auth/register", json={"email": email, "password": "bench password 1"}
        )
        token = response.json()["tokens"]["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        for i in range(60):
            client.post(
                "/v1/applications",
                headers=headers,
                json={
                    "company": f"Company {i}",
                    "role_title": "Backend engineer",
                    "source": "referral",
                    "stage": "interviewing",
                    "tags": ["python", "remote"],
                    "notes": "A note " * 20,
                    "applied_on": "2026-11-01",
                    "location": "Berlin",
                    "interest": 4,
                },
            )
        return token


async def create_database() -> str:
    name = f"rebound_bench_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(POSTGRES_URL)
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    return POSTGRES_URL.rsplit("/", 1)[0] + "/" + name


async def drop_database(url: str) -> None:
    connection = await asyncpg.connect(POSTGRES_URL)
    await connection.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    await connection.close()


def bench(label: str, database_url: str, tmp: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-" + "s" * 48,
        "VAR_DIR": str(tmp),
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [PYTHON, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    api = serve("app.main:create_app", 8811, env)
    raw = serve("tests.bench.raw_app:app", 8812, env)
    try:
        token = seed("http://127.0.0.1:8811")
        for connections in CONCURRENCY:
            ours, theirs = [], []
            for _ in range(ROUNDS):  # interleaved, so drift on a shared machine hits both
                theirs.append(wrk("http://127.0.0.1:8812/raw", token, connections))
                ours.append(
                    wrk("http://127.0.0.1:8811/v1/applications?limit=50", token, connections)
                )
            list_rps, raw_rps = statistics.median(ours), statistics.median(theirs)
            print(
                f"{label:10} c={connections:<3} list {list_rps:8.0f} req/s   raw {raw_rps:8.0f} req/s"
                f"   ratio {list_rps / raw_rps:6.1%}   (rounds: {ROUNDS} x {SECONDS}s)"
            )
    finally:
        api.terminate()
        raw.terminate()
        api.wait()
        raw.wait()


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    with tempfile.TemporaryDirectory() as tmp:
        bench("sqlite", f"sqlite:///{tmp}/bench.db", Path(tmp))
        try:
            url = asyncio.run(create_database())
        except (OSError, asyncpg.PostgresError):
            print("PostgreSQL not reachable: skipped")
            return
        try:
            bench("postgresql", url, Path(tmp))
        finally:
            asyncio.run(drop_database(url))


if __name__ == "__main__":
    main()
