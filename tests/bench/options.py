"""`make bench` options: command-line flags, each with an environment variable as default."""

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Options:
    databases: tuple[str, ...]
    seconds: int
    rounds: int
    warmup_seconds: int
    workers: int
    connections: int
    login_connections: int
    stall_connections: int
    scale: int
    compare_scale: bool
    postgres_url: str
    output: Path | None


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="make bench",
        description=(
            "Load the API with wrk on SQLite and PostgreSQL against a database-free ceiling "
            "endpoint, and write bench/results/latest.{md,json}. Flags go through "
            "`make bench ARGS='...'`; each has an environment variable too."
        ),
    )
    add = parser.add_argument
    add(
        "--db",
        choices=("sqlite", "postgresql", "both"),
        default=_env("BENCH_DB", "both"),
        help="database(s) to run against [BENCH_DB, default both]",
    )
    add(
        "--seconds",
        type=int,
        default=int(_env("BENCH_SECONDS", "5")),
        help="duration of each wrk run [BENCH_SECONDS, default 5]",
    )
    add(
        "--rounds",
        type=int,
        default=int(_env("BENCH_ROUNDS", "3")),
        help="interleaved rounds of ceiling and endpoints; medians are reported "
        "[BENCH_ROUNDS, default 3]",
    )
    add(
        "--warmup",
        type=int,
        default=int(_env("BENCH_WARMUP", "1")),
        help="seconds of load on each endpoint before measuring [BENCH_WARMUP, default 1]",
    )
    add(
        "--workers",
        type=int,
        default=int(_env("BENCH_WORKERS", "1")),
        help="uvicorn worker processes [BENCH_WORKERS, default 1]",
    )
    add(
        "--connections",
        type=int,
        default=int(_env("BENCH_CONNECTIONS", "32")),
        help="wrk connections (wrk -t1 -cN) [BENCH_CONNECTIONS, default 32]",
    )
    add(
        "--login-connections",
        type=int,
        default=int(_env("BENCH_LOGIN_CONNECTIONS", "4")),
        help="connections signing in while the list is loaded [default 4]",
    )
    add(
        "--stall-connections",
        type=int,
        default=int(_env("BENCH_STALL_CONNECTIONS", "256")),
        help="connections of the stall check on list and get [default 256]",
    )
    add(
        "--scale",
        type=int,
        default=int(_env("BENCH_SCALE", "1")),
        help="N x the data: 1,000 x N users, 1,000 x N applications for the measured user "
        "(1,000 for the peer user at every N) [BENCH_SCALE, default 1]",
    )
    add(
        "--compare-scale",
        action="store_true",
        default=_env("BENCH_COMPARE_SCALE", "0") not in ("0", "false", ""),
        help="also seed 10 x the scale and compare insights and agenda p50, for the peer user "
        "(judged) and the measured user (for information) [BENCH_COMPARE_SCALE=1]",
    )
    add(
        "--postgres-url",
        default=_env(
            "BENCH_POSTGRES_URL",
            _env("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        ),
        help="a PostgreSQL URL allowed to CREATE DATABASE; the run uses a new database "
        "there and drops it [BENCH_POSTGRES_URL or TEST_POSTGRES_URL]",
    )
    add(
        "--output",
        default=_env("BENCH_OUTPUT", str(ROOT / "bench" / "results")),
        help="directory for latest.md, latest.json and a timestamped copy; '' writes nothing "
        "[BENCH_OUTPUT, default bench/results]",
    )
    args = parser.parse_args(argv)  # fmt: skip
    for name in ("seconds", "rounds", "workers", "connections", "scale"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return Options(
        databases=("sqlite", "postgresql") if args.db == "both" else (args.db,),
        seconds=args.seconds,
        rounds=args.rounds,
        warmup_seconds=max(0, args.warmup),
        workers=args.workers,
        connections=args.connections,
        login_connections=args.login_connections,
        stall_connections=args.stall_connections,
        scale=args.scale,
        compare_scale=args.compare_scale,
        postgres_url=args.postgres_url,
        output=Path(args.output) if args.output else None,
    )
