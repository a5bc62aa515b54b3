"""Swagger UI at /docs, as a developer uses it: sign in with the password form, try an
operation, see its live response; nothing is fetched from outside 127.0.0.1."""

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.support import GuardedPage, find_operation

pytestmark = pytest.mark.browser

EMAIL = "swagger-ui@example.com"
PASSWORD = "swagger ui password 1"


async def test_a_signed_in_developer_lists_applications_from_swagger_ui(
    server: str, guarded: GuardedPage, tmp_path: Path
) -> None:
    async with httpx.AsyncClient(base_url=server) as http:
        registered = await http.post(
            "/v1/auth/register", json={"email": EMAIL, "password": PASSWORD}
        )
        assert registered.status_code == 201, registered.text
        token = registered.json()["tokens"]["access_token"]
        created = await http.post(
            "/v1/applications",
            headers={"Authorization": f"Bearer {token}"},
            json={"company": "Browserline GmbH", "role_title": "Backend engineer"},
        )
        assert created.status_code == 201, created.text
    listing = await find_operation(server, "listApplications")
    page = guarded.page

    await page.goto(f"{server}/docs")
    await expect(page.locator(".swagger-ui .info .title")).to_contain_text("Rebound API")
    # Served from 127.0.0.1 Swagger UI skips its online validator badge anyway; served from a
    # real host it would load the badge image from the public validator unless switched off.
    assert await page.evaluate("ui.getConfigs().validatorUrl") is None

    await page.locator(".auth-wrapper button.authorize").click()
    dialog = page.locator(".modal-ux")
    await dialog.locator("#oauth_username").fill(EMAIL)
    await dialog.locator("#oauth_password").fill(PASSWORD)
    async with page.expect_response(lambda r: urlsplit(r.url).path == "/v1/auth/token") as token:
        await dialog.locator(".auth-btn-wrapper button.authorize").click()
    assert (await token.value).status == 200
    await expect(dialog.locator(".auth-container")).to_contain_text("Authorized")
    await expect(dialog.locator("button", has_text="Logout")).to_be_visible()
    await dialog.locator("button.btn-done").click()
    await expect(dialog).to_have_count(0)

    block = page.locator(f"#operations-{listing.tag}-listApplications")
    await block.locator(".opblock-summary-control").click()
    await block.locator("button.try-out__btn").click()
    async with page.expect_response(
        lambda r: urlsplit(r.url).path == listing.path and r.request.method == listing.method
    ) as listed:
        await block.locator("button.execute").click()
    response = await listed.value
    assert response.status == 200
    assert response.request.headers["authorization"].startswith("Bearer ")

    live = block.locator(".live-responses-table")
    await expect(live.locator("tbody .response-col_status")).to_have_text("200")
    await expect(live.locator("tbody .response-col_description")).to_contain_text(
        "Browserline GmbH"
    )
    await page.screenshot(path=tmp_path / "swagger-ui.png", full_page=True)
    assert guarded.outside == []
    assert guarded.refused_by_policy == []
