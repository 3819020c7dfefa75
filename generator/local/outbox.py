"""The local outbox, readable in the browser: `serve` lists the `.eml` files the `file`
mailer wrote at /_outbox/ (newest first) and shows each with its links clickable, so that
`make serve` → sign → open the mail → confirm works on a bare machine."""

from __future__ import annotations

import email
import email.policy
import html
import re
from email.message import EmailMessage
from pathlib import Path

PREFIX = "/_outbox/"
_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]*\.eml")
_LINK = re.compile(r"https?://[^\s<>\"']+")


def _page(title: str, body: str) -> bytes:
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n<body>\n<main>\n{body}</main>\n"
        "</body>\n</html>\n"
    ).encode()


def _read(path: Path) -> EmailMessage | None:
    try:
        with path.open("rb") as file:
            message = email.message_from_binary_file(file, policy=email.policy.default)
    except OSError:
        return None
    return message if isinstance(message, EmailMessage) else None


def listing(folder: Path) -> bytes:
    """The outbox's messages, newest first: time, subject, a link to each."""
    files = sorted(folder.glob("*.eml"), reverse=True) if folder.is_dir() else []
    items = []
    for path in files:
        message = _read(path)
        subject = str(message["Subject"]) if message is not None else path.name
        items.append(
            f'<li><a href="{PREFIX}{html.escape(path.name)}">{html.escape(subject)}</a>'
            f" <small>{html.escape(path.name[:15])}</small></li>"
        )
    body = "<h1>Outbox</h1>\n<p>Mail the local site sent (the <code>file</code> mailer).</p>\n"
    body += f"<ol>\n{''.join(items)}\n</ol>\n" if items else "<p>No mail yet.</p>\n"
    return _page("Outbox", body)


def message(folder: Path, name: str) -> bytes | None:
    """One message as a page (headers and the text part, links clickable), or None."""
    if not _NAME.fullmatch(name):
        return None
    found = _read(folder / name)
    if found is None:
        return None
    part = found.get_body(preferencelist=("plain",))
    text = part.get_content() if isinstance(part, EmailMessage) else ""
    linked = _LINK.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', html.escape(text))
    heads = "".join(
        f"<dt>{name}</dt><dd>{html.escape(str(found[name]))}</dd>"
        for name in ("Subject", "From", "To", "Date")
        if found[name]
    )
    body = f'<p><a href="{PREFIX}">Outbox</a></p>\n<dl>{heads}</dl>\n<pre>{linked}</pre>\n'
    return _page(str(found["Subject"] or name), body)
