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
    shapes = [
        *[rf"signed {BARE}: count (\d+)"] * 9,
        rf"signed {BARE} again: count (\d+), not counted twice",
        rf"signed {BARE}: count (\d+)",
    ]
    signed = [line for line in out if line.startswith("signed ")]
    assert len(signed) == len(shapes), signed
    shown = []
    for line, shape in zip(signed, shapes, strict=True):
        found = re.fullmatch(shape, line)
        assert found, line
        shown.append(int(found.group(1)))
    # each line shows its answer's count, at most a second old (counting follows the write):
    # never more than were signed by then, never going back
    assert shown == sorted(shown)
    assert all(n <= most for n, most in zip(shown, [*range(1, 10), 9, 10], strict=True))
    assert [line for line in out if line.startswith("milestone ")] == [
        f"milestone {BARE}: 10 reached"  # once, from the counter
    ]
    written = [line for line in out if line.startswith("write-back ")]
    assert written  # the milestone's (and any fresh count file's), each on a line of its own
    for line in written:
        assert re.fullmatch(rf"write-back {BARE}: \d+ files? in \d+ ms", line), line
    printed = server.output.lower()  # stdout and stderr
    for secret in ("hinemoa", "terminal-tester", "hinemoa.form", "example.org"):
        assert secret not in printed
    assert server.stream_lines["stderr"] == []
