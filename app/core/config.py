"""Settings: the one place configuration is read, from the environment or `.env`."""

import json
import logging
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlencode

from pydantic import (
    BeforeValidator,
    Field,
    PlainSerializer,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

logger = logging.getLogger("rebound.config")

PLACEHOLDER_SECRETS = {"changethis", "changeme", "secret", "your-secret-key"}
MIN_SECRET_BYTES = 32


def async_database_url(url: str) -> str:
    """Turn the URL a user or a platform gives into one with an async driver."""
    scheme, sep, rest = url.partition("://")
    base = scheme.split("+", 1)[0]
    if sep and base == "sqlite":
        return f"sqlite+aiosqlite://{rest}"
    if sep and base in {"postgres", "postgresql"}:
        # asyncpg spells libpq's `sslmode` as `ssl`.
        location, _, query = rest.partition("?")
        params = [("ssl" if k == "sslmode" else k, v) for k, v in parse_qsl(query)]
        return f"postgresql+asyncpg://{location}" + (f"?{urlencode(params)}" if params else "")
    raise ValueError("DATABASE_URL must be a sqlite:// or postgresql:// URL")


_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)\s*$")


@dataclass(frozen=True, slots=True)
class Rate:
    """At most `count` events per fixed window of `seconds`."""

    count: int
    seconds: int

    def __str__(self) -> str:
        period = next(name for name, seconds in _PERIODS.items() if seconds == self.seconds)
        return f"{self.count}/{period}"


def _parse_rate(value: Any) -> Any:
    if isinstance(value, str):
        match = _RATE.match(value)
        if match is None or int(match[1]) < 1:
            raise ValueError("a rate is written N/second, N/minute, N/hour or N/day (N >= 1)")
        return Rate(int(match[1]), _PERIODS[match[2]])
    return value


RateSetting = Annotated[Rate, NoDecode, BeforeValidator(_parse_rate), PlainSerializer(str)]


def _list_setting(value: Any) -> Any:
    """A list from the environment: a JSON list, or comma-separated values."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


ListSetting = Annotated[list[str], NoDecode, BeforeValidator(_list_setting)]


def _empty_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./var/rebound.db"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    var_dir: Path = Path("./var")
    secret_key: SecretStr | None = None
    jwt_issuer: str = "rebound"
    jwt_audience: str = "rebound-api"
    access_token_minutes: int = Field(default=15, ge=1, le=1440)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    refresh_reuse_grace_seconds: int = Field(default=30, ge=0, le=600)
    # Browser origins allowed to call the API; empty = no CORS headers at all.
    cors_origins: ListSetting = []
    # Peers (addresses or networks) whose X-Forwarded-For / X-Forwarded-Proto are believed.
    trusted_proxies: ListSetting = []
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # Routes that read a page or a file raise the body limit for themselves (only they do).
    max_posting_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    max_csv_import_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    # Connections per process: asyncpg's pool on PostgreSQL, the engine's on SQLite.
    db_pool_size: int = Field(default=5, ge=1, le=200)
    db_pool_timeout_seconds: float = Field(default=10, gt=0, le=120)
    db_busy_timeout_ms: int = Field(default=5000, ge=0, le=600_000)
    retry_after_seconds: int = Field(default=5, ge=1, le=3600)
    shutdown_grace_seconds: int = Field(default=30, ge=1, le=3600)
    # FastAPI's native OpenTelemetry (spans, metrics, logs through the process's global
    # providers, which an OpenTelemetry SDK the deployment installs must configure). Off, it
    # costs nothing; on, FastAPI asks the providers on every request.
    opentelemetry: bool = False

    # Rate limits (app/core/ratelimit.py). Counters live in Redis when REDIS_URL is set (shared
    # by every process and instance), otherwise in the memory of each process.
    redis_url: Annotated[str | None, BeforeValidator(_empty_is_none)] = None
    redis_key_prefix: str = "rebound:"
    rate_limit_token_per_ip: RateSetting = Rate(30, 60)
    rate_limit_register_per_ip: RateSetting = Rate(10, 3600)
    rate_limit_register_per_email: RateSetting = Rate(5, 3600)
    rate_limit_password_reset_per_ip: RateSetting = Rate(10, 3600)
    rate_limit_password_reset_per_email: RateSetting = Rate(3, 3600)
    # Mails of codes a signed-in user asks for (email change, verification resend).
    rate_limit_email_codes_per_user: RateSetting = Rate(5, 3600)
    rate_limit_writes_per_user: RateSetting = Rate(600, 60)
    # Records an account may import (POST /v1/me/import), apart from the write limit above,
    # which counts an import as one write.
    rate_limit_import_records_per_user: RateSetting = Rate(20_000, 3600)
    # Readings of pasted emails and postings (POST /v1/intake/…), which write nothing and so
    # pass the write limit: a limit of their own.
    rate_limit_intake_per_user: RateSetting = Rate(60, 60)
    # Sign-in failures per account: this many are free, then each attempt waits 1, 2, 4, …
    # seconds (at most the cap); the count is forgotten after a quiet period.
    login_backoff_after: int = Field(default=5, ge=1)
    login_backoff_max_seconds: int = Field(default=900, ge=1, le=86400)
    login_failures_expire_seconds: int = Field(default=3600, ge=60, le=7 * 86400)

    # Live records an account may hold in each collection (applications, contacts, …): a safety
    # bound against runaway clients, checked by every create and import (app/shared/quota.py).
    quota_records_per_collection: int = Field(default=50_000, ge=1)

    # Password reset mails: over SMTP when SMTP_HOST is set, else written to VAR_DIR/outbox/.
    smtp_host: Annotated[str | None, BeforeValidator(_empty_is_none)] = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: Annotated[str | None, BeforeValidator(_empty_is_none)] = None
    smtp_password: SecretStr | None = None
    smtp_tls: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_timeout_seconds: float = Field(default=10, gt=0, le=120)
    mail_from: str = "Rebound <no-reply@localhost>"
    password_reset_minutes: int = Field(default=30, ge=5, le=1440)
    email_code_minutes: int = Field(default=30, ge=5, le=1440)
    # Where the mail's link points (the token is appended as `?token=`); unset = code only.
    password_reset_url: Annotated[str | None, BeforeValidator(_empty_is_none)] = None

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        async_database_url(value)
        return value

    @model_validator(mode="after")
    def _check_secret_key(self) -> "Settings":
        if self.secret_key is None:
            if self.environment == "production":
                raise ValueError("SECRET_KEY is required when ENVIRONMENT=production")
            self.secret_key = SecretStr(self._development_secret())
        key = self.secret_key.get_secret_value()
        if self.environment == "production" and (
            len(key.encode()) < MIN_SECRET_BYTES or key.lower() in PLACEHOLDER_SECRETS
        ):
            raise ValueError(
                f"SECRET_KEY must be at least {MIN_SECRET_BYTES} random bytes in production "
                "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return self

    def _development_secret(self) -> str:
        path = self.var_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.touch(mode=0o600)
        path.write_text(key)
        logger.warning("no SECRET_KEY set: generated a development key in %s", path)
        return key

    @property
    def async_database_url(self) -> str:
        return async_database_url(self.database_url)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def secret(self) -> str:
        assert self.secret_key is not None  # set by the validator
        return self.secret_key.get_secret_value()


@lru_cache
def get_settings() -> Settings:
    return Settings()
