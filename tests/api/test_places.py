"""Where supporters are, through the API: a country typed as a name or a code is stored as
its ISO code (and a New Zealand postcode gives the region), an unknown country is a 400
naming the field, and the count answer gives totals by country and region without any place
of fewer than 5."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from generator.model import Content
from generator.store.base import Store
from tests.support.counting import count_now

from .support import Api, make_content, make_site

PLACES_SITE = make_site(signer_fields=("postcode", "country", "consent", "comment"), rate_limit=0)


@pytest.fixture
def content() -> Content:
    """The fixture petitions on a site that asks for postcode and country."""
    return make_content(PLACES_SITE)


def sign(api: Api, n: int, **fields: Any) -> Any:
    """Sign "fresh" as the n-th signer, with these fields."""
    return api.sign("fresh", name=f"Signer {n}", email=f"signer{n}@example.org", **fields)


@pytest.mark.parametrize("typed", ["New Zealand", "nz", "NZL", "Aotearoa", " new zealand "])
def test_a_country_name_or_code_is_stored_as_its_code_with_the_region(
    api: Api, store: Store, typed: str
) -> None:
    assert sign(api, 1, country=typed, postcode="6011").status_code == 201

    [stored] = store.signatures("fresh")
    assert (stored.country, stored.postcode, stored.region) == ("NZ", "6011", "NZ-WGN")


def test_a_postcode_gives_a_region_only_in_a_country_with_a_table(api: Api, store: Store) -> None:
    sign(api, 1, country="Australia", postcode="2000")
    sign(api, 2, country="NZ", postcode="0001")  # in no range
    sign(api, 3, country="", postcode="6011")  # no country: no guess

    assert sorted((s.country, s.region) for s in store.signatures("fresh")) == [
        ("", ""), ("AU", ""), ("NZ", ""),
    ]  # fmt: skip


@pytest.mark.parametrize("form", [False, True])
def test_an_unknown_country_is_a_400_naming_the_field(api: Api, store: Store, form: bool) -> None:
    response = sign(api, 1, country="Nowhereland", form=form)

    assert response.status_code == 400
    assert list(store.signatures("fresh")) == []
    if form:
        page = response.body.decode()
        assert 'href="#sign-country"' in page  # the error summary links the field
        return
    error = response.json_body["error"]
    assert (error["code"], error["field"]) == ("invalid_field", "country")
    assert "Nowhereland" not in error["message"]  # what was typed is never repeated


def test_the_count_answer_totals_places_of_at_least_five(api: Api) -> None:
    for n in range(5):
        sign(api, n, country="NZ", postcode="6011")
    for n in range(5, 9):
        sign(api, n, country="NZ", postcode="1010")  # four in Auckland
    sign(api, 9, country="AU")

    body = api.get("fresh").json_body

    assert body["count"] == 10
    assert body["by_country"] == {"NZ": 9}  # Australia's one is left out
    assert body["by_region"] == {"NZ-WGN": 5}  # and Auckland's four


def test_a_forgotten_signer_leaves_the_totals(
    api: Api, store: Store, content: Content, configure: Callable[..., None]
) -> None:
    for n in range(5):
        sign(api, n, country="NZ", postcode="6011")
    assert api.get("fresh").json_body["by_region"] == {"NZ-WGN": 5}

    [first, *_] = store.signatures("fresh")
    store.forget(first.email_key, ["fresh"])
    count_now(store, content)  # as the counter downstream would
    configure()  # the app reads its tallies afresh

    body = api.get("fresh").json_body
    assert (body["count"], body["by_country"], body["by_region"]) == (4, {}, {})
