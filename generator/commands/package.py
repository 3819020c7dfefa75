"""`build.py package`: the signing function and the AWS stack template, ready to deploy."""

from __future__ import annotations

import argparse
from pathlib import Path

from generator.commands.report import reported
from generator.ship.package import DEFAULT_REGION, TEMPLATE, ZIP


def arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `package`."""
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("dist"),
        metavar="DIR",
        help=f"where {TEMPLATE} and {ZIP} are written (default: dist)",
    )
    parser.add_argument(
        "--functions",
        type=Path,
        default=Path("functions"),
        metavar="DIR",
        help="the Chalice project (default: functions)",
    )
    parser.add_argument(
        "--content",
        type=Path,
        default=Path("content"),
        metavar="DIR",
        help="content folder packaged with the function (default: content)",
    )
    parser.add_argument(
        "--templates",
        type=Path,
        default=Path("templates"),
        metavar="DIR",
        help="templates the write-back renders with (default: templates)",
    )
    parser.add_argument(
        "--region",
        default=None,
        help=f"AWS region named in the template (default: $AWS_REGION, else {DEFAULT_REGION})",
    )


def run(args: argparse.Namespace) -> int:
    """Package the function; print content errors like the build does, or what was written."""
    from generator.ship.package import package

    def work() -> int:
        packaged = package(
            args.out,
            functions=args.functions,
            content=args.content,
            templates=args.templates,
            region=args.region,
        )
        print(packaged.summary())
        return 0

    return reported(work, outcome="nothing was packaged")
