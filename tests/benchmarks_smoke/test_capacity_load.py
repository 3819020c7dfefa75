"""benchmarks/load.py and benchmarks/capacity.py run end to end at a tiny size on a DynamoDB
Local of their own, and print the tables the README quotes (seconds each; no timing is
asserted: figures depend on the machine)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.dynamodb_local


def run(script: str, *args: str, tmp_path: Path) -> str:
    """The script's output; it must exit 0 and leave nothing in its temporary folder."""
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True, text=True, timeout=240, check=False, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert list(tmp_path.iterdir()) == []
    return done.stdout


def rows(table: str, first: str) -> list[list[str]]:
    """The cells of the markdown rows whose first cell starts with `first`."""
    found = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0].startswith(first):
            found.append(cells)
    return found


def test_load_compares_the_old_request_path_with_the_new_in_one_run(tmp_path: Path) -> None:
    out = run("load.py", "--signatures", "40", "--clients", "1,2", tmp_path=tmp_path)

    table = rows(out, "before") + rows(out, "after")
    assert len(table) == 6, out  # 3 paths by 2 client counts
    assert {(r[0].split(":")[0], r[1]) for r in table} == {
        (path, clients) for path in ("before", "after", "after + rate") for clients in "12"
    }
    assert all(r[2] == "40" and r[7] == "0" for r in table), out  # all signed, none given up
    assert all(r[8] == "1.00×" for r in rows(out, "before")), out  # the baseline


def test_capacity_measures_one_write_per_signature_and_projects_every_limit(
    tmp_path: Path,
) -> None:
    out = run("capacity.py", "--signatures", "20", "--batch", "10", tmp_path=tmp_path)

    signing = [r for r in rows(out, "signature, confirmation off") if r[1] != "tallies: tally"]
    assert [(r[2], r[3], r[5], r[6], r[7]) for r in signing] == [
        ("PutItem", "signature", "1", "1", "0")  # one write, one unit, no read
    ], out
    confirming = [r for r in rows(out, "confirmation") if r[0] == "confirmation"]
    confirming = [r for r in confirming if r[1] != "tallies: tally"]
    assert [(r[2], r[3], r[5]) for r in confirming] == [("UpdateItem", "signature", "1")], out
    operations = [r for r in rows(out, "") if len(r) == 9]
    assert not [r for r in operations if r[2] == "Scan"], out  # nothing scans
    queries = {(r[1], r[3]) for r in operations if r[2] == "Query"}  # but the log, by key
    assert queries == {("logs: log_entries", "log leaves")}, out
    for resource in ("API Gateway requests/s", "hottest export index key", "SES sending rate"):
        assert len(rows(out, resource)) == 2, out  # both modes
    assert out.count("First bottleneck") == 2, out
    totals = rows(out, "**total**")
    assert len(totals) == 2, out
    assert all(float(re.sub(r"[*,]", "", cell)) > 0 for r in totals for cell in r[3:]), out
