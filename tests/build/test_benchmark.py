"""The build benchmark runs end to end on a tiny corpus (no Hugo, seconds)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_smoke_run(tmp_path: Path) -> None:
    script = ROOT / "benchmarks" / "build.py"
    done = subprocess.run(
        [sys.executable, str(script), "--sizes", "12", "--no-hugo", "--tmp", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ours")]
    assert len(rows) == 6, done.stdout
    assert list(tmp_path.iterdir()) == []  # the corpus folder is removed afterwards
