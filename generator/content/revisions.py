"""Reading a petition file's old revisions (from git) into the versions of its text."""

from __future__ import annotations

from collections.abc import Iterable

from generator.content.fields import read_mapping
from generator.content.frontmatter import compose, split
from generator.content.kinds import INVALID
from generator.content.report import Report
from generator.content.schema import PETITION
from generator.content.versions import (
    TEXT_FIELDS,
    Revision,
    TextVersion,
    current,
    dated,
    text_version,
)
from generator.model import Petition

_FIELDS = tuple(f for f in PETITION.fields if f.name in TEXT_FIELDS)


def read_text(source: str) -> tuple[str, str, str] | None:
    """Title, target and ask of a petition file's text, read as the loader reads them; None
    when the file (an old revision, say) has no readable title, target or ask."""
    report = Report("(revision)", 2)
    parts = split(source.removeprefix("\ufeff"), report)
    root = INVALID if parts is None else compose(parts[0], report, "front matter")
    if root is INVALID:
        return None
    values = read_mapping(root, _FIELDS, "", report, 2)
    if values is INVALID or any(name not in values for name in TEXT_FIELDS):
        return None
    return values["title"], values["target"], values["ask"]


def from_revisions(petition: Petition, revisions: Iterable[Revision]) -> tuple[TextVersion, ...]:
    """The text's versions, oldest first, from the file's revisions (oldest first): a commit
    that leaves the text as it was (a body edit) is no new version; the file as it is now
    ends the history, uncommitted when it differs from the last commit. Unreadable
    revisions are passed over."""
    versions: list[TextVersion] = []
    for revision in revisions:
        text = read_text(revision.text)
        if text is None:
            continue
        digest = text_version(*text)
        if not versions or versions[-1].digest != digest:
            versions.append(TextVersion(digest, *text, revision.date, revision.commit))
    now = current(petition)
    if not versions or versions[-1].digest != now.digest:
        versions.append(now)
    return dated(petition, versions)
