"""Fixtures for deploy tests: the real package built once per session, and a site folder.

Packaging runs the real `chalice package` (which pip-downloads requirements.txt) on the
repository's own functions/ and templates/ and the fixture content, into a temporary folder.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from generator.ship.package import Packaged, package
from tests.support.fixture_site import CONTENT

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"


@dataclass(frozen=True)
class Package:
    """The packaging result: its paths, the parsed template and the zip's member names."""

    packaged: Packaged
    template: dict[str, Any]
    members: frozenset[str]

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        """The template's resources of one CloudFormation type, by logical id."""
        return {name: r for name, r in self.template["Resources"].items() if r["Type"] == kind}


def listing(folder: Path) -> list[str]:
    """Every path under a folder (symlinks not followed), to show it was not changed."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture(scope="session")
def functions_before() -> list[str]:
    """Where packaging could leave files in functions/ (vendor/, .chalice/), before it ran."""
    return listing(FUNCTIONS / "vendor") + listing(FUNCTIONS / ".chalice")


@pytest.fixture(scope="session")
def packaged(
    tmp_path_factory: pytest.TempPathFactory, functions_before: list[str]
) -> Iterator[Package]:
    """`package` of the repository's function and templates with the fixture content, once."""
    root = tmp_path_factory.mktemp("package")
    result = package(
        root / "dist",
        functions=FUNCTIONS,
        content=CONTENT,
        templates=ROOT / "templates",
        region="us-east-1",
        work_dir=root / "work",
    )
    template = json.loads(result.template.read_text(encoding="utf-8"))
    with zipfile.ZipFile(result.zip) as archive:
        members = frozenset(archive.namelist())
    yield Package(result, template, members)
