"""Password hashing: Argon2id at or above OWASP's cost, and never more hashes at once than
the bound, however many sign-ins arrive together."""

import asyncio
import re
import threading
import time

from app.auth import passwords


def test_the_production_hasher_is_argon2id_at_owasp_cost_or_above():
    encoded = passwords.HASHER.hash("correct horse battery staple")
    match = re.fullmatch(r"\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$.+", encoded)
    assert match, encoded
    memory_kib, passes, lanes = map(int, match.groups())
    assert memory_kib >= 19 * 1024 and passes >= 2  # OWASP Password Storage Cheat Sheet
    assert lanes == 1  # one core per hash, as the concurrency bound assumes
    assert passwords.HASHER.verify("correct horse battery staple", encoded)


class CountingHasher:
    """Stands in for Argon2: records how many hashes run at the same moment."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = self.most = self.calls = 0

    def _run(self) -> None:
        with self.lock:
            self.running += 1
            self.calls += 1
            self.most = max(self.most, self.running)
        time.sleep(0.02)  # hold the slot so that others pile up behind it
        with self.lock:
            self.running -= 1

    def hash(self, _password: str) -> str:
        self._run()
        return "hashed"

    def verify(self, _password: str, _hashed: str) -> bool:
        self._run()
        return True


async def test_a_burst_of_hashes_runs_at_most_the_bound_at_once(monkeypatch):
    counting = CountingHasher()
    monkeypatch.setattr(passwords, "password_hash", counting)
    work = [passwords.hash_password("p") for _ in range(6)]
    work += [passwords.verify_password("p", "hashed") for _ in range(6)]
    await asyncio.gather(*work)
    assert counting.calls == 12
    assert counting.most == passwords.HASH_CONCURRENCY
