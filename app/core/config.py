"""Settings: the one place configuration is read, from the environment or `.env`."""

import logging
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, urlencode

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    cors_origins: list[str] = []
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    db_pool_size: int = Field(default=20, ge=1, le=200)
    db_pool_timeout_seconds: float = Field(default=10, gt=0, le=120)
    db_busy_timeout_ms: int = Field(default=5000, ge=0, le=600_000)
    retry_after_seconds: int = Field(default=5, ge=1, le=3600)
    shutdown_grace_seconds: int = Field(default=30, ge=1, le=3600)

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
