"""A private redis-server of one test, on a free port of 127.0.0.1, that the test can freeze
(SIGSTOP: connections stay open and nothing answers, the failure only a timeout notices) and
thaw, without touching the Redis other tests and runs share.

    with private_redis(tmp_path) as server:   # redis://127.0.0.1:{server.port}/0
        server.freeze()
        server.thaw()

Without redis-server it skips the test, or fails it where CI requires Redis (REQUIRE_REDIS=1).
"""

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from tests.live_server import free_port

STARTUP_SECONDS = 10.0


class RedisServer:
    def __init__(self, process: subprocess.Popen[bytes], port: int) -> None:
        self.process, self.port = process, port
        self.url = f"redis://127.0.0.1:{port}/0"

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, decode_responses=True, socket_timeout=5)


def _answers(process: subprocess.Popen[bytes], port: int) -> bool:
    """Poll until the server answers PING; False if it exits first (its port was taken)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while process.poll() is None and time.monotonic() < deadline:
        try:
            return bool(redis.Redis(port=port, socket_connect_timeout=0.2).ping())
        except redis.RedisError:
            time.sleep(0.02)
    return False


@contextmanager
def private_redis(directory: Path) -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("redis-server is not installed")
        pytest.skip("redis-server is not installed")
    for _ in range(5):  # a free port can be taken by another run before the server binds it
        port = free_port()
        process = subprocess.Popen(  # noqa: S603 (redis-server, our arguments)
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
            + ["no", "--dir", str(directory)],
            stdout=subprocess.DEVNULL,
        )
        if _answers(process, port):
            break
        process.kill()
        process.wait()
    else:
        pytest.fail("redis-server did not start")
    try:
        yield RedisServer(process, port)
    finally:
        process.send_signal(signal.SIGCONT)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
