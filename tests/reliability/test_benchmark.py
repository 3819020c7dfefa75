"""The load benchmarks run end to end at a tiny size: the HTTP load (SQLite through serve,
seconds) and the signing path before and after counting moved downstream (DynamoDB Local)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .harness import ROOT

pytestmark = pytest.mark.load


def run_benchmark(tmp_path: Path, *args: str) -> str:
    """benchmarks/load.py with these arguments, its work folders under tmp_path; its output."""
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "load.py"), *args],
        capture_output=True, text=True, timeout=300, check=False, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert list(tmp_path.iterdir()) == []  # its temporary folders are removed
    return done.stdout


def test_http_load_benchmark_smoke_run_counts_exactly(tmp_path: Path) -> None:
    out = run_benchmark(
        tmp_path, "--http", "--signatures", "100", "--clients", "5", "--baseline", "20",
        "--skip-dynamodb",
    )  # fmt: skip
    rows = [line for line in out.splitlines() if line.startswith("| SQLite")]
    assert len(rows) == 2, out
    assert all("|   yes |" in row for row in rows), out


@pytest.mark.dynamodb_local
def test_signing_path_comparison_smoke_run_signs_every_signature(tmp_path: Path) -> None:
    out = run_benchmark(tmp_path, "--signatures", "40", "--clients", "1,4")
    rows = [line.split("|")[1:-1] for line in out.splitlines() if line.startswith("| ")]
    table = {(cells[0].strip(), cells[1].strip()): cells for cells in rows[1:]}  # no header
    paths = ("before: transaction + read", "after: PutItem", "after + rate: transaction")
    assert set(table) == {(path, clients) for path in paths for clients in ("1", "4")}, out
    for cells in table.values():
        assert cells[2].strip() == "40", out  # every signature signed
        assert cells[7].strip() == "0", out  # none given up
