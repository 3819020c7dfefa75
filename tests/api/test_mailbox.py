"""One person, one signature, however their address is spelt: the key is the mailbox's
canonical form (Unicode folded, IDNA domain, case folded, aliases merged by default)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from generator.signing import mailbox
from generator.signing.signer import email_key
from tests.api.support import Api, make_content, make_site

SPELLINGS_OF_ONE_MAILBOX = [
    ("ada@example.org", "ADA@Example.ORG"),
    ("ada@example.org", "ａｄａ@ｅｘａｍｐｌｅ.org"),  # full-width forms
    ("ada@example.org", "ada@example.org."),  # a trailing dot on the domain
    ("ada@bücher.de", "ada@xn--bcher-kva.de"),  # a domain and its IDNA form
    ("ada@bücher.de", "Ada@BÜCHER.de"),
    ("straße@example.org", "STRASSE@example.org"),  # case folding, not just lowering
    ("ada@example.org", "ada+petitions@example.org"),  # a sub-address
    ("adalovelace@gmail.com", "Ada.Love.Lace@googlemail.com"),  # Gmail ignores dots
]


@pytest.mark.parametrize(("first", "second"), SPELLINGS_OF_ONE_MAILBOX)
def test_spellings_of_one_mailbox_sign_once(api: Api, first: str, second: str) -> None:
    assert api.sign("fresh", email=first).status_code == 201
    again = api.sign("fresh", email=second)

    assert again.status_code == 201  # a duplicate is answered like a new signature …
    assert json.loads(api.get("fresh").body)["count"] == 1  # … and not counted


@pytest.mark.parametrize(
    ("first", "second"),
    [("ada@example.org", "ada+petitions@example.org"), ("ada@gmail.com", "a.da@gmail.com")],
)
def test_a_site_may_count_aliases_as_separate_signers(
    api: Api, configure: Callable[..., None], first: str, second: str
) -> None:
    configure(content=make_content(make_site(merge_email_aliases=False)))
    api.sign("fresh", email=first)
    api.sign("fresh", email=second)

    assert json.loads(api.get("fresh").body)["count"] == 2


def test_different_mailboxes_still_count_apart(api: Api) -> None:
    for address in ("ada@example.org", "ada@example.com", "bob@example.org", "ada@gmail.com"):
        api.sign("fresh", email=address)

    assert json.loads(api.get("fresh").body)["count"] == 4


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("ada@@example.org", "after the @-sign"),
        ("ada@localhost", "period"),
        ("ada example@example.org", "before the @-sign"),
        ("<ada@example.org>", "angle brackets"),
    ],
)
def test_an_invalid_address_is_refused_with_the_reason(api: Api, address: str, reason: str) -> None:
    answer = api.sign("fresh", email=address)

    assert answer.status_code == 400
    error = json.loads(answer.body)["error"]
    assert error["field"] == "email"
    assert error["message"].startswith("email: must be an email address: ")
    assert reason in error["message"]
    assert address not in answer.body.decode()


@pytest.mark.parametrize("field", ["name", "email", "postcode", "comment"])
def test_what_api_gateway_makes_of_invalid_utf8_is_refused(api: Api, field: str) -> None:
    value = {"email": "ada\ufffd@example.org"}.get(field, "Ada \ufffd Lovelace")
    answer = api.sign("fresh", **{field: value})

    assert answer.status_code == 400
    assert json.loads(answer.body)["error"]["field"] == field
    assert json.loads(api.get("fresh").body)["count"] == 0


def test_the_address_is_kept_as_typed_for_mail() -> None:
    checked = mailbox.check("  Ada.Lovelace+News@GoogleMail.com ")

    assert checked.typed == "Ada.Lovelace+News@GoogleMail.com"
    assert checked.canonical == "adalovelace@gmail.com"


def test_the_key_is_a_keyed_hash_of_the_canonical_form() -> None:
    one = email_key(b"k" * 32, "ADA+x@Example.org")

    assert one == email_key(b"k" * 32, "ada@example.org")
    assert one != email_key(b"j" * 32, "ada@example.org")
    assert "ada" not in one
