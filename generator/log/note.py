"""Checkpoints as C2SP signed notes (https://c2sp.org/signed-note, c2sp.org/tlog-checkpoint).

A checkpoint's text is three lines: the origin (`<site host>/petitions/<slug>`), the tree
size in decimal, the tree head in base64. Then a blank line and one signature line per key:
`— <key name> <base64(key ID (4 bytes) || Ed25519 signature of the text)>`, where key ID is
the first 4 bytes of SHA-256(key name || 0x0A || 0x01 || 32-byte public key).

Keys are written as golang.org/x/mod/sumdb/note writes them: a verifier key
`<name>+<hex key ID>+<base64(0x01 || public key)>`, a signer key
`PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || 32-byte seed)>`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from generator.errors import LogError
from generator.log.merkle import HASH_SIZE

ED25519 = 1  # the signature type byte of Ed25519 notes
DASH = "\u2014"  # em dash, which starts each signature line
MAX_SIGNATURES = 100
_SIZE = re.compile(r"0|[1-9][0-9]*")


def valid_name(name: str) -> bool:
    """Whether a key name is allowed: non-empty, no spaces, no `+`."""
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def key_id(name: str, public_key: bytes) -> int:
    """The 4-byte ID of an Ed25519 key under a name (big-endian, as an int)."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes((ED25519,)) + public_key)
    return int.from_bytes(digest.digest()[:4], "big")


def _b64(text: str, where: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise LogError(where, "is not base64") from None


@dataclass(frozen=True)
class Verifier:
    """A public key that checks notes' signatures, by name and key ID."""

    name: str
    public_key: bytes  # 32 bytes

    @property
    def key_id(self) -> int:
        """This key's 4-byte ID."""
        return key_id(self.name, self.public_key)

    def __str__(self) -> str:
        encoded = base64.b64encode(bytes((ED25519,)) + self.public_key).decode("ascii")
        return f"{self.name}+{self.key_id:08x}+{encoded}"

    @classmethod
    def parse(cls, text: str) -> Verifier:
        """The verifier of a key string `<name>+<hex id>+<base64 key>`."""
        parts = text.strip().split("+", 2)  # base64 has `+` too
        if (
            len(parts) != 3
            or not valid_name(parts[0])
            or not re.fullmatch(r"[0-9a-f]{8}", parts[1])
        ):
            raise LogError("key", "expected <name>+<8 hex digits>+<base64 key>")
        key = _b64(parts[2], "key")
        if len(key) != 33 or key[0] != ED25519:
            raise LogError("key", "not an Ed25519 key (0x01 and 32 bytes)")
        verifier = cls(parts[0], key[1:])
        if verifier.key_id != int(parts[1], 16):
            raise LogError("key", f"its ID is {verifier.key_id:08x}, not {parts[1]}")
        return verifier

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether `signature` is this key's Ed25519 signature of `message`."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True, repr=False)
class Signer:
    """A private key that signs notes under a name (`repr` never shows the key)."""

    name: str
    seed: bytes  # the 32-byte Ed25519 private key

    def __post_init__(self) -> None:
        if not valid_name(self.name):
            raise LogError("key", f"key name {self.name!r} is empty or has a space or +")
        if len(self.seed) != 32:
            raise LogError("key", "an Ed25519 private key is 32 bytes")

    @classmethod
    def generate(cls, name: str) -> Signer:
        """A new random key under `name`."""
        return cls(name, Ed25519PrivateKey.generate().private_bytes_raw())

    @classmethod
    def parse(cls, text: str) -> Signer:
        """The signer of a key string `PRIVATE+KEY+<name>+<hex id>+<base64 seed>`; its ID
        must be the one of the public key the seed makes."""
        parts = text.strip().split("+", 4)  # base64 has `+` too
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise LogError("key", "expected PRIVATE+KEY+<name>+<8 hex digits>+<base64 key>")
        if not re.fullmatch(r"[0-9a-f]{8}", parts[3]):
            raise LogError("key", "its ID is not 8 hex digits")
        seed = _b64(parts[4], "key")
        if len(seed) != 33 or seed[0] != ED25519:
            raise LogError("key", "not an Ed25519 key (0x01 and 32 bytes)")
        signer = cls(parts[2], seed[1:])
        if signer.verifier.key_id != int(parts[3], 16):
            raise LogError("key", f"its ID is {signer.verifier.key_id:08x}, not {parts[3]}")
        return signer

    def secret(self) -> str:
        """The secret key string, `PRIVATE+KEY+…`, to keep in a file or a deploy secret."""
        encoded = base64.b64encode(bytes((ED25519,)) + self.seed).decode("ascii")
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id:08x}+{encoded}"

    def __repr__(self) -> str:  # never print the seed
        return f"Signer({self.name!r}, key ID {self.verifier.key_id:08x})"

    @property
    def verifier(self) -> Verifier:
        """The public half, to publish."""
        public = Ed25519PrivateKey.from_private_bytes(self.seed).public_key()
        return Verifier(self.name, public.public_bytes_raw())

    def sign(self, message: bytes) -> bytes:
        """The Ed25519 signature of `message`."""
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)


def sign_note(text: str, signer: Signer) -> bytes:
    """The signed note of `text` (which ends in a newline)."""
    if not text.endswith("\n") or any(c < " " and c != "\n" for c in text):
        raise ValueError("a note's text ends in a newline and has no other control characters")
    message = text.encode("utf-8")
    signature = signer.verifier.key_id.to_bytes(4, "big") + signer.sign(message)
    line = f"{DASH} {signer.name} {base64.b64encode(signature).decode('ascii')}\n"
    return message + b"\n" + line.encode("utf-8")


def open_note(data: bytes, verifier: Verifier, where: str = "checkpoint") -> str:
    """The text of a signed note that `verifier`'s key signed; a LogError naming `where`
    if the note is malformed, its signature by that key fails, or that key did not sign."""
    try:
        note = data.decode("utf-8")
    except UnicodeDecodeError:
        raise LogError(where, "is not UTF-8") from None
    if any(c < " " and c != "\n" for c in note):
        raise LogError(where, "has control characters")
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise LogError(where, "is not a signed note (no blank line before its signatures)")
    text, lines = note[: split + 1], note[split + 2 : -1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise LogError(where, f"has more than {MAX_SIGNATURES} signatures")
    verified = False
    for line in lines:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH or not valid_name(parts[1]):
            raise LogError(where, f"malformed signature line {line!r}")
        signature = _b64(parts[2], where)
        if len(signature) < 5:
            raise LogError(where, f"signature by {parts[1]} is too short")
        if parts[1] != verifier.name or int.from_bytes(signature[:4], "big") != verifier.key_id:
            continue  # another key's (a witness, a rotated key): ignored
        if not verifier.verify(text.encode("utf-8"), signature[4:]):
            raise LogError(where, f"the signature by {verifier.name} does not verify")
        verified = True
    if not verified:
        raise LogError(where, f"not signed by the key {verifier.name}+{verifier.key_id:08x}")
    return text


@dataclass(frozen=True)
class Checkpoint:
    """A log's signed tree head: the origin, the tree size and the head (root hash)."""

    origin: str
    size: int
    head: bytes

    def text(self) -> str:
        """The note text: origin, size and base64 head, a line each."""
        encoded = base64.b64encode(self.head).decode("ascii")
        return f"{self.origin}\n{self.size}\n{encoded}\n"

    @classmethod
    def parse(cls, text: str, where: str = "checkpoint") -> Checkpoint:
        """The checkpoint a note's text states (extension lines are allowed and ignored)."""
        lines = text.split("\n")[:-1]
        if len(lines) < 3 or not all(lines):
            raise LogError(where, "a checkpoint is an origin, a tree size and a root hash")
        if not _SIZE.fullmatch(lines[1]):
            raise LogError(where, f"tree size {lines[1]!r} is not a decimal number")
        head = _b64(lines[2], where)
        if len(head) != HASH_SIZE:
            raise LogError(where, f"the root hash is {len(head)} bytes, not {HASH_SIZE}")
        return cls(lines[0], int(lines[1]), head)


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> bytes:
    """The checkpoint file: its text signed by `signer`."""
    return sign_note(checkpoint.text(), signer)


def open_checkpoint(data: bytes, verifier: Verifier, where: str = "checkpoint") -> Checkpoint:
    """The checkpoint in a checkpoint file once its signature by `verifier` is checked."""
    return Checkpoint.parse(open_note(data, verifier, where), where)
