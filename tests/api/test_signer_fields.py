"""The signing service's pure parts: field validation and the keyed hashes."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.signing.signer import InvalidField, email_key, rate_key, validate_signer

from .support import make_site

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)
field_names = st.sampled_from(["name", "email", "postcode", "consent", "comment", "website"])


@settings(max_examples=300, deadline=None)
@given(
    data=st.dictionaries(field_names | st.text(max_size=8), json_values, max_size=6),
    form=st.booleans(),
)
def test_any_json_either_validates_or_is_refused_by_field(data: dict[str, Any], form: bool) -> None:
    try:
        signer = validate_signer(data, make_site(), form=form)
    except InvalidField as error:
        assert error.code in {"missing_field", "invalid_field", "unknown_field"}
        assert error.field
        return
    assert 1 <= len(signer.name) <= 100
    assert not signer.name.startswith(("=", "+", "-", "@"))


def test_one_email_written_two_ways_has_one_key_and_secrets_differ() -> None:
    key = email_key(b"k" * 16, "Ada@Example.org")

    assert key == email_key(b"k" * 16, "  ada@example.ORG ")
    assert key != email_key(b"j" * 16, "ada@example.org")
    assert "ada" not in key
    assert rate_key(b"k" * 16, "203.0.113.7") != email_key(b"k" * 16, "203.0.113.7")
