"""Probes for the orchestrator, and API docs that work with no internet access."""

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from app.main import close_connections, create_app
from tests.conftest import make_settings
from tests.helpers import assert_problem

_ASSET_ATTRIBUTE = re.compile(r"""\b(?:src|href|spec-url)\s*=\s*["']([^"']+)["']""")


@pytest.fixture
async def unreachable_client(tmp_path) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app whose database does not answer (nothing listens on port 1)."""
    settings = make_settings("postgresql://postgres@127.0.0.1:1/nope", tmp_path)
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
    await close_connections(app)


def referenced_urls(html: str) -> list[str]:
    return _ASSET_ATTRIBUTE.findall(html)


async def test_healthz_says_ok(client):
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_says_ok_when_the_database_answers(client):
    response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_a_503_problem_when_the_database_is_unreachable(unreachable_client):
    response = await unreachable_client.get("/readyz")

    problem = assert_problem(response, 503)
    assert problem["type"].endswith("/not-ready")
    assert "127.0.0.1" not in response.text


async def test_healthz_does_not_need_the_database(unreachable_client):
    response = await unreachable_client.get("/healthz")

    assert response.status_code == 200


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_docs_pages_load_only_local_assets(client, page):
    response = await client.get(page)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    urls = referenced_urls(response.text)
    assert any(url.startswith("/docs-assets/") for url in urls), urls
    assert [url for url in urls if not url.startswith("/")] == []
    assert "http://" not in response.text
    assert "https://" not in response.text


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_assets_the_docs_pages_reference_are_served(client, page):
    html = (await client.get(page)).text
    assets = [url for url in referenced_urls(html) if url.startswith("/docs-assets/")]

    responses = [await client.get(asset) for asset in assets]

    assert assets
    assert [(r.url.path, r.status_code) for r in responses if r.status_code != 200] == []
    assert [r.url.path for r in responses if not r.content] == []


async def test_the_docs_reference_the_openapi_document_the_app_serves(client):
    docs = (await client.get("/docs")).text
    redoc = (await client.get("/redoc")).text

    response = await client.get("/openapi.json")

    assert "'/openapi.json'" in docs
    assert "/openapi.json" in referenced_urls(redoc)
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


async def test_the_swagger_ui_oauth2_redirect_page_is_served(client):
    response = await client.get("/docs/oauth2-redirect")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
