"""The command line: exit codes and messages a person running `python build.py` sees."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import pytest

from generator.commands.main import main
from generator.store import Signature, open_store
from generator.store.sqlite import SqliteStore
from tests.build.conftest import Project, petition_text, snapshot
from tests.support.counting import count_now
from tests.support.fixture_site import CONTENT, OPEN, TEMPLATES

BAD_STATUS = petition_text("Fix the lights").replace("status: open", "status: pending")


def test_build_prints_one_line_summary(project: Project, capsys: pytest.CaptureFixture) -> None:
    assert main(project.args()) == 0
    out = capsys.readouterr().out.strip()
    assert re.fullmatch(
        r"built 3 petitions: 3 rendered, 0 unchanged, \d+ files written in \d+\.\d\d s -> .*out/",
        out,
    ), out
    assert (project.out / "petitions" / "fix-the-footpath" / "index.html").is_file()


def test_build_subcommand_is_the_default(project: Project, capsys: pytest.CaptureFixture) -> None:
    assert main(["build", *project.args()]) == 0
    assert main(project.args()) == 0
    assert "3 unchanged, 0 files written" in capsys.readouterr().out


def test_quiet_prints_nothing(project: Project, capsys: pytest.CaptureFixture) -> None:
    assert main(project.args("--quiet")) == 0
    assert capsys.readouterr() == ("", "")


def test_broken_petition_exits_1_and_writes_nothing(
    project: Project, capsys: pytest.CaptureFixture
) -> None:
    project.write("fix-the-lights", BAD_STATUS)
    assert main(project.args()) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("content/petitions/fix-the-lights.md:6: status: "), err
    assert "'pending'" in err[0]
    assert err[-1] == "1 error in 1 file; nothing was written"
    assert not project.out.exists()
    assert not [p for p in project.root.iterdir() if p.name.startswith(("out.", ".out."))]


def test_every_error_in_every_file_is_printed(
    project: Project, capsys: pytest.CaptureFixture
) -> None:
    project.write("fix-the-lights", BAD_STATUS)
    project.write("plant-trees", petition_text("Plant trees").replace("title:", "titel:"))
    assert main(project.args()) == 1
    err = capsys.readouterr().err
    assert "fix-the-lights.md:6: status:" in err
    assert "plant-trees.md:2: titel: unknown field" in err
    assert err.rstrip().endswith("errors in 2 files; nothing was written")


def test_broken_petition_leaves_existing_output_untouched(
    project: Project, capsys: pytest.CaptureFixture
) -> None:
    assert main(project.args()) == 0
    before = snapshot(project.out)
    manifest = (project.root / ".out.manifest.json").read_bytes()
    project.write("fix-the-footpath", BAD_STATUS)
    assert main(project.args("--full")) == 1
    assert main(project.args()) == 1
    assert snapshot(project.out) == before
    assert (project.root / ".out.manifest.json").read_bytes() == manifest
    assert "nothing was written" in capsys.readouterr().err


def test_refuses_to_replace_a_folder_it_did_not_build(
    project: Project, capsys: pytest.CaptureFixture
) -> None:
    project.out.mkdir()
    (project.out / "precious.txt").write_text("keep me", encoding="utf-8")
    assert main(project.args()) == 1
    assert "has no build manifest" in capsys.readouterr().err
    assert (project.out / "precious.txt").read_text(encoding="utf-8") == "keep me"


def test_store_counts_are_baked_in(
    project: Project, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def scan(self: SqliteStore) -> NoReturn:
        raise AssertionError("a build read every petition's tally (a scan of the store)")

    monkeypatch.setattr(SqliteStore, "tallies", scan)  # counts are read by key, never scanned
    url = f"sqlite:///{project.root / 'signatures.db'}"
    assert main(["init-store", "--store", url]) == 0
    assert "signatures.db" in capsys.readouterr().out
    with sqlite3.connect(project.root / "signatures.db") as db:
        assert db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    assert main(project.args("--store", url)) == 0
    page = project.out / "petitions" / "fix-the-footpath" / "index.html"
    assert '<strong id="count">30</strong>' in page.read_text("utf-8")  # imported, none stored
    store = open_store(url)
    signed = datetime(2024, 3, 1, tzinfo=UTC)
    store.sign(Signature("fix-the-footpath", "k1", "A Signer", "a@example.org", signed))
    assert count_now(store) == 1  # what serve's counter does after each signature
    store.close()
    capsys.readouterr()
    assert main(project.args("--store", url)) == 0
    assert "1 rendered, 2 unchanged" in capsys.readouterr().out
    assert '<strong id="count">31</strong>' in page.read_text("utf-8")


def test_init_store_rejects_a_bad_url(capsys: pytest.CaptureFixture) -> None:
    assert main(["init-store", "--store", "nosuch://x"]) == 1
    assert "unknown scheme" in capsys.readouterr().err


def test_the_fixture_site_builds_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    args = [
        "--content",
        str(CONTENT),
        "--templates",
        str(TEMPLATES),
        "--out",
        str(tmp_path / "site"),
        "--cache",
        str(tmp_path / "cache"),
    ]
    assert main(args) == 0
    assert "built 4 petitions" in capsys.readouterr().out
    page = tmp_path / "site" / "petitions" / OPEN / "index.html"
    assert "2017-04-20 18:05:41 +1200" in page.read_text("utf-8")
