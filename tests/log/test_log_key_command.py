"""`build.py log-key`: new keys for a deploy (the two secrets and the public key for
site.yaml), and the public key of the pair `serve` keeps in .data/ (made on first use)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.commands.main import main
from generator.log.keys import keys_from
from generator.log.note import Signer, Verifier


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["log-key", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_new_keys_are_two_secrets_and_their_public_key(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "--new", "petitions.example.org")

    lines = dict(
        line.split("=", 1) if "=" in line else line.split(": ", 1) for line in out.splitlines()
    )
    assert status == 0 and set(lines) == {"PETITION_LOG_KEY", "PETITION_LOG_ID_KEY", "log_key"}
    keys = keys_from(lines)  # the secrets as a deploy reads them
    assert str(keys.signer.verifier) == lines["log_key"]
    assert Verifier.parse(lines["log_key"]).name == "petitions.example.org"
    assert run(capsys, "--new", "petitions.example.org")[1] != out  # new each time


def test_a_bad_key_name_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "--new", "two words")
    assert (status, out) == (1, "")
    assert "key name 'two words' is empty or has a space or +" in err


def test_the_local_public_key_is_the_one_serve_keeps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PETITION_LOG_KEY", raising=False)
    monkeypatch.delenv("PETITION_LOG_ID_KEY", raising=False)
    data = tmp_path / ".data"

    status, out, _ = run(capsys, "--data", str(data))

    kept = Signer.parse((data / "log-key").read_text())  # made on first use
    assert (status, out) == (0, f"log_key: {kept.verifier}\n")
    assert run(capsys, "--data", str(data))[1] == out  # the same key next time
    assert "PRIVATE" not in out
