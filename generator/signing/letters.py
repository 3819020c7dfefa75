"""The mails signing sends, written from the site's templates (templates/email/): a letter is
what to say to whom (kind, petition, links); `write()` turns it into a MIME message with a
plain-text and an HTML part, in the site's language, naming the organisation and the
privacy policy. An `update` letter carries one of the petition's updates to a supporter who
asked to hear more, with RFC 8058 one-click unsubscribe headers.

A letter carries the signer's address only in `to`; its repr never shows it.
"""

from __future__ import annotations

import email.utils
import secrets
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

from generator.errors import PetitionSiteError
from generator.model import Content, Petition, Update

KINDS = ("confirm", "already-signed", "update")
# What each kind of update is called at the top of its letter.
UPDATE_LABELS = {
    "update": "Update",
    "response": "Response",
    "delivery": "Delivered",
    "victory": "Victory",
}
ONE_CLICK = "List-Unsubscribe=One-Click"  # RFC 8058's List-Unsubscribe-Post value


class LetterError(PetitionSiteError):
    """A letter could not be written (a template missing or broken)."""


@dataclass(frozen=True, repr=False)  # no repr: the address never reaches a log
class Letter:
    """A mail to one signer about one petition: `links` by name (e.g. confirm, reject,
    unsubscribe); an `update` letter names the petition's update it carries."""

    kind: str  # one of KINDS
    to: str
    slug: str
    links: dict[str, str] = field(default_factory=dict)
    update: str = ""  # the update's name (update letters only)

    def __repr__(self) -> str:
        return f"Letter(kind={self.kind!r}, slug={self.slug!r})"

    def as_json(self) -> dict[str, object]:
        """The letter as a queue carries it."""
        data: dict[str, object] = {
            "kind": self.kind, "to": self.to, "slug": self.slug, "links": self.links,
        }  # fmt: skip
        if self.update:
            data["update"] = self.update
        return data

    @classmethod
    def from_json(cls, data: object) -> Letter:
        """The letter a queue carried; ValueError when it is not one (the message names
        the field, never a value)."""
        if not isinstance(data, dict):
            raise ValueError("a letter is a JSON object")
        for name in ("kind", "to", "slug"):
            if not isinstance(data.get(name), str) or not data[name]:
                raise ValueError(f"a letter's {name} is a non-empty string")
        links = data.get("links") or {}
        if not isinstance(links, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in links.items()
        ):
            raise ValueError("a letter's links map names to strings")
        update = data.get("update", "")
        if not isinstance(update, str):
            raise ValueError("a letter's update is a string")
        return cls(data["kind"], data["to"], data["slug"], dict(links), update)


def sender(content: Content) -> str:
    """The From address: the site's `mail_from`, else no-reply at the site's host."""
    site = content.site
    address = site.mail_from or f"no-reply@{urlsplit(site.base_url).hostname or 'localhost'}"
    return email.utils.formataddr((site.organisation, address))


class Writer:
    """Writes letters as MIME messages from one content folder and templates folder."""

    def __init__(self, content: Content, templates_dir: Path) -> None:
        from jinja2 import Environment, FileSystemLoader, StrictUndefined  # only to write mail

        self.content = content
        loader = FileSystemLoader(Path(templates_dir) / "email")
        self._text = Environment(  # plain text: nothing to escape
            loader=loader, autoescape=False, undefined=StrictUndefined, trim_blocks=True
        )
        self._html = Environment(
            loader=loader, autoescape=True, undefined=StrictUndefined, trim_blocks=True
        )

    def petition(self, slug: str) -> Petition:
        """The petition a letter is about (KeyError when the content has none)."""
        petition = self.content.petition(slug)
        if petition is None:
            raise KeyError(slug)
        return petition

    def write(self, letter: Letter) -> EmailMessage:
        """The message: subject, From, To, Date, Message-ID, a text and an HTML part
        (LetterError when a template is missing or broken)."""
        from jinja2 import TemplateError

        if letter.kind not in KINDS:
            raise LetterError(f"unknown letter kind {letter.kind!r}")
        try:
            return self._write(letter)
        except (TemplateError, OSError) as exc:
            raise LetterError(
                f"templates/email: cannot write a {letter.kind} letter: {exc}"
            ) from exc

    def _write(self, letter: Letter) -> EmailMessage:
        site, petition = self.content.site, self.petition(letter.slug)
        context = {
            "site": site,
            "petition": petition,
            "links": letter.links,
            "page_url": f"{site.base_url}/petitions/{petition.slug}/",
            "privacy_url": _absolute(site.base_url, site.privacy_url),
        }
        if letter.kind == "update":
            context.update(_update_context(letter, petition, site.base_url))
        subject = self._text.get_template(f"{letter.kind}.subject.txt").render(context).strip()
        message = EmailMessage()
        message["Subject"] = " ".join(subject.split())
        message["From"] = sender(self.content)
        message["To"] = letter.to
        message["Date"] = email.utils.formatdate(localtime=False)
        host = urlsplit(site.base_url).hostname or "localhost"
        message["Message-ID"] = f"<{secrets.token_hex(16)}@{host}>"
        message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies, please
        if letter.kind == "update":  # RFC 8058: mail clients show an unsubscribe button
            message["List-Unsubscribe"] = f"<{letter.links['unsubscribe']}>"
            message["List-Unsubscribe-Post"] = ONE_CLICK
        message.set_content(self._text.get_template(f"{letter.kind}.txt").render(context))
        html = self._html.get_template(f"{letter.kind}.html").render(context)
        message.add_alternative(html, subtype="html")
        message["Content-Language"] = site.language  # after the parts: they reset Content-*
        return message


def _absolute(base_url: str, url: str) -> str:
    return base_url + url if url.startswith("/") else url


def update_of(petition: Petition, name: str) -> Update | None:
    """The petition's update with this name, or None."""
    return next((u for u in petition.updates if u.name == name), None)


def _update_context(letter: Letter, petition: Petition, base_url: str) -> dict[str, object]:
    """What an update letter's templates show: the update, its body as safe HTML, its page."""
    from generator.render.markup import render_markdown  # Markdown only for update letters

    update = update_of(petition, letter.update)
    if update is None:
        raise LetterError(f"petition {petition.slug!r} has no update {letter.update!r}")
    if not letter.links.get("unsubscribe", "").startswith(("https://", "http://")):
        raise LetterError("an update letter needs its absolute unsubscribe link")
    return {
        "update": update,
        "label": UPDATE_LABELS.get(update.kind, "Update"),
        "body_html": render_markdown(update.body),
        "update_url": f"{base_url}/petitions/{petition.slug}/updates/{update.name}/",
    }
