"""site.yaml: defaults, normalisation, and errors naming line and field."""

from __future__ import annotations

from tests.content.conftest import SITE, ContentDir

S = "content/site.yaml"


def test_defaults_and_normalisation(content: ContentDir) -> None:
    site = content.load().site
    assert site.base_url == "https://petitions.example.org"  # trailing slash dropped
    assert site.api_url == "/api"
    assert site.rate_limit == 10
    assert site.per_page == 20
    assert site.tile_url == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert site.milestones == (10, 100, 1000)
    assert site.signer_fields == ()


def test_signer_fields_keep_the_forms_order(content: ContentDir) -> None:
    content.site(SITE + "signer_fields: [consent, postcode]\n")
    assert content.load().site.signer_fields == ("postcode", "consent")


def test_signer_fields_refuse_unknown_and_always_asked_fields(content: ContentDir) -> None:
    content.site(SITE + "signer_fields:\n  - phone\n  - email\n")
    assert content.errors() == [
        f"{S}:9: signer_fields: expected one of postcode, country, consent, comment, got 'phone'",
        f"{S}:10: signer_fields: email is always asked; list only optional fields",
    ]


def test_unknown_time_zone_suggests_a_close_one(content: ContentDir) -> None:
    content.site(SITE.replace("Pacific/Auckland", "Pacific/Aukland"))
    assert content.errors() == [
        f"{S}:3: time_zone: unknown time zone 'Pacific/Aukland'; did you mean 'Pacific/Auckland'?"
    ]


def test_bad_values_are_all_reported(content: ContentDir) -> None:
    text = (
        SITE.replace("https://petitions.example.org/", "petitions.example.org")
        .replace("en-NZ", "New Zealand English")
        .replace("[10, 100, 1000]", "[10, 100, 100]")
    )
    content.site(text + "rate_limit: -1\ntile_url: https://tiles.example.org/{z}/{x}.png\n")
    assert content.errors() == [
        f"{S}:2: base_url: expected URL (http or https), got 'petitions.example.org'",
        f"{S}:4: language: expected BCP 47 language tag (e.g. en-NZ), got 'New Zealand English'",
        f"{S}:5: milestones: 100 must be above the milestone before it (100)",
        f"{S}:8: rate_limit: expected integer (≥ 0), got the number -1",
        f"{S}:9: tile_url: must contain {{y}}, got 'https://tiles.example.org/{{z}}/{{x}}.png'",
    ]


def test_missing_site_yaml_is_an_error(content: ContentDir) -> None:
    (content.root / "site.yaml").unlink()
    assert content.errors() == [f"{S}:1: file: cannot be read: No such file or directory"]


def test_missing_required_settings_point_at_line_one(content: ContentDir) -> None:
    content.site("# settings\nname: Test\n")
    errors = content.errors()
    assert (
        f"{S}:1: base_url: required field missing: the absolute address the site is published at"
        in errors
    )
    assert len(errors) == 6


def test_a_log_key_must_be_a_verifier_key_whose_id_matches(content: ContentDir) -> None:
    from generator.log.note import Signer

    key = str(Signer.generate("petitions.example.org").verifier)
    content.site(SITE + f"log_key: {key}\n")
    assert content.load().site.log_key == key

    name, key_id, encoded = key.split("+", 2)
    wrong_id = f"{name}+{int(key_id, 16) ^ 1:08x}+{encoded}"
    content.site(SITE + f"log_key: {wrong_id}\n")
    assert content.errors() == [
        f"{S}:8: log_key: {wrong_id!r} is not a verifier key: its ID is {key_id}, not"
        f" {wrong_id.split('+')[1]}"
    ]
    content.site(SITE + "log_key: PRIVATE+KEY+oops\n")  # a secret pasted by mistake
    assert content.errors()[0].startswith(f"{S}:8: log_key: 'PRIVATE+KEY+oops' is not a verifier")
