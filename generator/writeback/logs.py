"""Publishing each petition's public log beside its count file: the leaves the counter kept
in the store, grown into tiles under `petitions/<slug>/log/` and a newly signed checkpoint.

The store is the log's record (its leaves are written with the count, in one write); what is
published follows it. Each publish reads the published checkpoint back, appends the leaves
the store has beyond it, and puts the new tiles first and the checkpoint last, so a reader
never meets a checkpoint whose tiles are not there. Tiles are the same bytes whoever writes
them, so two processes publishing at once write the same files; a checkpoint is never put
over a larger one. A published log the store does not extend (tampered with, or from another
store) is left alone and reported, never overwritten.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from generator.errors import ConfigError, LogError, StoreError
from generator.log.append import append_entries, origin
from generator.log.keys import LogKeys
from generator.log.note import Checkpoint, open_checkpoint
from generator.log.tiles import CHECKPOINT
from generator.model import Site, Tally
from generator.store.base import Store
from generator.writeback.publish import LOG_KEY_FILE, Publisher, PublishError

log = logging.getLogger(__name__)


def log_folder(slug: str) -> str:
    """The output folder of a petition's log."""
    return f"petitions/{slug}/log"


class LogPublisher:
    """Publishes the logs of one site's petitions from one store through one publisher."""

    def __init__(
        self, site: Site, store: Store, files: Publisher, keys: LogKeys, strict: bool = True
    ) -> None:
        self.site, self.store, self.files, self.keys = site, store, files, keys
        self.verifier = keys.signer.verifier
        if site.log_key and site.log_key != str(self.verifier):
            problem = (
                f"site.yaml's log_key is not the public half of PETITION_LOG_KEY, {self.verifier}"
            )
            if strict:  # deployed: checkpoints nobody could check against site.yaml
                raise ConfigError(problem)
            log.warning("%s: this server's logs are signed with its own key", problem)

    def origin(self, slug: str) -> str:
        """The origin line of a petition's checkpoints."""
        return origin(self.site.base_url, slug)

    def publish(self, tallies: Mapping[str, Tally]) -> list[str]:
        """Bring each petition's published log up to its stored size (`tallies`, read with
        the counts); the slugs whose log grew. A petition that fails is logged and skipped."""
        grown = []
        for slug, tally in tallies.items():
            try:
                if self._publish(slug, tally.log_size):
                    grown.append(slug)
            except (LogError, PublishError, StoreError) as exc:  # its count file goes on
                log.error("log not published slug=%s: %s", slug, exc)
        return grown

    def published(self, slug: str) -> Checkpoint | None:
        """The petition's published checkpoint (None: none yet); a LogError if it does not
        verify under this site's key."""
        data = self.files.read(f"{log_folder(slug)}/{CHECKPOINT}")
        if data is None:
            return None
        return open_checkpoint(data, self.verifier, f"{log_folder(slug)}/{CHECKPOINT}")

    def _publish(self, slug: str, size: int) -> bool:
        last = self.published(slug)
        start = 0 if last is None else last.size
        if size <= start:
            return False
        if last is None:
            self.publish_key()  # a log's first checkpoint: its key is out before it
        entries = self.store.log_entries(slug, start, size)
        if len(entries) != size - start:
            raise LogError(slug, f"the store holds {len(entries)} of leaves {start}..{size}")
        folder = log_folder(slug)

        def fetch(path: str) -> bytes:
            data = self.files.read(f"{folder}/{path}")
            if data is None:
                raise LogError(f"{folder}/{path}", "is missing")
            return data

        appended = append_entries(self.origin(slug), self.keys.signer, entries, last, fetch)
        tiles = {f"{folder}/{p}": d for p, d in appended.files.items() if p != CHECKPOINT}
        self.files.publish(tiles, invalidate=False)
        now = self.published(slug)  # another process may have published meanwhile
        if now is not None and now.size >= appended.checkpoint.size:
            return False
        checkpoint = {f"{folder}/{CHECKPOINT}": appended.files[CHECKPOINT]}
        self.files.publish(checkpoint, invalidate=False)
        log.info("log published slug=%s size=%d", slug, appended.checkpoint.size)
        return True

    def publish_key(self) -> None:
        """Publish the checkpoints' public key at its stable URL (unchanged: nothing done)."""
        self.files.publish({LOG_KEY_FILE: f"{self.verifier}\n".encode()}, invalidate=False)
