"""One database's run: create, migrate and seed it, serve the API and the ceiling, check
every endpoint once, then load them in interleaved rounds, with logins in parallel and at
high concurrency, and read the API worker's memory at the end."""

import asyncio
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx

from app.core.config import Settings
from tests.bench import intake, load, server
from tests.bench.endpoints import (
    LIST_PATH,
    Endpoint,
    check,
    check_records_render,
    endpoints,
    sign_in,
)
from tests.bench.options import Options
from tests.bench.seed import MEASURED_EMAIL, PEER_EMAIL, Seeded, seed

SCALE_PROBE = ("insights", "agenda")  # what the scale comparison measures
PROBE_REQUESTS = (3, 10)  # per round, one at a time: at least, at most


@dataclass
class DatabaseRun:
    database: str
    scale: int
    seeded: Seeded
    labels: dict[str, str] = field(default_factory=dict)
    body_bytes: dict[str, int] = field(default_factory=dict)
    rounds: dict[str, list[load.Result]] = field(default_factory=dict)
    list_with_logins: load.Result | None = None
    logins_during_list: load.Result | None = None
    stall: dict[str, load.Result] = field(default_factory=dict)
    single: dict[str, list[load.Result]] = field(default_factory=dict)  # one at a time
    peer_single: dict[str, list[load.Result]] = field(default_factory=dict)  # the peer's, too
    rss_mib: list[float] = field(default_factory=list)
    peak_rss_mib: list[float] = field(default_factory=list)
    intake: dict[str, float] = field(default_factory=dict)  # tests/bench/intake.py
    server_errors: int = 0  # requests that failed with an unhandled error (500)
    error_kinds: list[str] = field(default_factory=list)

    def median(self, key: str, one_connection: bool = False) -> load.Result:
        """The median of each figure over the rounds; errors are summed."""
        return _median((self.single if one_connection else self.rounds)[key])

    def peer_median(self, key: str) -> load.Result:
        """The same for the peer user, one request at a time."""
        return _median(self.peer_single[key])


def _median(runs: list[load.Result]) -> load.Result:
    # Throughput over all the rounds (a median of rates rounds a slow endpoint's 0.4/s
    # down to "nothing answered").
    return load.Result(
        requests=sum(r.requests for r in runs),
        seconds=sum(r.seconds for r in runs) or 1.0,
        p50_ms=statistics.median(r.p50_ms for r in runs),
        p90_ms=statistics.median(r.p90_ms for r in runs),
        p99_ms=statistics.median(r.p99_ms for r in runs),
        max_ms=max(r.max_ms for r in runs),
        errors={name: sum(r.errors[name] for r in runs) for name in runs[0].errors},
        busy_after_s=statistics.median(r.busy_after_s for r in runs),
    )


def say(message: str) -> None:
    print(message, flush=True)


def describe(result: load.Result) -> str:
    errors = f", errors {result.errors}" if result.error_count else ""
    busy = f", busy {result.busy_after_s:.1f} s after" if result.busy_after_s >= 1 else ""
    return (
        f"{result.rps:9,.0f} req/s  p50 {result.p50_ms:7.1f} ms  p99 {result.p99_ms:7.1f} ms"
        + errors
        + busy
    )


@dataclass
class Loader:
    """Runs wrk against the API or the ceiling; after an API load, waits until the API has
    answered what was left in flight, so that the next load starts on an idle server."""

    wrk: load.Wrk
    api_url: str
    ceiling_url: str
    drain: server.Drain

    def __call__(self, endpoint: Endpoint, seconds: int, connections: int) -> load.Result:
        base = self.ceiling_url if endpoint.on_ceiling else self.api_url
        result = load.run(self.wrk, base, endpoint.load, seconds, connections)
        if not endpoint.on_ceiling:
            result.busy_after_s = self.drain(hashing=endpoint.key == "token")
        return result


@contextmanager
def database(options: Options, kind: str, tmp: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp}/bench.db"
        return
    with server.postgres_database(options.postgres_url) as url:
        yield url


def run_database(
    options: Options, wrk: load.Wrk, kind: str, scale: int, scale_probe_only: bool = False
) -> DatabaseRun:
    """Measure the API on a fresh `kind` database with `scale` x the data; with
    `scale_probe_only`, just insights and agenda, one request at a time."""
    with tempfile.TemporaryDirectory(prefix="rebound-bench-") as name:
        tmp = Path(name)
        with database(options, kind, tmp) as url:
            env = server.server_env(url, tmp)
            server.migrate(env)
            settings = Settings(
                _env_file=None,
                database_url=url,
                secret_key=env["SECRET_KEY"],
                var_dir=tmp,
            )
            seeded = asyncio.run(seed(settings, scale, f"{kind} x{scale}"))
            say(
                f"[{kind}] seeded {seeded.total_rows:,} rows in {seeded.seconds:.0f} s "
                f"({seeded.total_rows / seeded.seconds:,.0f} rows/s)"
            )
            run = DatabaseRun(kind, scale, seeded)
            _serve_and_load(options, wrk, env, tmp, run, scale_probe_only)
            return run


def _serve_and_load(
    options: Options,
    wrk: load.Wrk,
    env: dict[str, str],
    tmp: Path,
    run: DatabaseRun,
    scale_probe_only: bool,
) -> None:
    workers = options.workers
    with server.serve("app.main:create_app", env, workers, tmp / "api.log", factory=True) as api:
        token = sign_in(api.url, MEASURED_EMAIL)
        page = httpx.get(
            api.url + LIST_PATH, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        page.raise_for_status()
        (tmp / "page.json").write_bytes(page.content)
        ceiling_env = {**env, "BENCH_CEILING_PAGE": str(tmp / "page.json")}
        with server.serve(
            "tests.bench.raw_app:app", ceiling_env, workers, tmp / "ceiling.log"
        ) as ceiling:
            measured = [
                e
                for e in endpoints(api.url, run.seeded)
                if not scale_probe_only or e.key in SCALE_PROBE
            ]
            started = time.monotonic()
            check_records_render(api.url, token)
            for endpoint in measured:
                run.labels[endpoint.key] = endpoint.label
                run.body_bytes[endpoint.key] = check(api.url, ceiling.url, endpoint)
            say(f"[{run.database}] every endpoint answers ({time.monotonic() - started:.1f} s)")
            loader = Loader(wrk, api.url, ceiling.url, server.Drain(api.url, token))
            # Insights and agenda one request at a time, always: their p50 target is the
            # time of one request, which 32 connections would bury under queueing.
            _scale_probe(options, loader, measured, run)
            if not scale_probe_only:
                _rounds(options, loader, measured, run)
                by_key = {e.key: e for e in measured}
                _with_logins(options, loader, by_key, run)
                _stall(options, loader, by_key, run)
            if not scale_probe_only:
                run.intake = intake.measure(api.url, api.rss_mib)
                say(f"[{run.database}] intake: " + ", ".join(
                    f"{name} {value:,.1f}" for name, value in run.intake.items()))  # fmt: skip
            run.server_errors, run.error_kinds = api.logged_errors()
            if run.server_errors:
                say(f"[{run.database}] the API logged {run.server_errors} unhandled errors: "
                    + "; ".join(run.error_kinds))  # fmt: skip
            run.rss_mib = api.rss_mib()
            run.peak_rss_mib = api.peak_rss_mib()
            say(
                f"[{run.database}] API worker RSS {', '.join(f'{m:.0f}' for m in run.rss_mib)} "
                f"MiB (peak {', '.join(f'{m:.0f}' for m in run.peak_rss_mib)} MiB)"
            )


def _rounds(options: Options, loader: Loader, measured: list[Endpoint], run: DatabaseRun) -> None:
    if options.warmup_seconds:
        for endpoint in measured:
            loader(endpoint, options.warmup_seconds, options.connections)
    for number in range(1, options.rounds + 1):
        # Ceiling and endpoints interleaved, so drift on a shared machine hits both.
        for endpoint in measured:
            result = loader(endpoint, options.seconds, options.connections)
            run.rounds.setdefault(endpoint.key, []).append(result)
            say(
                f"[{run.database}] round {number}/{options.rounds} "
                f"{endpoint.key:9} {describe(result)}"
            )


def _scale_probe(
    options: Options, loader: Loader, measured: list[Endpoint], run: DatabaseRun
) -> None:
    """Insights and agenda one request at a time: their latency without queueing, which
    the run with 10x the data is compared with. For the measured user, whose applications
    grow with the scale, and for the peer user, whose applications do not."""
    peer_token = sign_in(loader.api_url, PEER_EMAIL)
    for number in range(1, options.rounds + 1):
        for endpoint in measured:
            if endpoint.key not in SCALE_PROBE:
                continue
            as_peer = replace(endpoint.load, token=peer_token)
            for who, request, results in (
                ("", endpoint.load, run.single),
                ("peer, ", as_peer, run.peer_single),
            ):
                result = one_at_a_time(loader.api_url, request, options.seconds)
                results.setdefault(endpoint.key, []).append(result)
                say(
                    f"[{run.database} x{run.scale}] round {number}/{options.rounds} "
                    f"{endpoint.key:9} {who}one at a time {describe(result)}"
                )


def one_at_a_time(base_url: str, request: load.Load, seconds: float) -> load.Result:
    """GETs in a row over one kept-alive connection, however long each takes (wrk would
    stop after its duration, before a slow request is answered): at least 3, at most 10,
    fewer than 10 once `seconds` have passed."""
    headers = {"Authorization": f"Bearer {request.token}"}
    times: list[float] = []
    with httpx.Client(base_url=base_url, headers=headers, timeout=600) as client:
        while len(times) < PROBE_REQUESTS[1] and (
            len(times) < PROBE_REQUESTS[0] or sum(times) < seconds
        ):
            started = time.perf_counter()
            client.get(request.path).raise_for_status()
            times.append(time.perf_counter() - started)
    count = len(times)
    times.sort()

    def percentile(share: float) -> float:
        return times[min(len(times) - 1, math.ceil(share * len(times)) - 1)] * 1000

    return load.Result(
        requests=count,
        seconds=sum(times),
        p50_ms=percentile(0.5),
        p90_ms=percentile(0.9),
        p99_ms=percentile(0.99),
        max_ms=times[-1] * 1000,
        errors=dict.fromkeys(("non_2xx", "connect", "read", "write", "timeout"), 0),
    )


def _with_logins(
    options: Options, loader: Loader, by_key: dict[str, Endpoint], run: DatabaseRun
) -> None:
    """The list under load while a few clients sign in (Argon2 hashing) all along."""
    logins = by_key["token"].load
    seconds = options.seconds + 1
    with load.running(loader.wrk, loader.api_url, logins, seconds, options.login_connections) as bg:
        time.sleep(0.5)  # the logins are under way before the list is measured
        listed = load.run(
            loader.wrk, loader.api_url, by_key["list"].load, options.seconds, options.connections
        )
        run.logins_during_list = load.result(bg)
    listed.busy_after_s = loader.drain(hashing=True)
    run.list_with_logins = listed
    say(
        f"[{run.database}] list while {options.login_connections} clients sign in: "
        f"{describe(listed)}"
    )


def _stall(options: Options, loader: Loader, by_key: dict[str, Endpoint], run: DatabaseRun) -> None:
    for key in ("list", "get"):
        result = loader(by_key[key], options.seconds, options.stall_connections)
        run.stall[key] = result
        say(
            f"[{run.database}] {key} at {options.stall_connections} connections: {describe(result)}"
        )


def main_runs(options: Options, wrk: load.Wrk) -> dict[str, dict[str, DatabaseRun]]:
    """Every requested database at the requested scale, and at 10x when comparing."""
    runs: dict[str, dict[str, DatabaseRun]] = {}
    for kind in options.databases:
        if kind == "postgresql" and not server.postgres_reachable(options.postgres_url):
            say(f"PostgreSQL is not reachable at {options.postgres_url}: skipped")
            continue
        runs[kind] = {"main": run_database(options, wrk, kind, options.scale)}
        if options.compare_scale:
            runs[kind]["scaled"] = run_database(
                options, wrk, kind, options.scale * 10, scale_probe_only=True
            )
    if not runs:
        sys.exit("no database to run against")
    return runs
