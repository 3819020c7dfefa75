"""Every kind of page passes html-validate (the repository's .htmlvalidate.json)."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from generator.model import Location, Tally, Update
from generator.render.pages import Renderer
from tests.pages.factories import TEMPLATES, make_entry, make_petition, make_site, render_petition
from tests.support.pictures import FIXTURE_PICTURE, picture_of

REPO = Path(__file__).resolve().parents[2]
HTML_VALIDATE = REPO / "node_modules" / ".bin" / "html-validate"

RICH_BODY = """Gay men are being *kidnapped* and **killed**.

# A heading written as h1

### Then a deep one

> "Gay people do not even exist in Chechnya."

1. Investigate
2. Condemn

| Year | Trade |
|------|------:|
| 2014 | $762m |

![A vigil](https://example.org/vigil.jpg) <img src="https://example.org/raw.jpg">

```
code block
```

[Read more](https://www.mfat.govt.nz/) and <script>alert(1)</script> <span onclick="x">text</span>
"""


VICTORY = Update(
    "2017-05-02-released",
    "content/petitions/won-one/updates/2017-05-02-released.md",
    "Men are being released <today>",
    datetime(2017, 5, 2, 9, 0, tzinfo=UTC),
    "victory",
    RICH_BODY,
    sender="The Minister's office & staff",
)


def build(out: Path) -> list[Path]:
    """A small site: an open petition with a map, a closed and a won one, five index pages
    (one petition each, so the first and last pages show a gap in their pagination)."""
    site = make_site(per_page=1)
    renderer = Renderer(site, TEMPLATES)
    entries = [
        make_entry(
            make_petition(
                body=RICH_BODY,
                image=picture_of(FIXTURE_PICTURE, credit="Photo: <b>Jane</b> (CC BY 4.0)"),
                tags=("Human rights", "交通"),
            )
        ),
        make_entry(
            make_petition(
                "closed-one", status="closed", location=Location("Parliament", "Wellington")
            ),
            Tally(12),
        ),
        make_entry(
            make_petition(
                "won-one", status="won", location=None, call_to_action=None, updates=(VICTORY,)
            ),
            Tally(5),
        ),
        make_entry(make_petition("fresh", title="A new petition"), Tally(0)),
        make_entry(replace(make_petition("bare"), location=None), Tally(1)),
    ]
    pages: dict[str, bytes] = {}
    for entry in entries:
        pages.update(render_petition(renderer, entry))
    pages.update(renderer.site_pages(entries))
    written = []
    for path, data in pages.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if path.endswith(".html"):
            written.append(target)
    return written


def test_pages_pass_html_validate(tmp_path: Path) -> None:
    files = build(tmp_path / "site")
    # seven pages for each of 5 petitions (with its embed and history), an update's, 5 index
    # pages, 404, the receipt, the status lists (3 pages of open petitions, one of won, one of
    # closed), the tags and their page
    assert len(files) == 51
    result = subprocess.run(
        [str(HTML_VALIDATE), "--config", str(REPO / ".htmlvalidate.json"), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
