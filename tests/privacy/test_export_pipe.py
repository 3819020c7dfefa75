"""`build.py export SLUG | head` ends quietly: no traceback, no "Broken pipe" error."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from generator.store.base import Signature
from generator.store.sqlite import SqliteStore
from tests.support.counting import count_now

REPO = Path(__file__).resolve().parents[2]


def test_export_into_a_reader_that_stops_early_ends_quietly(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "signatures.db")
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for n in range(5000):  # far more than a pipe holds
        store.sign(
            Signature("keep-the-pool", f"{n:064x}", f"Signer {n}", f"s{n}@example.org",
                      start + timedelta(seconds=n))
        )  # fmt: skip
    count_now(store)  # counted: the store knows the petition by its count
    store.close()
    command = (
        f"{sys.executable} {REPO / 'build.py'} export keep-the-pool"
        f" --store sqlite:///{tmp_path / 'signatures.db'} --content {tmp_path / 'none'}"
        " | head -n 2; exit ${PIPESTATUS[0]}"
    )

    done = subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )

    assert done.stdout.splitlines() == [
        "name,postcode,country,consent,signed_at,confirmed_at,version",
        "Signer 0,,,no,2025-01-01 00:00:00 +0000,2025-01-01 00:00:00 +0000,",
    ]
    assert done.stderr == ""
    assert done.returncode == 0
