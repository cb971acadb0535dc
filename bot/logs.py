"""Logging that cannot carry what a person typed, who they are, or the bot token.

Log calls in this project pass only event names and counts. As a second line of
defence, a filter blanks the token wherever it would appear (httpx and the
Telegram library put it in request URLs), and httpx stays at WARNING.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time

_SECRETS: list[str] = []


class _Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if _SECRETS:
            message = record.getMessage()
            if any(secret in message for secret in _SECRETS):
                for secret in _SECRETS:
                    message = message.replace(secret, "[redacted]")
                record.msg, record.args = message, None
            if record.exc_info and record.exc_info[1] is not None:
                text = logging.Formatter().formatException(record.exc_info)
                if any(secret in text for secret in _SECRETS):
                    record.exc_info, record.exc_text = None, None
                    record.msg = f"{record.msg} [traceback withheld: it contained a secret]"
        return True


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def add_secret(secret: str | None) -> None:
    if secret and secret not in _SECRETS:
        _SECRETS.append(secret)


def setup(level: str = "INFO", *, stream: object = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.setFormatter(_JsonFormatter())
    handler.addFilter(_Redact())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "telegram.ext.Updater", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


# Loggers of python-telegram-bot that may be handed updates or raw Bot API data as
# arguments (e.g. "Error while parsing updates! Received data was %r").
_LIBRARY_LOGGERS = (
    "telegram",
    "telegram.Bot",
    "telegram.ext",
    "telegram.ext.ExtBot",
    "telegram.ext.Application",
    "telegram.ext.Updater",
    "telegram.request.BaseRequest",
    "telegram.request.HTTPXRequest",
)
_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa]")


class _WithholdArguments(logging.Filter):
    """Keep a library's log message, drop its arguments: they may be what people typed."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = _PLACEHOLDER.sub("[withheld]", str(record.msg))
            record.args = None
        return True


_WITHHOLD = _WithholdArguments()


def quiet_library_logs() -> None:
    """At DEBUG, python-telegram-bot logs whole updates and request parameters (what
    people typed) and httpx logs URLs holding the token. Never let them below this;
    set on the loggers themselves, so a lower root level set later cannot reach them."""
    for name, floor in (
        ("telegram", logging.INFO),
        ("httpx", logging.WARNING),
        ("httpcore", logging.WARNING),
    ):
        lib = logging.getLogger(name)
        lib.setLevel(max(floor, lib.level))
    for name in _LIBRARY_LOGGERS:
        lib = logging.getLogger(name)
        if _WITHHOLD not in lib.filters:
            lib.addFilter(_WITHHOLD)
