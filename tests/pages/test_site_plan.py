"""Planning the site-wide pages: a digest per page that changes exactly when the page does."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from generator.model import Milestone, Tally
from generator.render.opendata import PETITIONS_FILE
from generator.render.pages import Entry, Renderer
from tests.pages.factories import TEMPLATES, make_entry, make_petition, make_site

DAY = datetime(2024, 1, 1, tzinfo=UTC)


def entries(n: int = 45) -> list[Entry]:
    """`n` open petitions, counts 1000 down, a day apart: 20 to an index page."""
    return [
        make_entry(
            make_petition(f"p{i:02d}", title=f"Petition {i:02d}", created=DAY + timedelta(days=i)),
            Tally(1000 - i),
        )
        for i in range(n)
    ]


def changed_with(renderer: Renderer, i: int, **fields: object) -> tuple[set[str], set[str]]:
    """Edit entry `i` (petition fields, or `tally`): (paths whose digest changed, whose bytes
    changed)."""
    before = entries()
    after = list(before)
    tally = fields.pop("tally", before[i].tally)
    after[i] = Entry(replace(before[i].petition, **fields), tally, before[i].ask_html)  # type: ignore[arg-type]
    old, new = renderer.plan_site(before), renderer.plan_site(after)
    assert old.inputs.keys() == new.inputs.keys()
    digests = {rel for rel in old.inputs if old.inputs[rel] != new.inputs[rel]}
    old_bytes, new_bytes = renderer.render_site(old), renderer.render_site(new)
    return digests, {rel for rel in old_bytes if old_bytes[rel] != new_bytes[rel]}


def test_plan_names_every_page_and_a_subset_renders_as_the_whole(renderer: Renderer) -> None:
    plan = renderer.plan_site(entries())
    whole = renderer.site_pages(entries())
    assert list(plan.inputs) == list(whole)
    some = ["page/2/index.html", "feed.xml", "robots.txt"]
    assert renderer.render_site(plan, some) == {rel: whole[rel] for rel in sorted(some)}


def test_new_title_changes_its_index_page_and_the_feed(renderer: Renderer) -> None:
    digests, changed = changed_with(renderer, 25, title="Renamed")
    # Its card on the index and on the open petitions' list, both on page 2.
    shown = {"page/2/index.html", "open/page/2/index.html", "feed.xml", PETITIONS_FILE}
    assert digests == changed == shown


def test_new_target_changes_only_its_index_pages(renderer: Renderer) -> None:
    digests, changed = changed_with(renderer, 3, target="The mayor")
    assert digests == changed == {"index.html", "open/index.html", PETITIONS_FILE}


def test_new_goal_changes_its_cards_only(renderer: Renderer) -> None:
    digests, changed = changed_with(renderer, 3, goal=5000)  # the card's next goal
    assert digests == changed == {"index.html", "open/index.html"}


def test_count_that_moves_a_petition_changes_the_pages_between(renderer: Renderer) -> None:
    # p30 (970) overtakes p05..p29: it moves from page 2 to page 1, p19 from page 1 to 2;
    # p30 is newer than any on page 1, so the sitemap's lastmod of page 1 changes too.
    digests, changed = changed_with(renderer, 30, tally=Tally(996))
    moved = {"index.html", "page/2/index.html", "open/index.html", "open/page/2/index.html"}
    assert digests == changed == moved | {"sitemap.xml", PETITIONS_FILE}


def test_new_milestone_changes_the_feed_and_the_sitemap(renderer: Renderer) -> None:
    tally = Tally(1000 - 44, (Milestone(10, DAY + timedelta(days=400)),))
    digests, changed = changed_with(renderer, 44, tally=tally)
    assert digests == changed == {"feed.xml", "sitemap.xml", PETITIONS_FILE}


def test_other_settings_change_every_digest() -> None:
    one = Renderer(make_site(), TEMPLATES).plan_site(entries())
    other = Renderer(make_site(name="Other"), TEMPLATES).plan_site(entries())
    assert all(one.inputs[rel] != other.inputs[rel] for rel in one.inputs)
