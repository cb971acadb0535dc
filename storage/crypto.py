"""The master key, sealing of stored values, and pseudonyms for user ids.

Key formats accepted by `read_secret` (from `SP_ADVISOR_SECRET_KEY` or the file
named by `SP_ADVISOR_SECRET_KEY_FILE`; surrounding whitespace is ignored):

* **base64 key** - a value that decodes as base64 (standard or URL-safe
  alphabet, padding optional) to **at least 32 bytes** is key material.
  Exactly 32 bytes are used as the master key as they are; longer material is
  reduced to 32 bytes with HKDF-SHA256. Generate one with
  ``python -c "import secrets; print(secrets.token_urlsafe(32))"``.
* **passphrase** - anything else of at least `MIN_PASSPHRASE_CHARS`
  characters is a passphrase. The master key is scrypt of it with a random
  salt kept in the store (`storage.keycheck`), so each guess costs an attacker
  about as much as a start costs the bot. Stores made before scrypt keep their
  HKDF derivation (no salt, no work factor) until the key is rotated.

When neither setting is given, the key comes from a Docker secret
(`/run/secrets/sp_advisor_secret_key`) when there is one; else from a key file
kept *outside* the data folder (``$XDG_CONFIG_HOME/sp-advisor/secret.key``),
generated once (mode 0600). A ``secret.key`` already in the data folder (older
installs) is still used, with a warning, and the data folder is used for a new
key only when no configuration folder can be created, with a warning too.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import hashlib
import hmac
import logging
import os
import re
import secrets
import stat
import struct
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from storage._fs import PRIVATE_FILE_MODE, ensure_private_dir, fsync_dir

__all__ = [
    "DOCKER_SECRET_FILE",
    "GENERATED_KEY_FILE",
    "KEY_BYTES",
    "MIN_PASSPHRASE_CHARS",
    "KeyConfigError",
    "SealError",
    "Sealer",
    "Secret",
    "config_key_file",
    "legacy_passphrase_key",
    "load_key",
    "read_secret",
    "scrypt_key",
]

logger = logging.getLogger(__name__)

KEY_BYTES = 32
MIN_PASSPHRASE_CHARS = 16
GENERATED_KEY_FILE = "secret.key"
# Where Docker (and Compose, and Swarm) mount a secret named sp_advisor_secret_key.
DOCKER_SECRET_FILE = Path("/run/secrets/sp_advisor_secret_key")
_APP_DIR = "sp-advisor"

# Fixed HKDF `info` labels: changing any of them makes every stored value
# unreadable, so they are part of the on-disk format.
_INFO_PASSPHRASE = b"sp-advisor/v1/master-key/passphrase"
_INFO_LONG_KEY = b"sp-advisor/v1/master-key/long-key"
_INFO_SEAL = b"sp-advisor/v1/subkey/seal"
_INFO_PSEUDONYM = b"sp-advisor/v1/subkey/pseudonym"

_VERSION = b"\x01"
_NONCE_BYTES = 12
_TAG_BYTES = 16
_PSEUDONYM_HEX_CHARS = 32

_BASE64_RE = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")


class SealError(Exception):
    """A sealed value cannot be opened: tampered, misplaced, or sealed with another key."""


class KeyConfigError(ValueError):
    """The key cannot be used as configured. The message names the setting or the
    file, never the key: it is printed on the terminal and may reach logs."""


@dataclass(frozen=True, repr=False)
class Secret:
    """What the operator gave: a master key, or a passphrase still to be stretched
    with the store's salt (see `storage.keycheck`)."""

    material: bytes
    passphrase: bool
    # Where it came from, for messages: a setting's name or a file's path.
    origin: str = "the key"
    # The key file it was read from, if any (rotate-key replaces that file).
    path: Path | None = None

    def __repr__(self) -> str:
        return "Secret(<hidden>)"


def _hkdf(material: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(material)


def _decode_base64(text: str) -> bytes | None:
    if not _BASE64_RE.fullmatch(text):
        return None
    normalized = text.rstrip("=").replace("-", "+").replace("_", "/")
    if len(normalized) % 4 == 1:
        return None
    normalized += "=" * (-len(normalized) % 4)
    try:
        return base64.b64decode(normalized, validate=True)
    except (binascii.Error, ValueError):
        return None


def _parse_secret(text: str, source: str) -> Secret:
    # Error messages name the setting, never its value: they end up in logs
    # and terminals.
    text = text.strip()
    if not text:
        raise KeyConfigError(f"{source} is empty")
    raw = _decode_base64(text)
    if raw is not None and len(raw) >= KEY_BYTES:
        key = raw if len(raw) == KEY_BYTES else _hkdf(raw, _INFO_LONG_KEY)
        return Secret(key, passphrase=False, origin=source)
    if len(text) < MIN_PASSPHRASE_CHARS:
        raise KeyConfigError(
            f"{source} is too short: use a base64 key of {KEY_BYTES} random bytes "
            f"or a passphrase of at least {MIN_PASSPHRASE_CHARS} characters"
        )
    return Secret(text.encode("utf-8"), passphrase=True, origin=source)


def scrypt_key(passphrase: bytes, salt: bytes, *, n: int, r: int, p: int) -> bytes:
    """The master key of a passphrase: scrypt, memory-hard, with the store's salt."""
    return Scrypt(salt=salt, length=KEY_BYTES, n=n, r=r, p=p).derive(passphrase)


def legacy_passphrase_key(passphrase: bytes) -> bytes:
    """How stores made before scrypt derived a passphrase key (HKDF: no salt, no cost)."""
    return _hkdf(passphrase, _INFO_PASSPHRASE)


def _read_key_file(path: Path) -> Secret:
    source = "the secret key file"
    try:
        data = path.read_bytes()
        mode = path.stat().st_mode
    except OSError as exc:
        raise KeyConfigError(f"cannot read {source} {path}: {exc.strerror}") from None
    if os.name == "posix" and stat.S_IMODE(mode) & 0o077:
        logger.warning(
            "the secret key file can be read by other users of this machine; "
            "restrict it to its owner (chmod 600)"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise KeyConfigError(f"{source} {path} is not UTF-8 text") from None
    return dataclasses.replace(_parse_secret(text, f"{source} {path}"), path=path)


def config_key_file() -> Path | None:
    """Where a generated key goes: the user's configuration folder, not the data folder,
    so that a copy of the data folder (a seized disk, a backup) is not also the key."""
    base = os.environ.get("XDG_CONFIG_HOME", "")
    if base and os.path.isabs(base):
        return Path(base) / _APP_DIR / GENERATED_KEY_FILE
    home = os.environ.get("HOME", "")
    if not home or not os.path.isabs(home):
        return None
    return Path(home) / ".config" / _APP_DIR / GENERATED_KEY_FILE


def _write_new_key(path: Path) -> Secret:
    ensure_private_dir(path.parent)
    key = secrets.token_bytes(KEY_BYTES)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, PRIVATE_FILE_MODE)
    except FileExistsError:
        # Another process started at the same moment and won the race.
        return _read_key_file(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(base64.urlsafe_b64encode(key) + b"\n")
            handle.flush()
            # Losing this file loses every stored session: make it durable
            # before anything is sealed with it.
            os.fsync(handle.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    return Secret(key, passphrase=False, origin=f"the secret key file {path}", path=path)


def _generate_key_file(data_dir: Path) -> Secret:
    target = config_key_file()
    if target is not None:
        try:
            secret = _write_new_key(target)
        except OSError:
            pass
        else:
            logger.warning(
                "generated a new secret key file %s, outside the data folder; keep it "
                "safe and apart from the data: without it stored sessions cannot be read",
                target,
            )
            return secret
    secret = _write_new_key(data_dir / GENERATED_KEY_FILE)
    logger.warning(
        "generated a new secret key file IN THE DATA FOLDER (no configuration folder "
        "could be used): whoever copies the data folder also has the key; set "
        "SP_ADVISOR_SECRET_KEY_FILE to a file kept elsewhere"
    )
    return secret


def read_secret(
    data_dir: Path,
    secret_key: str | None,
    secret_key_file: Path | None,
    *,
    database_exists: bool = False,
) -> Secret:
    """The key as configured (see the module docstring for formats and places).

    A key is generated only for a new store: when the database exists, a missing
    key is an error, because a fresh key could not read a single stored row.
    Raises `KeyConfigError` with a message that never contains the key.
    """
    if secret_key is not None and secret_key_file is not None:
        raise KeyConfigError(
            "set either SP_ADVISOR_SECRET_KEY or SP_ADVISOR_SECRET_KEY_FILE, not both"
        )
    if secret_key is not None:
        return _parse_secret(secret_key, "SP_ADVISOR_SECRET_KEY")
    if secret_key_file is not None:
        return _read_key_file(secret_key_file)
    if DOCKER_SECRET_FILE.is_file():
        return _read_key_file(DOCKER_SECRET_FILE)
    beside_data = data_dir / GENERATED_KEY_FILE
    if beside_data.exists():
        logger.warning(
            "the secret key file is IN THE DATA FOLDER (%s): whoever copies the data "
            "folder also has the key; move it elsewhere and set SP_ADVISOR_SECRET_KEY_FILE",
            beside_data,
        )
        return _read_key_file(beside_data)
    apart = config_key_file()
    if apart is not None and apart.exists():
        return _read_key_file(apart)
    if database_exists:
        raise KeyConfigError(
            f"the database in {data_dir} exists but its key file is missing (looked for "
            f"{apart or 'a configuration folder'} and {beside_data}); set "
            "SP_ADVISOR_SECRET_KEY_FILE to the key it was made with"
        )
    return _generate_key_file(data_dir)


def load_key(data_dir: Path, secret_key: str | None, secret_key_file: Path | None) -> bytes:
    """The 32-byte master key of a base64 key or key file (a generated one when neither
    is set). A passphrase needs its store's salt: open it through `storage.keycheck`."""
    secret = read_secret(data_dir, secret_key, secret_key_file)
    if secret.passphrase:
        raise KeyConfigError("a passphrase key is derived with its store's salt")
    return secret.material


def _frame(*parts: str) -> bytes:
    # Length-prefixing keeps ("ab", "c") and ("a", "bc") apart.
    out = bytearray()
    for part in parts:
        encoded = part.encode("utf-8")
        out += struct.pack(">I", len(encoded))
        out += encoded
    return bytes(out)


@functools.cache
def _location(table: str, field: str) -> bytes:
    # A few table and column names, framed once: every update seals and opens
    # several values, and the owner is the only part that changes.
    return _VERSION + _frame(table, field)


class Sealer:
    """Seals values for storage and turns user ids into pseudonyms.

    Sealing and pseudonyms use independent subkeys, so a pseudonym reveals
    nothing about the sealing key and vice versa.
    """

    __slots__ = ("_aead", "_mac_key")

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != KEY_BYTES:
            raise ValueError(f"the master key must be {KEY_BYTES} bytes")
        self._aead = AESGCM(_hkdf(master_key, _INFO_SEAL))
        self._mac_key = _hkdf(master_key, _INFO_PSEUDONYM)

    def __repr__(self) -> str:
        return "Sealer(<key hidden>)"

    @staticmethod
    def _associated_data(table: str, field: str, owner: str) -> bytes:
        # Binding the location means a sealed value copied into another row,
        # column or table fails to open instead of being read as someone else's.
        return _location(table, field) + _frame(owner)

    def seal(self, plaintext: bytes, *, table: str, field: str, owner: str) -> bytes:
        # Random 96-bit nonces are safe far beyond the number of values this
        # bot will ever seal under one key (the bound is about 2**32).
        nonce = os.urandom(_NONCE_BYTES)
        ciphertext = self._aead.encrypt(
            nonce, plaintext, self._associated_data(table, field, owner)
        )
        return _VERSION + nonce + ciphertext

    def unseal(self, blob: bytes, *, table: str, field: str, owner: str) -> bytes:
        if len(blob) < 1 + _NONCE_BYTES + _TAG_BYTES or blob[:1] != _VERSION:
            raise SealError("not a sealed value of a known version")
        nonce = blob[1 : 1 + _NONCE_BYTES]
        try:
            return self._aead.decrypt(
                nonce, blob[1 + _NONCE_BYTES :], self._associated_data(table, field, owner)
            )
        except InvalidTag:
            raise SealError("sealed value is damaged, misplaced or from another key") from None

    def pseudonym(self, namespace: str, raw_id: int | str) -> str:
        """A stable, keyed stand-in for a user id: the same id maps to the same
        pseudonym under the same key, and cannot be reversed without the key."""
        if isinstance(raw_id, bool):
            raise TypeError("a user id must be an int or a str")
        digest = hmac.new(self._mac_key, _frame(namespace, str(raw_id)), hashlib.sha256)
        return digest.hexdigest()[:_PSEUDONYM_HEX_CHARS]
