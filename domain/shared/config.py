"""Settings, read once from the environment (and a `.env` file if present)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUB_", env_file=".env", extra="ignore")

    # Unset: the service starts an embedded PostgreSQL in `data_dir`.
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "HUB_DATABASE_URL")
    )
    data_dir: Path = Path("var")
    environment: Literal["development", "production"] = "development"

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    token_issuer: str = "http://127.0.0.1:8000"
    token_audience: str = "implementation-hub"
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=86_400)
    refresh_token_ttl_seconds: int = Field(default=30 * 86_400, ge=3600)
    # People (issue 3): a refresh-token family never outlives this, however often rotated.
    refresh_family_max_seconds: int = Field(default=90 * 86_400, ge=3600)
    authorization_code_ttl_seconds: int = Field(default=60, ge=10, le=600)
    # The signed consent step between a successful login and the code.
    consent_ticket_ttl_seconds: int = Field(default=600, ge=60, le=3600)
    # After this many wrong passwords in a row, sign-in is refused for the lockout period.
    login_max_failures: int = Field(default=5, ge=1, le=100)
    login_lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Failed sign-ins from one network address per window before it must wait (password
    # spraying across many accounts stays under each account's lockout). Per worker process.
    login_failures_per_source: int = Field(default=30, ge=1)
    login_source_window_seconds: int = Field(default=300, ge=1)
    # Federation: how long a trusted issuer's JWKS is cached, the least time between two
    # fetches prompted by unknown key ids, and the HTTP timeout of a fetch.
    federation_jwks_ttl_seconds: float = Field(default=300.0, ge=1)
    federation_jwks_refetch_floor_seconds: float = Field(default=30.0, ge=0)
    federation_http_timeout_seconds: float = Field(default=5.0, gt=0)
    # Encrypts signing keys at rest. Unset in development: a key file in data_dir is made.
    key_encryption_key: SecretStr | None = None

    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=5, ge=0)
    db_pool_timeout_seconds: float = Field(default=5.0, gt=0)
    db_statement_timeout_ms: int = Field(default=10_000, ge=100)

    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    idempotency_ttl_seconds: int = Field(default=86_400, ge=60)

    # Observations: how far ahead of the server's clock a device's observed_at may be, and
    # the largest batch body once gzip is undone (bodies over max_body_bytes must be gzipped).
    observation_clock_skew_seconds: int = Field(default=300, ge=0, le=86_400)
    observation_batch_max_bytes: int = Field(default=8 * 1_048_576, ge=1024)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
