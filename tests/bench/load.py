"""wrk: find or install it, describe a load (what to send), run it, read its result.

Each run's Lua script is `lua/request.lua` (what to send, set up by a prelude written here)
followed by `lua/report.lua`, whose done() hook prints one JSON line with the request count,
latency percentiles and error counts.
"""

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua"
MARKER = "BENCH_RESULT "


def ensure_wrk() -> str:
    """The path of wrk; installs Debian's package when missing and we are root with apt-get."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: installing Debian's wrk package with apt-get")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, env=env)
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit(
        "wrk is needed: `sudo apt-get install wrk` (Debian/Ubuntu), `brew install wrk` (macOS), "
        "or build it from its sources; then run `make bench` again."
    )


@dataclass(frozen=True)
class Load:
    """What one benchmark sends: a GET of `path`, or of one of `paths` at random, or a
    request with `method`, `body` and `content_type`."""

    path: str
    method: str | None = None
    body: str | None = None
    content_type: str | None = None
    paths: tuple[str, ...] = ()
    token: str | None = None  # sent as a bearer token

    def prelude(self) -> str:
        lines = []
        for name in ("method", "body", "content_type"):
            value = getattr(self, name)
            if value is not None:
                lines.append(f"{name} = {_lua_string(value)}")
        if self.paths:
            lines.append("paths = {" + ", ".join(_lua_string(p) for p in self.paths) + "}")
        return "\n".join(lines) + "\n"


def _lua_string(value: str) -> str:
    level = 0
    while f"]{'=' * level}]" in value:
        level += 1
    return f"[{'=' * level}[{value}]{'=' * level}]"


@dataclass
class Result:
    """One wrk run: throughput, latency (ms) and errors."""

    requests: int = 0
    seconds: float = 0.0
    p50_ms: float = 0.0
    p90_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)
    # Seconds the server stayed busy after wrk stopped (requests accepted but not answered).
    busy_after_s: float = 0.0

    @property
    def rps(self) -> float:
        """Answers that were not errors, per second: a shed request (503) is not throughput."""
        answered = self.requests - self.errors.get("non_2xx", 0)
        return answered / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "rps": round(self.rps, 1)}


def parse(output: str) -> Result:
    line = next((line for line in output.splitlines() if line.startswith(MARKER)), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result line:\n{output}")
    raw = json.loads(line[len(MARKER) :])
    return Result(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        # wrk counts a response with status >= 400 as a `status` error: our non-2xx.
        errors={
            "non_2xx": raw["status"],
            "connect": raw["connect"],
            "read": raw["read"],
            "write": raw["write"],
            "timeout": raw["timeout"],
        },
    )


@dataclass(frozen=True)
class Wrk:
    path: str
    threads: int = 1
    timeout_s: int = 2  # wrk's default: a request slower than this is a socket timeout


@contextmanager
def _script(load: Load) -> Iterator[str]:
    text = load.prelude() + (LUA / "request.lua").read_text() + (LUA / "report.lua").read_text()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="bench-") as script:
        script.write(text)
        script.flush()
        yield script.name


@contextmanager
def running(
    wrk: Wrk, base_url: str, load: Load, seconds: float, connections: int
) -> Iterator[subprocess.Popen[str]]:
    """Start wrk; the caller waits for it (see `result`)."""
    with _script(load) as script:
        command = [
            wrk.path, f"-t{wrk.threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
            f"--timeout={wrk.timeout_s}s", "-s", script,
            *(["-H", f"Authorization: Bearer {load.token}"] if load.token else []),
            base_url + load.path,
        ]  # fmt: skip
        process = subprocess.Popen(  # noqa: S603 (wrk, with arguments built here)
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def result(process: subprocess.Popen[str]) -> Result:
    output, _ = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed ({process.returncode}):\n{output}")
    return parse(output)


def run(wrk: Wrk, base_url: str, load: Load, seconds: float, connections: int) -> Result:
    with running(wrk, base_url, load, seconds, connections) as process:
        return result(process)
