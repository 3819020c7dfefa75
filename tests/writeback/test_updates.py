"""The write-back renders a petition's updates as the build does: a milestone's re-render of
a folder petition keeps its updates' pages, its feed and its timeline as built."""

from __future__ import annotations

from generator.model import Content
from generator.store.base import Store
from generator.writeback.publish import FolderPublisher
from generator.writeback.refresh import WriteBack
from tests.support.fixture_site import WON, WON_UPDATES

from .support import TEMPLATES, Built


def test_the_write_back_renders_a_petitions_updates_as_the_build_did(
    built: Built, store: Store, content: Content
) -> None:
    writeback = WriteBack(content, TEMPLATES, store, FolderPublisher(built.out), built.cache)

    files = writeback.render([WON])

    own = [f"petitions/{WON}/updates/{name}/index.html" for name in WON_UPDATES]
    own += [f"petitions/{WON}/feed.xml", f"petitions/{WON}/index.html", "feed.xml", "sitemap.xml"]
    for rel in own:
        assert files[rel] == built.read(rel), rel
