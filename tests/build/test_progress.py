"""A long build shows a progress bar on a terminal; anywhere else it stays one summary line."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest

from generator.build.engine import BuildOptions, build
from generator.build.progress import SILENT
from generator.commands import progress
from generator.commands.main import main
from tests.build.conftest import Project, petition_text


class Terminal(io.StringIO):
    """What a terminal would have been sent."""

    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_and_a_pipe_gets_none() -> None:
    assert isinstance(progress.for_terminal(Terminal()), progress.Bar)
    assert progress.for_terminal(io.StringIO()) is SILENT
    assert progress.for_terminal(Terminal(), quiet=True) is SILENT


class Recorder:
    """Progress as the engine reports it: each phase with its total and the items done."""

    def __init__(self) -> None:
        self.phases: list[list[object]] = []

    def phase(self, name: str, total: int) -> None:
        self.phases.append([name, total, 0])

    def advance(self, done: int) -> None:
        self.phases[-1][2] += done  # type: ignore[operator]

    def close(self) -> None:
        pass


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_counts_every_petition_read_and_rendered(project: Project, workers: int) -> None:
    for n in range(60):  # enough for the worker pool to take part when there are 2 workers
        project.write(f"petition-{n:02d}", petition_text(f"Petition {n}"))
    options = BuildOptions(
        project.content, project.templates, project.out, project.cache, workers=workers
    )
    seen = Recorder()

    build(replace(options, progress=seen))

    assert seen.phases == [["reading", 63, 63], ["rendering", 63, 63]]


def test_the_bar_is_drawn_for_each_phase(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "DELAY", 0)  # draw at once, however quick the build
    screen = Terminal()
    bar = progress.Bar(screen)
    options = BuildOptions(project.content, project.templates, project.out, project.cache)

    build(replace(options, workers=1, progress=bar))
    bar.close()

    drawn = screen.getvalue()
    assert "reading:" in drawn and "/3 " in drawn
    assert "rendering:" in drawn
    assert drawn.endswith("\r")  # cleared: the summary line follows on a clean line


def test_a_build_piped_elsewhere_prints_only_its_summary(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(project.args()) == 0

    out, err = capsys.readouterr()
    assert err == ""
    assert len(out.splitlines()) == 1 and out.startswith("built 3 petitions")
