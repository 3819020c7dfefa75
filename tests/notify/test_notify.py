"""Mail to supporters: each update reaches each counted signer who consented once, however
often notify runs; a mailer that refuses a letter loses no one; a run that dies midway
sends no one a second copy and says how many letters are in doubt; signers counted after a
mailing started, and updates too old or not yet due, are not mailed."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from generator.content.loading import load_content
from generator.model import Content
from generator.signing import unsubscribe
from generator.signing.letters import Writer
from generator.signing.mail import Mailer, SmtpMailer
from generator.store.base import CONFIRMED, PENDING, Signature, Store
from generator.upkeep.notify import DONE, DUE, NOT_YET, TOO_OLD, Notifier, Outcome
from tests.mail.smtp_sink import smtp_sink
from tests.support.fixture_site import BARE, CONTENT, OPEN, TEMPLATES, WON

from .conftest import FIRST, NOW, SECOND, SECRET, Clock, Recorder, update, with_updates

LATER = datetime.now(UTC) + timedelta(days=30)  # a pending signature's expiry, after real time
SIGNED = NOW - timedelta(days=3)


def sign(store: Store, number: int, *, slug: str = BARE, consent: bool = True,
         state: str = CONFIRMED, at: datetime = SIGNED) -> Signature:  # fmt: skip
    """Store signer `number`'s signature (counted, consenting, unless told otherwise)."""
    signature = Signature(
        slug=slug,
        email_key=f"{number:064x}",
        name=f"Signer {number}",
        email=f"signer{number}@example.org",
        signed_at=at,
        consent=consent,
        id=f"{number:032x}",
        state=state,
        confirmed_at=at if state == CONFIRMED else None,
        expires_at=LATER if state == PENDING else None,
    )
    store.sign(signature)
    return signature


def notifier(
    content: Content, store: Store, mailer: Mailer, clock: Clock, *, resend: bool = False
) -> Notifier:
    return Notifier(
        content, store, mailer, SECRET, "https://petitions.example.org", clock,
        resend_unsure=resend,
    )  # fmt: skip


def of(outcomes: list[Outcome], name: str = FIRST.name) -> Outcome:
    (found,) = [o for o in outcomes if o.planned.update.name == name]
    return found


def addresses(*numbers: int) -> list[str]:
    return [f"signer{n}@example.org" for n in numbers]


def test_a_run_twice_sends_each_update_once_over_smtp(
    store: Store, content: Content, clock: Clock
) -> None:
    for number in (1, 2, 3):
        sign(store, number)
    with smtp_sink() as (sink, address):
        host, port = address.split(":")
        mailer = SmtpMailer(host, int(port), Writer(content, TEMPLATES))
        first = of(notifier(content, store, mailer, clock).run())
        clock.now += timedelta(hours=1)
        second = of(notifier(content, store, mailer, clock).run())

    assert sorted(to for _, tos in sink.envelopes for to in tos) == addresses(1, 2, 3)
    assert (first.planned.state, first.counts.sent, first.finished) == (DUE, 3, True)
    assert (second.planned.state, second.counts.sent) == (DONE, 0)
    for message in sink.messages:
        assert (
            message["Subject"]
            == f"Response: {FIRST.title} (Free bus fares for every student in Harbour City)"
        )
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = re.fullmatch(
            r"<https://petitions\.example\.org/api/petitions/([a-z0-9-]+)/unsubscribe/([^/]+)/([^/]+)>",
            message["List-Unsubscribe"],
        )
        assert link is not None, message["List-Unsubscribe"]
        assert link.group(1) == BARE
        named = unsubscribe.check(SECRET, BARE, link.group(2), link.group(3))
        number = int(named.email_key, 16)
        assert message["To"] == f"signer{number}@example.org"  # each its own link
        assert named.sid == f"{number:032x}"


def test_only_counted_signers_who_consented_are_mailed(
    store: Store, content: Content, clock: Clock
) -> None:
    sign(store, 1)
    sign(store, 2, consent=False)
    sign(store, 3, state=PENDING)
    sign(store, 4)
    store.reject(BARE, f"{4:064x}", f"{4:032x}", SIGNED)  # "this wasn't me"
    sign(store, 5, state=PENDING)
    store.bounce(BARE, f"{5:064x}")
    sign(store, 6)
    store.forget(f"{6:064x}", [BARE])
    sign(store, 7)
    store.withdraw_consent(BARE, f"{7:064x}", f"{7:032x}")  # unsubscribed
    sign(store, 8, slug=OPEN)  # a supporter of another petition
    sign(store, 9)
    mailer = Recorder()

    outcome = of(notifier(content, store, mailer, clock).run())

    assert sorted(mailer.recipients()) == addresses(1, 9)
    assert {letter.slug for letter in mailer.sent} == {BARE}
    assert outcome.counts.sent == 2


def test_anonymised_signers_have_no_address_and_are_counted_not_mailed(
    store: Store, content: Content, clock: Clock
) -> None:
    sign(store, 1)
    store.anonymise(BARE)
    mailer = Recorder()

    outcome = of(notifier(content, store, mailer, clock).run())

    assert mailer.sent == []
    assert (outcome.counts.sent, outcome.counts.unreachable, outcome.finished) == (0, 1, True)


def test_a_dry_run_counts_and_sends_and_records_nothing(
    store: Store, content: Content, clock: Clock
) -> None:
    for number in (1, 2):
        sign(store, number)
    mailer = Recorder()

    dry = of(notifier(content, store, mailer, clock).run(dry_run=True))

    assert (dry.counts.sent, mailer.sent) == (2, [])
    assert store.mailings(BARE, [FIRST.name]) == {}
    assert [r.notice for r in store.recipients(BARE, FIRST.name)] == [None, None]
    assert of(notifier(content, store, mailer, clock).run()).counts.sent == 2


def test_a_mailer_failing_on_the_third_letter_loses_no_one_and_doubles_no_one(
    store: Store, content: Content, clock: Clock
) -> None:
    for number in range(1, 6):
        sign(store, number)
    failing, working = Recorder(fail_at=3), Recorder()

    stopped = of(notifier(content, store, failing, clock).run())
    clock.now += timedelta(minutes=5)
    again = of(notifier(content, store, working, clock).run())

    assert stopped.error and not stopped.finished and stopped.counts.sent == 2
    assert (again.counts.sent, again.counts.before, again.finished) == (3, 2, True)
    delivered = Counter(failing.recipients() + working.recipients())
    assert delivered == Counter(addresses(1, 2, 3, 4, 5))  # everyone, once


def test_a_run_that_dies_midway_sends_no_second_copy_and_reports_the_letter_in_doubt(
    store: Store, content: Content, clock: Clock
) -> None:
    for number in range(1, 6):
        sign(store, number)
    dying = Recorder(fail_at=3, error=RuntimeError)  # killed while handing the third over

    with pytest.raises(RuntimeError):
        notifier(content, store, dying, clock).run()
    rerun, third = Recorder(), Recorder()
    after = of(notifier(content, store, rerun, clock).run())
    still = of(notifier(content, store, third, clock).run())

    assert sorted(dying.recipients() + rerun.recipients()) == addresses(1, 2, 4, 5)
    assert third.sent == []
    assert (after.counts.sent, after.counts.unsure, after.finished) == (2, 1, False)
    assert (still.counts.sent, still.counts.before, still.counts.unsure) == (0, 4, 1)

    resent = Recorder()
    done = of(notifier(content, store, resent, clock, resend=True).run())

    assert resent.recipients() == addresses(3)  # exactly the one in doubt
    assert (done.counts.sent, done.finished) == (1, True)


def test_signers_counted_after_a_mailing_started_are_not_sent_it(
    store: Store, content: Content, clock: Clock
) -> None:
    sign(store, 1)
    sign(store, 2)
    with pytest.raises(RuntimeError):  # the mailing starts, and stops at its second letter
        notifier(content, store, Recorder(fail_at=2, error=RuntimeError), clock).run()
    clock.now += timedelta(hours=1)
    sign(store, 3, at=clock.now)  # signs after the mailing started: sees it on the page
    mailer = Recorder()

    outcome = of(notifier(content, store, mailer, clock, resend=True).run())

    assert mailer.recipients() == addresses(2)
    assert (outcome.counts.later, outcome.finished) == (1, True)
    sign(store, 4, at=clock.now)
    assert of(notifier(content, store, mailer, clock).run()).planned.state == DONE
    assert mailer.recipients() == addresses(2)


def test_old_updates_are_never_mailed_and_future_ones_wait_for_their_date(
    store: Store, content: Content, clock: Clock
) -> None:
    old = update("2025-01-25-launch", NOW - timedelta(days=37))
    dated = with_updates(content, old, FIRST, SECOND)
    sign(store, 1)
    mailer = Recorder()

    now = notifier(dated, store, mailer, clock).run()
    clock.now = SECOND.date + timedelta(hours=1)
    later = notifier(dated, store, mailer, clock).run()

    assert [of(now, u.name).planned.state for u in (old, FIRST, SECOND)] == [TOO_OLD, DUE, NOT_YET]
    assert [of(later, u.name).planned.state for u in (old, FIRST, SECOND)] == [TOO_OLD, DONE, DUE]
    assert [letter.update for letter in mailer.sent] == [FIRST.name, SECOND.name]
    assert of(later, SECOND.name).counts.sent == 1


def test_the_fixture_sites_updates_are_each_mailed_when_new(store: Store, clock: Clock) -> None:
    site = load_content(CONTENT)
    (won,) = [p for p in site.petitions if p.slug == WON]
    replies, opened = won.updates  # oldest first: Feb 20 and Apr 29 2024
    sign(store, 1, slug=WON, at=replies.date - timedelta(days=30))
    mailer = Recorder()

    clock.now = replies.date + timedelta(days=1)
    notifier(site, store, mailer, clock).run()
    clock.now = opened.date + timedelta(hours=2)
    last = notifier(site, store, mailer, clock).run()

    assert [(letter.slug, letter.update) for letter in mailer.sent] == [
        (WON, replies.name),
        (WON, opened.name),
    ]
    assert [of(last, u.name).planned.state for u in won.updates] == [DONE, DUE]
