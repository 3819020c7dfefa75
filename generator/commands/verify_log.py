"""`build.py verify-log URL|FOLDER`: audit a petition's public log, as a journalist or a
target would: its checkpoint's signature, every tile against the entries and the root, that
it only grew since an older checkpoint (`--since`), what its leaves add up to, and that the
petition's count file beside it shows that count (plus the signatures imported)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from generator.commands.report import reported


def arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `verify-log`."""
    parser.add_argument(
        "source",
        metavar="URL|FOLDER",
        help="the log: its URL (https://…/petitions/<slug>/log) or its folder; with --site,"
        " the site's URL or folder",
    )
    parser.add_argument(
        "--site",
        action="store_true",
        help="audit every petition the site lists in /data/petitions.json",
    )
    parser.add_argument(
        "--key",
        metavar="KEY",
        help="the log's public key, <name>+<key ID>+<base64 key> (default: site.yaml's"
        " log_key in --content)",
    )
    parser.add_argument(
        "--content",
        type=Path,
        default=Path("content"),
        metavar="DIR",
        help="the site's content folder in git, whose site.yaml names the key (default: content)",
    )
    parser.add_argument(
        "--since",
        type=Path,
        metavar="FILE",
        help="an older checkpoint saved earlier: the log must extend it (nothing removed)",
    )


def run(args: argparse.Namespace) -> int:
    """Audit the log and print its size and tallies; 1 with the failed check named."""
    from generator.errors import LogError
    from generator.log.fetch import beside, folder_fetch, http_fetch, is_url
    from generator.log.note import Verifier
    from generator.log.verify import audit_petition
    from generator.render.countfile import COUNT_FILE

    def audit(source: str, verifier: Verifier, since: bytes | None = None) -> list[str]:
        data, where = beside(source, COUNT_FILE)  # the log itself may not be out yet
        fetch = http_fetch(source) if is_url(source) else folder_fetch(Path(source))
        return audit_petition(fetch, data, where, verifier, since, str(args.since))

    def work() -> int:
        verifier = Verifier.parse(args.key or _site_key(args.content))
        if not args.site:
            since = args.since.read_bytes() if args.since is not None else None
            print("\n".join(audit(args.source, verifier, since)))
            return 0
        if args.since is not None:
            raise LogError("--since", "names one log's checkpoint: not with --site")
        slugs = _listed(args.source)
        for slug in slugs:
            lines = audit(_join(args.source, f"petitions/{slug}/log"), verifier)
            print(f"{slug}:", *(f"  {line}" for line in lines), sep="\n", flush=True)
        print(f"{len(slugs)} petitions' logs verified")
        return 0

    return reported(work, outcome="", after="; the log did not verify")


def _site_key(content: Path) -> str:
    """site.yaml's log_key in the content folder; a LogError when it names none."""
    from generator.content.loading import load_content
    from generator.errors import LogError

    key = load_content(content).site.log_key if (content / "site.yaml").is_file() else ""
    if not key:
        raise LogError("--key", f"give the log's public key: {content}/site.yaml names none")
    return key


def _join(source: str, path: str) -> str:
    """A path under a site given as a URL or a folder."""
    from generator.log.fetch import is_url

    if is_url(source):
        return f"{source.rstrip('/')}/{path}"
    return str(Path(source) / path)


def _listed(source: str) -> list[str]:
    """The slugs the site's open data lists (`/data/petitions.json`)."""
    from generator.errors import LogError
    from generator.log.fetch import fetch_from

    where = _join(source, "data/petitions.json")
    data = fetch_from(_join(source, "data"))("petitions.json")
    try:
        listed = json.loads(data)["petitions"]
        return [str(item["slug"]) for item in listed]
    except (ValueError, KeyError, TypeError):
        raise LogError(where, "does not list petitions with their slugs") from None
