"""Recomputing every stored signature's key from its address, after the way keys are derived
changed (e.g. when addresses became canonical mailboxes): duplicates that now share a key
are merged, keeping the oldest signature, and the counts lowered to match."""

from __future__ import annotations

from generator.model import Content
from generator.signing.signer import email_key
from generator.store.base import Rekeyed, Store
from generator.upkeep.access import known_slugs


def rekey_all(store: Store, content: Content | None, secret: bytes) -> dict[str, Rekeyed]:
    """Rekey every known petition with the signing app's key and the site's alias rule."""
    merge = content.site.merge_email_aliases if content is not None else True

    def key_of(email: str) -> str:
        return email_key(secret, email, merge_aliases=merge)

    return {slug: store.rekey(slug, key_of) for slug in known_slugs(store, content)}
