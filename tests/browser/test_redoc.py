"""ReDoc at /redoc renders the API from the app's own assets, fetching nothing from outside."""

import re
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.support import GuardedPage, find_operation

pytestmark = pytest.mark.browser


async def test_redoc_renders_the_api_and_its_operations(
    server: str, guarded: GuardedPage, tmp_path: Path
) -> None:
    listing = await find_operation(server, "listApplications")
    page = guarded.page

    await page.goto(f"{server}/redoc")
    await expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile(r"^Rebound API"))
    section = page.locator('[id="operation/listApplications"]')
    await expect(section.get_by_role("heading", level=2)).to_have_text(listing.summary)
    menu = page.locator(".menu-content")
    await menu.get_by_text(listing.tag, exact=True).click()
    await menu.get_by_text(listing.summary).click()
    await expect(section.get_by_role("heading", level=2)).to_be_in_viewport()
    await page.screenshot(path=tmp_path / "redoc.png")
    assert guarded.outside == []
    # The policy's one refusal is by design: the sidebar credit's logo on Redocly's CDN.
    assert all("cdn.redoc.ly" in refused for refused in guarded.refused_by_policy)
