"""The two counter backends agree: fixed windows and sign-in backoff, in memory and in Redis
(real Redis, keys under a prefix of this run's own, deleted afterwards)."""

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis

from app.core.counters import Backoff, Counters, MemoryCounters, RedisCounters
from tests.conftest import redis_prefix

BACKOFF = Backoff(free=3, max_seconds=8, expire_seconds=3600)


@pytest.fixture(params=["memory", "redis"])
async def counters(request: pytest.FixtureRequest) -> AsyncIterator[Counters]:
    if request.param == "memory":
        yield MemoryCounters()
        return
    url = request.getfixturevalue("redis_url")
    prefix = redis_prefix()
    store = RedisCounters(url, prefix)
    yield store
    await store.close()
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)


async def test_hit_counts_within_a_window(counters):
    results = [await counters.hit("a", 60) for _ in range(3)]

    assert [count for count, _ in results] == [1, 2, 3]
    assert all(1 <= left <= 60 for _, left in results)
    assert (await counters.hit("b", 60))[0] == 1


async def test_concurrent_hits_are_counted_once_each(counters):
    results = await asyncio.gather(*(counters.hit("burst", 60) for _ in range(50)))

    assert sorted(count for count, _ in results) == list(range(1, 51))


async def test_attempts_back_off_after_the_free_ones_and_success_forgets(counters):
    free = [await counters.attempt("acct", BACKOFF) for _ in range(3)]
    waiting = await counters.attempt("acct", BACKOFF)  # the third set a wait of 1 s

    assert free == [0, 0, 0]
    assert waiting == 1
    await counters.forget("acct")
    assert await counters.attempt("acct", BACKOFF) == 0


async def test_a_burst_of_attempts_lets_only_the_free_ones_through(counters):
    answers = await asyncio.gather(*(counters.attempt("burst", BACKOFF) for _ in range(30)))

    assert answers.count(0) == BACKOFF.free


def test_the_backoff_doubles_up_to_its_cap():
    assert [BACKOFF.delay(n) for n in range(1, 10)] == [0, 0, 1, 2, 4, 8, 8, 8, 8]
    assert Backoff(free=1, max_seconds=900, expire_seconds=60).delay(10**6) == 900


async def test_memory_counters_expire_windows_and_waits():
    now = [0.0]
    counters = MemoryCounters(clock=lambda: now[0])
    await counters.hit("w", 10)
    for _ in range(3):
        await counters.attempt("acct", BACKOFF)

    now[0] += 10
    assert await counters.hit("w", 10) == (1, 10)
    assert await counters.attempt("acct", BACKOFF) == 0  # the 1 s wait is over
    now[0] += 3600
    assert [await counters.attempt("acct", BACKOFF) for _ in range(3)] == [0, 0, 0]


async def test_redis_being_down_lets_requests_through(caplog):
    store = RedisCounters("redis://127.0.0.1:1/0", "nowhere:")
    try:
        assert await store.hit("x", 60) == (0, 0)
        assert await store.attempt("x", BACKOFF) == 0
    finally:
        await store.close()
    assert "rate limit counters unavailable" in caplog.text


async def test_a_new_window_reports_its_own_length_whatever_the_clock_reads():
    # At 5.18 s, (5.18 + 60) - 5.18 is 60.000000000000004 in floating point: it was told as 61.
    counters = MemoryCounters(clock=lambda: 5.18)
    assert await counters.hit("a", 60) == (1, 60)
