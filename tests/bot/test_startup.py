"""Every way a start can fail ends with one line on stderr and a non-zero exit,
through the real entry point (`python -m bot ...`) in a separate process."""

from __future__ import annotations

import errno
import os
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings
from bot.startup import message_for
from storage.crypto import GENERATED_KEY_FILE
from storage.store import DB_FILE

ROOT = Path(__file__).resolve().parents[2]
KEY = secrets.token_urlsafe(32)
START = '{"text": "/start"}\n'


def bot(
    data_dir: Path, *args: str, stdin: str = START, **env: str
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("SP_ADVISOR_", "TELEGRAM_"))}
    base.update(SP_ADVISOR_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1", **env)
    return subprocess.run(
        [sys.executable, "-m", "bot", *(args or ("chat", "--jsonl"))],
        input=stdin, capture_output=True, text=True, env=base, cwd=ROOT, timeout=60,
    )


def refused(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert result.stdout == ""
    return lines[0]


def test_a_store_opens_again_with_its_key(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert bot(data, SP_ADVISOR_SECRET_KEY=KEY).returncode == 0
    again = bot(data, SP_ADVISOR_SECRET_KEY=KEY)
    assert again.returncode == 0, again.stderr
    assert '"error": null' in again.stdout


def test_a_wrong_key_refuses_to_start_and_leaves_the_rows(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert bot(data, SP_ADVISOR_SECRET_KEY=KEY).returncode == 0
    with sqlite3.connect(data / DB_FILE) as conn:
        rows = conn.execute("SELECT owner, payload FROM sessions").fetchall()
    assert len(rows) == 1
    line = refused(bot(data, SP_ADVISOR_SECRET_KEY=secrets.token_urlsafe(32)),
                   "SP_ADVISOR_SECRET_KEY is not the key this database was made with")
    assert KEY not in line
    refused(bot(data, SP_ADVISOR_SECRET_KEY="a passphrase that is long enough"), "not the key")
    with sqlite3.connect(data / DB_FILE) as conn:
        assert conn.execute("SELECT owner, payload FROM sessions").fetchall() == rows


def test_an_empty_key_variable_is_an_error_not_a_new_key(tmp_path: Path, config_home: Path) -> None:
    data = tmp_path / "data"
    refused(bot(data, SP_ADVISOR_SECRET_KEY=""), "SP_ADVISOR_SECRET_KEY", "empty")
    refused(bot(data, SP_ADVISOR_SECRET_KEY_FILE=" "), "SP_ADVISOR_SECRET_KEY_FILE", "empty")
    assert not config_home.exists()
    assert not data.exists()


def test_a_lost_key_file_is_an_error_not_a_new_key(tmp_path: Path, config_home: Path) -> None:
    data = tmp_path / "data"
    assert bot(data).returncode == 0
    key_file = config_home / "sp-advisor" / GENERATED_KEY_FILE
    assert key_file.exists()
    assert not (data / GENERATED_KEY_FILE).exists()
    key_file.unlink()
    refused(bot(data), "exists but its key file is missing")
    assert not key_file.exists()


def test_a_file_instead_of_the_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.write_text("not a folder")
    refused(bot(data, SP_ADVISOR_SECRET_KEY=KEY), "cannot use", str(data))


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="Linux sysfs")
def test_a_data_folder_that_cannot_be_written(tmp_path: Path) -> None:
    # Not even root may create files in sysfs; elsewhere root ignores permissions.
    refused(bot(Path("/sys/kernel"), SP_ADVISOR_SECRET_KEY=KEY), "cannot use")


def test_a_damaged_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / DB_FILE).write_bytes(os.urandom(8192))
    refused(bot(data, SP_ADVISOR_SECRET_KEY=KEY), "damaged")


def test_a_database_from_a_newer_version(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert bot(data, SP_ADVISOR_SECRET_KEY=KEY).returncode == 0
    with sqlite3.connect(data / DB_FILE) as conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                     "VALUES ('sp-advisor', 'm999_from_the_future', '2030-01-01')")
    refused(bot(data, SP_ADVISOR_SECRET_KEY=KEY), "newer version")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SP_ADVISOR_LOG_LEVEL", "loud"),
        ("SP_ADVISOR_OPERATORS", "²"),
        ("SP_ADVISOR_OPERATORS", "12,abc"),
        ("SP_ADVISOR_SESSION_DAYS", "-1"),
        ("SP_ADVISOR_SECRET_KEY", "hunter2x"),
    ],
)
def test_bad_settings(tmp_path: Path, variable: str, value: str) -> None:
    line = refused(bot(tmp_path / "data", **{variable: value}), variable)
    assert value not in line.removeprefix("sp-advisor: ").split(variable, 1)[1]


def test_run_without_a_token_and_run_with_a_wrong_key(tmp_path: Path) -> None:
    data = tmp_path / "data"
    refused(bot(data, "run", SP_ADVISOR_SECRET_KEY=KEY), "TELEGRAM_BOT_TOKEN")
    assert bot(data, SP_ADVISOR_SECRET_KEY=KEY).returncode == 0
    # The key is checked before the bot contacts Telegram (nothing listens here).
    line = refused(bot(data, "run", SP_ADVISOR_SECRET_KEY=secrets.token_urlsafe(32),
                       TELEGRAM_BOT_TOKEN="123:SECRETTOKEN",
                       TELEGRAM_BASE_URL="http://127.0.0.1:9/bot"), "not the key")
    assert "SECRETTOKEN" not in line
    refused(bot(data, "stats", SP_ADVISOR_SECRET_KEY=secrets.token_urlsafe(32)), "not the key")


def test_the_error_mapper() -> None:
    full = message_for(sqlite3.OperationalError("database or disk is full"))
    assert full[0].startswith("the disk holding the data folder is full") and full[1] != 0
    assert message_for(OSError(errno.ENOSPC, "No space left on device"))[0] == full[0]
    # Unknown errors may carry text someone typed: only their type is shown.
    assert message_for(RuntimeError("Zebulon Quixotevna"))[0] == (
        "sp-advisor stopped on an unexpected error (RuntimeError)"
    )
    with pytest.raises(ValidationError) as info:
        Settings(secret_key="", operators="x")
    message, code = message_for(info.value)
    assert "\n" not in message and code != 0
    assert "SP_ADVISOR_SECRET_KEY" in message and "SP_ADVISOR_OPERATORS" in message
