"""SIGTERM: the server (`python -m app.main`) stops accepting, lets the requests in flight
finish, and exits with code 0 within SHUTDOWN_GRACE_SECONDS.

The request in flight is one whose body the client is still sending: it is held open by the
client, not by a sleep. `Expect: 100-continue` tells the test when the app is waiting for it."""

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live_server import ROOT, free_port, wait_until_healthy

SETTLE_SECONDS = 60  # a bound for a hung test only: a clean exit takes far less


@pytest.fixture
def server_env(tmp_path: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": f"sqlite:///{tmp_path}/rebound.db",
        "SECRET_KEY": "shutdown-test-" + "k" * 40,
        "VAR_DIR": str(tmp_path),
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
    return env


def serve(env: dict[str, str], grace_seconds: int) -> tuple[subprocess.Popen[bytes], int]:
    for _attempt in range(3):
        port = free_port()
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [sys.executable, "-m", "app.main"],
            cwd=ROOT,
            env={**env, "PORT": str(port), "SHUTDOWN_GRACE_SECONDS": str(grace_seconds)},
        )
        if wait_until_healthy(process, f"http://127.0.0.1:{port}"):
            return process, port
    raise RuntimeError("the server did not start")


@pytest.fixture
def stop_later() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def begin_post(port: int, path: str, token: str, body: bytes) -> socket.socket:
    """Send a POST's headers, wait until the app asks for the body (100 Continue)."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=SETTLE_SECONDS)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Expect: 100-continue\r\n\r\n"
    )
    conn.sendall(head.encode())
    interim = conn.recv(1024)
    assert interim.startswith(b"HTTP/1.1 100"), interim
    return conn


def read_response(conn: socket.socket) -> tuple[int, dict[str, object]]:
    raw = b""
    while chunk := conn.recv(65536):
        raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def sign_up(port: int) -> str:
    response = httpx.post(
        f"http://127.0.0.1:{port}/v1/auth/register",
        json={"email": "shutdown@example.com", "password": "correct horse battery"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["tokens"]["access_token"])


def test_a_request_in_flight_at_sigterm_completes_and_the_server_exits_cleanly(
    server_env: dict[str, str], stop_later: list[subprocess.Popen[bytes]]
) -> None:
    process, port = serve(server_env, grace_seconds=30)
    stop_later.append(process)
    token = sign_up(port)
    body = json.dumps({"company": "Acme", "role_title": "Engineer"}).encode()
    conn = begin_post(port, "/v1/applications", token, body)

    process.send_signal(signal.SIGTERM)
    conn.sendall(body)  # the rest of the request arrives after the signal
    status, created = read_response(conn)
    conn.close()

    assert status == 201
    assert created["company"] == "Acme"
    assert process.wait(timeout=SETTLE_SECONDS) == 0


def test_a_request_that_outlasts_the_grace_period_does_not_hold_the_exit(
    server_env: dict[str, str], stop_later: list[subprocess.Popen[bytes]]
) -> None:
    process, port = serve(server_env, grace_seconds=1)
    stop_later.append(process)
    token = sign_up(port)
    conn = begin_post(port, "/v1/applications", token, b'{"company": "never sent"}')

    process.send_signal(signal.SIGTERM)  # and the body never comes
    assert process.wait(timeout=SETTLE_SECONDS) == 0
    conn.close()
