"""Signature stores: one interface, an embedded SQLite and a DynamoDB implementation.

`open_store(url)` picks the implementation from the URL's scheme:

- `sqlite:///relative/path.db` or `sqlite:////absolute/path.db` (parent folders are created);
- `dynamodb://table-name?region=us-east-1&endpoint_url=http://127.0.0.1:8000`
  (every query parameter optional; boto3 is imported only for this scheme).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from generator.errors import ConfigError
from generator.store.base import RateLimit, Signature, SignOutcome, Store

__all__ = ["RateLimit", "SignOutcome", "Signature", "Store", "open_store"]

_TABLE_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")
_DYNAMODB_PARAMS = frozenset({"region", "endpoint_url"})


def open_store(url: str) -> Store:
    """The store a URL names; ConfigError when the URL is malformed or its scheme unknown."""
    scheme, sep, _ = url.partition("://")
    if not sep:
        raise ConfigError(f"store URL {url!r}: expected sqlite:///path.db or dynamodb://table")
    if scheme == "sqlite":
        return _open_sqlite(url)
    if scheme == "dynamodb":
        return _open_dynamodb(url)
    raise ConfigError(
        f"store URL {url!r}: unknown scheme {scheme!r}; expected 'sqlite' or 'dynamodb'"
    )


def _open_sqlite(url: str) -> Store:
    from generator.store.sqlite import SqliteStore  # sqlite3 only when used

    rest = url[len("sqlite://") :]
    if not rest.startswith("/") or "?" in rest or "#" in rest:
        raise ConfigError(
            f"store URL {url!r}: expected sqlite:///relative/path.db or sqlite:////absolute/path.db"
        )
    path = rest[1:]
    if not path or path.endswith("/") or path == ":memory:":
        raise ConfigError(f"store URL {url!r}: expected the path of a database file")
    return SqliteStore(Path(path))


def _open_dynamodb(url: str) -> Store:
    parts = urlsplit(url)
    table = parts.netloc
    if not _TABLE_NAME.fullmatch(table) or parts.path not in ("", "/") or parts.fragment:
        raise ConfigError(
            f"store URL {url!r}: expected dynamodb://table-name?region=…&endpoint_url=…"
            " with a table name of 3-255 letters, digits, '_', '-' or '.'"
        )
    try:
        query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError as exc:
        raise ConfigError(f"store URL {url!r}: malformed query: {exc}") from exc
    if "shards" in query:
        raise ConfigError(
            f"store URL {url!r}: `shards` is no longer used (each petition has one count item,"
            " written by the counter from the table's stream); remove it"
        )
    unknown = sorted(set(query) - _DYNAMODB_PARAMS)
    if unknown:
        raise ConfigError(
            f"store URL {url!r}: unknown parameter(s) {', '.join(unknown)};"
            f" expected {', '.join(sorted(_DYNAMODB_PARAMS))}"
        )
    repeated = sorted(k for k, v in query.items() if len(v) != 1 or not v[0])
    if repeated:
        raise ConfigError(f"store URL {url!r}: give {', '.join(repeated)} once, with a value")
    options = {k: v[0] for k, v in query.items()}
    endpoint = options.get("endpoint_url")
    if endpoint is not None and not re.fullmatch(r"https?://[^/?#\s]+/?", endpoint):
        raise ConfigError(
            f"store URL {url!r}: endpoint_url must look like http://127.0.0.1:8000,"
            f" got {endpoint!r}"
        )
    from generator.store.dynamodb import DynamoStore  # boto3 only when used

    return DynamoStore(table, region=options.get("region"), endpoint_url=endpoint)
