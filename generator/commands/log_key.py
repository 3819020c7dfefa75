"""`build.py log-key`: the public key that signs the petitions' log checkpoints, to put in
site.yaml as `log_key`: PETITION_LOG_KEY's if it is set, else the one `serve` keeps in
.data/. With `--new NAME`, new keys for a deploy: the two secrets, then the public key."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from generator.commands.report import reported


def arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `log-key`."""
    parser.add_argument(
        "--new",
        metavar="NAME",
        help="make new keys signing under NAME (the site's host, e.g. petitions.example.org)"
        " and print them as PETITION_LOG_KEY=… and PETITION_LOG_ID_KEY=… lines for the"
        " deploy's secrets, then the public key",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(".data"),
        metavar="DIR",
        help="where `serve` keeps its local keys (default: .data)",
    )


def run(args: argparse.Namespace) -> int:
    """Print the public key (or new keys); 1 with what is wrong."""
    import secrets

    from generator.log.keys import ID_KEY_ENV, KEY_ENV, LOCAL_NAME, MIN_ID_KEY, log_keys
    from generator.log.note import Signer

    def work() -> int:
        if args.new is not None:
            signer = Signer.generate(args.new)
            print(f"{KEY_ENV}={signer.secret()}")
            print(f"{ID_KEY_ENV}={secrets.token_hex(MIN_ID_KEY)}")
            print(f"log_key: {signer.verifier}")
            return 0
        keys = log_keys(LOCAL_NAME, os.environ, args.data)
        print(f"log_key: {keys.signer.verifier}")
        return 0

    return reported(work, outcome="", after="")
