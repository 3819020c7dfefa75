"""What `serve` tells the organiser: a line per signature, milestone and write-back, and
never who signed."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.fixture_site import BARE, copy_site

from .client import request, sign_json
from .launcher import ServeProcess, stop_serve

NAME, EMAIL = "Hinemoa Terminal-Tester", "hinemoa.terminal+tty@example.org"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_serve_prints_each_signature_milestone_and_write_back_without_the_signer(
    tmp_path: Path,
) -> None:
    copy_site(tmp_path)
    server = ServeProcess(tmp_path, watch=False, split_streams=True)
    server.wait_until_up()
    for n in range(8):  # BARE has nothing imported; its first milestone is 10
        assert sign_json(server.url, BARE, f"Filler {n}", f"filler{n}@example.org").status == 201
    ninth = sign_json(server.url, BARE, NAME, EMAIL)
    again = sign_json(server.url, BARE, NAME, EMAIL.upper())
    form = request(
        server.url, f"/api/petitions/{BARE}/signatures", "POST",
        b"name=Hinemoa+Terminal-Tester&email=hinemoa.form%40example.org", FORM,
    )  # fmt: skip
    server.wait_for_output(rf"^write-back {BARE}: ")
    stop_serve(server)

    assert (ninth.status, again.status, form.status) == (201, 201, 303)
    out = server.stream_lines["stdout"]
    events = [line for line in out if line.split(" ", 1)[0] in ("signed", "milestone")]
    assert events == [
        *(f"signed {BARE}: count {n}" for n in range(1, 10)),
        f"signed {BARE} again: count 9, not counted twice",
        f"signed {BARE}: count 10",
        f"milestone {BARE}: 10 reached",
    ]
    written = [line for line in out if line.startswith("write-back ")]
    assert len(written) == 1
    assert re.fullmatch(rf"write-back {BARE}: \d+ files in \d+ ms", written[0])
    printed = server.output.lower()  # stdout and stderr
    for secret in ("hinemoa", "terminal-tester", "hinemoa.form", "example.org"):
        assert secret not in printed
    assert server.stream_lines["stderr"] == []
