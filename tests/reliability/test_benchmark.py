"""The load benchmark runs end to end at a tiny size (SQLite through serve, seconds)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .harness import ROOT

pytestmark = pytest.mark.load


def test_load_benchmark_smoke_run_counts_exactly(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}  # its work folders go under tmp_path
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "load.py"), "--signatures", "100",
         "--clients", "5", "--baseline", "20", "--skip-dynamodb"],
        capture_output=True, text=True, timeout=120, check=False, env=env, cwd=tmp_path,
    )  # fmt: skip

    assert done.returncode == 0, done.stdout + done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| SQLite")]
    assert len(rows) == 2, done.stdout
    assert all("|   yes |" in row for row in rows), done.stdout
    assert list(tmp_path.iterdir()) == []  # its temporary folders are removed
