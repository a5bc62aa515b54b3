"""A Redis that stops answering (app/core/redis_link.py). The breaker alone, on a fake clock;
then the counters and the revocation list on a private redis-server frozen with SIGSTOP: one
short timeout, then their fallback without asking Redis until the breaker lets one call
through again. A TCP proxy in front of the server counts the connections the clients open."""

import asyncio
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from redis.asyncio.client import PubSub

from app.core import revocations as revocations_module
from app.core.counters import Backoff, RedisCounters
from app.core.redis_link import OPEN_SECONDS, Breaker
from app.core.revocations import Revocations
from tests.db_proxy import TcpProxy
from tests.redis_server import RedisServer, private_redis

BACKOFF = Backoff(free=3, max_seconds=8, expire_seconds=3600)
LIFETIME = 900


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Operation:
    """An async call that counts how often it ran, and fails while `failing` is set."""

    def __init__(self) -> None:
        self.runs = 0
        self.failing = False

    async def __call__(self) -> str:
        self.runs += 1
        if self.failing:
            raise redis.ConnectionError("refused")
        return "from redis"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    with private_redis(tmp_path) as running:
        yield running


async def test_the_breaker_opens_on_a_failure_and_one_success_closes_it(caplog):
    caplog.set_level(logging.INFO, logger="test.breaker")
    clock = Clock()
    breaker = Breaker(logging.getLogger("test.breaker"), "down", "up", clock=clock)
    redis_call = Operation()

    assert await breaker.call(redis_call, "fallback") == "from redis"
    redis_call.failing = True
    assert await breaker.call(redis_call, "fallback") == "fallback"
    assert not breaker.closed

    clock.now += OPEN_SECONDS - 0.1
    redis_call.failing = False
    assert [await breaker.call(redis_call, "fallback") for _ in range(10)] == ["fallback"] * 10
    assert redis_call.runs == 2  # none went to Redis while open

    clock.now += 0.1  # half-open: one trial, which fails and keeps it open
    redis_call.failing = True
    assert await breaker.call(redis_call, "fallback") == "fallback"
    redis_call.failing = False
    assert await breaker.call(redis_call, "fallback") == "fallback"
    assert redis_call.runs == 3

    clock.now += OPEN_SECONDS  # the next trial succeeds and closes it
    assert await breaker.call(redis_call, "fallback") == "from redis"
    assert breaker.closed
    assert await breaker.call(redis_call, "fallback") == "from redis"
    assert (redis_call.runs, breaker.calls) == (5, 5)
    assert [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "test.breaker"] == [
        ("ERROR", f"down: ConnectionError; Redis not asked for {OPEN_SECONDS:g} s"),
        ("INFO", "up"),
    ]


async def test_while_the_trial_call_runs_the_others_take_their_fallback():
    clock = Clock()
    breaker = Breaker(logging.getLogger("test.breaker"), "down", "up", clock=clock)
    failing = Operation()
    failing.failing = True
    await breaker.call(failing, None)
    clock.now += OPEN_SECONDS
    answer = asyncio.Event()

    async def slow() -> str:
        await answer.wait()
        return "from redis"

    trial = asyncio.create_task(breaker.call(slow, "fallback"))
    await asyncio.sleep(0)  # the trial is waiting for Redis
    others = Operation()
    assert await breaker.call(others, "fallback") == "fallback"
    answer.set()

    assert await trial == "from redis"
    assert others.runs == 0
    assert breaker.closed


async def test_a_frozen_redis_costs_the_counters_one_timeout_then_nothing_until_it_is_back(
    server, caplog
):
    caplog.set_level(logging.INFO, logger="rebound.ratelimit")
    clock = Clock()
    async with TcpProxy("127.0.0.1", server.port) as proxy:
        store = RedisCounters(f"redis://127.0.0.1:{proxy.port}/0", "t:", breaker_clock=clock)
        try:
            assert (await store.hit("writes", 60))[0] == 1
            server.freeze()

            # One timeout, no retry (a retry would open a second connection); the request goes
            # ahead as when Redis is down.
            assert await store.hit("writes", 60) == (0, 0)
            assert not store.breaker.closed
            assert (store.breaker.calls, proxy.accepted) == (2, 1)

            for _ in range(20):
                assert await store.hit("writes", 60) == (0, 0)
                assert await store.attempt("account", BACKOFF) == 0
                await store.forget("account")
            assert (store.breaker.calls, proxy.accepted) == (2, 1)  # Redis left alone

            server.thaw()
            assert await store.hit("writes", 60) == (0, 0)  # still open for OPEN_SECONDS
            clock.now += OPEN_SECONDS
            assert (await store.hit("fresh", 60))[0] == 1
            assert store.breaker.closed
            assert [await store.attempt("account", BACKOFF) for _ in range(4)] == [0, 0, 0, 1]
        finally:
            await store.close()
    assert [r.getMessage() for r in caplog.records if r.name == "rebound.ratelimit"] == [
        f"rate limit counters unavailable: TimeoutError; Redis not asked for {OPEN_SECONDS:g} s",
        "rate limit counters available again",
    ]


async def test_a_frozen_redis_keeps_revocations_unsent_without_waiting_and_sends_them_later(
    server,
):
    clock = Clock()
    async with TcpProxy("127.0.0.1", server.port) as proxy:
        revocations = Revocations(
            LIFETIME, f"redis://127.0.0.1:{proxy.port}/0", "t:", breaker_clock=clock
        )
        try:
            before, first_frozen, back = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
            skipped = [uuid.uuid4() for _ in range(10)]
            await revocations.revoke([before])
            server.freeze()

            await revocations.revoke([first_frozen])  # one timeout, kept to send later
            assert not revocations.breaker.closed
            assert (revocations.breaker.calls, proxy.accepted) == (2, 1)
            for session_id in skipped:
                await revocations.revoke([session_id])
            assert (revocations.breaker.calls, proxy.accepted) == (2, 1)  # Redis left alone
            assert all(revocations.revoked(s) for s in [before, first_frozen, *skipped])

            server.thaw()
            clock.now += OPEN_SECONDS
            await revocations.revoke([back])

            assert revocations.breaker.closed
            stored = set(server.client().zrange("t:revoked-sessions", 0, -1))
            sent = [before, first_frozen, *skipped, back]
            assert stored == {str(s) for s in sent}
        finally:
            await revocations.close()


async def test_an_idle_listener_keeps_its_connection_despite_the_short_timeout(server, monkeypatch):
    """Reads on the pub/sub connection wait for get_message's timeout, longer than the client's
    socket timeout; an idle channel must not look like a Redis that stopped answering."""
    monkeypatch.setattr(revocations_module, "RETRY_SECONDS", 0.5)
    idle_reads = 0
    get_message = PubSub.get_message

    async def counting(self: PubSub, *args: object, **kwargs: object) -> object:
        nonlocal idle_reads
        message = await get_message(self, *args, **kwargs)  # type: ignore[arg-type]
        idle_reads += message is None
        return message

    monkeypatch.setattr(PubSub, "get_message", counting)
    async with TcpProxy("127.0.0.1", server.port) as proxy:
        revocations = Revocations(LIFETIME, f"redis://127.0.0.1:{proxy.port}/0", "t:")
        try:
            await revocations.start()
            await until(revocations.listening.is_set)
            connections = proxy.accepted

            await until(lambda: idle_reads >= 3)

            assert revocations.listening.is_set()
            assert proxy.accepted == connections
        finally:
            await revocations.close()


async def until(condition, seconds: float = 10.0) -> None:
    """Poll until `condition()` holds; fail after `seconds`."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not within {seconds} s")
