from __future__ import annotations

import base64
import logging
import os
import secrets
import stat
from pathlib import Path

import pytest

from storage import crypto
from storage.crypto import (
    GENERATED_KEY_FILE,
    KeyConfigError,
    Sealer,
    SealError,
    config_key_file,
    legacy_passphrase_key,
    load_key,
    read_secret,
    scrypt_key,
)

WHERE = {"table": "sessions", "field": "payload", "owner": "abc123"}


# -- sealing -------------------------------------------------------------


def test_seal_round_trip(sealer: Sealer) -> None:
    blob = sealer.seal(b"hello", **WHERE)
    assert b"hello" not in blob
    assert blob[0] == 1  # version byte
    assert len(blob) == 1 + 12 + len(b"hello") + 16
    assert sealer.unseal(blob, **WHERE) == b"hello"


def test_seal_uses_a_fresh_nonce(sealer: Sealer) -> None:
    assert sealer.seal(b"same", **WHERE) != sealer.seal(b"same", **WHERE)


def test_tampered_blob_fails(sealer: Sealer) -> None:
    blob = bytearray(sealer.seal(b"hello", **WHERE))
    for index in (0, 5, len(blob) - 1, 14):
        tampered = bytearray(blob)
        tampered[index] ^= 0x01
        with pytest.raises(SealError):
            sealer.unseal(bytes(tampered), **WHERE)
    with pytest.raises(SealError):
        sealer.unseal(bytes(blob[:-1]), **WHERE)
    with pytest.raises(SealError):
        sealer.unseal(b"", **WHERE)


@pytest.mark.parametrize(
    "other",
    [
        {"owner": "abc124"},
        {"field": "draft"},
        {"table": "drafts"},
    ],
)
def test_misplaced_blob_fails(sealer: Sealer, other: dict[str, str]) -> None:
    blob = sealer.seal(b"hello", **WHERE)
    with pytest.raises(SealError):
        sealer.unseal(blob, **{**WHERE, **other})


def test_associated_data_is_unambiguous(sealer: Sealer) -> None:
    blob = sealer.seal(b"x", table="ab", field="c", owner="d")
    with pytest.raises(SealError):
        sealer.unseal(blob, table="a", field="bc", owner="d")


def test_wrong_key_fails(sealer: Sealer) -> None:
    blob = sealer.seal(b"hello", **WHERE)
    with pytest.raises(SealError):
        Sealer(secrets.token_bytes(32)).unseal(blob, **WHERE)


def test_sealer_needs_32_bytes() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Sealer(b"short")


def test_sealer_repr_hides_key() -> None:
    key = secrets.token_bytes(32)
    text = repr(Sealer(key))
    assert key.hex() not in text and "hidden" in text


# -- pseudonyms ----------------------------------------------------------


def test_pseudonym_deterministic_and_opaque() -> None:
    key = secrets.token_bytes(32)
    raw = 987654321
    first = Sealer(key).pseudonym("telegram", raw)
    assert first == Sealer(key).pseudonym("telegram", raw)
    assert first == Sealer(key).pseudonym("telegram", str(raw))
    assert len(first) == 32
    assert int(first, 16) >= 0
    assert str(raw) not in first


def test_pseudonym_differs_across_keys_namespaces_and_ids(sealer: Sealer) -> None:
    other = Sealer(secrets.token_bytes(32))
    assert sealer.pseudonym("telegram", 42) != other.pseudonym("telegram", 42)
    assert sealer.pseudonym("telegram", 42) != sealer.pseudonym("terminal", 42)
    assert sealer.pseudonym("telegram", 42) != sealer.pseudonym("telegram", 43)
    # Length prefixes keep namespace and id apart.
    assert sealer.pseudonym("telegram1", 2) != sealer.pseudonym("telegram", 12)


def test_pseudonym_refuses_bool(sealer: Sealer) -> None:
    with pytest.raises(TypeError):
        sealer.pseudonym("telegram", True)


# -- keys ----------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_generated_key_file_is_private_reused_and_apart_from_the_data(
    tmp_path: Path, config_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    data_dir = tmp_path / "data"
    key = load_key(data_dir, None, None)
    assert len(key) == 32
    key_file = config_home / "sp-advisor" / GENERATED_KEY_FILE
    assert config_key_file() == key_file
    assert not (data_dir / GENERATED_KEY_FILE).exists()
    assert _mode(key_file) == 0o600
    assert _mode(key_file.parent) == 0o700
    assert base64.urlsafe_b64decode(key_file.read_text().strip()) == key

    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "outside the data folder" in warnings[0].getMessage()
    encoded = key_file.read_text().strip()
    assert encoded not in caplog.text
    assert key.hex() not in caplog.text

    caplog.clear()
    assert load_key(data_dir, None, None) == key
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_key_falls_back_to_the_data_folder_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A configuration folder that cannot be made (a file stands in its way).
    blocker = tmp_path / "blocked"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))
    data_dir = tmp_path / "data"
    key = load_key(data_dir, None, None)
    assert (data_dir / GENERATED_KEY_FILE).read_text().strip() == (
        base64.urlsafe_b64encode(key).decode()
    )
    assert "IN THE DATA FOLDER" in caplog.text
    assert caplog.text.count("\n") == 1  # one line


def test_old_key_file_in_the_data_folder_is_still_used_with_a_warning(
    tmp_path: Path, config_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    raw = secrets.token_bytes(32)
    tmp_path.joinpath(GENERATED_KEY_FILE).write_text(base64.urlsafe_b64encode(raw).decode())
    assert load_key(tmp_path, None, None) == raw
    assert "IN THE DATA FOLDER" in caplog.text
    assert not config_home.exists()


def test_a_missing_key_file_beside_an_existing_database_is_an_error(
    tmp_path: Path, config_home: Path
) -> None:
    with pytest.raises(KeyConfigError, match="exists but its key file is missing"):
        read_secret(tmp_path, None, None, database_exists=True)
    assert not config_home.exists()
    assert not (tmp_path / GENERATED_KEY_FILE).exists()


def test_a_docker_secret_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = secrets.token_bytes(32)
    secret_file = tmp_path / "sp_advisor_secret_key"
    secret_file.write_text(base64.b64encode(raw).decode())
    monkeypatch.setattr(crypto, "DOCKER_SECRET_FILE", secret_file)
    assert load_key(tmp_path / "data", None, None) == raw


def test_explicit_base64_key_standard_and_urlsafe(tmp_path: Path) -> None:
    raw = bytes(range(200, 232))  # contains bytes that differ between alphabets
    standard = base64.b64encode(raw).decode()
    urlsafe = base64.urlsafe_b64encode(raw).decode()
    assert standard != urlsafe
    assert load_key(tmp_path, standard, None) == raw
    assert load_key(tmp_path, urlsafe, None) == raw
    assert load_key(tmp_path, urlsafe.rstrip("="), None) == raw
    assert load_key(tmp_path, f"  {urlsafe}\n", None) == raw
    # An explicit key never creates a key file.
    assert not (tmp_path / GENERATED_KEY_FILE).exists()


def test_longer_base64_key_is_reduced(tmp_path: Path) -> None:
    raw = secrets.token_bytes(64)
    key = load_key(tmp_path, base64.b64encode(raw).decode(), None)
    assert len(key) == 32
    assert key != raw[:32]


def test_passphrase_is_read_as_a_passphrase_not_a_key(tmp_path: Path) -> None:
    phrase = "correct horse battery staple, twice over"
    secret = read_secret(tmp_path, phrase, None)
    assert secret.passphrase
    assert phrase not in repr(secret)
    with pytest.raises(KeyConfigError, match="salt"):
        load_key(tmp_path, phrase, None)


def test_scrypt_depends_on_passphrase_and_salt() -> None:
    cheap = {"n": 2**10, "r": 8, "p": 1}
    key = scrypt_key(b"correct horse battery", b"s" * 16, **cheap)
    assert len(key) == 32
    assert key == scrypt_key(b"correct horse battery", b"s" * 16, **cheap)
    assert key != scrypt_key(b"correct horse battery", b"t" * 16, **cheap)
    assert key != scrypt_key(b"correct horse batterz", b"s" * 16, **cheap)
    assert key != legacy_passphrase_key(b"correct horse battery")


def test_key_file(tmp_path: Path) -> None:
    raw = secrets.token_bytes(32)
    key_file = tmp_path / "my.key"
    key_file.write_text("\n  " + base64.urlsafe_b64encode(raw).decode() + "  \n")
    key_file.chmod(0o600)
    assert load_key(tmp_path / "data", None, key_file) == raw
    assert not (tmp_path / "data").exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_key_file_readable_by_others_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key_file = tmp_path / "my.key"
    secret = secrets.token_urlsafe(32)
    key_file.write_text(secret)
    key_file.chmod(0o644)
    load_key(tmp_path, None, key_file)
    assert "chmod 600" in caplog.text
    assert secret not in caplog.text


@pytest.mark.parametrize(
    "bad",
    ["", "   \n", "hunter2", "short-pass-1234"],
)
def test_bad_key_raises_without_echo(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError) as info:
        load_key(tmp_path, bad, None)
    if bad.strip():
        assert bad.strip() not in str(info.value)
    assert not (tmp_path / GENERATED_KEY_FILE).exists()


def test_bad_key_file_raises_without_echo(tmp_path: Path) -> None:
    key_file = tmp_path / "my.key"
    key_file.write_text("tooshort99\n")
    with pytest.raises(ValueError) as info:
        load_key(tmp_path, None, key_file)
    assert "tooshort99" not in str(info.value)

    key_file.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(ValueError, match="UTF-8"):
        load_key(tmp_path, None, key_file)

    with pytest.raises(ValueError, match="cannot read"):
        load_key(tmp_path, None, tmp_path / "missing.key")


def test_both_settings_is_an_error(tmp_path: Path) -> None:
    key = secrets.token_urlsafe(32)
    with pytest.raises(ValueError, match="not both") as info:
        load_key(tmp_path, key, tmp_path / "my.key")
    assert key not in str(info.value)


def test_empty_generated_key_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / GENERATED_KEY_FILE).write_text("")
    with pytest.raises(KeyConfigError, match="empty"):
        load_key(tmp_path, None, None)
