"""Forgetting signers on request: their signatures deleted on every petition, counts lowered.

Emails are matched by their keyed hash, so the key must be the signing app's. Nothing here
prints or returns an email, a name, or which petitions a person signed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.errors import ConfigError
from generator.model import Content
from generator.signing.settings import SECRET, Settings
from generator.store.base import Store
from generator.upkeep.access import known_slugs

LOCAL_SECRET = Path(".data") / "secret"  # where `build.py serve` keeps its key


@dataclass(frozen=True)
class Forgotten:
    """What a forget run did, in numbers only."""

    signers: int  # emails asked about
    found: int  # of those, how many had signed anything
    signatures: int  # signatures removed
    petitions: int  # petitions a signature was removed from
    checked: int  # petitions looked at


def signing_secret(environ: Mapping[str, str], local: Path = LOCAL_SECRET) -> bytes:
    """The key the signing app hashes emails with: $PETITION_SECRET, else serve's local file."""
    settings = Settings.from_environ(environ)
    if settings.get(SECRET):
        return settings.secret()
    if local.is_file():
        return local.read_text(encoding="utf-8").strip().encode("utf-8")
    raise ConfigError(
        f"{SECRET.name} is not set and there is no {local}: give the same key the signing app"
        " uses, or no signature can be found"
    )


def forget_signers(
    emails: Sequence[str], secret: bytes, store: Store, content: Content | None
) -> Forgotten:
    """Delete each email's signature on every known petition and lower those counts."""
    from generator.signing.signer import email_key

    slugs = known_slugs(store, content)
    removed = [store.forget(email_key(secret, email), slugs) for email in emails]
    return Forgotten(
        signers=len(emails),
        found=sum(1 for r in removed if r),
        signatures=sum(len(r) for r in removed),
        petitions=len({slug for r in removed for slug in r}),
        checked=len(slugs),
    )
