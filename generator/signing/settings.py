"""Settings of the signing app: declared once, resolved once from the environment at the edge
(the Lambda's chalicelib, the local server, a command) into a frozen Settings passed down.

A missing or malformed setting is a ConfigError naming it when first needed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from generator.errors import ConfigError

if TYPE_CHECKING:  # cryptography is imported only where the log is kept
    from generator.log.keys import LogKeys

MIN_SECRET_LENGTH = 16


@dataclass(frozen=True)
class Setting:
    """One environment variable the app reads, with its default and what it is for."""

    name: str
    default: str | None
    help: str


CONTENT = Setting(
    "PETITION_CONTENT",
    "<folder of app.py>/content",
    "Content folder (site.yaml, petitions/) the app reads petitions, ladders and statuses from.",
)
STORE = Setting(
    "PETITION_STORE",
    None,
    "Store URL, e.g. `sqlite:///path/signatures.db` or `dynamodb://table`. Required.",
)
SECRET = Setting(
    "PETITION_SECRET",
    None,
    f"Key (at least {MIN_SECRET_LENGTH} characters) of the HMACs that replace emails "
    "(duplicate check) and client addresses (rate limit). Required to sign.",
)
RATE_LIMIT = Setting(
    "PETITION_RATE_LIMIT",
    "site.yaml's `rate_limit`",
    "Signatures per client address per minute; `0` turns the limit off.",
)
ORIGIN_SECRET = Setting(
    "PETITION_ORIGIN_SECRET",
    "unset",
    "Value CloudFront sends in `x-origin-verify`; only when it matches is the "
    "`cloudfront-viewer-address` header trusted as the client address.",
)
SITE_BUCKET = Setting(
    "PETITION_SITE_BUCKET",
    None,
    "S3 bucket the write-back publishes re-rendered pages to. Required there.",
)
DISTRIBUTION = Setting(
    "PETITION_DISTRIBUTION_ID",
    "unset",
    "CloudFront distribution whose cached copies of those pages are invalidated.",
)
TEMPLATES = Setting(
    "PETITION_TEMPLATES",
    "<folder of app.py>/templates",
    "Templates folder the write-back renders with (the build's, packaged).",
)
FUNCTION = Setting(
    "PETITION_WRITEBACK_FUNCTION",
    "unset",
    "Lambda function invoked (asynchronously) when a milestone is reached.",
)
CONFIRMATION = Setting(
    "PETITION_CONFIRMATION",
    "site.yaml's `confirmation`",
    "`required` (a signature counts once its email is confirmed) or `off`.",
)
PUBLIC_URL = Setting(
    "PETITION_PUBLIC_URL",
    "site.yaml's `base_url`",
    "The origin confirmation links point to (`serve` sets its own address).",
)
MAILER = Setting(
    "PETITION_MAILER",
    "file",
    "How confirmation mail is sent: `file` (an .eml file per message in PETITION_OUTBOX),"
    " `smtp` (to PETITION_SMTP), `ses` (queued on PETITION_MAIL_QUEUE for the mailer"
    " function) or `none`.",
)
OUTBOX = Setting(
    "PETITION_OUTBOX",
    ".data/outbox",
    "Folder the `file` mailer writes messages into.",
)
SMTP = Setting("PETITION_SMTP", None, "`host:port` of the SMTP server the `smtp` mailer uses.")
MAIL_QUEUE = Setting(
    "PETITION_MAIL_QUEUE", None, "URL of the SQS queue the `ses` mailer puts letters on."
)
SES_CONFIGURATION_SET = Setting(
    "PETITION_SES_CONFIGURATION_SET",
    "unset",
    "SES configuration set the mailer function sends with (bounce and complaint events).",
)
LOG_KEY = Setting(
    "PETITION_LOG_KEY",
    "unset",
    "Ed25519 key that signs the petitions' log checkpoints (`PRIVATE+KEY+…`, from `build.py"
    " log-key --new`; `serve` keeps one in .data/). With PETITION_LOG_ID_KEY, counting"
    " appends to the logs.",
)
LOG_ID_KEY = Setting(
    "PETITION_LOG_ID_KEY",
    "unset",
    "Key (64+ hex digits) of the hashes that stand for signatures in the logs' leaves.",
)
WRITEBACK_SETTINGS: tuple[Setting, ...] = (SITE_BUCKET, DISTRIBUTION, TEMPLATES, FUNCTION)
MAIL_SETTINGS: tuple[Setting, ...] = (
    CONFIRMATION,
    PUBLIC_URL,
    MAILER,
    OUTBOX,
    SMTP,
    MAIL_QUEUE,
    SES_CONFIGURATION_SET,
)
SETTINGS: tuple[Setting, ...] = (
    CONTENT,
    STORE,
    SECRET,
    RATE_LIMIT,
    ORIGIN_SECRET,
    *WRITEBACK_SETTINGS,
    *MAIL_SETTINGS,
    LOG_KEY,
    LOG_ID_KEY,
)


@dataclass(frozen=True)
class Settings:
    """The app's settings, resolved once from an environment into a value that never changes.

    Each accessor checks its own setting when it is first needed, so a request that does
    not need the secret (reading a count) works without it, and a missing or malformed
    setting is a ConfigError naming it.
    """

    values: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    app_dir: Path | None = None  # the folder of app.py: content/ and templates/ beside it

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str] | None = None, app_dir: Path | None = None
    ) -> Settings:
        """The declared settings read from `environ` (default: this process's environment)."""
        source = os.environ if environ is None else environ
        values = {s.name: source.get(s.name, "").strip() for s in SETTINGS}
        return cls(MappingProxyType({k: v for k, v in values.items() if v}), app_dir)

    def get(self, setting: Setting) -> str:
        """The setting's value as given, or "" when it is not set."""
        return self.values.get(setting.name, "")

    def _beside_app(self, setting: Setting, folder: str) -> Path:
        value = self.get(setting)
        if value:
            return Path(value)
        if self.app_dir is None:
            raise ConfigError(f"{setting.name} is not set and no app folder is known")
        return self.app_dir / folder

    def content_dir(self) -> Path:
        """The content folder: PETITION_CONTENT, else `content/` beside the app."""
        return self._beside_app(CONTENT, "content")

    def templates_dir(self) -> Path:
        """The templates folder: PETITION_TEMPLATES, else `templates/` beside the app."""
        return self._beside_app(TEMPLATES, "templates")

    def store_url(self) -> str:
        """The store URL from PETITION_STORE."""
        value = self.get(STORE)
        if not value:
            raise ConfigError(f"{STORE.name} is not set: {STORE.help}")
        return value

    def secret(self) -> bytes:
        """The HMAC key from PETITION_SECRET."""
        value = self.get(SECRET)
        if len(value) < MIN_SECRET_LENGTH:
            state = "is not set" if not value else "is too short"
            raise ConfigError(f"{SECRET.name} {state}: {SECRET.help}")
        return value.encode("utf-8")

    def rate_limit(self, site_default: int) -> int:
        """Signatures per client address per minute: PETITION_RATE_LIMIT, else the site's."""
        value = self.get(RATE_LIMIT)
        if not value:
            return site_default
        if not value.isdigit():
            raise ConfigError(f"{RATE_LIMIT.name}: expected a whole number >= 0, got {value!r}")
        return int(value)

    def origin_secret(self) -> str | None:
        """The shared secret that proves a request came through our CloudFront, if set."""
        return self.get(ORIGIN_SECRET) or None

    def site_bucket(self) -> str:
        """The S3 bucket the write-back publishes to."""
        value = self.get(SITE_BUCKET)
        if not value:
            raise ConfigError(f"{SITE_BUCKET.name} is not set: {SITE_BUCKET.help}")
        return value

    def distribution(self) -> str | None:
        """The CloudFront distribution whose copies the write-back invalidates, if set."""
        return self.get(DISTRIBUTION) or None

    def writeback_function(self) -> str | None:
        """The write-back Lambda a milestone invokes, if set."""
        return self.get(FUNCTION) or None

    def confirmation(self, site_default: str) -> str:
        """`required` or `off`: PETITION_CONFIRMATION, else the site's setting."""
        value = self.get(CONFIRMATION) or site_default
        if value not in ("required", "off"):
            raise ConfigError(f"{CONFIRMATION.name}: expected required or off, got {value!r}")
        return value

    def public_url(self, site_base_url: str) -> str:
        """The origin links in mail point to, without a trailing slash."""
        return (self.get(PUBLIC_URL) or site_base_url).rstrip("/")

    def mailer(self) -> str:
        """The mail backend: file, smtp, ses or none."""
        value = self.get(MAILER) or "file"
        if value not in ("file", "smtp", "ses", "none"):
            raise ConfigError(f"{MAILER.name}: expected file, smtp, ses or none, got {value!r}")
        return value

    def outbox(self) -> Path:
        """The folder the file mailer writes into."""
        return Path(self.get(OUTBOX) or ".data/outbox")

    def smtp(self) -> str:
        """`host:port` of the SMTP server."""
        value = self.get(SMTP)
        if not value:
            raise ConfigError(f"{SMTP.name} is not set: {SMTP.help}")
        return value

    def mail_queue(self) -> str:
        """The SQS queue URL letters are put on."""
        value = self.get(MAIL_QUEUE)
        if not value:
            raise ConfigError(f"{MAIL_QUEUE.name} is not set: {MAIL_QUEUE.help}")
        return value

    def ses_configuration_set(self) -> str | None:
        """The SES configuration set to send with, if set."""
        return self.get(SES_CONFIGURATION_SET) or None

    def log_keys(self) -> LogKeys | None:
        """The public logs' keys from PETITION_LOG_KEY and PETITION_LOG_ID_KEY (None when
        neither is set: counting appends to no log); a ConfigError names a bad or lone one."""
        from generator.log.keys import ID_KEY_ENV, KEY_ENV, keys_from

        given = {KEY_ENV: self.get(LOG_KEY), ID_KEY_ENV: self.get(LOG_ID_KEY)}
        if not any(given.values()):
            return None
        missing = [name for name, value in given.items() if not value]
        if missing:
            raise ConfigError(f"{missing[0]} is not set: the log needs both of its keys")
        return keys_from(given)

    def log_id_key(self) -> bytes | None:
        """PETITION_LOG_ID_KEY alone (None when unset): what receipts need, without the key
        that signs checkpoints (the signing API is never given that)."""
        from generator.log.keys import ID_KEY_ENV, id_key_from

        value = self.get(LOG_ID_KEY)
        return id_key_from(value, f"${ID_KEY_ENV}") if value else None

    def with_values(self, **values: str) -> Settings:
        """A copy with these settings (by environment name) given."""
        return replace(self, values=MappingProxyType({**self.values, **values}))
