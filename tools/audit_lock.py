"""`make audit`: known vulnerabilities in the packages pinned by requirements.lock.

pip-audit asks the package index's per-release JSON feed about each pinned version. Where that
feed answers (it does from an ordinary network), this runs pip-audit itself, strict, on the
lock file. Where it does not (a mirror that serves only per-project JSON, as on the project's
build machines), this falls back to the same advisory data through the per-project feed,
which lists the vulnerabilities of the project's newest release:

- a pin that is the newest release: its vulnerabilities are known exactly;
- an older pin: a vulnerability still open in the newest release (no fix at or below it) is
  taken to affect the pin too; fixes released between the pin and the newest are not visible,
  so the older pins are listed, to be upgraded or accepted.

Exits 1 when a vulnerability is found (or the feed cannot be read at all), else 0.
`--ignore-vuln ID` (repeatable) accepts a known, assessed vulnerability.
"""

import argparse
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from packaging.version import InvalidVersion, Version
from pip._internal.models.index import PyPI  # the index pip itself uses; no host written here

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
PIP_AUDIT = Path(sys.executable).with_name("pip-audit")


def pins(lock: Path) -> list[tuple[str, str]]:
    return [
        (match[1].lower(), match[2])
        for line in lock.read_text().splitlines()
        if (match := PIN.match(line))
    ]


def release_feed_answers(client: httpx.Client, name: str, version: str) -> bool:
    return client.get(f"{PyPI.pypi_url}/{name}/{version}/json").status_code == 200


def pip_audit(lock: Path, ignored: list[str]) -> int:
    command = [str(PIP_AUDIT), "-r", str(lock), "--require-hashes", "--disable-pip", "--strict"]
    command += [arg for vuln in ignored for arg in ("--ignore-vuln", vuln)]
    return subprocess.run(command, check=False).returncode  # noqa: S603 (our own tool)


def project(client: httpx.Client, name: str) -> dict[str, Any]:
    response = client.get(f"{PyPI.pypi_url}/{name}/json")
    response.raise_for_status()
    return dict(response.json())


def _fixed_at_or_below(vuln: dict[str, Any], version: Version) -> bool:
    fixes = []
    for fixed in vuln.get("fixed_in") or []:
        try:
            fixes.append(Version(fixed))
        except InvalidVersion:
            continue
    return any(fix <= version for fix in fixes)


def audit_from_project_feed(
    client: httpx.Client, locked: list[tuple[str, str]], ignored: set[str]
) -> int:
    with ThreadPoolExecutor(max_workers=8) as pool:
        feeds = list(pool.map(lambda pin: project(client, pin[0]), locked))
    found, behind = [], []
    for (name, version), feed in zip(locked, feeds, strict=True):
        newest = feed["info"]["version"]
        pinned = Version(version)
        for vuln in feed.get("vulnerabilities") or []:
            aliases = {vuln["id"], *(vuln.get("aliases") or [])}
            if vuln.get("withdrawn") or aliases & ignored:
                continue
            if Version(newest) == pinned or not _fixed_at_or_below(vuln, pinned):
                fixed = ", ".join(vuln.get("fixed_in") or []) or "no fix yet"
                found.append(f"{name} {version}: {vuln['id']} (fixed in: {fixed})")
        if pinned < Version(newest):
            behind.append(f"{name} {version} (newest {newest})")
    print(  # noqa: T201
        f"audited {len(locked)} pinned packages against the advisories of their newest release; "
        f"{len(locked) - len(behind)} are the newest release, {len(behind)} are older"
    )
    for line in behind:
        print(f"  older than the newest release: {line}")  # noqa: T201
    for line in found:
        print(f"VULNERABLE {line}")  # noqa: T201
    print(f"{len(found)} known vulnerabilities found")  # noqa: T201
    return 1 if found else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lock", type=Path, nargs="?", default=Path("requirements.lock"))
    parser.add_argument("--ignore-vuln", action="append", default=[], metavar="ID")
    args = parser.parse_args()
    locked = pins(args.lock)
    with httpx.Client(timeout=30, follow_redirects=True) as client:
        if release_feed_answers(client, *locked[0]):
            return pip_audit(args.lock, args.ignore_vuln)
        print("the per-release feed pip-audit reads does not answer here: per-project feed")  # noqa: T201
        try:
            return audit_from_project_feed(client, locked, set(args.ignore_vuln))
        except httpx.HTTPError as exc:
            print(f"the advisory feed cannot be read: {type(exc).__name__}: {exc}")  # noqa: T201
            return 1


if __name__ == "__main__":
    sys.exit(main())
