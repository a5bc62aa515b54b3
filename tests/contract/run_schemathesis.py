"""`make contract`: Schemathesis against a live server, over every operation, authenticated.

Serves the app on a freshly migrated SQLite database (tests/live_server.py) and runs
`schemathesis run` on its /openapi.json with every check and all four phases (examples,
coverage, fuzzing, stateful). tests/contract/schemathesis.toml loads tests/contract/hooks.py,
which signs up an account and signs in with the OAuth2 password form. Exits with
Schemathesis's exit code.

Tune with CONTRACT_MAX_EXAMPLES (per operation and phase), CONTRACT_WORKERS, CONTRACT_SEED
(reproduce a run), CONTRACT_REPORT_DIR (keep the JUnit report and Schemathesis's cache of
failures, which it replays first next time) and CONTRACT_ARGS (more `schemathesis run`
options, e.g. `--include-operation-id createOutcome`).
"""

import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.live_server import ROOT, live_server

CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
MAX_EXAMPLES = os.environ.get("CONTRACT_MAX_EXAMPLES", "100")
WORKERS = os.environ.get("CONTRACT_WORKERS", "2")


def schemathesis_command(url: str, out: Path) -> list[str]:
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(CONFIG),
        "run",
        f"{url}/openapi.json",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        MAX_EXAMPLES,
        "--workers",
        WORKERS,
        "--generation-database",
        str(out / "state" / "hypothesis"),
        "--report",
        "junit",
        "--report-dir",
        str(out),
        "--no-color",
    ]
    if seed := os.environ.get("CONTRACT_SEED"):
        command += ["--seed", seed]
    return command + shlex.split(os.environ.get("CONTRACT_ARGS", ""))


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="rebound-contract-") as tmp:
        out = Path(os.environ.get("CONTRACT_REPORT_DIR") or tmp).resolve()
        out.mkdir(parents=True, exist_ok=True)
        with live_server() as url:
            started = time.monotonic()
            result = subprocess.run(  # noqa: S603 (our own tools and arguments)
                schemathesis_command(url, out),
                cwd=ROOT,
                env={
                    **os.environ,
                    "CONTRACT_BASE_URL": url,
                    "CONTRACT_STATE_DIR": str(out / "state"),
                    "PYTHONPATH": str(ROOT),  # for `hooks = "tests.contract.hooks"`
                },
                check=False,
            )
            sys.stderr.write(f"schemathesis ran {time.monotonic() - started:.0f} s\n")
        return result.returncode


if __name__ == "__main__":
    sys.exit(main())
