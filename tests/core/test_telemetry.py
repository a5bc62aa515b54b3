"""FastAPI's native OpenTelemetry runs only when OPENTELEMETRY is set: off, a request never
asks the global providers (which FastAPI would otherwise do on every request)."""

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.trace import NoOpTracer, TracerProvider


class CountingProvider(TracerProvider):
    """A configured provider (as an OpenTelemetry SDK would install) that counts its users."""

    def __init__(self) -> None:
        self.tracers = 0

    def get_tracer(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.tracers += 1
        return NoOpTracer()


@pytest.mark.parametrize("enabled", [False, True])
async def test_requests_are_traced_only_when_opentelemetry_is_on(app_with, monkeypatch, enabled):
    provider = CountingProvider()
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", provider)
    application = app_with(opentelemetry=enabled)
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/healthz")

    assert response.status_code == 200
    assert (provider.tracers > 0) is enabled
