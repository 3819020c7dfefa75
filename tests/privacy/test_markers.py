"""The end-of-session sweep finds registered personal data in a built site or test artifacts."""

from __future__ import annotations

from pathlib import Path

from tests.privacy.markers import EMAIL, found_in, register, session_sweep


def test_the_session_sweep_finds_a_leak_in_a_built_site_and_in_artifacts(tmp_path: Path) -> None:
    register(EMAIL)
    page = tmp_path / "project" / "_site" / "petitions" / "x" / "index.html"
    page.parent.mkdir(parents=True)
    artifacts = tmp_path / "test-artifacts"
    artifacts.mkdir()
    try:
        page.write_text(f"<p>Thanks, {EMAIL.upper()}</p>")
        (artifacts / "report.txt").write_text(f"signed by {EMAIL}")
        (tmp_path / "project" / "export.csv").write_text(EMAIL)  # not a site: not swept

        leaks = session_sweep(tmp_path, artifacts)
    finally:
        page.unlink()  # the real end-of-session sweep must not find this test's own leak
        (artifacts / "report.txt").unlink()

    report = artifacts / "report.txt"
    assert {leak.rsplit(": ", 1)[0] for leak in leaks} == {str(report), str(page)}
    assert {f"{report}: {EMAIL}", f"{page}: {EMAIL}"} <= set(leaks)
    assert session_sweep(tmp_path, artifacts) == []


def test_markers_are_found_whatever_their_case_and_encoding() -> None:
    assert found_in(b"Signed: ZZYZX Privacyname", ["zzyzx", "nobody"]) == ["zzyzx"]
    assert found_in(b"\xff\xfe binary zzyzx", ["ZZYZX"]) == ["ZZYZX"]
    assert found_in("", ["zzyzx"]) == []
