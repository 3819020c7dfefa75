"""benchmarks/log.py runs end to end at a tiny size and prints its table (no timing is
asserted: figures depend on the machine)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cells(out: str) -> dict[str, list[str]]:
    """The markdown table's rows by their first cell."""
    rows = [line.strip("|").split("|") for line in out.splitlines() if line.startswith("| ")]
    return {row[0].strip(): [c.strip() for c in row[1:]] for row in rows[1:]}


def test_log_benchmark_builds_appends_and_audits_the_same_log(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "log.py"),
         "--leaves", "2600", "--batch", "1000", "--steady", "2"],
        capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    table = cells(done.stdout)

    assert list(table) == [
        "baseline: SHA-256 of each leaf",
        "whole tree in one go",
        "appended in batches of 1,000",
        "audit: verify_log (B read)",
        "one more batch at 2,600 (median)",
    ], done.stdout
    leaves, seconds, ratio, rate, per_leaf = zip(*table.values(), strict=True)
    assert leaves == ("2,600",) * 4 + ("1,000",)
    assert all(float(s) > 0 for s in seconds) and ratio[0] == "1.00×"
    assert all(float(r.rstrip("×")) > 0 and float(v.replace(",", "")) > 0 for r, v in
               zip(ratio, rate, strict=True))  # fmt: skip
    # A leaf costs its 55-byte entry (+2 length) and a 32-byte hash, and a little for the
    # tiles above; the batches also publish partial tiles that later ones widen.
    assert per_leaf[0] == "—"
    whole, batched, read = (float(b) for b in per_leaf[1:4])
    assert 89 <= whole < 92 and whole < batched < 2 * whole and read >= whole, per_leaf
    assert "batches: 3," in done.stdout
