"""Settings of the signing app, declared once and read from the environment when first needed.

Nothing is read at import time: a Lambda cold start pays only for what a request uses, and
a missing setting is a ConfigError naming it at the moment it is needed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.errors import ConfigError

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
WRITEBACK_SETTINGS: tuple[Setting, ...] = (SITE_BUCKET, DISTRIBUTION, TEMPLATES, FUNCTION)
SETTINGS: tuple[Setting, ...] = (
    CONTENT,
    STORE,
    SECRET,
    RATE_LIMIT,
    ORIGIN_SECRET,
    *WRITEBACK_SETTINGS,
)


class Settings:
    """The app's settings, read from an environment mapping (default: the process's) on demand."""

    def __init__(self, environ: Mapping[str, str] | None = None, app_dir: Path | None = None):
        self._environ = environ
        self._app_dir = app_dir

    def _get(self, setting: Setting) -> str:
        environ = os.environ if self._environ is None else self._environ
        return environ.get(setting.name, "").strip()

    def content_dir(self) -> Path:
        """The content folder: PETITION_CONTENT, else `content/` beside the app."""
        value = self._get(CONTENT)
        if value:
            return Path(value)
        if self._app_dir is None:
            raise ConfigError(f"{CONTENT.name} is not set and no app folder is known")
        return self._app_dir / "content"

    def store_url(self) -> str:
        """The store URL from PETITION_STORE."""
        value = self._get(STORE)
        if not value:
            raise ConfigError(f"{STORE.name} is not set: {STORE.help}")
        return value

    def secret(self) -> bytes:
        """The HMAC key from PETITION_SECRET."""
        value = self._get(SECRET)
        if len(value) < MIN_SECRET_LENGTH:
            state = "is not set" if not value else "is too short"
            raise ConfigError(f"{SECRET.name} {state}: {SECRET.help}")
        return value.encode("utf-8")

    def rate_limit(self, site_default: int) -> int:
        """Signatures per client address per minute: PETITION_RATE_LIMIT, else the site's."""
        value = self._get(RATE_LIMIT)
        if not value:
            return site_default
        if not value.isdigit():
            raise ConfigError(f"{RATE_LIMIT.name}: expected a whole number >= 0, got {value!r}")
        return int(value)

    def origin_secret(self) -> str | None:
        """The shared secret that proves a request came through our CloudFront, if set."""
        return self._get(ORIGIN_SECRET) or None
