"""Checkpoints as signed notes: the published example of golang.org/x/mod/sumdb/note signs to
the same bytes, a checkpoint verifies with its key, and any change to it is refused."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from pathlib import Path

import pytest

from generator.errors import ConfigError, LogError
from generator.log.keys import ID_KEY_ENV, KEY_ENV, log_keys
from generator.log.merkle import EMPTY_ROOT, leaf_hash
from generator.log.note import (
    Checkpoint,
    Signer,
    Verifier,
    open_checkpoint,
    open_note,
    sign_checkpoint,
    sign_note,
)

# The example in golang.org/x/mod/sumdb/note/note.go's package documentation.
GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = GO_TEXT + (
    "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngo"
    "tpRZb6KE6RyyBwJnAM=\n"
)
ORIGIN = "petitions.example.org/petitions/save-the-bay"
SIGNER = Signer.generate("petitions.example.org")
CHECKPOINT = Checkpoint(ORIGIN, 3, leaf_hash(b"head"))


def test_the_published_example_signs_and_opens_the_same() -> None:
    signer = Signer.parse(GO_SIGNER)
    assert str(signer.verifier) == GO_VERIFIER
    assert signer.secret() == GO_SIGNER
    assert sign_note(GO_TEXT, signer).decode("utf-8") == GO_NOTE
    assert open_note(GO_NOTE.encode("utf-8"), Verifier.parse(GO_VERIFIER)) == GO_TEXT


def test_the_key_id_is_the_spec_hash_of_name_type_and_key() -> None:
    verifier = SIGNER.verifier
    digest = hashlib.sha256(b"petitions.example.org\n\x01" + verifier.public_key).digest()
    assert verifier.key_id == int.from_bytes(digest[:4], "big")
    name, key_id, key = str(verifier).split("+", 2)
    assert (name, key_id) == ("petitions.example.org", digest[:4].hex())
    assert base64.b64decode(key) == b"\x01" + verifier.public_key
    assert Verifier.parse(str(verifier)) == verifier


def test_a_checkpoint_is_origin_size_and_root_then_the_signature_line() -> None:
    signed = sign_checkpoint(CHECKPOINT, SIGNER).decode("utf-8")
    lines = signed.split("\n")
    assert lines[:4] == [ORIGIN, "3", base64.b64encode(CHECKPOINT.head).decode(), ""]
    assert lines[4].startswith("— petitions.example.org ")
    assert base64.b64decode(lines[4].split(" ")[2])[:4] == SIGNER.verifier.key_id.to_bytes(4, "big")
    assert signed.endswith("\n")
    assert open_checkpoint(signed.encode(), SIGNER.verifier) == CHECKPOINT


def test_an_empty_log_has_a_checkpoint_too() -> None:
    empty = Checkpoint(ORIGIN, 0, EMPTY_ROOT)
    assert open_checkpoint(sign_checkpoint(empty, SIGNER), SIGNER.verifier) == empty


def _tampered(old: str, new: str) -> bytes:
    signed = sign_checkpoint(CHECKPOINT, SIGNER).decode("utf-8")
    assert old in signed
    return signed.replace(old, new, 1).encode("utf-8")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("\n3\n", "\n4\n"),  # a bigger count
        (base64.b64encode(CHECKPOINT.head).decode(), base64.b64encode(EMPTY_ROOT).decode()),
        (ORIGIN, "petitions.example.org/petitions/another"),
    ],
    ids=["size", "root", "origin"],
)
def test_a_changed_checkpoint_fails_its_signature(old: str, new: str) -> None:
    with pytest.raises(LogError, match=r"checkpoint: the signature by petitions\.example\.org"):
        open_checkpoint(_tampered(old, new), SIGNER.verifier)


def test_a_changed_signature_fails() -> None:
    signed = sign_checkpoint(CHECKPOINT, SIGNER).decode("utf-8")
    text, line = signed[: signed.rindex("—")], signed[signed.rindex("—") :]
    raw = bytearray(base64.b64decode(line.split(" ")[2]))
    raw[10] ^= 1
    forged = f"{text}— petitions.example.org {base64.b64encode(bytes(raw)).decode()}\n"
    with pytest.raises(LogError, match="does not verify"):
        open_checkpoint(forged.encode(), SIGNER.verifier)


def test_another_key_is_not_the_log_key() -> None:
    impostor = Signer.generate("petitions.example.org")  # same name, another key
    with pytest.raises(LogError, match=r"not signed by the key petitions\.example\.org\+"):
        open_checkpoint(sign_checkpoint(CHECKPOINT, impostor), SIGNER.verifier)


def test_other_signatures_are_ignored_and_the_log_key_still_verifies() -> None:
    witness = Signer.generate("witness.example.net")
    cosigned = (
        sign_checkpoint(CHECKPOINT, SIGNER)
        + sign_note(CHECKPOINT.text(), witness).split(b"\n\n")[1]
    )
    assert open_checkpoint(cosigned, SIGNER.verifier) == CHECKPOINT
    assert open_checkpoint(cosigned, witness.verifier) == CHECKPOINT


@pytest.mark.parametrize(
    "text",
    [
        "example.org+c74f20a3",  # no key
        "exa mple+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # a space
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong ID
        "PeterNeumann+c74f20a3+ApWc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # not Ed25519
        "PeterNeumann+c74f20a3+ARpc2Qc!",  # not base64
    ],
)
def test_malformed_verifier_keys_are_refused(text: str) -> None:
    with pytest.raises(LogError, match=r"^key: "):
        Verifier.parse(text)


def test_a_signer_key_whose_id_is_not_its_own_is_refused() -> None:
    with pytest.raises(LogError, match="its ID is c74f20a3, not c74f20a4"):
        Signer.parse(GO_SIGNER.replace("c74f20a3", "c74f20a4"))
    assert "AYEKF" not in repr(Signer.parse(GO_SIGNER))


@pytest.mark.parametrize(
    "text",
    ["origin\n03\nAAAA\n", "origin\n3\n", "origin\nthree\nAAAA\n", "origin\n3\nAAAA\n"],
    ids=["leading zero", "no root", "not a number", "short root"],
)
def test_malformed_checkpoint_texts_are_refused(text: str) -> None:
    with pytest.raises(LogError, match=r"^checkpoint: "):
        Checkpoint.parse(text)


def test_extension_lines_are_allowed() -> None:
    text = CHECKPOINT.text() + "an extension\n"
    assert Checkpoint.parse(text) == CHECKPOINT


def test_keys_are_made_once_under_the_data_folder(tmp_path: Path) -> None:
    first = log_keys("petitions.example.org", {}, tmp_path / ".data")
    again = log_keys("another.name", {}, tmp_path / ".data")
    assert again.signer.secret() == first.signer.secret()
    assert again.id_key == first.id_key and len(first.id_key) == 32
    assert first.signer.name == "petitions.example.org"
    for name in ("log-key", "log-id-key"):
        assert stat.S_IMODE(os.stat(tmp_path / ".data" / name).st_mode) == 0o600
    assert "PRIVATE" not in repr(first)


def test_deployed_keys_come_from_the_environment(tmp_path: Path) -> None:
    environ = {KEY_ENV: GO_SIGNER, ID_KEY_ENV: "ab" * 32}
    keys = log_keys("ignored", environ, tmp_path)
    assert str(keys.signer.verifier) == GO_VERIFIER
    assert keys.id_key == bytes.fromhex("ab" * 32)
    assert list(tmp_path.iterdir()) == []  # nothing written
    with pytest.raises(ConfigError, match=r"\$PETITION_LOG_ID_KEY: expected at least 32 bytes"):
        log_keys("x", {KEY_ENV: GO_SIGNER, ID_KEY_ENV: "abcd"}, tmp_path)
    with pytest.raises(ConfigError, match=r"\$PETITION_LOG_KEY: expected PRIVATE\+KEY"):
        log_keys("x", {KEY_ENV: GO_VERIFIER}, tmp_path)
