"""A real feed reader (feedparser) reads the built feed.xml whole, whatever the content says.

Titles, asks and the site's own name carry characters that are legal but awkward in XML:
`&`, `<`, both kinds of quote, an entity-looking `&amp;`, emoji beyond the BMP (a ZWJ
sequence among them), right-to-left text and a `]]>`. The feed must stay well-formed
(feedparser's `bozo` flag stays down) and give each title back exactly as written. Control
characters never get this far: the content loader refuses them.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import feedparser
import yaml

from generator.build.counts import ContentCounts
from generator.build.engine import BuildOptions, build
from tests.support.fixture_site import SLUGS, TEMPLATES, copy_content

# Escaped, so an editor's bidi rendering cannot reorder the source: "protect the harbour"
# in Arabic, "guard the harbour" in Hebrew, and a woman scientist with a skin tone (a ZWJ
# sequence of four code points).
ARABIC = "\u062d\u0645\u0627\u064a\u0629 \u0627\u0644\u0645\u064a\u0646\u0627\u0621"
HEBREW = "\u05e9\u05de\u05e8\u05d5 \u05e2\u05dc \u05d4\u05e0\u05de\u05dc"
SCIENTIST = "\U0001f469\U0001f3fd\u200d\U0001f52c"

AWKWARD = {  # slug: (title, ask)
    "fish-and-chips": (
        'Fish & chips for <everyone> at "the Wharf", R&amp;D & all',
        "Keep fish & chips under $5 when 2 < 3 and 5 > 4, as the council said it would.",
    ),
    "quotes": (
        "It's the council's call: 'yes' or \u201cno\u201d?",
        "Say \"yes\" to the 'harbour' plan \u2014 don\u2019t wait.",
    ),
    "emoji": (
        f"Save the reef \U0001f420\U0001f30a and the {SCIENTIST} who study it",
        "Fund reef science \U0001f9ea for ten years \U0001f389.",
    ),
    "right-to-left": (f"Protect the harbour: {ARABIC} {HEBREW}", f"{ARABIC} and {HEBREW}, please."),
    "cdata": (
        "Stop ]]> breaking <![CDATA[ feeds ]]> today",
        "End every ]]> section and open none with <![CDATA[ here.",
    ),
}
SITE = {  # the feed's own title, subtitle and author
    "name": f'Harbour & <City> "Petitions" \U0001f30a ]]> {ARABIC}',
    "description": "R&amp;D, <b>not bold</b>, ]]>, 'single' and \u201cdouble\u201d quotes",
    "organisation": f"Harbour Trust & <Co> {HEBREW}",
}


def write_petition(content: Path, slug: str, title: str, ask: str) -> None:
    """A petition file whose front matter YAML quotes `title` and `ask` as needed."""
    fields = {
        "title": title,
        "target": "Harbour City Council",
        "ask": ask,
        "created": "2025-02-01T09:00:00+13:00",
        "goal": 100,
    }
    front = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)
    path = content / "petitions" / f"{slug}.md"
    path.write_text(f"---\n{front}---\nWhy it matters.\n", encoding="utf-8")


def text_of(summary: str) -> str:
    """The text a reader shows for an HTML summary: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", "", summary)).strip()


def test_feedparser_reads_the_feed_whole_and_gets_every_awkward_title_back(
    tmp_path: Path,
) -> None:
    content = copy_content(tmp_path / "content")
    site = yaml.safe_load((content / "site.yaml").read_text(encoding="utf-8"))
    (content / "site.yaml").write_text(
        yaml.safe_dump({**site, **SITE}, allow_unicode=True), encoding="utf-8"
    )
    for slug, (title, ask) in AWKWARD.items():
        write_petition(content, slug, title, ask)
    out = tmp_path / "site"
    build(BuildOptions(content, TEMPLATES, out, None, full=True, counts=ContentCounts(), workers=1))

    feed = feedparser.parse((out / "feed.xml").read_bytes())

    assert not feed.bozo, feed.get("bozo_exception")
    assert (feed.feed.title, feed.feed.subtitle, feed.feed.author) == (
        SITE["name"], SITE["description"], SITE["organisation"]
    )  # fmt: skip
    entries = {e.link.rstrip("/").rsplit("/", 1)[-1]: e for e in feed.entries}
    updates = sorted(name for name, e in entries.items() if "/updates/" in e.link)
    assert updates == ["2024-02-20-council-replies", "2024-04-29-the-crossing-is-open"]
    assert sorted(entries.keys() - updates) == sorted([*AWKWARD, *SLUGS])
    for slug, (title, ask) in AWKWARD.items():
        entry = entries[slug]
        assert entry.title == title, slug
        assert entry.title_detail.type == "text/plain", slug
        assert text_of(entry.summary) == ask, slug
