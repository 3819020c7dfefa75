"""`build.py deploy`: upload the built site to S3 and invalidate its changed pages."""

from __future__ import annotations

import argparse
from pathlib import Path

from generator.commands.report import reported


def arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `deploy`."""
    parser.add_argument("--bucket", required=True, help="S3 bucket the site is served from")
    parser.add_argument(
        "--distribution", metavar="ID", default=None, help="CloudFront distribution to invalidate"
    )
    parser.add_argument(
        "--site",
        type=Path,
        default=Path("_site"),
        metavar="DIR",
        help="the built site (default: _site)",
    )
    parser.add_argument(
        "--all",
        dest="everything",
        action="store_true",
        help="upload every file, even unchanged ones (after a change of headers)",
    )


def run(args: argparse.Namespace) -> int:
    """Upload the built site and print what changed."""
    from generator.ship.deploy import SiteSync, clients

    def work() -> int:
        s3, cloudfront = clients()
        sync = SiteSync(s3, args.bucket, cloudfront, args.distribution)
        print(sync.deploy(args.site, everything=args.everything).summary())
        return 0

    return reported(work, outcome="nothing was uploaded")
