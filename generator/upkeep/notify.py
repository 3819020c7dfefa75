"""Mail to supporters: each new update of a petition, once, to the signers who asked to hear
more (`consent`), run by `build.py notify` after the site is live.

Which updates: those whose mailing has started but not finished, and new ones dated at most
MAX_AGE before now (an update dated in the future waits; an old one, say from before this
feature or copied from another site, is never mailed). A mailing's start time is its
cut-off: signers counted after it started see the update on the site instead.

Who: the petition's counted signatures with consent and an address (not pending, rejected,
bounced, forgotten or anonymised), each checked again by the write that claims its letter.

Once, at most: before a letter is handed to the mailer its notice is claimed with a
conditional write (`sending …`), and marked `sent …` after. A mailer that refuses a letter
(MailError: nothing was handed on) gets the claim given back and the run stops, so the next
run sends that letter and the rest. A run that dies between the claim and the mark (killed,
the store lost) leaves the claim: no later run sends that letter again, but each says how
many letters of the update are in doubt, and the mailing stays open until
`--resend-unsure` sends them (at the risk of a second copy). Duplicates are the worse
failure here: mail nobody asked for twice costs complaints, and SES's standing with them;
an update missed is still on the petition's page and in its feed.

Nothing here prints, logs or returns an address or a name: only numbers.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from generator.model import Content, Petition, Update
from generator.signing import unsubscribe
from generator.signing.letters import Letter
from generator.signing.mail import Mailer, MailError
from generator.store.base import Mailing, Recipient, Store
from generator.store.times import to_iso

MAX_AGE = timedelta(days=14)  # a new update older than this is not mailed
SENDING, SENT = "sending", "sent"  # how a notice starts; what follows is its time and a nonce

DUE, DONE, TOO_OLD, NOT_YET = "due", "done", "too old", "not yet"


@dataclass(frozen=True)
class Planned:
    """One update and whether it is mailed now (`due`), was (`done`), or never (`too old`)
    or later (`not yet`); `mailing` as stored, if it started."""

    petition: Petition
    update: Update
    state: str
    mailing: Mailing | None = None


@dataclass
class Counts:
    """What a run did (or, dry, would do) with one update's supporters: numbers only."""

    sent: int = 0  # handed to the mailer now (dry run: would be)
    before: int = 0  # sent by an earlier run
    unsure: int = 0  # claimed by a run that stopped while sending: not sent again
    later: int = 0  # counted after the mailing started: not sent
    unreachable: int = 0  # no address any more (anonymised)
    taken: int = 0  # claimed meanwhile by another run, or consent withdrawn meanwhile


@dataclass(frozen=True)
class Outcome:
    """One update's line in a run's report."""

    planned: Planned
    counts: Counts = field(default_factory=Counts)
    finished: bool = False
    error: str = ""  # why the run stopped at this update (a mailer's refusal)


def plan(
    content: Content, started: Callable[[Petition], dict[str, Mailing]], now: datetime,
    max_age: timedelta = MAX_AGE,
) -> list[Planned]:  # fmt: skip
    """Every update of every petition, oldest first within a petition, with what is due."""
    planned: list[Planned] = []
    for petition in content.petitions:
        if not petition.updates:
            continue
        mailings = started(petition)
        for update in petition.updates:
            mailing = mailings.get(update.name)
            if mailing is not None:
                state = DONE if mailing.finished is not None else DUE
            elif update.date > now:
                state = NOT_YET
            elif now - update.date > max_age:
                state = TOO_OLD
            else:
                state = DUE
            planned.append(Planned(petition, update, state, mailing))
    return planned


class Notifier:
    """Mails due updates from one content folder and store through one mailer."""

    def __init__(
        self,
        content: Content,
        store: Store,
        mailer: Mailer,
        secret: bytes,
        public_url: str,
        clock: Callable[[], datetime],
        *,
        resend_unsure: bool = False,
    ) -> None:
        self.content, self.store, self.mailer = content, store, mailer
        self.secret, self.public_url, self.clock = secret, public_url.rstrip("/"), clock
        self.resend_unsure = resend_unsure

    def plan(self, max_age: timedelta = MAX_AGE) -> list[Planned]:
        """What is due now, from the content's updates and the store's mailings."""

        def started(petition: Petition) -> dict[str, Mailing]:
            return self.store.mailings(petition.slug, (u.name for u in petition.updates))

        return plan(self.content, started, self.clock(), max_age)

    def run(self, *, dry_run: bool = False, max_age: timedelta = MAX_AGE) -> list[Outcome]:
        """Mail every due update (dry: count, writing and sending nothing); stops at the first
        letter the mailer refuses (that outcome's `error` says why)."""
        outcomes: list[Outcome] = []
        for planned in self.plan(max_age):
            if planned.state != DUE:
                outcomes.append(Outcome(planned))
                continue
            outcome = self._count(planned) if dry_run else self._mail(planned)
            outcomes.append(outcome)
            if outcome.error:
                break
        return outcomes

    def _count(self, planned: Planned) -> Outcome:
        """What mailing this update would do now, changing nothing."""
        cutoff = planned.mailing.started if planned.mailing else self.clock()
        tally = Counts()
        for recipient in self._recipients(planned, cutoff, tally):
            if recipient.notice is None or self.resend_unsure:
                tally.sent += 1
            else:
                tally.unsure += 1
        return Outcome(planned, tally)

    def _mail(self, planned: Planned) -> Outcome:
        """Send this update to each due supporter once; finish the mailing when none is left
        in doubt."""
        slug, name = planned.petition.slug, planned.update.name
        mailing = self.store.start_mailing(slug, name, self.clock())
        tally = Counts()
        for recipient in self._recipients(planned, mailing.started, tally):
            was = recipient.notice
            if was is not None and not self.resend_unsure:
                tally.unsure += 1
                continue
            error = self._send(planned, recipient, was, tally)
            if error:
                return Outcome(planned, tally, error=error)
        if tally.unsure:
            return Outcome(planned, tally)
        self.store.finish_mailing(slug, name, self.clock())
        return Outcome(planned, tally, finished=True)

    def _recipients(self, planned: Planned, cutoff: datetime, tally: Counts) -> Iterable[Recipient]:
        """The supporters due this update (unsent, or in doubt), counting the others."""
        for recipient in self.store.recipients(planned.petition.slug, planned.update.name):
            signature, notice = recipient.signature, recipient.notice
            if notice is not None and notice.startswith(SENT):
                tally.before += 1
            elif (signature.confirmed_at or signature.signed_at) > cutoff:
                tally.later += 1
            elif not signature.email:
                tally.unreachable += 1
            else:
                yield recipient

    def _send(self, planned: Planned, recipient: Recipient, was: str | None, tally: Counts) -> str:
        """Claim, send and mark one letter; the mailer's refusal (claim given back), or ""."""
        slug, name = planned.petition.slug, planned.update.name
        signature = recipient.signature
        claim = self._notice(SENDING)
        if not self.store.mark_notice(slug, name, signature.email_key, was, claim):
            tally.taken += 1
            return ""
        try:
            self.mailer.send(self._letter(planned, recipient))
        except MailError as exc:
            self.store.mark_notice(slug, name, signature.email_key, claim, was)
            return str(exc)
        self.store.mark_notice(slug, name, signature.email_key, claim, self._notice(SENT))
        tally.sent += 1
        return ""

    def _notice(self, what: str) -> str:
        return f"{what} {to_iso(self.clock())} {secrets.token_hex(4)}"

    def _letter(self, planned: Planned, recipient: Recipient) -> Letter:
        """The letter carrying this update to this supporter, with their unsubscribe link."""
        slug, signature = planned.petition.slug, recipient.signature
        path = unsubscribe.path(slug, signature.email_key, signature.id, self.secret)
        links = {"key": signature.email_key, "sid": signature.id, "unsubscribe": self._api(path)}
        return Letter("update", signature.email, slug, links, planned.update.name)

    def _api(self, path: str) -> str:
        """The absolute address of an API path (the site's `api_url` may be absolute)."""
        api = self.content.site.api_url.rstrip("/")
        origin = "" if api.startswith(("http://", "https://")) else self.public_url
        return f"{origin}{api}{path}"
