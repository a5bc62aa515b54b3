"""Fixtures for the browser tests: a live server, and Debian's chromium driven by Playwright
with pages that refuse (and record) every request leaving 127.0.0.1.

Playwright's async API, since the suite runs on pytest-asyncio's event loop (the sync API
would run a loop of its own inside it)."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright, expect

from tests.browser.support import GuardedPage
from tests.live_server import live_server

CHROMIUM = Path("/usr/bin/chromium")
# Browser downloads are impossible here, so Playwright drives the system chromium, kept from
# making background requests of its own.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Both pages render a large document on a small machine: generous, and never slept on.
TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    with live_server() as base_url:
        yield base_url


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser-test` installs Debian's chromium")
    expect.set_options(timeout=TIMEOUT_MS)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield browser
        await browser.close()


@pytest.fixture
async def guarded(browser: Browser, tmp_path: Path) -> AsyncIterator[GuardedPage]:
    """A fresh browser context per test; the page as it was left is kept for debugging."""
    context = await browser.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    guarded = await GuardedPage.open(await context.new_page())
    try:
        yield guarded
    finally:
        await guarded.page.screenshot(path=tmp_path / "last-page.png")
        await context.close()
