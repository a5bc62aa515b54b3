"""A real Rebound server for tests that talk HTTP over a socket (clients, sync, browser).

`live_server()` migrates a fresh database (a new SQLite file unless `database_url` is given),
starts uvicorn on a free port of 127.0.0.1 in a subprocess, waits until `/healthz` answers,
yields the base URL and stops the server afterwards:

    with live_server() as url:
        httpx.get(f"{url}/v1/guidance/reasons")

`python -m tests.live_server COMMAND...` runs COMMAND with `REBOUND_URL` set to such a server
and exits with COMMAND's exit code (`make client-ts-scenario` uses it).
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 30.0
# Clients, sync scripts and Schemathesis send far more than a person would: no limit is reached
# unless `env` sets one. Counters in memory, mail to the outbox, unless `env` says otherwise.
UNTHROTTLED_ENV = {
    "REDIS_URL": "",
    "SMTP_HOST": "",
    "RATE_LIMIT_TOKEN_PER_IP": "1000000/minute",
    "RATE_LIMIT_REGISTER_PER_IP": "1000000/minute",
    "RATE_LIMIT_REGISTER_PER_EMAIL": "1000000/minute",
    "RATE_LIMIT_PASSWORD_RESET_PER_IP": "1000000/minute",
    "RATE_LIMIT_PASSWORD_RESET_PER_EMAIL": "1000000/minute",
    "RATE_LIMIT_WRITES_PER_USER": "1000000/minute",
    "LOGIN_BACKOFF_AFTER": "1000000",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_healthy(
    process: subprocess.Popen[bytes], url: str, seconds: float = STARTUP_SECONDS
) -> bool:
    """True once /healthz answers 200; False when the process died first (port taken)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server at {url} did not answer /healthz in {seconds:.0f} s")


def stop(process: subprocess.Popen[bytes], grace_seconds: float = 10) -> None:
    """SIGTERM, then SIGKILL if it has not exited within the grace period."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace_seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def live_server(
    database_url: str | None = None,
    env: Mapping[str, str] | None = None,
    uvicorn_args: Sequence[str] = (),
) -> Iterator[str]:
    """Yield the base URL (`http://127.0.0.1:PORT`) of a freshly migrated server.

    `env` adds or overrides settings of the server (e.g. `{"ACCESS_TOKEN_MINUTES": "1"}`);
    `uvicorn_args` are added to uvicorn's command line (e.g. `["--workers", "2"]`).
    """
    with tempfile.TemporaryDirectory(prefix="rebound-live-") as tmp:
        server_env = {
            **os.environ,
            "ENVIRONMENT": "test",
            "DATABASE_URL": database_url or f"sqlite:///{tmp}/rebound.db",
            "SECRET_KEY": "live-server-" + "k" * 40,
            "VAR_DIR": tmp,
            "LOG_LEVEL": "WARNING",
            **UNTHROTTLED_ENV,
            **(env or {}),
        }
        subprocess.run(  # noqa: S603 (our own interpreter and arguments)
            [sys.executable, "-m", "alembic", "upgrade", "head"],
            cwd=ROOT,
            env=server_env,
            check=True,
            capture_output=True,
        )
        for _attempt in range(3):  # another process may take the free port before uvicorn does
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "app.main:create_app",
                    "--factory",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--log-level",
                    "warning",
                    "--no-access-log",
                    *uvicorn_args,
                ],
                cwd=ROOT,
                env=server_env,
            )
            try:
                if wait_until_healthy(process, url):
                    yield url
                    return
            finally:
                stop(process)
        raise RuntimeError("the server exited before answering /healthz, three times")


def main(command: list[str]) -> int:
    if not command:
        sys.stderr.write("usage: python -m tests.live_server COMMAND [ARG...]\n")
        return 2
    with live_server() as url:
        sys.stderr.write(f"live server at {url}\n")
        return subprocess.run(command, env={**os.environ, "REBOUND_URL": url}).returncode  # noqa: S603


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
