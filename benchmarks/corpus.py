"""A deterministic synthetic content folder: petitions of ~600 words, like real ones.

`python benchmarks/corpus.py DIR N` writes DIR/site.yaml and DIR/petitions/*.md.
"""

from __future__ import annotations

import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

_VOCABULARY = (
    "council community school water park library housing transport safety children "
    "families workers river forest coast health clinic hospital bus route cycle lane "
    "footpath crossing speed limit funding budget plan decision public consultation "
    "report evidence data survey residents neighbours volunteers trust board minister "
    "government local regional national climate flood storm recovery repair maintain "
    "protect restore support fair kind safe clean warm affordable open accessible "
    "every many some most people we our their it this that with for and the of to in"
)
WORDS = _VOCABULARY.split()
PLACES = ("Kōwhai Bay", "Rātā Street", "Tōtara Valley", "Harbour View", "Pūriri Heights")
LADDER = (10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000)
SITE_YAML = """\
name: Synthetic Petitions
description: A generated corpus for the build benchmark.
base_url: https://petitions.example.org
api_url: /api
time_zone: Pacific/Auckland
language: en-NZ
organisation: Benchmark Trust
privacy_url: https://example.org/privacy
milestones: [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000]
signer_fields: [postcode, country, consent]
rate_limit: 10
per_page: 20
"""
NZT = timezone(timedelta(hours=12))


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random, words: int) -> str:
    out, left = [], words
    while left > 0:
        n = min(left, rng.randint(8, 18))
        out.append(_sentence(rng, n))
        left -= n
    return " ".join(out)


def body(rng: random.Random, words: int = 600) -> str:
    """A Markdown body of about `words` words with headings, a list, a link and emphasis."""
    parts = [_paragraph(rng, 90), "## What is happening", _paragraph(rng, 110)]
    parts.append("\n".join(f"- {_sentence(rng, rng.randint(5, 10))}" for _ in range(5)))
    parts += ["## Why it matters", _paragraph(rng, 120)]
    link = f"[the council's report](https://example.org/reports/{rng.randint(1, 999)})"
    parts.append(f"Read **{link}** and *the survey results* before you sign.")
    parts += ["### What we ask", _paragraph(rng, 110)]
    parts.append("\n".join(f"{i}. {_sentence(rng, rng.randint(6, 12))}" for i in range(1, 4)))
    parts.append(_paragraph(rng, 90))
    return "\n\n".join(parts) + "\n"


def petition(rng: random.Random, i: int) -> str:
    """The text of petition number `i`."""
    created = datetime(2020, 1, 1, 9, 0, tzinfo=NZT) + timedelta(hours=rng.randint(0, 30000))
    count = rng.choice((0, 7, 42, 120, 731, 2600, 12000))
    status = rng.choice(("open", "open", "open", "closed", "won"))
    place = rng.choice(PLACES)
    lines = [
        "---",
        f"title: Petition {i} for a {rng.choice(WORDS)} {rng.choice(WORDS)} in {place}",
        f"target: {place} District Council",
        "ask: |",
        f"  {_paragraph(rng, 40)}",
        f"created: {created.isoformat()}",
        f"status: {status}",
    ]
    if i % 3 == 0:
        lat, lon = -41 + rng.random(), 174 + rng.random()
        lines += [
            "location:",
            f"  name: {place} Hall",
            f"  address: 1 Main Road, {place}",
            f"  lat: {lat:.4f}",
            f"  lon: {lon:.4f}",
        ]
    lines += ["tags: [community, local]", "imported:", f"  count: {count}"]
    reached = [m for m in LADDER if m <= count]
    if reached:
        lines.append("  milestones:")
        moment = created
        for m in reached:
            moment += timedelta(minutes=rng.randint(5, 600))
            lines.append(f"    {m}: {moment.isoformat()}")
    lines.append("---")
    return "\n".join(lines) + "\n" + body(rng)


def write_corpus(folder: Path, n: int, seed: int = 2017) -> list[Path]:
    """Write site.yaml and `n` petitions under `folder`; returns the petition files."""
    rng = random.Random(seed)
    (folder / "petitions").mkdir(parents=True, exist_ok=True)
    (folder / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    paths = []
    for i in range(n):
        path = folder / "petitions" / f"petition-{i:05d}.md"
        path.write_text(petition(rng, i), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    write_corpus(Path(sys.argv[1]), int(sys.argv[2]))
