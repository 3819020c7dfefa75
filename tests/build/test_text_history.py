"""What each signer signed, in a build: a petition whose ask changed in git gets a history page
with both versions and the words that changed, and when the store has signatures of the
earlier text its page says so ("The text changed on <date>; N people signed an earlier
version"). Without git, outside a checkout or with `--no-git`, the history is the versions
the store has seen. A commit re-renders the petitions it touched; nothing of the build
machine (its folders) reaches a page.

Each test makes its own git repository in tmp_path with commits at fixed times.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.build.counts import StoreCounts
from generator.build.engine import BuildOptions, BuildReport, build
from generator.content.loading import load_content
from generator.content.versions import text_version
from generator.store.base import Signature
from generator.store.sqlite import SqliteStore
from generator.writeback.publish import FolderPublisher
from generator.writeback.refresh import WriteBack
from tests.pages.html_tree import Node, parse
from tests.store.helpers import START
from tests.support.counting import count_now
from tests.support.fixture_site import BARE, WON, copy_site

TITLE = "Free bus fares for every student in Harbour City"
TARGET = "Harbour City Regional Council"
OLD_ASK = "Make bus travel free for every secondary and tertiary student in Harbour City."
NEW_ASK = "Make bus travel free for every student in Harbour City, all year round."
OLD, NEW = text_version(TITLE, TARGET, OLD_ASK), text_version(TITLE, TARGET, NEW_ASK)
FIRST_COMMIT = "2025-01-20T10:00:00+13:00"
SECOND_COMMIT = "2025-03-04T09:30:00+13:00"  # "The text changed on 4 March 2025"


@dataclass
class Project:
    """A site in a git checkout of its own, with a store of signatures."""

    root: Path
    content: Path
    templates: Path
    store: SqliteStore

    def git(self, *args: str, when: str = FIRST_COMMIT) -> str:
        """Run git in the checkout (commits at `when`); what it printed."""
        env = {
            **os.environ,
            "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_DATE": when,
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        command = ["git", "-c", "user.name=Organiser", "-c", "user.email=o@example.org"]
        done = subprocess.run(
            [*command, *args], cwd=self.root, env=env, capture_output=True, text=True, check=True
        )
        return done.stdout

    def commit(self, message: str, when: str) -> str:
        """Commit everything; the new commit's id."""
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, when=when)
        return self.git("rev-parse", "HEAD").strip()

    def edit(self, slug: str, old: str, new: str) -> None:
        """Replace text in a petition's file (single or a bundle's index.md)."""
        folder = self.content / "petitions"
        path = folder / f"{slug}.md"
        path = path if path.exists() else folder / slug / "index.md"
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")

    def sign(self, number: int, version: str) -> None:
        """A confirmed signature of BARE made on `version`."""
        signed = Signature(
            slug=BARE, email_key=f"{number:064x}", name=f"Signer {number}",
            email=f"s{number}@example.org", signed_at=START.replace(day=number), version=version,
        )  # fmt: skip
        assert self.store.sign(signed).added

    def build(self, out: str = "site", git: bool = True) -> BuildReport:
        """Build with the store's counts into `root/<out>`."""
        count_now(self.store, load_content(self.content))
        options = BuildOptions(
            self.content, self.templates, self.root / out, self.root / f"cache-{out}",
            counts=StoreCounts(self.store), workers=1, git=git,
        )  # fmt: skip
        return build(options)

    def page(self, slug: str, *below: str, out: str = "site") -> Node:
        """A built page of a petition, parsed."""
        path = self.root / out / "petitions" / slug / Path(*below) / "index.html"
        return parse(path.read_bytes())


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """The fixture site, committed, then BARE's ask (and WON's, a bundle) changed in a second
    commit; the store holds 3 signatures of the first text and 1 of the second."""
    root = tmp_path / "checkout"
    content, templates = copy_site(root)
    made = Project(root, content, templates, SqliteStore(tmp_path / "signatures.db"))
    made.git("init", "-q")
    made.commit("Start", FIRST_COMMIT)
    made.edit(BARE, OLD_ASK, NEW_ASK)
    made.edit(WON, "outside the school gate.", "outside the school gate, with lights.")
    made.commit("Say all year round", SECOND_COMMIT)
    for number in (1, 2, 3):
        made.sign(number, OLD)
    made.sign(4, NEW)
    return made


def versions(history: Node) -> list[Node]:
    return history.find_all("section", class_="version")


def text_of(node: Node, tag: str) -> list[str]:
    """The text of each `tag` element under `node`, without what only screen readers hear."""
    out = []
    for found in node.find_all(tag):
        hidden = "".join(n.text for n in found.find_all("span", class_="visually-hidden"))
        out.append(found.text.removeprefix(hidden).strip())
    return out


def test_the_history_page_shows_both_versions_and_the_words_that_changed(
    project: Project,
) -> None:
    project.build()
    history = project.page(BARE, "history")

    newest, first = versions(history)
    assert newest.find("h2").text == "Version 2 (now)"
    assert first.find("h2").text == "Version 1"
    assert newest.find("time").attrs["datetime"] == SECOND_COMMIT
    assert first.find("time").attrs["datetime"] == FIRST_COMMIT
    assert f"version {NEW}" in newest.find("p", class_="version-meta").text
    asks = [v.find_all("dd")[2] for v in (newest, first)]
    assert text_of(asks[0], "del") == ["secondary and tertiary", "City."]
    assert text_of(asks[0], "ins") == ["City, all year round."]
    removed = asks[0].find("del").find("span", class_="visually-hidden")
    assert removed.text == "removed:"  # what a screen reader says before the struck words
    assert asks[1].text == OLD_ASK and not asks[1].find_all("ins")  # the first: as it was
    assert [dd.text for dd in newest.find_all("dd")[:2]] == [TITLE, TARGET]  # unchanged

    bundle = versions(project.page(WON, "history"))  # a bundle's index.md has its history too
    assert len(bundle) == 2
    assert text_of(bundle[0], "ins") == ["gate, with lights."]


def test_the_page_says_how_many_signed_an_earlier_version_and_links_the_history(
    project: Project,
) -> None:
    project.build()

    notice = project.page(BARE).by_id("text-changed")

    assert notice.text == (
        "The text changed on 4 March 2025; 3 people signed an earlier version. See what changed"
    )
    assert notice.find("a").attrs["href"] == f"/petitions/{BARE}/history/"
    form = project.page(BARE).find("form")
    assert form.find("input", name="version").attrs["value"] == NEW  # what a signer signs now


def test_no_notice_when_nobody_signed_an_earlier_text(project: Project) -> None:
    project.build()

    page = project.page(WON)  # its text changed too, but the store has none of its signatures

    assert page.find_all(id="text-changed") == []
    link = page.find("p", class_="text-history").find("a")
    assert link.attrs["href"] == f"/petitions/{WON}/history/"


def test_a_commit_re_renders_the_petition_it_touched_only(project: Project) -> None:
    project.build()
    assert project.build().rendered == 0

    project.edit(BARE, "Free fares would", "Free fares will")  # the body: no new text version
    project.commit("Reword the story", "2025-03-05T09:00:00+13:00")
    report = project.build()

    assert report.rendered == 1
    assert len(versions(project.page(BARE, "history"))) == 2  # the body is not the text


def test_an_edit_not_yet_committed_is_the_newest_version_without_a_date(
    project: Project,
) -> None:
    project.edit(BARE, NEW_ASK, "Make bus travel free for students.")
    project.build()

    newest = versions(project.page(BARE, "history"))[0]

    assert newest.find("h2").text == "Version 3 (now)"
    assert "Not yet committed" in newest.find("p", class_="version-meta").text


@pytest.mark.parametrize("how", ["--no-git", "no checkout", "no git program"])
def test_without_git_the_history_is_the_versions_the_store_has_seen(
    project: Project, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    if how == "no checkout":
        shutil.rmtree(project.root / ".git")
    if how == "no git program":
        monkeypatch.setenv("PATH", str(project.root / "no-programs-here"))
    project.build(git=how != "--no-git")
    history = project.page(BARE, "history")

    newest, first = versions(history)
    assert "Its words are not recorded here" in first.text  # the store keeps only the version
    assert f"version {OLD}" in first.find("p", class_="version-meta").text
    assert first.find("time").attrs["datetime"] == "2026-03-02T01:00:10+13:00"  # first signed
    assert [dd.text for dd in newest.find_all("dd")] == [TITLE, TARGET, NEW_ASK]
    assert newest.find_all("ins") == [] and "commit" not in newest.text
    notice = project.page(BARE).by_id("text-changed")
    assert "3 people signed an earlier version" in notice.text  # dated by its first signature
    assert notice.find("time").attrs["datetime"] == "2026-03-05T01:00:10+13:00"


def test_no_page_names_a_folder_of_the_build_machine(project: Project, tmp_path: Path) -> None:
    project.build()

    for page in (project.root / "site").rglob("*"):
        if page.suffix in (".html", ".xml", ".json", ".svg", ".txt"):
            text = page.read_text(encoding="utf-8")
            assert str(tmp_path) not in text and "/checkout" not in text, page


@pytest.mark.parametrize("git", [True, False])
def test_a_write_back_leaves_the_history_as_the_build_made_it(project: Project, git: bool) -> None:
    project.build()
    history = project.root / "site" / "petitions" / BARE / "history" / "index.html"
    built = history.read_bytes()
    project.sign(5, NEW)
    content = load_content(project.content)
    count_now(project.store, content)
    publisher = FolderPublisher(project.root / "site")

    published = WriteBack(content, project.templates, project.store, publisher, git=git)
    written = published.refresh(BARE).paths

    assert f"petitions/{BARE}/index.html" in written
    assert history.read_bytes() == built  # rendered from git again (git), or left as it was
    if git:  # serve's write-back: the notice keeps the commit's date
        notice = project.page(BARE).by_id("text-changed")
        assert notice.find("time").attrs["datetime"] == SECOND_COMMIT
