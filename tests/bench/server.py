"""Processes and databases of a benchmark run: a database of its own (an SQLite file, or a
fresh PostgreSQL database dropped afterwards), migrations, and uvicorn serving the app or the
ceiling app, plus the resident memory of the processes that serve requests."""

import asyncio
import math
import os
import re
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from tests.live_server import free_port, stop, wait_until_healthy

ROOT = Path(__file__).resolve().parents[2]
_EXCEPTION_LINE = re.compile(r"^[a-z_][\w.]*\.[A-Z]\w*(Error|Exception|Timeout)\w*: .*$", re.M)
STARTUP_SECONDS = 60.0


BENCH_LIMITS = {
    "RATE_LIMIT_TOKEN_PER_IP": "1000000/second",
    "RATE_LIMIT_REGISTER_PER_IP": "1000000/second",
    "RATE_LIMIT_WRITES_PER_USER": "1000000/second",
    "RATE_LIMIT_INTAKE_PER_USER": "1000000/second",
    "RATE_LIMIT_IMPORT_RECORDS_PER_USER": "1000000/second",
    "LOGIN_BACKOFF_AFTER": "1000000",
    # Longer runs (`--seconds`) create more records than the default quota allows.
    "QUOTA_RECORDS_PER_COLLECTION": "100000000",
}


def server_env(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """Production settings (a strong key, so `production` accepts it); tokens outlive a run."""
    return {
        **os.environ,
        "ENVIRONMENT": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(48),
        "VAR_DIR": str(var_dir),
        "LOG_LEVEL": "WARNING",
        "ACCESS_TOKEN_MINUTES": "1440",
        # The benchmark measures throughput from one address and a few accounts: the abuse
        # limits (tested on their own) would answer most of it 429.
        **BENCH_LIMITS,
        **extra,
    }


def migrate(env: Mapping[str, str]) -> None:
    subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT,
        env=dict(env),
        check=True,
        capture_output=True,
    )


async def _admin(admin_url: str, statement: str) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def postgres_reachable(admin_url: str) -> bool:
    try:
        asyncio.run(_admin(admin_url, "SELECT 1"))
    except (OSError, asyncpg.PostgresError):
        return False
    return True


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A new database on the server of `admin_url`, dropped on the way out."""
    name = f"rebound_bench_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        _drop(admin_url, name)


def _drop(admin_url: str, name: str) -> None:
    """Drop the database, retrying while a shared server has no free connection slot."""
    for attempt in range(10):
        try:
            asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except asyncpg.TooManyConnectionsError:
            time.sleep(2 + attempt)
    print(f'could not drop database {name}: drop it with DROP DATABASE "{name}"')


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    workers: int
    log: Path

    def logged_errors(self) -> tuple[int, list[str]]:
        """How many requests failed with an unhandled error (the app logs each), and the
        distinct exceptions seen (the last line of each traceback)."""
        text = self.log.read_text(errors="replace")
        kinds = dict.fromkeys(m.group(0)[:200] for m in _EXCEPTION_LINE.finditer(text))
        return text.count("unhandled error"), list(kinds)

    def serving_pids(self) -> list[int]:
        """The processes that answer requests: uvicorn itself with one worker, else its
        worker children (not the supervisor)."""
        if self.workers == 1:
            return [self.process.pid]
        return [pid for pid in _children(self.process.pid) if not _is_helper(pid)]

    def rss_mib(self) -> list[float]:
        return [_status_kib(pid, "VmRSS") / 1024 for pid in self.serving_pids()]

    def peak_rss_mib(self) -> list[float]:
        return [_status_kib(pid, "VmHWM") / 1024 for pid in self.serving_pids()]


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            ppid = next(line for line in status.splitlines() if line.startswith("PPid:"))
            if int(ppid.split()[1]) == parent:
                found.append(int(entry.name))
    return sorted(found)


def _is_helper(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True
    return b"resource_tracker" in cmdline


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(f"{field} not in /proc/{pid}/status")


@contextmanager
def serve(
    app: str, env: Mapping[str, str], workers: int, log: Path, factory: bool = False
) -> Iterator[Server]:
    """uvicorn as production would run it (uvloop, httptools, no access log) on a free port;
    its output goes to `log`."""
    for _attempt in range(3):  # another process may take the free port before uvicorn does
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        command = [
            sys.executable, "-m", "uvicorn", app, *(["--factory"] if factory else []),
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
            "--loop", "uvloop", "--http", "httptools",
            "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip
        with log.open("ab") as output:
            process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
                command, cwd=ROOT, env=dict(env), stdout=output, stderr=subprocess.STDOUT
            )
        try:
            if wait_until_healthy(process, url, STARTUP_SECONDS):
                server = Server(url, process, workers, log)
                if workers > 1:
                    _wait_for_workers(server)
                yield server
                return
        finally:
            stop(process, grace_seconds=15)
    raise RuntimeError(f"{app} exited before answering /healthz, three times")


def _wait_for_workers(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while len(server.serving_pids()) < server.workers and time.monotonic() < deadline:
        time.sleep(0.2)


class Drain:
    """Wait, after a load, until the API has finished what wrk left in flight: wrk stops
    reading at the end of its run, but the server still works through the requests it has
    accepted. Idle means a cheap request that reads the database (GET /v1/me) answers about
    as fast as on an idle server, twice in a row; after a load that signs in, a sign-in too
    (of an unknown account: the same hash, nothing written), since hashes wait in a line of
    their own that the read does not join. A 503 (a sign-in shed) is not idle."""

    def __init__(self, url: str, token: str, max_seconds: float = 300.0) -> None:
        self.max_seconds = max_seconds
        self.read = httpx.Request(
            "GET", f"{url}/v1/me", headers={"Authorization": f"Bearer {token}"}
        )
        self.sign_in = httpx.Request(
            "POST",
            f"{url}/v1/auth/token",
            data={"username": "nobody@example.com", "password": "not a password"},
        )
        self.baseline = {
            probe: min(self._probe(probe) for _ in range(5)) for probe in (self.read, self.sign_in)
        }

    def _probe(self, request: httpx.Request) -> float:
        started = time.perf_counter()
        try:
            with httpx.Client(timeout=self.max_seconds) as client:
                if client.send(request).status_code == 503:
                    return math.inf
        except httpx.HTTPError:
            pass
        return time.perf_counter() - started

    def __call__(self, hashing: bool = False) -> float:
        """Seconds it took the server to become idle."""
        started = time.monotonic()
        probes = [self.read, self.sign_in] if hashing else [self.read]
        quick = 0
        while quick < 2 and time.monotonic() - started < self.max_seconds:
            quick = quick + 1 if all(self._quick(probe) for probe in probes) else 0
            if quick < 2:
                time.sleep(0.05)
        return time.monotonic() - started

    def _quick(self, probe: httpx.Request) -> bool:
        baseline = self.baseline[probe]
        return self._probe(probe) <= max(3 * baseline, baseline + 0.02)
