"""Configuration from the environment (see the README's table)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SP_ADVISOR_", extra="ignore")

    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN")
    )
    telegram_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_BASE_URL")
    )
    data_dir: Path = Path("data")
    secret_key: SecretStr | None = None
    secret_key_file: Path | None = None
    # Comma-separated Telegram user ids allowed operator commands.
    operators: str = ""
    session_days: int = Field(default=30, ge=1)
    draft_hours: int = Field(default=48, ge=1)
    # Anonymous counters older than this are deleted (two years by default).
    stats_keep_days: int = Field(default=730, ge=1)
    # Published by the operator elsewhere (e.g. their website); /verify shows it.
    verify_phrase: str | None = None
    log_level: str = "INFO"

    @field_validator("operators")
    @classmethod
    def _ids(cls, value: str) -> str:
        for part in filter(None, (p.strip() for p in value.split(","))):
            if not part.isdigit():
                raise ValueError("SP_ADVISOR_OPERATORS must be comma-separated numeric user ids")
        return value

    @property
    def operator_ids(self) -> frozenset[int]:
        return frozenset(int(p) for p in self.operators.split(",") if p.strip())
