"""The GitHub workflows pass actionlint, and deploy through an assumed role, never keys."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
MATCHER = ROOT / ".github" / "problem-matchers" / "content.json"


def _actionlint() -> str:
    beside = Path(sys.executable).parent / "actionlint"  # installed by the dev dependencies
    found = str(beside) if beside.is_file() else shutil.which("actionlint")
    assert found, "actionlint is missing: install the dev dependencies (pip install -e '.[dev]')"
    return found


def _lint(files: list[Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_actionlint(), "-no-color", "-shellcheck=", "-pyflakes=", *map(str, files)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _load(name: str) -> dict[Any, Any]:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def test_the_workflows_pass_actionlint() -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [f.name for f in files] == ["ci.yml", "deploy.yml"]

    run = _lint(files, ROOT)

    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout == ""


def test_actionlint_would_catch_a_mistake(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "deploy.yml"
    broken.parent.mkdir(parents=True)
    text = (WORKFLOWS / "deploy.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace("needs: test", "needs: tests"), encoding="utf-8")
    shutil.copy(WORKFLOWS / "ci.yml", broken.parent / "ci.yml")

    run = _lint([broken], tmp_path)

    assert run.returncode == 1
    assert '"tests"' in run.stdout


def test_pull_requests_build_and_test_and_main_deploys_after_them() -> None:
    ci, deploy = _load("ci.yml"), _load("deploy.yml")
    ci_on, deploy_on = ci[True], deploy[True]  # YAML 1.1 reads the key `on` as True

    assert "pull_request" in ci_on and "workflow_call" in ci_on
    steps = " ".join(step.get("run", "") for step in ci["jobs"]["test"]["steps"])
    assert "make build" in steps and "bash .ci/run" in steps
    assert deploy_on["push"]["branches"] == ["main"]
    assert deploy["jobs"]["test"]["uses"] == "./.github/workflows/ci.yml"
    assert deploy["jobs"]["deploy"]["needs"] == "test"


def test_deploy_assumes_a_role_through_oidc_and_stores_no_aws_keys() -> None:
    deploy = _load("deploy.yml")
    job = deploy["jobs"]["deploy"]
    (credentials,) = [
        s
        for s in job["steps"]
        if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")
    ]
    text = (WORKFLOWS / "deploy.yml").read_text(encoding="utf-8")

    assert job["permissions"] == {"id-token": "write", "contents": "read"}
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE }}"
    assert not re.search(r"aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY", text)
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    for command in (
        "python build.py package",
        "aws cloudformation package",
        "aws cloudformation deploy",
        "python build.py --full --store",
        "python build.py deploy --bucket",
        "python build.py notify --store",
    ):
        assert command in runs, command
    assert runs.index("cloudformation deploy") < runs.index("build.py --full --store")
    assert runs.index("build.py deploy --bucket") < runs.index("build.py notify")  # pages live


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "content/petitions/pool.md:12: status: expected one of open, closed, won, got 'x'",
            (
                "content/petitions/pool.md",
                "12",
                "status: expected one of open, closed, won, got 'x'",
            ),
        ),
        (
            "content/site.yaml:3: time_zone: unknown",
            ("content/site.yaml", "3", "time_zone: unknown"),
        ),
        ("built 4 petitions in 0.3 s", None),
    ],
)
def test_the_problem_matcher_turns_content_errors_into_annotations(
    line: str, expected: tuple[str, str, str] | None
) -> None:
    (pattern,) = json.loads(MATCHER.read_text(encoding="utf-8"))["problemMatcher"][0]["pattern"]
    match = re.match(pattern["regexp"], line)

    found = (
        None
        if match is None
        else (match[pattern["file"]], match[pattern["line"]], match[pattern["message"]])
    )
    assert found == expected
