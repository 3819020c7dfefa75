"""Load and validate a content folder: site.yaml and every petitions/<slug>.md.

Every problem in every file is collected and raised at once as ContentErrors, each naming
the file, the line (from YAML's own node marks) and the field. Imports only the standard
library and PyYAML: the signing function loads content at cold start.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

import yaml

from generator.content.fields import read_mapping
from generator.content.kinds import INVALID, control_at, control_character
from generator.content.report import Report, Values
from generator.content.schema import PETITION, SITE
from generator.errors import ContentError, ContentErrors
from generator.model import Content, Petition, Site

Loader: type[yaml.SafeLoader | yaml.CSafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_FENCE = re.compile(r"^---[ \t]*\r?$", re.M)
_NO_SITE = Site("", "", "", "en", (), "", "")  # stands in while site.yaml is broken


def display_path(path: Path) -> str:
    """The path as messages show it: relative to the current directory when under it."""
    absolute = Path(os.path.abspath(path))
    cwd = os.getcwd()
    return str(absolute.relative_to(cwd)) if absolute.is_relative_to(cwd) else str(path)


def _read(path: Path, shown: str) -> tuple[bytes, str] | ContentError:
    """The file's bytes and text, or the error saying why it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as e:
        return ContentError(shown, 1, "file", f"cannot be read: {e.strerror}")
    try:
        return data, data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        return ContentError(shown, line, "file", f"not UTF-8 text (byte {e.start}): {e.reason}")


def _compose(text: str, report: Report, field: str) -> Any:
    """The YAML node tree of a text, or INVALID after reporting its syntax error."""
    try:
        return yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + report.first_line if mark else report.first_line
        message = f"invalid YAML: {e.problem or e.context}"
        if e.problem and e.context and e.context_mark:
            message += f" ({e.context} on line {e.context_mark.line + report.first_line})"
        report.add(line, field, message)
    except yaml.YAMLError as e:
        report.add(report.first_line, field, f"invalid YAML: {e}")
    return INVALID


def check_site(path: Path) -> tuple[Site | None, list[ContentError]]:
    """The site settings in a site.yaml, or None and every problem found in it."""
    shown = display_path(path)
    read = _read(path, shown)
    if isinstance(read, ContentError):
        return None, [read]
    report = Report(shown, 1)
    root = _compose(read[1], report, "site")
    values = INVALID if root is INVALID else read_mapping(root, SITE.fields, "", report, 1)
    if values is INVALID or report.errors:
        return None, report.errors
    if "base_url" in values:
        values["base_url"] = values["base_url"].rstrip("/")
    return Site(**values), []


def load_site(path: Path) -> Site:
    """The site settings in a site.yaml; raises ContentErrors listing every problem."""
    site, errors = check_site(path)
    if site is None:
        raise ContentErrors(errors)
    return site


def _split(text: str, report: Report) -> tuple[str, str, int] | None:
    """Front matter, body and the closing fence's line, or None after reporting why not."""
    first, _, rest = text.partition("\n")
    if first.rstrip() != "---":
        report.add(1, "front matter", "expected '---' on the first line, then the fields")
        return None
    fence = _FENCE.search(rest)
    if fence is None:
        report.add(1, "front matter", "no closing '---' line between the fields and the body")
        return None
    front = rest[: fence.start()]
    return front, rest[fence.end() :], 2 + front.count("\n")


def check_petition(path: Path, site: Site) -> tuple[Petition | None, list[ContentError]]:
    """The petition in a file, or None and every problem found in it (safe in a worker)."""
    shown = display_path(path)
    read = _read(path, shown)
    if isinstance(read, ContentError):
        return None, [read]
    data, text = read
    # the front matter starts on the file's second line
    report = Report(shown, 2, site.time_zone or None)
    slug = path.stem
    if not SLUG.fullmatch(slug):
        message = f"file name must be lowercase letters, digits and single hyphens, got {slug!r}"
        report.add(1, "slug", message)
    parts = _split(text, report)
    if parts is None:
        return None, report.errors
    front, body, fence_line = parts
    root = _compose(front, report, "front matter")
    fields = PETITION.fields
    values: Values = Values() if root is INVALID else read_mapping(root, fields, "", report, 2)
    if values is INVALID:
        values = Values()
    if not body.strip():
        report.add(fence_line, "body", "empty; write why the petition matters below the '---'")
    elif (problem := control_character(body)) is not None:
        before = body.replace("\r\n", "\n")[: control_at(body)]
        report.add(fence_line + before.count("\n"), "body", problem)
    if "closes" in values and "created" in values and values["closes"] < values["created"].date():
        message = f"{values['closes']} is before the petition was created"
        report.add(values.lines["closes"], "closes", message)
    if report.errors:
        return None, report.errors
    return Petition(
        slug=slug,
        path=shown,
        body=body.strip("\r\n").rstrip(),
        milestones=values.pop("milestones", site.milestones),
        source_hash=hashlib.sha256(data).hexdigest(),
        **values,
    ), []


def load_petition(path: Path, site: Site) -> Petition:
    """The petition in a file; raises ContentErrors listing every problem in it."""
    petition, errors = check_petition(path, site)
    if petition is None:
        raise ContentErrors(errors)
    return petition


def petition_files(folder: Path) -> list[Path]:
    """The petition files in a folder (*.md, any case of the extension), sorted by name."""
    if not folder.is_dir():
        return []
    with os.scandir(folder) as entries:
        names = [
            e.name
            for e in entries
            if e.name.lower().endswith(".md") and not e.name.startswith(".") and e.is_file()
        ]
    return [folder / name for name in sorted(names)]


def outside(root: Path, path: Path) -> bool:
    """Whether `path` (under `root`) leads, through links, to somewhere outside `root`."""
    try:
        return not path.resolve(strict=False).is_relative_to(root.resolve(strict=False))
    except (OSError, RuntimeError):  # a loop of links leads nowhere good either
        return True


def links_outside(content_dir: Path, paths: list[Path]) -> list[ContentError]:
    """An error for each of these paths that is a link leading outside the content folder."""
    return [
        ContentError(
            display_path(path),
            1,
            "file",
            f"is a link to outside {display_path(content_dir)}/; refused, nothing is read"
            " through it",
        )
        for path in paths
        if path.is_symlink() and outside(content_dir, path)
    ]


def load_content(content_dir: Path) -> Content:
    """The site and its petitions (sorted by slug); raises ContentErrors with every problem."""
    site_path, folder = content_dir / "site.yaml", content_dir / "petitions"
    refused = links_outside(content_dir, [site_path, folder])
    if refused:
        raise ContentErrors(refused)
    site, errors = check_site(site_path)
    petitions: list[Petition] = []
    owners: dict[str, str] = {}
    files = petition_files(folder)
    errors += (linked := links_outside(content_dir, files))
    for path in files:
        if path.is_symlink() and any(e.path == display_path(path) for e in linked):
            continue
        key = path.stem.lower()
        shown = display_path(path)
        if key in owners:
            message = f"duplicate slug {key!r}: {owners[key]} has it too; rename one of them"
            errors.append(ContentError(shown, 1, "slug", message))
        else:
            owners[key] = shown
        petition, problems = check_petition(path, site or _NO_SITE)
        errors += problems
        if petition is not None:
            petitions.append(petition)
    if errors or site is None:
        raise ContentErrors(errors)
    return Content(site, tuple(sorted(petitions, key=lambda p: p.slug)))
