"""sign.js asks "Did you mean …?" exactly when generator/signing/typos.py would, and suggests
the same address: the script's copy of the list and its port of difflib's rule, run in Node,
against the Python function, over a table of the rule's corners and every one-key slip of
every common domain.

The port: `get_close_matches(domain, COMMON_DOMAINS, n=1, cutoff=0.8)` keeps the domains whose
`SequenceMatcher(None, common, domain).ratio()` (2·M/T) is at least 0.8 and returns the best,
a tie going to the greater string. T is both lengths in code points; M is the total size of
the matching blocks: the longest common run (the first in the common domain, then the first
in the typed one, as `find_longest_match` picks it), then the same on either side of it. With
no junk function, and typed domains under 200 characters, difflib does nothing else (past
200 it junks frequent characters, but a ratio with a common domain of at most 15 characters
is then under 0.2). The ratio is computed with the same floating-point operations, so the
cutoff compares exactly.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from generator.signing.typos import COMMON_DOMAINS, suggestion
from tests.pages.factories import TEMPLATES

SCRIPT = TEMPLATES / "static" / "sign.js"
PORTED = (r"^const DOMAINS = .*?;$", r"^function matched\(.*?^}$", r"^function suggestion\(.*?^}$")
RUN = """
const addresses = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(addresses.map((a) => suggestion(a) || null)));
"""

TABLE = [  # an address, what typos.suggestion says of it, and why it is in the table
    ("ada@gmial.com", "ada@gmail.com"),  # two letters swapped
    ("ada@gmail.com", None),  # a common domain itself
    ("ada@GMAIL.COM.", None),  # ... in capitals, with the trailing dot of a fully-qualified name
    (" Ada@GMIAL.COM. ", "Ada@gmail.com"),  # trimmed; the local part kept as typed
    ("ada@example.org", None),  # like none of them
    ("a@b@gmial.com", "a@b@gmail.com"),  # the domain is after the last @
    ("ada@", None),
    ("@gmial.com", None),
    ("gmial.com", None),
    ("", None),
    ("a@.", None),  # nothing left of the domain
    ("ada@yahoo.co.kz", "ada@yahoo.co.uk"),  # a tie (10/11 with .uk and .nz): the greater
    ("ada@mska.com", "ada@sky.com"),  # the cutoff exactly (0.8), tied with msn.com
    ("ada@yhaoo.con", "ada@yahoo.co.nz"),  # 0.8 exactly beats yahoo.com's 0.78
    ("ada@xta.coz.dz", "ada@xtra.co.nz"),  # 0.8 with the common domain first, 0.7 the other way
    ("ada@yahoco.om", "ada@yahoo.com"),  # 0.89 with the common domain first, 0.78 the other way
    ("ada@gmäil.com", "ada@gmail.com"),  # not ASCII
    ("ada@me.c😀m", "ada@me.com"),  # 0.83 in code points, 0.77 in UTF-16 units
    ("ada@" + "gmail.com" * 25, None),  # 225 characters: difflib's autojunk, far under 0.8
]


def slips(domain: str) -> list[str]:
    """Every one-key slip of `domain`: a key left out, doubled, swapped with the next, or
    replaced by one of a few others."""
    found = set()
    for i in range(len(domain)):
        found.add(domain[:i] + domain[i + 1 :])
        found.add(domain[:i] + domain[i] + domain[i:])
        found.add(domain[:i] + domain[i + 1 : i + 2] + domain[i] + domain[i + 2 :])
        found.update(domain[:i] + key + domain[i + 1 :] for key in "aeiomnc.")
    return sorted(found)


def ported() -> str:
    """The parts of sign.js that make the suggestion, as they are in the file."""
    source = SCRIPT.read_text(encoding="utf-8")
    parts = [re.search(pattern, source, re.M | re.S) for pattern in PORTED]
    missing = [p for p, found in zip(PORTED, parts, strict=True) if not found]
    assert not missing, f"sign.js no longer has {missing}; update this test with it"
    return "\n".join(found.group(0) for found in parts if found)


def script_suggestions(addresses: list[str]) -> list[str | None]:
    """What the script suggests for each address (None: no question)."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: install Node.js 20 (the test tools need it)", pytrace=False)
    done = subprocess.run(
        [node, "-e", ported() + RUN],
        input=json.dumps(addresses),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout))


def test_the_script_lists_the_same_common_domains() -> None:
    (declaration,) = re.findall(r"^const DOMAINS = `(.*?)`", SCRIPT.read_text(), re.M | re.S)
    assert tuple(declaration.split()) == COMMON_DOMAINS


def test_the_table_says_what_the_python_function_does() -> None:
    assert [suggestion(address) for address, _ in TABLE] == [want for _, want in TABLE]


def test_the_script_suggests_what_the_python_function_does() -> None:
    addresses = [address for address, _ in TABLE]
    addresses += [f"ada@{slip}" for domain in COMMON_DOMAINS for slip in slips(domain)]

    answers = script_suggestions(addresses)

    differ = [
        (address, want, got)
        for address, got in zip(addresses, answers, strict=True)
        if got != (want := suggestion(address))
    ]
    assert not differ, f"{len(differ)} of {len(addresses)} differ (address, Python, script): " + (
        "; ".join(map(repr, differ[:10]))
    )
    asked = sum(answer is not None for answer in answers)
    assert 0.5 * len(addresses) < asked < len(addresses)  # both kinds of answer were tried
