"""Load and validate a content folder: site.yaml and every petition, a file petitions/<slug>.md
or a folder petitions/<slug>/ with index.md and updates/ (generator/content/bundles.py).

Every problem in every file is collected and raised at once as ContentErrors, each naming
the file, the line (from YAML's own node marks) and the field. Imports only the standard
library and PyYAML: the signing function loads content at cold start.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from generator.content.bundles import find_petitions, is_bundle, slug_of, stray_files
from generator.content.fields import read_mapping
from generator.content.frontmatter import compose as _compose
from generator.content.frontmatter import read_text as _read
from generator.content.frontmatter import split as _split
from generator.content.kinds import INVALID, control_at, control_character
from generator.content.paths import display_path, outside
from generator.content.pictures import PictureSource, find_picture
from generator.content.report import Report, Values
from generator.content.schema import PETITION, SITE
from generator.content.updates import Owner, Updates, check_updates
from generator.errors import ContentError, ContentErrors
from generator.model import Content, Petition, Site, Update

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NO_SITE = Site("", "", "", "en", (), "", "")  # stands in while site.yaml is broken


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


def check_petition(path: Path, site: Site) -> tuple[Petition | None, list[ContentError]]:
    """The petition in a file, or None and every problem found in it (safe in a worker)."""
    shown = display_path(path)
    read = _read(path, shown)
    if isinstance(read, ContentError):
        return None, [read]
    data, text = read
    # the front matter starts on the file's second line
    report = Report(shown, 2, site.time_zone or None)
    slug = slug_of(path)
    if not SLUG.fullmatch(slug):
        named = "folder" if is_bundle(path) else "file"
        message = f"{named} name must be lowercase letters, digits and single hyphens, got {slug!r}"
        report.add(1, "slug", message)
    parts = _split(text, report)
    if parts is None:
        if is_bundle(path):  # its updates are checked all the same, against nothing
            report.errors += _bundle(path, Owner(shown, None, None, report.zone)).errors
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
    source_hash = hashlib.sha256(data).hexdigest()
    if isinstance(values.get("image"), PictureSource):
        values["image"] = picture = find_picture(values["image"], path, report)
        if picture is not None:  # a changed picture is a changed petition: its pages follow
            source_hash = hashlib.sha256(f"{source_hash} {picture.digest}".encode()).hexdigest()
    updates: tuple[Update, ...] = ()
    if is_bundle(path):
        # a victory is checked against the status only when the status itself is readable
        known = root is not INVALID and not any(e.field == "status" for e in report.errors)
        status = values.get("status", "open") if known else None
        bundle = _bundle(path, Owner(shown, status, values.get("created"), report.zone))
        report.errors += bundle.errors
        updates = bundle.updates
        if bundle.digest:  # an update's file is part of the petition: its pages follow
            source_hash = hashlib.sha256(f"{source_hash} {bundle.digest}".encode()).hexdigest()
    if report.errors:
        return None, report.errors
    return Petition(
        slug=slug,
        path=shown,
        body=body.strip("\r\n").rstrip(),
        milestones=values.pop("milestones", site.milestones),
        source_hash=source_hash,
        updates=updates,
        **values,
    ), []


def _bundle(path: Path, owner: Owner) -> Updates:
    """A bundle's updates, with the problems of its folder (Markdown nothing reads)."""
    found = check_updates(path.parent, owner)
    return Updates(found.updates, found.digest, stray_files(path.parent) + found.errors)


def load_petition(path: Path, site: Site) -> Petition:
    """The petition in a file; raises ContentErrors listing every problem in it."""
    petition, errors = check_petition(path, site)
    if petition is None:
        raise ContentErrors(errors)
    return petition


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


def _keep_one(path: Path) -> str:
    """What to do about a second petition with a slug already taken."""
    if is_bundle(path) or path.with_suffix("").is_dir():
        return "a petition is either a file <slug>.md or a folder <slug>/index.md; keep one"
    return "rename one of them"


def load_content(content_dir: Path) -> Content:
    """The site and its petitions (sorted by slug); raises ContentErrors with every problem."""
    site_path, folder = content_dir / "site.yaml", content_dir / "petitions"
    refused = links_outside(content_dir, [site_path, folder])
    if refused:
        raise ContentErrors(refused)
    site, errors = check_site(site_path)
    petitions: list[Petition] = []
    owners: dict[str, str] = {}
    found, problems = find_petitions(folder)
    errors += problems
    for name, _, links in found:
        path = folder / name
        if refused := links_outside(content_dir, list(links)):
            errors += refused
            continue
        key = slug_of(path).lower()
        shown = display_path(path)
        if key in owners:
            message = f"duplicate slug {key!r}: {owners[key]} has it too; {_keep_one(path)}"
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
