"""The signing service, the counter (for the aggregator function), the count files' and
pages' freshness (for the refresh function) and the mailer function's SES sender this
process uses: built from settings on first use, or handed in.

The settings are resolved from the environment once, here, when the app is imported. In
Lambda nothing is configured: the first request loads the content packaged beside the app
and opens the store named by PETITION_STORE, and every later request reuses them. A host
process (the local server, the tests) calls `configure(...)` with what it already has.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from chalicelib.mailers import mailer_for
from chalicelib.writeback import LambdaWriteBack
from generator.counting.counter import Counter, CountHook, MilestoneHook
from generator.model import Content
from generator.signing.mail import Mailer, SesSender
from generator.signing.service import SigningService, WriteHook
from generator.signing.settings import Settings
from generator.store.base import Store
from generator.store.times import utc_now

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client

    from generator.writeback.fresh import Freshness

APP_DIR = Path(__file__).resolve().parent.parent


class Runtime:
    """Holds one SigningService per process, built lazily and thread-safely."""

    def __init__(self, settings: Settings):
        self._default_settings = settings
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget everything configured or built; the next request builds from settings."""
        self._settings = self._default_settings
        self.writeback = LambdaWriteBack(self._settings)  # milestone hooks and handler in Lambda
        self._content: Content | None = None
        self._store: Store | None = None
        self._clock: Callable[[], datetime] | None = None
        self._hooks: list[MilestoneHook] | None = None  # None: as in Lambda, from settings
        self._counted: list[CountHook] | None = None
        self._after_write: WriteHook | None = None
        self._mailer: Mailer | None = None
        self._ses_client: SESV2Client | None = None
        self._sender: SesSender | None = None
        self._service: SigningService | None = None
        self._counter: Counter | None = None
        self._freshness: Freshness | None = None

    def configure(
        self,
        *,
        content: Content | None = None,
        store: Store | None = None,
        settings: Settings | None = None,
        clock: Callable[[], datetime] | None = None,
        on_milestone: Iterable[MilestoneHook] | None = None,
        on_counted: Iterable[CountHook] | None = None,
        after_write: WriteHook | None = None,
        mailer: Mailer | None = None,
        ses_client: SESV2Client | None = None,
    ) -> None:
        """Use these instead of what the environment names; anything left out is read lazily.

        `on_milestone` and `on_counted` are the counter's hooks (left out: as in Lambda, the
        write-back function's hook and the count files of PETITION_SITE_BUCKET); `after_write`
        is called after each write that changes a count (a host counting locally pokes its
        counter); `ses_client` is the SES v2 client the mailer function sends with."""
        with self._lock:
            self.reset()
            self._settings = settings or self._default_settings
            self.writeback = LambdaWriteBack(self._settings)
            self._content, self._store, self._clock = content, store, clock
            self._hooks = None if on_milestone is None else list(on_milestone)
            self._counted = None if on_counted is None else list(on_counted)
            self._after_write = after_write
            self._mailer = mailer
            self._ses_client = ses_client

    @property
    def settings(self) -> Settings:
        """The settings in force."""
        return self._settings

    def current(self) -> SigningService | None:
        """The service if it has been built, without building it."""
        return self._service

    def service(self) -> SigningService:
        """The signing service; ConfigError or ContentErrors when it cannot be built."""
        service = self._service
        if service is not None:
            return service
        with self._lock:
            if self._service is None:
                self._service = self._build()
            return self._service

    def counter(self) -> Counter:
        """The counter of this process's store (the aggregator function's; a host's own).
        Unless configured otherwise, a milestone invokes the write-back function and, with
        PETITION_SITE_BUCKET set, moving counts rewrite their count files (at most once a
        second) and pages (at most once a minute)."""
        with self._lock:
            if self._counter is None:
                content, store = self._load_content(), self._open_store()
                hooks = self.writeback.hooks() if self._hooks is None else self._hooks
                counted = self._counted
                if counted is None:  # count files only where a site is published
                    publishes = self.writeback.publishes()
                    counted = [self._load_freshness().counted] if publishes else []
                # with the id key, counting appends to the logs (a malformed one stops
                # counting, loudly: counts moving without their leaves could not be checked)
                id_key = self._settings.log_id_key()
                self._counter = Counter(content, store, hooks, counted, id_key=id_key)
            return self._counter

    def freshness(self) -> Freshness:
        """The count files and pages of this process's store kept fresh (the refresh
        function's sweep): PETITION_SITE_BUCKET and PETITION_WRITEBACK_FUNCTION."""
        with self._lock:
            return self._load_freshness()

    def content(self) -> Content:
        """The petitions: as configured, else loaded from the content folder once."""
        with self._lock:
            return self._load_content()

    def mail_sender(self) -> SesSender:
        """The SES sender of the mailer function: the site's mail templates, the configuration
        set PETITION_SES_CONFIGURATION_SET names; built once (no table is opened)."""
        with self._lock:
            if self._sender is None:
                from generator.signing.letters import Writer  # jinja only to write mail

                writer = Writer(self._load_content(), self._settings.templates_dir())
                configuration_set = self._settings.ses_configuration_set()
                self._sender = SesSender(writer, configuration_set, self._ses_client)
            return self._sender

    def _load_content(self) -> Content:
        if self._content is None:
            from generator.content.loading import load_content  # yaml only on the first request

            self._content = load_content(self._settings.content_dir())
        return self._content

    def _load_freshness(self) -> Freshness:
        if self._freshness is None:
            self._freshness = self.writeback.freshness(
                self._load_content(), self._open_store(), self._clock or utc_now
            )
        return self._freshness

    def _open_store(self) -> Store:
        if self._store is None:
            from generator.store import open_store  # boto3 only for a DynamoDB URL

            self._store = open_store(self._settings.store_url())
        return self._store

    def _build(self) -> SigningService:
        content = self._load_content()
        store = self._open_store()
        mailer = self._mailer or mailer_for(self._settings, content)
        return SigningService(
            content, store, self._settings, self._clock, mailer, self._after_write
        )


runtime = Runtime(Settings.from_environ(app_dir=APP_DIR))
configure = runtime.configure
