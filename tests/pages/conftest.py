"""Fixtures of the page tests: a seed-like site and its renderer over the real templates."""

from __future__ import annotations

import pytest

from generator.model import Site
from generator.render.pages import Renderer
from tests.pages.factories import TEMPLATES, make_site


@pytest.fixture
def site() -> Site:
    """A site like the seed's."""
    return make_site()


@pytest.fixture
def renderer(site: Site) -> Renderer:
    """A renderer of `site` over the repository's templates."""
    return Renderer(site, TEMPLATES)
