"""The petition files' git history, for the history of each petition's text.

The edge where the build meets git: one `git log --raw` over the petitions folder tells
which commits changed each file and the file's blob in each (the build keys a petition by
its commits, so a new commit re-renders its history), and one `git cat-file --batch` reads
those blobs for the petitions being rendered, however many there are (by blob id: asking
for `<commit>:<path>` would have git search a folder of 10,000 files for each). Without
git, outside a checkout, or for a file git does not track there is no history here and the
pages fall back to the versions the store has seen (generator.content.versions). Nothing git
prints reaches a page: only commit ids, commit times and the files' own text.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from generator.content.revisions import from_revisions
from generator.content.versions import Revision, TextVersion
from generator.model import Petition

RECORD = "\x1e"  # starts each commit in the log's output
TIMEOUT = 300  # seconds: a log of a long history of many files still takes well under this
_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}


@dataclass(frozen=True)
class Commit:
    """A commit that changed a file: its id and time, and the file's blob in it."""

    id: str
    date: datetime
    blob: str


def _git(args: Sequence[str], cwd: Path, stdin: bytes | None = None) -> bytes | None:
    """What git prints for these arguments run in `cwd`; None when it cannot run or fails."""
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            timeout=TIMEOUT,
            env={**os.environ, **_ENV},
            check=False,
        )
    except (OSError, subprocess.SubprocessError):  # no git, no folder, too slow
        return None
    return done.stdout if done.returncode == 0 else None


def file_commits(folder: Path, names: Sequence[str] = ()) -> dict[str, tuple[Commit, ...]] | None:
    """The commits that changed each file under `folder` (or only `names`), newest first, by
    the file's path relative to `folder` (a commit deleting it left out); None when git or a
    checkout is not there."""
    if not folder.is_dir():
        return None
    log = ["log", f"--format={RECORD}%H %cI", "--raw", "--no-abbrev", "--no-renames"]
    out = _git([*log, "--relative", "--", *(names or ["."])], folder)
    if out is None:
        return None
    found: dict[str, list[Commit]] = {}
    for record in out.decode("utf-8", "replace").split(RECORD)[1:]:
        head, *lines = record.split("\n")
        commit_id, _, when = head.partition(" ")
        date = datetime.fromisoformat(when)
        for line in lines:  # ":100644 100644 <old blob> <new blob> M\t<path>"
            change, _, name = line.partition("\t")
            fields = change.split()
            if line.startswith(":") and len(fields) == 5 and fields[4] != "D":
                found.setdefault(name, []).append(Commit(commit_id, date, fields[3]))
    return {name: tuple(commits) for name, commits in found.items()}


def read_blobs(folder: Path, wanted: Sequence[str]) -> dict[str, str]:
    """The text of each of these blobs git has (in the checkout `folder` is in), by id."""
    if not wanted:
        return {}
    asked = "".join(f"{blob}\n" for blob in wanted).encode()
    out = _git(["cat-file", "--batch"], folder, asked)
    found: dict[str, str] = {}
    if out is None:
        return found
    at = 0
    for blob in wanted:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        at = end + 1
        if len(header) != 3 or header[1] != b"blob":  # missing, or not a file
            continue
        size = int(header[2])
        found[blob] = out[at : at + size].decode("utf-8", "replace")
        at += size + 1
    return found


class GitHistory:
    """The git history of the petition files in one folder, read once (one `git log`)."""

    def __init__(self, folder: Path, names: Sequence[str] = ()) -> None:
        """`names`: only these files (relative to `folder`), else every file under it."""
        self.folder = folder
        self.files = file_commits(folder, names) or {}
        self._slugs = {_slug_of(name): name for name in self.files if _slug_of(name)}

    def marker(self, slug: str) -> str:
        """The commits that changed a petition's file: part of its build key, so a commit
        re-renders its history ("" when git has none)."""
        name = self._slugs.get(slug)
        return ",".join(c.id for c in self.files[name]) if name else ""

    def histories(self, petitions: Iterable[Petition]) -> dict[str, tuple[TextVersion, ...]]:
        """Each petition's text versions, oldest first, from its file's commits (one `git
        cat-file` for all); petitions whose file git has no commit of are left out."""
        petitions = list(petitions)
        found = self.revisions(petitions)
        return {p.slug: from_revisions(p, found[p.slug]) for p in petitions if p.slug in found}

    def revisions(self, petitions: Iterable[Petition]) -> dict[str, tuple[Revision, ...]]:
        """Each petition file's committed copies, oldest first (one `git cat-file` for all;
        reading their text is left to whoever renders them); petitions whose file git has
        no commit of are left out."""
        petitions = list(petitions)
        names = {p.slug: self._name(p) for p in petitions}
        commits = {slug: self.files.get(name, ()) for slug, name in names.items()}
        wanted = {c.blob: None for found in commits.values() for c in found}
        blobs = read_blobs(self.folder, list(wanted))
        revisions = {}
        for petition in petitions:
            copies = tuple(
                Revision(c.id, c.date, blobs[c.blob])
                for c in reversed(commits[petition.slug])
                if c.blob in blobs
            )
            if copies:
                revisions[petition.slug] = copies
        return revisions

    def _name(self, petition: Petition) -> str:
        """The petition file's path relative to the folder, as git's log names it."""
        path = os.path.relpath(os.path.abspath(petition.path), os.path.abspath(self.folder))
        return Path(path).as_posix()


def _slug_of(name: str) -> str:
    """The slug of a petition file named relative to the petitions folder (`<slug>.md` or
    `<slug>/index.md`); "" for any other file."""
    parts = PurePosixPath(name).parts
    if len(parts) == 1 and name.lower().endswith(".md"):
        return name[:-3]
    if len(parts) == 2 and parts[1] == "index.md":
        return parts[0]
    return ""
