"""The output folder: its manifest, sibling temporary folders, and how a build lands in it.

A full build renders into `<out>.tmp-XXXX` beside the output and is swapped in whole. An
incremental build stages only the files that changed, flat (no folders to make), in such
a folder and, once every page rendered, moves them into place and deletes the files that no
longer belong. In both cases
the manifest is marked stale before the output is touched and written anew after, so a
build that dies half-way leaves a stale manifest and the next build is a full one.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from generator.errors import ConfigError, PetitionSiteError

MANIFEST_FORMAT = 3


class OutputConflict(PetitionSiteError):
    """Two producers (petitions, site pages) made the same output path."""


@dataclass
class PetitionRecord:
    """What the output holds for one petition: the key it was built from and its files."""

    key: str
    files: list[str]


@dataclass
class Manifest:
    """What the last build put in the output folder, for the next incremental build."""

    fingerprint: str = ""
    site_digest: str = ""
    petitions: dict[str, PetitionRecord] = field(default_factory=dict)
    site_files: dict[str, str] = field(default_factory=dict)  # relpath -> sha256 of bytes
    site_inputs: dict[str, str] = field(default_factory=dict)  # relpath -> digest of its inputs


def manifest_path(out: Path) -> Path:
    """Where the manifest of an output folder lives: beside it, so it is never uploaded."""
    return out.parent / f".{out.name}.manifest.json"


def read_manifest(out: Path) -> Manifest | None:
    """The output folder's manifest, or None when missing, unreadable or of another format."""
    try:
        data = json.loads(manifest_path(out).read_bytes())
        if data.get("format") != MANIFEST_FORMAT or data.get("stale") or not out.is_dir():
            return None
        return Manifest(
            fingerprint=data["fingerprint"],
            site_digest=data["site_digest"],
            petitions={s: PetitionRecord(**r) for s, r in data["petitions"].items()},
            site_files=data["site_files"],
            site_inputs=data["site_inputs"],
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_manifest(out: Path, manifest: Manifest) -> None:
    """Write the manifest atomically (temporary file, then rename)."""
    data = {
        "format": MANIFEST_FORMAT,
        "fingerprint": manifest.fingerprint,
        "site_digest": manifest.site_digest,
        "petitions": {
            slug: {"key": r.key, "files": r.files} for slug, r in sorted(manifest.petitions.items())
        },
        "site_files": dict(sorted(manifest.site_files.items())),
        "site_inputs": dict(sorted(manifest.site_inputs.items())),
    }
    _write_atomic(manifest_path(out), json.dumps(data, separators=(",", ":")))


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def invalidate_manifest(out: Path) -> None:
    """Mark the manifest stale (the output is about to change): the next build is full.

    The file stays, so the output folder is still known to be ours.
    """
    _write_atomic(manifest_path(out), json.dumps({"format": MANIFEST_FORMAT, "stale": True}))


def check_out_dir(out: Path, keep: list[Path]) -> None:
    """Refuse an output folder whose replacement would destroy something that is not ours.

    `keep` lists folders (content, templates, the working directory) the output must neither
    be nor contain. An existing non-empty folder without a manifest was not built here.
    """
    resolved = out.resolve()
    for other in keep:
        other = other.resolve()
        if resolved == other or other.is_relative_to(resolved):
            raise ConfigError(f"{out}: output folder would replace {other}; choose another --out")
    if resolved.exists() and not resolved.is_dir():
        raise ConfigError(f"{out}: exists and is not a folder; choose another --out")
    if resolved.is_dir() and any(resolved.iterdir()) and not manifest_path(out).exists():
        raise ConfigError(
            f"{out}: folder exists, is not empty and has no build manifest beside it; "
            "remove it or choose another --out"
        )


def safe_relpath(rel: str) -> str:
    """`rel` when it is a plain relative POSIX path inside the output, else an error."""
    pure = PurePosixPath(rel)
    if pure.is_absolute() or not pure.parts or ".." in pure.parts or "\\" in rel:
        raise OutputConflict(f"{rel!r}: output paths must be relative and stay inside the output")
    return rel


def staged_name(rel: str) -> str:
    """The flat file name a staged output path gets (no folders to make and remove)."""
    return hashlib.sha256(rel.encode()).hexdigest()[:40]


class TreeWriter:
    """Writes files under one root folder: as a tree, or `flat` under staged names."""

    def __init__(self, root: Path, flat: bool = False) -> None:
        self.root = str(root)
        self.flat = flat
        self._dirs: set[str] = set()

    def write(self, rel: str, data: bytes) -> None:
        """Write `data` to `root/rel` (flat: to `root/staged_name(rel)`)."""
        if self.flat:
            safe_relpath(rel)
            path = os.path.join(self.root, staged_name(rel))
        else:
            path = os.path.join(self.root, safe_relpath(rel))
            parent = os.path.dirname(path)
            if parent not in self._dirs:
                os.makedirs(parent, exist_ok=True)
                self._dirs.add(parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)


def sibling_dir(out: Path, kind: str) -> Path:
    """Create and return a new empty folder beside `out`, e.g. `_site.tmp-3fa1c2d4`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    while True:
        path = out.parent / f"{out.name}.{kind}-{secrets.token_hex(4)}"
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path


def swap_in(new: Path, out: Path) -> None:
    """Put a fully built folder in place of `out` (renames only), then delete the old one."""
    invalidate_manifest(out)
    if out.exists():
        old = sibling_dir(out, "old")
        old.rmdir()
        os.rename(out, old)
        os.rename(new, out)
        shutil.rmtree(old)
    else:
        os.rename(new, out)


def commit(staged: Path, out: Path, moved: list[str], deleted: list[str]) -> None:
    """Move files staged flat into `out` (os.replace), delete files that no longer belong.

    Folders left empty by a deletion are removed too.
    """
    invalidate_manifest(out)
    made: set[str] = set()
    for rel in moved:
        target = os.path.join(out, rel)
        parent = os.path.dirname(target)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        os.replace(os.path.join(staged, staged_name(rel)), target)
    for rel in deleted:
        gone = out / safe_relpath(rel)
        gone.unlink(missing_ok=True)
        for folder in gone.parents:
            if folder == out or not folder.is_dir() or any(folder.iterdir()):
                break
            folder.rmdir()
    shutil.rmtree(staged)


def written_elsewhere(out: Path, rels: list[str]) -> None:
    """Record that these output files were written by something else (e.g. a write-back).

    The next build renders the petitions owning them again and rewrites those site pages,
    whatever their bytes were. Call it under the same lock as builds of this output.
    """
    manifest = read_manifest(out)
    if manifest is None:
        return
    gone = set(rels)
    for rel in gone:
        manifest.site_files.pop(rel, None)
        manifest.site_inputs.pop(rel, None)
    for record in manifest.petitions.values():
        if gone.intersection(record.files):
            record.key = ""
    manifest.site_digest = ""
    write_manifest(out, manifest)
