"""Reading a published log's files: from a folder, or over HTTP(S) from its URL."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path, PurePosixPath

from generator.errors import LogError
from generator.log.tiles import Fetch

MAX_FILE = 17 * 1024 * 1024  # a full entry bundle of the longest entries is under this
TIMEOUT = 30.0  # seconds per request


def _checked(path: str) -> str:
    parts = PurePosixPath(path).parts
    if not parts or path.startswith("/") or ".." in parts:
        raise LogError(path, "is not a path inside the log")
    return path


def folder_fetch(folder: Path) -> Fetch:
    """Files of a log published to a folder (the log's own, `…/petitions/<slug>/log`)."""

    def fetch(path: str) -> bytes:
        try:
            with (folder / _checked(path)).open("rb") as f:
                data = f.read(MAX_FILE + 1)
        except FileNotFoundError:
            raise LogError(path, f"is missing from {folder}") from None
        if len(data) > MAX_FILE:
            raise LogError(path, f"is larger than {MAX_FILE} bytes")
        return data

    return fetch


def http_fetch(base: str, timeout: float = TIMEOUT) -> Fetch:
    """Files of a log served at `base` (`https://…/petitions/<slug>/log`)."""
    base = base.rstrip("/") + "/"

    def fetch(path: str) -> bytes:
        url = base + _checked(path)
        request = urllib.request.Request(
            url, headers={"User-Agent": "petition-sites verify-log", "Accept-Encoding": "identity"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                data: bytes = response.read(MAX_FILE + 1)
        except urllib.error.HTTPError as exc:
            raise LogError(path, f"could not be fetched: HTTP {exc.code} from {url}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise LogError(path, f"could not be fetched from {url}: {reason}") from None
        if len(data) > MAX_FILE:
            raise LogError(path, f"is larger than {MAX_FILE} bytes")
        return data

    return fetch


def is_url(source: str) -> bool:
    """Whether a log's source is an http(s) URL (else a folder)."""
    return source.startswith(("http://", "https://"))


def fetch_from(source: str) -> Fetch:
    """The reader of a log at an http(s) URL, else in a folder."""
    if is_url(source):
        return http_fetch(source)
    folder = Path(source)
    if not folder.is_dir():
        raise LogError(source, "is neither an http(s) URL nor a folder")
    return folder_fetch(folder)


def beside(source: str, name: str) -> tuple[bytes, str]:
    """A file in the folder that holds the log at `source` (a petition's `count.json`), with
    where it was read from."""
    if is_url(source):
        base, _, _ = source.rstrip("/").rpartition("/")
        url = f"{base}/{name}"
        return http_fetch(base)(name), url
    folder = Path(source).resolve().parent
    return folder_fetch(folder)(name), str(folder / name)
