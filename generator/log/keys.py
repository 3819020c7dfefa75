"""The log's two secrets: the Ed25519 key that signs checkpoints, and the id key that hashes
signatures' random ids into leaves.

Deployed, both are deploy secrets in the environment: `PETITION_LOG_KEY` holds the signer
key string (`PRIVATE+KEY+<name>+<hex id>+<base64>`, as golang.org/x/mod/sumdb/note writes
it) and `PETITION_LOG_ID_KEY` 32 or more random bytes in hex. Locally each is made on first
use and kept under `.data/` (`log-key`, `log-id-key`; never committed).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.errors import ConfigError, LogError
from generator.log.note import Signer

KEY_ENV = "PETITION_LOG_KEY"
ID_KEY_ENV = "PETITION_LOG_ID_KEY"
KEY_FILE = "log-key"
ID_KEY_FILE = "log-id-key"
MIN_ID_KEY = 32  # bytes
LOCAL_NAME = "localhost"  # the name a key made on this machine (by `serve`) signs under


@dataclass(frozen=True, repr=False)
class LogKeys:
    """The signer of checkpoints and the key of leaves' signature hashes."""

    signer: Signer
    id_key: bytes

    def __repr__(self) -> str:  # never print the keys
        return f"LogKeys({self.signer!r})"


def _kept(path: Path, make: str) -> str:
    """The text of a secret file, written with `make` first if it does not exist."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(make + "\n")
    return path.read_text(encoding="ascii").strip()


def _signer(text: str, source: str) -> Signer:
    try:
        return Signer.parse(text)
    except LogError as exc:
        raise ConfigError(f"{source}: {exc.message}") from None


def id_key_from(text: str, source: str) -> bytes:
    """The id key written in hex in `text` (named `source` in a ConfigError)."""
    return _id_key(text.strip(), source)


def _id_key(text: str, source: str) -> bytes:
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise ConfigError(f"{source}: expected hexadecimal") from None
    if len(key) < MIN_ID_KEY:
        raise ConfigError(f"{source}: expected at least {MIN_ID_KEY} bytes ({2 * MIN_ID_KEY} hex)")
    return key


def keys_from(environ: Mapping[str, str]) -> LogKeys:
    """The log's keys from an environment that holds both; a ConfigError names a bad one."""
    return LogKeys(
        _signer(environ[KEY_ENV].strip(), f"${KEY_ENV}"),
        id_key_from(environ[ID_KEY_ENV], f"${ID_KEY_ENV}"),
    )


def log_keys(name: str, environ: Mapping[str, str], data_dir: Path) -> LogKeys:
    """The log's keys from the environment, else from `data_dir` (made there on first use,
    the signer under `name`; a kept key keeps its own name)."""
    key_text = environ.get(KEY_ENV, "").strip()
    if key_text:
        signer = _signer(key_text, f"${KEY_ENV}")
    else:
        path = data_dir / KEY_FILE
        signer = _signer(_kept(path, Signer.generate(name).secret()), str(path))
    id_text = environ.get(ID_KEY_ENV, "").strip()
    if id_text:
        id_key = _id_key(id_text, f"${ID_KEY_ENV}")
    else:
        path = data_dir / ID_KEY_FILE
        id_key = _id_key(_kept(path, secrets.token_hex(MIN_ID_KEY)), str(path))
    return LogKeys(signer, id_key)
