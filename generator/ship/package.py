"""Packaging the signing function: `python build.py package [--out DIR]`.

The Chalice project in `functions/` is copied into a staging folder (the checkout is never
written to): the `vendor/generator` symlink becomes a real copy, and the content and
templates go under the staging `vendor/`, which Chalice puts at the zip's root, where the
app looks for `content/` and `templates/` by default; so do the share cards' fonts
(`fonts/`, from Debian's fonts-dejavu-core here), which the write-back draws cards with.
`chalice package` then writes the deployment zip and a SAM template merged with
`functions/infra/stack.json`, the rest of the stack (table, site bucket, CloudFront, IAM).
Both land in the output folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from generator.errors import PetitionSiteError
from generator.render.fonts import find_fonts

STAGE = "api"
TEMPLATE = "sam.json"  # Chalice's names for what it writes
ZIP = "deployment.zip"
MERGE_TEMPLATE = Path("infra") / "stack.json"  # inside the functions folder
DEFAULT_REGION = "us-east-1"  # only names the region in generated ARNs; the deploy picks its own
CHALICE_TIMEOUT = 600  # seconds; it pip-downloads requirements.txt for Lambda's platform
_NOT_SHIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", ".*", "deployments")


class PackageError(PetitionSiteError):
    """The function could not be packaged; says which folder or step and why."""


@dataclass(frozen=True)
class Packaged:
    """What `package` wrote: the CloudFormation template and the deployment zip beside it."""

    template: Path
    zip: Path

    def summary(self) -> str:
        """One line for the console."""
        size = self.zip.stat().st_size / 1_000_000
        return f"packaged: {self.template} and {self.zip} ({size:.1f} MB)"


def stage(functions: Path, content: Path, templates: Path, into: Path) -> Path:
    """Lay out a packable copy of the Chalice project in `into`; returns the project folder."""
    for folder, what in ((functions, "functions"), (content, "content"), (templates, "templates")):
        if not folder.is_dir():
            raise PackageError(f"{folder}: no {what} folder here")
    if not (functions / ".chalice" / "config.json").is_file():
        raise PackageError(f"{functions}: not a Chalice project (no .chalice/config.json)")
    project = into / "functions"
    vendor = project / "vendor"
    try:
        shutil.copytree(functions, project, ignore=_NOT_SHIPPED)  # follows vendor/generator
        shutil.copytree(functions / ".chalice", project / ".chalice", ignore=_NOT_SHIPPED)
        for name, source in (("content", content), ("templates", templates)):
            shutil.rmtree(vendor / name, ignore_errors=True)  # a stale copy from elsewhere
            shutil.copytree(source, vendor / name, ignore=_NOT_SHIPPED)
        fonts = find_fonts()  # ConfigError saying how to install them when missing
        (vendor / "fonts").mkdir(exist_ok=True)
        for font in (fonts.regular, fonts.bold):
            shutil.copyfile(font, vendor / "fonts" / font.name)
    except OSError as exc:
        raise PackageError(f"{into}: cannot stage the function ({exc})") from exc
    if not (vendor / "generator" / "__init__.py").is_file():
        raise PackageError(
            f"{functions / 'vendor' / 'generator'}: the generator package is missing"
        )
    return project


def run_chalice(project: Path, out: Path, merge_template: Path, region: str) -> None:
    """Run `chalice package` for the stage `api` with our template merged into Chalice's."""
    env = {**os.environ, "AWS_DEFAULT_REGION": region, "AWS_EC2_METADATA_DISABLED": "true"}
    command = [
        sys.executable,
        "-c",
        "import sys; from chalice.cli import main; sys.exit(main())",
        "package",
        "--stage",
        STAGE,
        "--merge-template",
        str(merge_template),
        str(out),
    ]
    try:
        done = subprocess.run(
            command, cwd=project, env=env, capture_output=True, text=True, timeout=CHALICE_TIMEOUT
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PackageError(f"{project}: chalice package did not finish ({exc})") from exc
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise PackageError(f"{project}: chalice package failed (exit {done.returncode}):\n{tail}")


def package(
    out: Path,
    *,
    functions: Path,
    content: Path,
    templates: Path,
    region: str | None = None,
    work_dir: Path | None = None,
) -> Packaged:
    """Package the function and the stack into `out` (sam.json and deployment.zip).

    The content is validated first, so a broken petition fails here with its file and line
    rather than in Lambda. Raises ContentErrors or PackageError; `out` is only written once
    Chalice succeeded.
    """
    from generator.content.loading import load_content

    load_content(content)
    merge_template = (functions / MERGE_TEMPLATE).resolve()
    if not merge_template.is_file():
        raise PackageError(f"{merge_template}: the stack template is missing")
    region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if work_dir is not None:
        work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="package-", dir=work_dir) as staging:
        root = Path(staging)
        project = stage(functions, content, templates, root)
        run_chalice(project, root / "out", merge_template, region or DEFAULT_REGION)
        try:
            out.mkdir(parents=True, exist_ok=True)
            for name in (TEMPLATE, ZIP):
                shutil.copyfile(root / "out" / name, out / name)
        except OSError as exc:
            raise PackageError(f"{out}: cannot write the package ({exc})") from exc
    return Packaged(out / TEMPLATE, out / ZIP)
