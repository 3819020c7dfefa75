"""`build.py notify` as an organiser runs it: a bundle petition's update, loaded from its
file, is mailed once through the file mailer; `--dry-run` says how many letters would go
and sends nothing; the output never names a signer or an address."""

from __future__ import annotations

import email
import email.policy
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from generator.commands.main import main
from generator.store.base import Signature
from generator.store.sqlite import SqliteStore
from tests.support.fixture_site import BARE, TEMPLATES, copy_content

ZONE = ZoneInfo("Pacific/Auckland")  # the fixture site's time zone
SIGNERS = (("Ada Notify", "ada.notify@example.org"), ("Grace Notify", "grace.notify@example.net"))


class Organiser:
    """A content folder whose BARE petition is a bundle with one update dated yesterday,
    a store with two consenting signers, and the environment notify reads."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root = root
        self.content = copy_content(root / "content")
        petitions = self.content / "petitions"
        bundle = petitions / BARE
        (bundle / "updates").mkdir(parents=True)
        shutil.move(petitions / f"{BARE}.md", bundle / "index.md")
        day = datetime.now(ZONE).replace(microsecond=0) - timedelta(days=1)
        self.update = f"{day.date().isoformat()}-council-replies"
        (bundle / "updates" / f"{self.update}.md").write_text(
            f"---\ntitle: The council replies\ndate: {day.isoformat()}\nkind: response\n"
            "from: Harbour City Regional Council\n---\nThe council will **consider** it.\n",
            encoding="utf-8",
        )
        self.db = root / "signatures.db"
        store = SqliteStore(self.db)
        signed = datetime.now(UTC) - timedelta(days=2)
        for number, (name, address) in enumerate(SIGNERS, start=1):
            store.sign(
                Signature(
                    BARE, f"{number:064x}", name, address, signed, consent=True, id=f"{number:032x}"
                )
            )
        store.close()
        self.outbox = root / "outbox"
        monkeypatch.chdir(root)  # no .data/ of the checkout is read
        monkeypatch.setenv("PETITION_MAILER", "file")
        monkeypatch.setenv("PETITION_OUTBOX", str(self.outbox))
        monkeypatch.setenv("PETITION_SECRET", "cli-test-secret-not-for-production")
        monkeypatch.delenv("PETITION_PUBLIC_URL", raising=False)

    def args(self, *extra: str) -> list[str]:
        return [
            "notify",
            "--store", f"sqlite:///{self.db}",
            "--content", str(self.content),
            "--templates", str(TEMPLATES),
            *extra,
        ]  # fmt: skip

    def letters(self) -> list[email.message.EmailMessage]:
        found = sorted(self.outbox.glob("*.eml")) if self.outbox.exists() else []
        return [
            email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
            for p in found
        ]


@pytest.fixture
def organiser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Organiser:
    return Organiser(tmp_path, monkeypatch)


def assert_names_no_one(printed: str) -> None:
    for name, address in SIGNERS:
        assert name not in printed and address not in printed
    assert "@" not in printed


def test_a_dry_run_counts_the_letters_and_sends_nothing(
    organiser: Organiser, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(organiser.args("--dry-run")) == 0

    out, err = capsys.readouterr()
    assert f"{BARE}/{organiser.update}: would send 2\n" in out
    assert_names_no_one(out + err)
    assert organiser.letters() == []


def test_notify_mails_the_update_once_and_says_so_in_numbers(
    organiser: Organiser, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(organiser.args()) == 0
    first = capsys.readouterr()
    assert main(organiser.args()) == 0
    second = capsys.readouterr()

    assert f"{BARE}/{organiser.update}: sent 2 (done)\n" in first.out
    assert re.fullmatch(r"other updates: .*\b1 mailed before\b.*\n", second.out), second.out
    assert_names_no_one(first.out + first.err + second.out + second.err)
    letters = organiser.letters()
    assert sorted(m["To"] for m in letters) == sorted(a for _, a in SIGNERS)
    for message in letters:
        assert message["Subject"].startswith("Response: The council replies")
        assert message["List-Unsubscribe"].startswith(
            f"<https://petitions.example.org/api/petitions/{BARE}/unsubscribe/"
        )


def test_a_store_that_does_not_exist_is_an_error_not_an_empty_run(
    organiser: Organiser, capsys: pytest.CaptureFixture[str]
) -> None:
    organiser.db.unlink()

    assert main(organiser.args()) == 1

    assert "no database at" in capsys.readouterr().err
    assert organiser.letters() == []
