"""The fonts share cards are drawn in: DejaVu Sans, from Debian's `fonts-dejavu-core`.

Nothing is downloaded. The files are looked for in the folder `PETITION_FONTS` names (when
set, only there), else in Debian's folder, else in `fonts/` beside the `generator` package,
where `build.py package` puts them for the write-back Lambda.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from generator.errors import ConfigError

FONTS_ENV = "PETITION_FONTS"
DEBIAN_FOLDER = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core
PACKAGED_FOLDER = Path(__file__).resolve().parents[2] / "fonts"  # the Lambda zip's
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"


@dataclass(frozen=True)
class Fonts:
    """The two font files a card uses, and a digest of their bytes."""

    regular: Path
    bold: Path
    digest: str


def font_folders(environ: Mapping[str, str] = os.environ) -> tuple[Path, ...]:
    """Where the fonts are looked for, in order."""
    chosen = environ.get(FONTS_ENV, "").strip()
    return (Path(chosen),) if chosen else (DEBIAN_FOLDER, PACKAGED_FOLDER)


def find_fonts(folders: tuple[Path, ...] | None = None) -> Fonts:
    """The card fonts from the first folder holding both (default: font_folders());
    ConfigError saying how to install them when none does."""
    folders = font_folders() if folders is None else folders
    for folder in folders:
        regular, bold = folder / REGULAR, folder / BOLD
        if regular.is_file() and bold.is_file():
            return Fonts(regular, bold, _digest(regular, bold))
    where = ", ".join(str(f) for f in folders)
    raise ConfigError(
        f"share cards need the fonts {REGULAR} and {BOLD}, not found in {where}: install the"
        f" Debian package fonts-dejavu-core (`make system`), or set {FONTS_ENV} to a folder"
        " holding them"
    )


@cache
def default_fonts() -> Fonts:
    """find_fonts() once per process."""
    return find_fonts()


def fonts_digest() -> str:
    """The default fonts' digest, or "missing" (a build then fails at its first card)."""
    try:
        return default_fonts().digest
    except ConfigError:
        return "missing"


def _digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()
