"""Password hashing: Argon2id at or above OWASP's cost, never more hashes at once than the
bound, and a bounded line of waiting ones: beyond it, 503 at once."""

import asyncio
import re
import threading
import time

import pytest

from app.auth import passwords
from app.core.errors import ProblemError
from tests.helpers import until


def test_the_production_hasher_is_argon2id_at_owasp_cost_or_above():
    encoded = passwords.HASHER.hash("correct horse battery staple")
    match = re.fullmatch(r"\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$.+", encoded)
    assert match, encoded
    memory_kib, passes, lanes = map(int, match.groups())
    assert memory_kib >= 19 * 1024 and passes >= 2  # OWASP Password Storage Cheat Sheet
    assert lanes == 1  # one core per hash, as the concurrency bound assumes
    assert passwords.HASHER.verify("correct horse battery staple", encoded)


class GatedHasher:
    """Stands in for Argon2: each hash waits for the gate, and the most running at the same
    moment is recorded."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.gate = threading.Event()
        self.running = self.most = self.calls = 0

    def _run(self) -> None:
        with self.lock:
            self.running += 1
            self.calls += 1
            self.most = max(self.most, self.running)
        self.gate.wait(10)  # hold the slot so that the others pile up behind it
        with self.lock:
            self.running -= 1

    def hash(self, _password: str) -> str:
        self._run()
        return "hashed"

    def verify(self, _password: str, _hashed: str) -> bool:
        self._run()
        return True


def expect_seconds_per_hash(monkeypatch: pytest.MonkeyPatch, seconds: float, wait: float) -> int:
    """Pretend hashes take `seconds` and allow `wait` seconds of waiting: how many may wait."""
    monkeypatch.setattr(passwords, "_seconds_per_hash", seconds)
    monkeypatch.setattr(passwords, "HASH_WAIT_SECONDS", wait)
    return int(wait * passwords.HASH_CONCURRENCY / seconds)


async def test_a_burst_of_hashes_runs_at_most_the_bound_at_once_and_the_backlog_waits(
    monkeypatch,
):
    gated = GatedHasher()
    monkeypatch.setattr(passwords, "password_hash", gated)
    accepted = passwords.HASH_CONCURRENCY + expect_seconds_per_hash(monkeypatch, 1.0, 3.0)
    work = [passwords.hash_password("p") for _ in range(accepted // 2)]
    work += [passwords.verify_password("p", "hashed") for _ in range(accepted - len(work))]
    burst = asyncio.gather(*work)
    await until(lambda: gated.running == passwords.HASH_CONCURRENCY)

    gated.gate.set()

    assert await burst == ["hashed"] * (accepted // 2) + [True] * (accepted - accepted // 2)
    assert gated.calls == accepted
    assert gated.most == passwords.HASH_CONCURRENCY


async def test_a_hash_that_would_wait_too_long_is_refused_at_once_with_retry_after(
    monkeypatch,
):
    gated = GatedHasher()
    monkeypatch.setattr(passwords, "password_hash", gated)
    backlog = expect_seconds_per_hash(monkeypatch, 1.0, 3.0)
    accepted = passwords.HASH_CONCURRENCY + backlog
    burst = asyncio.gather(*(passwords.verify_password("p", "hashed") for _ in range(accepted)))
    await until(lambda: gated.running == passwords.HASH_CONCURRENCY)
    await until(lambda: passwords._in_line == accepted)

    with pytest.raises(ProblemError) as refused:
        await passwords.hash_password("one too many")

    assert refused.value.status == 503
    assert refused.value.slug == "overloaded"
    assert refused.value.headers == {"Retry-After": str(passwords.BUSY_RETRY_AFTER_SECONDS)}
    assert gated.calls == passwords.HASH_CONCURRENCY  # the refused one never reached a thread
    gated.gate.set()
    assert await burst == [True] * accepted
    # Once the line has drained, hashing is accepted again.
    assert await passwords.hash_password("p") == "hashed"


async def test_hashes_that_arrive_together_are_judged_one_after_another(monkeypatch):
    """A burst in one turn of the event loop: each is judged with the ones before it in line,
    so exactly the bound is accepted and the rest are refused."""
    gated = GatedHasher()
    monkeypatch.setattr(passwords, "password_hash", gated)
    accepted = passwords.HASH_CONCURRENCY + expect_seconds_per_hash(monkeypatch, 1.0, 3.0)
    burst = asyncio.gather(
        *(passwords.hash_password("p") for _ in range(accepted + 5)), return_exceptions=True
    )
    await until(lambda: gated.running == passwords.HASH_CONCURRENCY)

    gated.gate.set()

    answers = await burst
    refused = [a for a in answers if isinstance(a, ProblemError)]
    assert answers.count("hashed") == accepted
    assert [r.status for r in refused] == [503] * 5
    assert passwords._in_line == 0


class SlowHasher:
    def hash(self, _password: str) -> str:
        time.sleep(0.05)
        return "hashed"


async def test_the_expected_wait_follows_how_long_hashes_take(monkeypatch):
    monkeypatch.setattr(passwords, "password_hash", SlowHasher())
    monkeypatch.setattr(passwords, "_seconds_per_hash", 0.0)

    await passwords.hash_password("p")

    # A moving average: one hash of at least 50 ms moves it a fifth of the way.
    assert passwords._seconds_per_hash >= 0.2 * 0.05


async def test_one_hash_per_thread_may_always_wait_however_slow_the_hashes(monkeypatch):
    gated = GatedHasher()
    monkeypatch.setattr(passwords, "password_hash", gated)
    expect_seconds_per_hash(monkeypatch, 100.0, 1.0)  # any wait at all would be too long
    pair_per_thread = 2 * passwords.HASH_CONCURRENCY
    burst = asyncio.gather(*(passwords.hash_password("p") for _ in range(pair_per_thread)))
    await until(lambda: passwords._in_line == pair_per_thread)

    with pytest.raises(ProblemError):
        await passwords.hash_password("one too many")

    gated.gate.set()
    assert await burst == ["hashed"] * pair_per_thread
