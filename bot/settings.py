"""Configuration from the environment (see the README's table)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses.
_USER_ID = re.compile(r"[0-9]{1,20}")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _split_listen(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("must be host:port, e.g. 127.0.0.1:8443")
    return host.strip("[]"), int(port)


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
    # Webhook mode (instead of long polling), behind a reverse proxy that terminates TLS.
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1:8443"
    webhook_secret: SecretStr | None = None

    @field_validator("operators")
    @classmethod
    def _ids(cls, value: str) -> str:
        for part in filter(None, (p.strip() for p in value.split(","))):
            if not _USER_ID.fullmatch(part):
                raise ValueError("must be comma-separated numeric user ids")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS or not isinstance(logging.getLevelName(level), int):
            raise ValueError("must be one of " + ", ".join(LOG_LEVELS))
        return level

    @field_validator("secret_key")
    @classmethod
    def _key_not_empty(cls, value: SecretStr | None) -> SecretStr | None:
        # An empty variable is a mistake (a missing secret in a deployment), not
        # "no key": treating it as unset would quietly start under a new key.
        if value is not None and not value.get_secret_value().strip():
            raise ValueError("is set but empty")
        return value

    @field_validator("secret_key_file", mode="before")
    @classmethod
    def _file_not_empty(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            raise ValueError("is set but empty")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("must be an https:// URL (Telegram posts only to HTTPS)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_token(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram's secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -.
        if value is not None and not _SECRET_TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("webhook_listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        # Checked with the other settings, so a bad value is one configuration line at
        # start rather than an error inside the running bot.
        _split_listen(value)
        return value

    @property
    def listen(self) -> tuple[str, int]:
        return _split_listen(self.webhook_listen)

    @property
    def operator_ids(self) -> frozenset[int]:
        return frozenset(int(p) for p in self.operators.split(",") if p.strip())
