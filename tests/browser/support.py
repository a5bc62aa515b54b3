"""Helpers for the browser tests: pages that refuse requests leaving 127.0.0.1, and the
operations as the served OpenAPI document describes them."""

from typing import NamedTuple
from urllib.parse import urlsplit

import httpx
from playwright.async_api import ConsoleMessage, Page, Route

LOCAL_HOST = "127.0.0.1"


class GuardedPage:
    """A page whose requests to any host but 127.0.0.1 are aborted and listed in `outside`."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.outside: list[str] = []
        self.refused_by_policy: list[str] = []  # Content-Security-Policy violations

    @classmethod
    async def open(cls, page: Page) -> "GuardedPage":
        guarded = cls(page)
        await page.route("**/*", guarded._route)
        page.on("console", guarded._console)
        return guarded

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.refused_by_policy.append(message.text)

    async def _route(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == LOCAL_HOST:
            await route.continue_()
        else:
            self.outside.append(url)
            await route.abort()


class Operation(NamedTuple):
    method: str
    path: str
    tag: str
    summary: str


async def find_operation(base_url: str, operation_id: str) -> Operation:
    """The operation as the docs pages will render it, read from the served document."""
    async with httpx.AsyncClient(base_url=base_url) as http:
        document = (await http.get("/openapi.json")).raise_for_status().json()
    for path, item in document["paths"].items():
        for method, spec in item.items():
            if isinstance(spec, dict) and spec.get("operationId") == operation_id:
                return Operation(method.upper(), path, spec["tags"][0], spec["summary"])
    raise LookupError(f"no operation {operation_id} in {base_url}/openapi.json")
