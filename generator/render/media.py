"""A petition's picture files and share card, each made once for what it shows.

The glue between pages.py and the pure pictures.py and cards.py: it reads the picture's
file (checking it is still the one the content loaded) and keeps what it made, in memory
(the last few files) and, when given a folder (`.cache/media/` in a build), on disk: a
picture's files under their names (which carry the picture's digest) in a folder for the
recipe that made them (pictures.recipe), and a petition's card under its slug, tagged with
a digest of all it shows (one file per petition, replaced when that changes). A rebuild
after a template change, or a write-back's re-render, then resizes nothing and draws no
card again.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from generator.errors import ConfigError, PetitionSiteError
from generator.model import Petition, Picture
from generator.render import cards, pictures
from generator.render.fingerprint import digest, library_versions
from generator.render.fonts import default_fonts

CARD_FILE = "card.png"
CARD_WIDTH, CARD_HEIGHT = cards.WIDTH, cards.HEIGHT
MEMORY = 48  # files kept in memory: the six files of eight pictures


class PictureError(PetitionSiteError):
    """A petition's picture file cannot be made into its page's files; says which and why."""


@dataclass(frozen=True)
class Shown:
    """A petition's picture as its page shows it."""

    webp: str  # srcset of the WebP files
    jpeg: str  # srcset of the JPEG files
    src: str  # the widest JPEG, for browsers without srcset
    width: int  # of the widest file: with height, the box the page keeps for it
    height: int
    alt: str
    credit: str


@dataclass(frozen=True)
class PetitionMedia:
    """What a petition's page shows of its picture and card, and their files by output path."""

    picture: Shown | None
    card_alt: str
    files: dict[str, bytes]


def card_path(slug: str) -> str:
    """The output path of a petition's share card."""
    return f"petitions/{slug}/{CARD_FILE}"


@cache
def card_recipe() -> str:
    """What shapes a card besides what it says: the card code, the fonts, Pillow."""
    here = Path(__file__).resolve().parent
    code = digest([here / "cards.py", here / "fonts.py"], library_versions(["pillow"]))
    return f"{code} {default_fonts().digest}"


class Media:
    """Makes petitions' picture files and cards, keeping them in memory and in `folder`."""

    def __init__(self, site_name: str, folder: Path | None = None) -> None:
        self.site_name = site_name
        self.folder = folder
        self._memory: OrderedDict[str, tuple[str, bytes]] = OrderedDict()  # key -> tag, bytes

    def petition(self, petition: Petition, count: int) -> PetitionMedia:
        """The picture and card of a petition whose page shows `count` signatures."""
        folder_url = f"/petitions/{petition.slug}/"
        files: dict[str, bytes] = {}
        shown, panel = None, None
        picture = petition.image
        if picture is not None:
            made = self.picture_files(picture)
            files = {f"petitions/{petition.slug}/{name}": data for name, data in made.items()}
            every = pictures.variants(picture)
            webp = [v for v in every if v.format == "webp"]
            jpeg = [v for v in every if v.format == "jpeg"]
            widest = jpeg[-1]
            panel = made[widest.name]
            shown = Shown(
                pictures.srcset(webp, folder_url),
                pictures.srcset(jpeg, folder_url),
                folder_url + widest.name,
                widest.width,
                widest.height,
                picture.alt,
                picture.credit,
            )
        text = cards.CardText(
            petition.title,
            petition.target,
            cards.count_line(count, petition.status),
            self.site_name,
        )
        files[card_path(petition.slug)] = self.card(petition.slug, text, panel)
        alt = f"{petition.title}. To: {petition.target}. {text.count} on {self.site_name}."
        return PetitionMedia(shown, alt, files)

    def picture_files(self, picture: Picture) -> dict[str, bytes]:
        """Every variant of a picture by file name, made from its file where not kept."""
        every = pictures.variants(picture)
        kept = f"pictures/{pictures.recipe()}"
        found = {v.name: data for v in every if (data := self._get(kept, v.name))}
        missing = [v for v in every if v.name not in found]
        if missing:
            made = _encode(picture, missing)
            for name, data in made.items():
                self._put(kept, name, data)
            found.update(made)
        return {v.name: found[v.name] for v in every}

    def card(self, slug: str, text: cards.CardText, panel: bytes | None) -> bytes:
        """A petition's card PNG, drawn only when what it shows changed."""
        shown = repr((card_recipe(), text, hashlib.sha256(panel or b"").hexdigest()))
        tag = hashlib.sha256(shown.encode()).hexdigest()
        kept = self._get("cards", f"{slug}.card", tag)
        if kept is not None:
            return kept
        data = cards.render_card(text, default_fonts(), panel)
        self._put("cards", f"{slug}.card", data, tag)
        return data

    def _get(self, kind: str, name: str, tag: str = "") -> bytes | None:
        """What is kept under kind/name if it was kept with this tag, else None."""
        key = f"{kind}/{name}"
        hit = self._memory.get(key)
        if hit is None and self.folder is not None:
            try:
                stored, _, data = (self.folder / kind / name).read_bytes().partition(b"\n")
            except OSError:
                return None
            hit = self._remember(key, (stored.decode("ascii", "replace"), data))
        if hit is None or hit[0] != tag:
            return None
        self._memory.move_to_end(key)
        return hit[1]

    def _put(self, kind: str, name: str, data: bytes, tag: str = "") -> None:
        """Keep bytes under kind/name with a tag (what they were made from, when the name
        does not say it), in memory and in the folder: a line with the tag, then the bytes."""
        self._remember(f"{kind}/{name}", (tag, data))
        if self.folder is None:
            return
        where = self.folder / kind
        tmp = where / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            where.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(tag.encode("ascii") + b"\n" + data)
            os.replace(tmp, where / name)
        except OSError as e:
            raise ConfigError(f"{where}: cannot keep pictures and cards here ({e})") from e
        finally:
            tmp.unlink(missing_ok=True)

    def _remember(self, key: str, entry: tuple[str, bytes]) -> tuple[str, bytes]:
        self._memory[key] = entry
        self._memory.move_to_end(key)
        while len(self._memory) > MEMORY:
            self._memory.popitem(last=False)
        return entry


def _encode(picture: Picture, wanted: list[pictures.Variant]) -> dict[str, bytes]:
    """The wanted files of a picture, from its file (which must be the one loaded)."""
    try:
        data = Path(picture.path).read_bytes()
    except OSError as e:
        raise PictureError(f"{picture.path}: cannot be read ({e.strerror})") from e
    if hashlib.sha256(data).hexdigest() != picture.digest:
        raise PictureError(f"{picture.path}: changed during the build; build again")
    try:
        return pictures.encode(data, wanted)
    except pictures.PictureDecodeError as e:
        raise PictureError(f"{picture.path}: not a picture that can be resized ({e})") from e
