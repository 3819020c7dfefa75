"""Options several commands share: the folders they read and write, and the store."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

DEFAULT_STORE = "sqlite:///.data/signatures.db"
STORE_ENV = "PETITION_STORE"


def content_arguments(parser: argparse.ArgumentParser) -> None:
    """--content and --templates."""
    parser.add_argument(
        "--content",
        type=Path,
        default=Path("content"),
        metavar="DIR",
        help="content folder with site.yaml and petitions/ (default: content)",
    )
    parser.add_argument(
        "--templates",
        type=Path,
        default=Path("templates"),
        metavar="DIR",
        help="templates folder (default: templates)",
    )


def output_arguments(parser: argparse.ArgumentParser) -> None:
    """--out and --cache, of the commands that build the site."""
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("_site"),
        metavar="DIR",
        help="output folder (default: _site)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(".cache"),
        metavar="DIR",
        help="cache of rendered Markdown and parsed content (default: .cache)",
    )


def store_arguments(parser: argparse.ArgumentParser) -> None:
    """--store, defaulting to $PETITION_STORE, else the local SQLite file."""
    parser.add_argument(
        "--store",
        metavar="URL",
        default=os.environ.get(STORE_ENV) or DEFAULT_STORE,
        help=f"signature store URL (default: ${STORE_ENV}, else {DEFAULT_STORE})",
    )


def store_and_content_arguments(parser: argparse.ArgumentParser) -> None:
    """--store and --content, of the maintenance commands."""
    store_arguments(parser)
    parser.add_argument(
        "--content",
        type=Path,
        default=Path("content"),
        metavar="DIR",
        help="content folder whose petitions are included (default: content; skipped if absent)",
    )
