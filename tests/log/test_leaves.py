"""The leaf record: its documented bytes, no personal data, and the tallies an auditor reads."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.errors import LogError
from generator.log.leaves import (
    Kind,
    Leaf,
    base_leaf,
    decode,
    encode,
    leaf_for,
    signature_key,
    tally,
)

KEY = b"k" * 32
WHEN = datetime(2024, 3, 1, 12, 0, 5, tzinfo=UTC)


def test_a_leaf_is_the_documented_bytes() -> None:
    leaf = leaf_for(Kind.ADD, "3f9a0c", WHEN, "a1b2c3d4", KEY)
    data = encode(leaf)
    expected_id = hmac.new(KEY, b"3f9a0c", hashlib.sha256).digest()
    assert data == (
        b"\x01\x01" + expected_id + int(WHEN.timestamp()).to_bytes(8, "big") + b"\x08a1b2c3d4"
    )
    assert decode(data) == leaf
    assert leaf.at == 1709294405


def test_a_leaf_names_no_one_and_pairs_an_addition_with_its_withdrawal() -> None:
    added = leaf_for(Kind.ADD, "random-id-1", WHEN, "", KEY)
    withdrawn = leaf_for(Kind.WITHDRAW, "random-id-1", WHEN + timedelta(days=1), "", KEY)
    assert added.signature == withdrawn.signature
    assert b"random-id-1" not in encode(added)
    assert signature_key(b"another key" * 3, "random-id-1") != added.signature
    assert leaf_for(Kind.ADD, "random-id-2", WHEN, "", KEY).signature != added.signature


def test_times_are_utc_seconds_whatever_the_zone() -> None:
    auckland = WHEN.astimezone(timezone(timedelta(hours=13)))
    assert leaf_for(Kind.ADD, "x", auckland, "", KEY).at == int(WHEN.timestamp())
    with pytest.raises(ValueError):
        leaf_for(Kind.ADD, "x", WHEN.replace(tzinfo=None), "", KEY)


@given(
    st.sampled_from([Kind.ADD, Kind.WITHDRAW]),
    st.binary(min_size=32, max_size=32),
    st.integers(0, 2**64 - 1),
    st.text(max_size=60),
)
def test_every_leaf_round_trips(kind: Kind, signature: bytes, at: int, version: str) -> None:
    leaf = Leaf(kind, signature, at, version)
    assert decode(encode(leaf)) == leaf


@given(st.integers(0, 10**12), st.integers(0, 2**32))
def test_every_base_leaf_round_trips(base: int, seconds: int) -> None:
    leaf = base_leaf(base, datetime.fromtimestamp(seconds, UTC))
    assert decode(encode(leaf)) == leaf
    assert (leaf.kind, leaf.signature, leaf.version) == (Kind.BASE, bytes(32), str(base))


def test_a_base_leaf_that_is_not_one_is_refused() -> None:
    named = encode(Leaf(Kind.BASE, b"\x01" * 32, 0, "5"))  # a hash where zeros belong
    with pytest.raises(LogError, match="a base leaf has a zero hash and its base in decimal"):
        decode(named)
    with pytest.raises(LogError, match="in decimal"):
        decode(encode(Leaf(Kind.BASE, bytes(32), 0, "five")))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x01\x01", "at least"),
        (b"\x02\x01" + bytes(41), "unknown leaf format 2"),
        (b"\x01\x07" + bytes(41), "unknown leaf kind 7"),
        (b"\x01\x01" + bytes(40) + b"\x03ab", "a 3-byte version is 46 bytes"),
        (b"\x01\x01" + bytes(40) + b"\x01\xff", "not UTF-8"),
    ],
    ids=["short", "format", "kind", "length", "utf-8"],
)
def test_malformed_leaves_are_named(data: bytes, message: str) -> None:
    with pytest.raises(LogError, match=message) as caught:
        decode(data, "tile/entries/000: entry 3")
    assert caught.value.where == "tile/entries/000: entry 3"


def _leaf(kind: Kind, sid: str) -> bytes:
    return encode(leaf_for(kind, sid, WHEN, "v1", KEY))


def test_tallies_count_additions_less_withdrawals() -> None:
    log = [_leaf(Kind.ADD, "a"), _leaf(Kind.ADD, "b"), _leaf(Kind.WITHDRAW, "a")]
    log.append(_leaf(Kind.ADD, "c"))
    counted = tally(log)
    assert (counted.size, counted.additions, counted.withdrawals, counted.count) == (4, 3, 1, 2)


def test_a_withdrawal_of_nothing_counted_or_a_double_count_is_refused() -> None:
    with pytest.raises(LogError, match="entry 1: withdraws a signature that is not counted"):
        tally([_leaf(Kind.ADD, "a"), _leaf(Kind.WITHDRAW, "b")])
    with pytest.raises(LogError, match="entry 2: withdraws"):
        tally([_leaf(Kind.ADD, "a"), _leaf(Kind.WITHDRAW, "a"), _leaf(Kind.WITHDRAW, "a")])
    with pytest.raises(LogError, match="entry 1: adds a signature that is counted already"):
        tally([_leaf(Kind.ADD, "a"), _leaf(Kind.ADD, "a")])
