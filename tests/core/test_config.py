"""Settings: database URLs turned into async ones, and secrets refused or generated."""

import stat
from typing import Any

import pytest
from pydantic import ValidationError

from app.core.config import Settings, async_database_url

STRONG_KEY = "k" * 48


@pytest.fixture(autouse=True)
def no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the values a test passes count: nothing from the shell leaks in."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


def settings(tmp_path, **values: Any) -> Settings:
    return Settings(_env_file=None, var_dir=tmp_path, **values)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("sqlite:////var/lib/rebound.db", "sqlite+aiosqlite:////var/lib/rebound.db"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("postgres://u:p@db:5432/rebound", "postgresql+asyncpg://u:p@db:5432/rebound"),
        ("postgresql://u:p@db/rebound", "postgresql+asyncpg://u:p@db/rebound"),
        ("postgresql+psycopg://u@db/rebound", "postgresql+asyncpg://u@db/rebound"),
        (
            "postgres://u@db/rebound?sslmode=require",
            "postgresql+asyncpg://u@db/rebound?ssl=require",
        ),
        (
            "postgresql://u@db/rebound?application_name=api&sslmode=verify-full",
            "postgresql+asyncpg://u@db/rebound?application_name=api&ssl=verify-full",
        ),
    ],
)
def test_database_urls_get_an_async_driver(tmp_path, given, expected):
    configured = settings(tmp_path, database_url=given, secret_key=STRONG_KEY)

    assert configured.async_database_url == expected
    assert configured.database_url == given


@pytest.mark.parametrize("url", ["mysql://u@db/rebound", "rebound.db", ""])
def test_a_database_url_that_is_not_sqlite_or_postgres_is_refused(tmp_path, url):
    with pytest.raises(ValidationError, match="DATABASE_URL"):
        settings(tmp_path, database_url=url, secret_key=STRONG_KEY)


def test_sqlite_is_recognised(tmp_path):
    assert settings(tmp_path, database_url="sqlite:///x.db").is_sqlite
    assert not settings(tmp_path, database_url="postgresql://u@db/rebound").is_sqlite


def test_async_database_url_refuses_other_schemes():
    with pytest.raises(ValueError, match="DATABASE_URL"):
        async_database_url("mysql://u@db/rebound")


def test_production_requires_a_secret_key(tmp_path):
    with pytest.raises(ValidationError, match="SECRET_KEY is required"):
        settings(tmp_path, environment="production")

    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    "key",
    ["k" * 31, "changethis", "CHANGEME"],
    ids=["31-bytes", "placeholder", "placeholder-upper"],
)
def test_production_refuses_a_weak_secret_key(tmp_path, key):
    with pytest.raises(ValidationError, match="at least 32"):
        settings(tmp_path, environment="production", secret_key=key)


def test_production_accepts_a_strong_secret_key(tmp_path):
    configured = settings(tmp_path, environment="production", secret_key="k" * 32)

    assert configured.secret == "k" * 32


def test_development_generates_a_private_key_once_and_reuses_it(tmp_path):
    first = settings(tmp_path / "var", environment="development")

    second = settings(tmp_path / "var", environment="development")

    key_file = tmp_path / "var" / "secret_key"
    assert len(first.secret.encode()) >= 32
    assert second.secret == first.secret
    assert key_file.read_text() == first.secret
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_an_explicit_secret_key_wins_over_the_generated_one(tmp_path):
    generated = settings(tmp_path).secret

    configured = settings(tmp_path, secret_key=STRONG_KEY)

    assert configured.secret == STRONG_KEY != generated


def test_settings_are_read_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db/rebound")
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    monkeypatch.setenv("ENVIRONMENT", "production")

    configured = settings(tmp_path)

    assert configured.environment == "production"
    assert configured.async_database_url == "postgresql+asyncpg://u@db/rebound"
    assert configured.secret == STRONG_KEY


def test_lists_are_read_as_json_or_comma_separated(tmp_path, monkeypatch):
    monkeypatch.setenv("CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("TRUSTED_PROXIES", '["10.0.0.0/8"]')

    read = settings(tmp_path)

    assert read.cors_origins == ["https://a.example", "https://b.example"]
    assert read.trusted_proxies == ["10.0.0.0/8"]


def test_rates_are_written_count_per_period(tmp_path, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_TOKEN_PER_IP", "5/minute")
    monkeypatch.setenv("REDIS_URL", "")

    read = settings(tmp_path, rate_limit_writes_per_user="100/hour")

    assert (read.rate_limit_token_per_ip.count, read.rate_limit_token_per_ip.seconds) == (5, 60)
    assert str(read.rate_limit_writes_per_user) == "100/hour"
    assert read.redis_url is None
    with pytest.raises(ValidationError):
        settings(tmp_path, rate_limit_token_per_ip="5 per minute")
    with pytest.raises(ValidationError):
        settings(tmp_path, rate_limit_token_per_ip="0/minute")
