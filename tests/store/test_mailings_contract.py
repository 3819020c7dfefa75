"""The store contract, continued: mail to supporters. Who consented to hear more (counted
signatures only), each signer's notice of an update moved only by compare-and-set, an
update's mailing started once, consent withdrawn by the signature's key and id. Same `store`
fixture as test_contract.py: SQLite, DynamoDB on moto and DynamoDB Local.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from generator.store.base import BOUNCED, PENDING, REJECTED, Mailing, Signature, Store
from tests.store.helpers import START, counted, signature

SLUG = "save-the-park"
UPDATE = "2026-03-02-council-replies"
LATER = datetime.now(UTC) + timedelta(days=30)  # after the real clock: DynamoDB Local's TTL


def supporter(number: int, **fields: object) -> Signature:
    """A counted signature whose signer consented to hear more, with a random-looking id."""
    return signature(number, consent=True, id=f"{number:032x}", **fields)


def keys(store: Store, update: str = UPDATE) -> list[str]:
    return [r.signature.email_key for r in store.recipients(SLUG, update)]


def test_recipients_are_the_counted_signatures_with_consent_oldest_first(store: Store) -> None:
    store.sign(supporter(3))
    store.sign(supporter(1))
    store.sign(signature(2, consent=False))
    store.sign(supporter(4, state=PENDING, confirmed_at=None, expires_at=LATER))
    store.sign(supporter(5))
    store.sign(supporter(6, slug="another-petition"))

    found = list(store.recipients(SLUG, UPDATE))

    assert [r.signature.email_key for r in found] == [f"{n:064x}" for n in (1, 3, 5)]
    assert [r.notice for r in found] == [None, None, None]
    assert found[0].signature.email == "signer1@example.org"  # what a letter is sent to


def test_rejected_and_bounced_signers_are_no_recipients(store: Store) -> None:
    store.sign(supporter(1))
    store.sign(supporter(2, state=PENDING, confirmed_at=None, expires_at=LATER))
    store.sign(supporter(3))
    store.reject(SLUG, f"{3:064x}", f"{3:032x}", START)
    store.bounce(SLUG, f"{2:064x}")

    assert keys(store) == [f"{1:064x}"]
    assert {s.state for s in store.signatures(SLUG)} == {"confirmed", REJECTED, BOUNCED}


def test_a_notice_moves_only_from_what_it_is(store: Store) -> None:
    store.sign(supporter(1))
    key = f"{1:064x}"

    assert store.mark_notice(SLUG, UPDATE, key, None, "sending a") is True
    assert store.mark_notice(SLUG, UPDATE, key, None, "sending b") is False  # claimed already
    assert store.mark_notice(SLUG, UPDATE, key, "sending b", "sent b") is False
    assert store.mark_notice(SLUG, UPDATE, key, "sending a", "sent a") is True
    (found,) = store.recipients(SLUG, UPDATE)
    assert found.notice == "sent a"
    (other,) = store.recipients(SLUG, "2026-04-01-another-update")
    assert other.notice is None  # each update has its own notice


def test_a_claim_given_back_can_be_claimed_again(store: Store) -> None:
    store.sign(supporter(1))
    key = f"{1:064x}"
    store.mark_notice(SLUG, UPDATE, key, None, "sending a")

    assert store.mark_notice(SLUG, UPDATE, key, "sending a", None) is True

    (found,) = store.recipients(SLUG, UPDATE)
    assert found.notice is None
    assert store.mark_notice(SLUG, UPDATE, key, None, "sending b") is True


def test_no_notice_is_claimed_for_a_signer_who_does_not_count_or_consent(store: Store) -> None:
    store.sign(signature(1, consent=False))
    store.sign(supporter(2, state=PENDING, confirmed_at=None, expires_at=LATER))

    for number in (1, 2, 3):  # 3 never signed
        assert store.mark_notice(SLUG, UPDATE, f"{number:064x}", None, "sending") is False


def test_withdrawing_consent_needs_the_signatures_id_and_can_be_repeated(store: Store) -> None:
    store.sign(supporter(1))
    store.sign(supporter(2))
    key = f"{1:064x}"

    assert store.withdraw_consent(SLUG, key, f"{9:032x}") is False  # another id
    assert keys(store) == [key, f"{2:064x}"]
    assert store.withdraw_consent(SLUG, key, f"{1:032x}") is True
    assert store.withdraw_consent(SLUG, key, f"{1:032x}") is True
    assert store.withdraw_consent(SLUG, f"{7:064x}", f"{7:032x}") is False  # nobody

    assert keys(store) == [f"{2:064x}"]
    assert store.mark_notice(SLUG, UPDATE, key, None, "sending") is False
    (kept,) = [s for s in store.signatures(SLUG) if s.email_key == key]
    assert kept.state == "confirmed" and not kept.consent  # still signed, still counted


def test_a_signature_without_an_id_withdraws_by_its_key(store: Store) -> None:
    store.sign(signature(1, consent=True))  # made with confirmation off: no id

    assert store.withdraw_consent(SLUG, f"{1:064x}", "") is True

    assert keys(store) == []


def test_forgetting_a_signer_forgets_their_notices(store: Store) -> None:
    store.sign(supporter(1))
    key = f"{1:064x}"
    store.mark_notice(SLUG, UPDATE, key, None, "sent")

    store.forget(key, [SLUG])
    store.sign(supporter(1))  # the same person signs again

    (found,) = store.recipients(SLUG, UPDATE)
    assert found.notice is None


def test_a_mailing_starts_once_and_finishes_once(store: Store) -> None:
    first = START + timedelta(hours=1)

    assert store.mailings(SLUG, [UPDATE]) == {}
    started = store.start_mailing(SLUG, UPDATE, first)
    again = store.start_mailing(SLUG, UPDATE, first + timedelta(hours=2))
    assert started == again == Mailing(SLUG, UPDATE, first)

    store.finish_mailing(SLUG, UPDATE, first + timedelta(hours=3))
    store.finish_mailing(SLUG, UPDATE, first + timedelta(hours=4))

    found = store.mailings(SLUG, [UPDATE, "2026-05-01-not-started"])
    assert found == {UPDATE: Mailing(SLUG, UPDATE, first, first + timedelta(hours=3))}
    assert store.mailings("another-petition", [UPDATE]) == {}


def test_notices_and_unsubscribes_do_not_move_counts(store: Store) -> None:
    store.sign(supporter(1))
    store.sign(supporter(2))
    before = counted(store).tally(SLUG)

    store.mark_notice(SLUG, UPDATE, f"{1:064x}", None, "sent")
    store.withdraw_consent(SLUG, f"{2:064x}", f"{2:032x}")

    assert counted(store).tally(SLUG) == before
    assert before.count == 2
