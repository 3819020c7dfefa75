"""The organisers' examples in content/ build clean, and README documents the schema exactly.

This is the only test that reads content/. Organisers may rename, rewrite or remove the
examples freely, so it says nothing about any one petition: every example loads and gets
its pages. What pages show is tested on the fixture site (tests/fixtures/site).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.commands.main import main
from generator.content.loading import load_content
from generator.content.schema import TABLES, markdown_table, readme_tables

ROOT = Path(__file__).resolve().parents[2]


def test_the_example_content_builds_clean(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    slugs = [p.slug for p in load_content(ROOT / "content").petitions]
    site = tmp_path / "site"
    args = ["--content", str(ROOT / "content"), "--templates", str(ROOT / "templates")]

    status = main([*args, "--out", str(site), "--cache", str(tmp_path / "cache")])

    printed = capsys.readouterr()
    assert status == 0, printed.err
    assert printed.err == ""
    assert f"built {len(slugs)} petitions" in printed.out
    for slug in slugs:
        assert (site / "petitions" / slug / "index.html").is_file(), slug
        assert (site / "petitions" / slug / "thanks" / "index.html").is_file(), slug
    assert (site / "index.html").is_file()


def test_readme_tables_match_the_schema() -> None:
    found = readme_tables((ROOT / "README.md").read_text(encoding="utf-8"))
    for name, schema in TABLES.items():
        assert found[name] == markdown_table(schema), (
            f"README.md's {name} field table is out of date with generator/schema.py;"
            " regenerate it with `.venv/bin/python -m generator.content.schema README.md`"
        )
