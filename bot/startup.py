"""What every command does before it touches a person's data, and how it fails.

A start that fails prints one line on stderr and exits non-zero: never a
traceback, which could carry a key, a token or what someone typed in local
variables, and which an operator under pressure cannot read anyway.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import resource
import sqlite3
import sys

from pydantic import ValidationError

from storage.crypto import KeyConfigError
from storage.keycheck import DatabaseStateError

logger = logging.getLogger(__name__)

EXIT_CONFIG = 2  # the operator must change something before it can start
EXIT_FAILED = 1  # it started, or tried to, and could not go on

_PR_SET_DUMPABLE = 4
_PR_GET_DUMPABLE = 3


class StartupError(Exception):
    """Stops the command with this one line (already safe to print) and this exit code."""

    def __init__(self, message: str, code: int = EXIT_CONFIG) -> None:
        super().__init__(message)
        self.code = code


def no_core_dumps() -> None:
    """Keep the memory of this process (typed text, the key, the token) out of core
    files, and out of reach of debuggers run by other processes of the same user.

    RLIMIT_CORE 0 stops the kernel writing a core file; PR_SET_DUMPABLE 0 also
    covers a core_pattern that pipes to a crash collector (which ignores the
    limit), and makes /proc/<pid>/mem and ptrace refuse non-root processes.
    """
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
            raise StartupError(
                "could not turn off core dumps for this process "
                f"({os.strerror(ctypes.get_errno())})", EXIT_FAILED
            )


def is_dumpable() -> bool:
    """What the kernel says about this process (False where it cannot be asked)."""
    if not sys.platform.startswith("linux"):
        return False
    return bool(ctypes.CDLL(None).prctl(_PR_GET_DUMPABLE, 0, 0, 0, 0))


def _setting_name(loc: tuple[int | str, ...]) -> str:
    field = str(loc[0]) if loc else "?"
    if field in ("telegram_bot_token", "TELEGRAM_BOT_TOKEN"):
        return "TELEGRAM_BOT_TOKEN"
    if field in ("telegram_base_url", "TELEGRAM_BASE_URL"):
        return "TELEGRAM_BASE_URL"
    return "SP_ADVISOR_" + field.upper()


def _configuration(exc: ValidationError) -> str:
    # Only where and what: pydantic's own text quotes the input, which can be a key.
    problems = [f"{_setting_name(e['loc'])} {e['msg'].removeprefix('Value error, ')}"
                for e in exc.errors()]
    return "configuration error: " + "; ".join(problems)


def _oneline(text: str) -> str:
    return " ".join(text.split())


def message_for(exc: BaseException) -> tuple[str, int]:
    """The one line and the exit code for an exception that ended a command."""
    if isinstance(exc, StartupError):
        return _oneline(str(exc)), exc.code
    if isinstance(exc, ValidationError):
        return _oneline(_configuration(exc)), EXIT_CONFIG
    if isinstance(exc, KeyConfigError):
        return _oneline(f"key error: {exc}"), EXIT_CONFIG
    if isinstance(exc, DatabaseStateError):
        return _oneline(str(exc)), EXIT_CONFIG
    if isinstance(exc, sqlite3.DatabaseError):
        text = str(exc)
        if "full" in text:
            return "the disk holding the data folder is full: free some space and start again", \
                EXIT_FAILED
        if "locked" in text or "busy" in text:
            return "the database is in use by another process of sp-advisor", EXIT_FAILED
        if "malformed" in text or "not a database" in text:
            return ("the database is damaged or is not an sp-advisor database: restore it from "
                    "a backup or move it away to start a new one"), EXIT_FAILED
        if "readonly" in text or "unable to open" in text:
            return "the database cannot be opened for writing: check the data folder", \
                EXIT_FAILED
        # SQLite's own messages name the problem, never row contents.
        return _oneline(f"database error: {text}"), EXIT_FAILED
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return "the disk holding the data folder is full: free some space and start again", \
                EXIT_FAILED
        where = f" {exc.filename}" if exc.filename else ""
        reason = exc.strerror or type(exc).__name__
        return _oneline(f"cannot use{where}: {reason}"), EXIT_FAILED
    # Anything else may carry what someone typed in its message: its type only.
    return f"sp-advisor stopped on an unexpected error ({type(exc).__name__})", EXIT_FAILED
