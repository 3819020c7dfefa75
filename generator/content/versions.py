"""What each signer signed: a petition's text version and the history of its text.

A petition's *text* is its title, target and ask; its version is the first 12 hex digits of
sha256 over a canonical JSON form of the three (line endings folded), so an edit to the
body, the picture or any other field is not a new version. The history is the text's
versions oldest first: from the file's git revisions when the build has them
(read by generator/content/revisions.py from what generator/build/git.py gets), else from
the versions the store has seen signed. Pure: no git, no store, no clock, and no YAML (the
signing function checks versions without loading it).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from generator.model import Petition

VERSION_LENGTH = 12
VERSION = re.compile(rf"[0-9a-f]{{{VERSION_LENGTH}}}")  # what a well-formed version looks like
TEXT_FIELDS = ("title", "target", "ask")


@dataclass(frozen=True)
class Revision:
    """One committed copy of a petition file: the commit, its time and the file's text."""

    commit: str  # full hex id
    date: datetime  # the commit's time, with its offset
    text: str  # the file as it was in that commit


@dataclass(frozen=True)
class TextVersion:
    """One version of a petition's text. `known` is False for a version only the store has
    seen signed: its digest and when, not its words."""

    digest: str
    title: str = ""
    target: str = ""
    ask: str = ""  # Markdown, as written
    date: datetime | None = None  # when it became the text (commit time, or first signed)
    commit: str = ""  # the commit that made it the text ("" without git, or uncommitted)
    known: bool = True


def text_version(title: str, target: str, ask: str) -> str:
    """The version of a text: 12 hex digits of sha256 over its canonical JSON form."""
    fields = {"title": title, "target": target, "ask": ask.replace("\r\n", "\n")}
    canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:VERSION_LENGTH]


def petition_version(petition: Petition) -> str:
    """The version of a petition's text as loaded now."""
    return text_version(petition.title, petition.target, petition.ask)


def current(petition: Petition) -> TextVersion:
    """The petition's text now, as one version (no date or commit)."""
    p = petition
    return TextVersion(petition_version(p), p.title, p.target, p.ask)


def from_store(petition: Petition, seen: Mapping[str, datetime]) -> tuple[TextVersion, ...]:
    """The text's versions, oldest first, as the store has seen them signed (`seen`: each
    version's first counted signature): the earlier ones by digest and date only, the
    current one whole, last."""
    now = current(petition)
    earlier = sorted((when, digest) for digest, when in seen.items() if digest != now.digest)
    versions = [TextVersion(digest, date=when, known=False) for when, digest in earlier]
    since = seen.get(now.digest) if versions else None  # a single version dates from creation
    versions.append(replace(now, date=since))
    return dated(petition, versions)


def dated(petition: Petition, versions: list[TextVersion]) -> tuple[TextVersion, ...]:
    """The versions, the first dated from the petition's creation when nothing dates it."""
    first = versions[0]
    if first.date is None:
        versions[0] = replace(first, date=petition.created)
    return tuple(versions)


def earlier_signers(versions: Iterable[TextVersion], by_version: Mapping[str, int]) -> int:
    """How many counted signatures are of a text other than the last (current) version's."""
    digests = [v.digest for v in versions]
    now = digests[-1] if digests else ""
    return sum(n for digest, n in by_version.items() if digest != now and n > 0)
