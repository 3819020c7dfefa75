"""A bundle's updates: content/petitions/<slug>/updates/<YYYY-MM-DD>-<name>.md.

Each is front matter (title, date, kind, optional from: schema.UPDATE) and a Markdown body,
checked like a petition: every problem at its file, line and field. Besides its own fields an
update must agree with its name (the day in the file name is the date's day in the site's
zone) and with its petition (not before it was created; a victory only on a petition that
won). Anything else in updates/ is an error rather than passed over.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.content.bundles import INDEX, UPDATES, content_root
from generator.content.fields import read_mapping
from generator.content.frontmatter import compose, read_text, split
from generator.content.kinds import INVALID, control_at, control_character
from generator.content.paths import display_path, outside
from generator.content.report import Report, Values
from generator.content.schema import UPDATE
from generator.content.times import calendar_problem
from generator.errors import ContentError
from generator.model import Update

_NAME = re.compile(r"(?P<day>\d{4}-\d\d-\d\d)-[a-z0-9]+(?:-[a-z0-9]+)*")
_EXAMPLE = "2025-03-02-minister-replies.md"


@dataclass(frozen=True)
class Owner:
    """What an update is checked against: its petition as far as it could be read."""

    path: str  # the petition's file as messages name it
    status: str | None  # None: its status is itself in error, so victories are not checked
    created: datetime | None  # None: not known (in error)
    zone: str | None  # the site's time zone (None: site.yaml is broken)


@dataclass(frozen=True)
class Updates:
    """A bundle's updates, oldest first, and a digest of their files (for the build key)."""

    updates: tuple[Update, ...]
    digest: str  # sha256 of every update file's name and bytes; "" when there are none
    errors: list[ContentError]


def _file_day(name: str, shown: str) -> date | ContentError:
    """The day an update's file name starts with, or the error saying what it should be."""
    found = _NAME.fullmatch(name)
    if found is None:
        message = (
            f"expected YYYY-MM-DD-<name>.md (e.g. {_EXAMPLE}): the day, then lowercase"
            f" letters, digits and single hyphens; got {name + '.md'!r}"
        )
        return ContentError(shown, 1, "file name", message)
    day = found.group("day")
    try:
        return date.fromisoformat(day)
    except ValueError:
        problem = calendar_problem(day) or "not a date"
        return ContentError(shown, 1, "file name", f"{day} is not a real day: {problem}")


def _against_petition(values: Values, day: date, owner: Owner, report: Report, name: str) -> None:
    """Report where an update disagrees with its file name or its petition."""
    when = values.get("date")
    if when is not None and owner.zone:
        local = when.astimezone(ZoneInfo(owner.zone)).date()
        if local != day:
            rest = name.split("-", 3)[3]
            message = (
                f"{when.isoformat()} is {local} in {owner.zone} but the file name says {day};"
                f" rename the file {local}-{rest}.md, or correct the date"
            )
            report.add(values.lines["date"], "date", message)
    if when is not None and owner.created is not None and when < owner.created:
        message = (
            f"{when.isoformat()} is before the petition was created"
            f" ({owner.created.isoformat()}, {owner.path})"
        )
        report.add(values.lines["date"], "date", message)
    if values.get("kind") == "victory" and owner.status not in (None, "won"):
        message = (
            f"a victory is for a petition that won, but {owner.path} has status"
            f" {owner.status}; set `status: won` there, or give this update another kind"
        )
        report.add(values.lines["kind"], "kind", message)


def check_update(path: Path, owner: Owner) -> tuple[Update | None, bytes, list[ContentError]]:
    """The update in a file, its bytes, and every problem found in it."""
    shown = display_path(path)
    day = _file_day(path.name.removesuffix(".md"), shown)
    read = read_text(path, shown)
    if isinstance(read, ContentError):
        return None, b"", [read] + ([day] if isinstance(day, ContentError) else [])
    data, text = read
    report = Report(shown, 2, owner.zone)
    if isinstance(day, ContentError):
        report.errors.append(day)
    parts = split(text, report)
    if parts is None:
        return None, data, report.errors
    front, body, fence_line = parts
    root = compose(front, report, "front matter")
    values = Values() if root is INVALID else read_mapping(root, UPDATE.fields, "", report, 2)
    if values is INVALID:
        values = Values()
    if not body.strip():
        report.add(fence_line, "body", "empty; write what happened below the '---'")
    elif (problem := control_character(body)) is not None:
        before = body.replace("\r\n", "\n")[: control_at(body)]
        report.add(fence_line + before.count("\n"), "body", problem)
    if isinstance(day, date):
        _against_petition(values, day, owner, report, path.stem)
    if report.errors:
        return None, data, report.errors
    update = Update(
        name=path.stem,
        path=shown,
        title=values["title"],
        date=values["date"],
        kind=values["kind"],
        body=body.strip("\r\n").rstrip(),
        sender=values.get("from", ""),
    )
    return update, data, []


def check_updates(bundle: Path, owner: Owner) -> Updates:
    """The updates in a bundle's updates/ folder (none when it has none), oldest first."""
    folder = bundle / UPDATES
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return Updates((), "", [])
    content = content_root(bundle / INDEX)
    found: list[Update] = []
    errors: list[ContentError] = []
    h = hashlib.sha256()
    for e in entries:
        if e.name.startswith("."):
            continue
        path = folder / e.name
        shown = display_path(path)
        if outside(content, path):
            message = f"is a link to outside {display_path(content)}/; refused, nothing is read"
            errors.append(ContentError(shown, 1, "file", message))
            continue
        if not (e.name.endswith(".md") and e.is_file()):
            message = (
                f"{UPDATES}/ holds only updates, each a file YYYY-MM-DD-<name>.md (e.g."
                f" {_EXAMPLE}); move this out"
            )
            errors.append(ContentError(shown, 1, "file", message))
            continue
        update, data, problems = check_update(path, owner)
        errors += problems
        h.update(b"%s\0%d\0%s" % (e.name.encode(), len(data), data))
        if update is not None:
            found.append(update)
    found.sort(key=lambda u: (u.date, u.name))
    return Updates(tuple(found), h.hexdigest() if found or errors else "", errors)
