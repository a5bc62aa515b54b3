"""The list of ended sessions (app/core/revocations.py): in one process, and shared through a
real Redis between processes (here two lists, as two processes hold them), across an outage
played by cutting a TCP proxy in front of Redis."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable

import pytest

from app.core.revocations import Revocations
from tests.conftest import redis_prefix
from tests.db_proxy import TcpProxy

LIFETIME = 900


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def eventually(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Poll until `condition` holds; fail after `seconds`."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not within {seconds} s")


async def test_an_ended_session_is_refused_until_its_tokens_have_expired():
    clock = Clock()
    revocations = Revocations(LIFETIME, clock=clock)
    ended, other = uuid.uuid4(), uuid.uuid4()

    await revocations.revoke([ended])

    assert revocations.revoked(ended)
    assert not revocations.revoked(other)
    clock.now += LIFETIME + 59
    assert revocations.revoked(ended)  # a minute's leeway for clocks that run late
    clock.now += 2
    assert not revocations.revoked(ended)


async def test_a_start_reads_what_was_ended_before_it():
    clock = Clock()
    before = uuid.uuid4()
    seen_since: list[float] = []

    async def load(since: float) -> list[tuple[uuid.UUID, float]]:
        seen_since.append(since)
        return [(before, clock.now - 100)]

    revocations = Revocations(LIFETIME, clock=clock)
    await revocations.start(load)

    assert revocations.revoked(before)
    assert seen_since == [clock.now - LIFETIME - 60]
    clock.now += LIFETIME - 100 + 61
    assert not revocations.revoked(before)


async def test_a_database_that_is_not_up_at_start_does_not_stop_the_process():
    async def load(_since: float) -> list[tuple[uuid.UUID, float]]:
        raise OSError("connection refused")

    revocations = Revocations(LIFETIME)
    await revocations.start(load)

    assert not revocations.revoked(uuid.uuid4())


@pytest.fixture
async def shared(redis_url: str) -> AsyncIterator[Callable[[int], Revocations]]:
    """`shared(port)`: a list sharing through Redis at 127.0.0.1:port, under one test prefix."""
    prefix = redis_prefix()
    made: list[Revocations] = []

    def make(port: int) -> Revocations:
        host = redis_url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)[0]
        made.append(Revocations(LIFETIME, f"redis://{host}:{port}/0", prefix))
        return made[-1]

    yield make
    for revocations in made:
        await revocations.close()


def redis_port(redis_url: str) -> int:
    address = redis_url.split("//", 1)[1].split("/", 1)[0]
    return int(address.rsplit(":", 1)[1]) if ":" in address else 6379


async def test_a_session_ended_in_one_process_is_refused_by_another_within_moments(
    shared, redis_url
):
    one, two = shared(redis_port(redis_url)), shared(redis_port(redis_url))
    await one.start()
    await two.start()
    await eventually(lambda: one.listening.is_set() and two.listening.is_set())
    ended = uuid.uuid4()

    await one.revoke([ended])

    await eventually(lambda: two.revoked(ended))


async def test_a_process_that_starts_later_reads_what_others_ended(shared, redis_url):
    one = shared(redis_port(redis_url))
    ended = uuid.uuid4()
    await one.revoke([ended])

    late = shared(redis_port(redis_url))
    await late.start()

    await eventually(lambda: late.revoked(ended))


async def test_across_a_redis_outage_each_process_keeps_its_copy_and_catches_up(shared, redis_url):
    async with TcpProxy("127.0.0.1", redis_port(redis_url)) as proxy:
        one, two = shared(proxy.port), shared(redis_port(redis_url))
        await one.start()
        await two.start()
        await eventually(lambda: one.listening.is_set() and two.listening.is_set())
        known = uuid.uuid4()
        await two.revoke([known])
        await eventually(lambda: one.revoked(known))

        await proxy.cut()  # `one` cannot reach Redis; `two` can
        await eventually(lambda: not one.listening.is_set())
        ended_by_one, ended_by_two = uuid.uuid4(), uuid.uuid4()
        await one.revoke([ended_by_one])  # kept here, sent when Redis answers again
        await two.revoke([ended_by_two])  # published while `one` is not listening

        assert one.revoked(known) and one.revoked(ended_by_one)
        assert not two.revoked(ended_by_one)

        await proxy.restore()
        await eventually(lambda: two.revoked(ended_by_one))
        await eventually(lambda: one.revoked(ended_by_two))
