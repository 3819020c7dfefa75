"""Countries as signers type them become ISO 3166-1 alpha-2 codes, exactly or not at all."""

from __future__ import annotations

import pytest

from generator.regions.countries import ALIASES, _fold, _index, country_code, country_name


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("NZ", "NZ"),
        ("nz", "NZ"),
        ("NZL", "NZ"),
        ("New Zealand", "NZ"),
        ("  new   ZEALAND ", "NZ"),
        ("Aotearoa", "NZ"),
        ("Aotearoa New Zealand", "NZ"),
        ("Australia", "AU"),
        ("United Kingdom", "GB"),
        ("UK", "GB"),
        ("U.K.", "GB"),
        ("USA", "US"),
        ("United States of America", "US"),
        ("Bolivia", "BO"),  # ISO's common name
        ("Bolivia, Plurinational State of", "BO"),  # and its ISO name
        ("Côte d'Ivoire", "CI"),
        ("Cote d’Ivoire", "CI"),  # without the accent, with a typographic apostrophe
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("Viet Nam", "VN"),
        ("Vietnam", "VN"),
    ],
)
def test_a_name_or_code_gives_the_alpha_2_code(typed: str, code: str) -> None:
    assert country_code(typed) == code


@pytest.mark.parametrize(
    "typed", ["Kiwi", "New Zeeland", "Nouvelle-Zélande", "EU", "554", "Narnia", "N Z"]
)
def test_a_name_that_is_no_country_exactly_is_unknown(typed: str) -> None:
    assert country_code(typed) is None  # no fuzzy guess, however close


def test_no_country_given_stays_empty() -> None:
    assert country_code("") == ""
    assert country_code("   ") == ""


def test_the_aliases_never_contradict_iso_and_are_folded() -> None:
    for alias, code in ALIASES.items():
        assert _fold(alias) == alias
        assert _index()[alias] == code  # where ISO lists the name too, it means the same


def test_pages_name_countries_by_their_common_name() -> None:
    assert country_name("NZ") == "New Zealand"
    assert country_name("BO") == "Bolivia"
    assert country_name("TW") == "Taiwan"
    assert country_name("XX") == "XX"
