"""A link under templates/ that leads out of it is refused: nothing is read through it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.commands.main import main
from tests.build.conftest import Project


@pytest.mark.parametrize("where", ["static/leak.css", "leak.html", "static/elsewhere"])
def test_a_template_link_out_of_templates_is_refused(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "key.txt").write_text("build machine secret")
    target = secret if where.endswith("elsewhere") else secret / "key.txt"
    os.symlink(target, project.templates / where)

    assert main(project.args()) == 1

    err = capsys.readouterr().err
    assert f"{project.templates / where}: a link to outside" in err
    assert "refused, nothing is read through it" in err
    assert not project.out.exists()


def test_a_link_within_templates_is_fine(project: Project) -> None:
    os.symlink("style.css", project.templates / "static" / "copy.css")

    assert main(project.args()) == 0
    assert list((project.out / "assets").glob("copy.*.css"))
