"""Build speed against Hugo and a naive Python loop, on one synthetic corpus per size.

    .venv/bin/python benchmarks/build.py [--sizes 1000,10000] [--no-hugo]

For each size it writes a seeded corpus (benchmarks/corpus.py) into a temporary folder,
then times, each as its own process so start-up counts: our cold full build (empty
cache), a no-change rebuild, one petition's body changed (its pages only), one petition's
title changed (its pages and the site-wide pages), a warm build after a
template change (Markdown cache populated), a warm `--full` build; Hugo (Debian's `hugo`,
installed with apt-get when missing) building the same files with an equivalent minimal
layout, into an empty and into an existing folder; and a naive one-process
Jinja2 + Markdown loop. Rebuilds that change one thing are each run three times (a fresh
change each time) and the fastest is kept: the machine is shared and noisy. Peak memory is
the largest process's maxrss (RUSAGE_CHILDREN of a wrapper around each run). Times are
ratios to Hugo's build into an empty folder in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_corpus
from hugo import ensure_hugo, write_hugo_site

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
NAIVE = Path(__file__).resolve().with_name("naive.py")
_MEASURE = """
import json, resource, subprocess, sys, time
t = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
seconds = time.perf_counter() - t
if done.returncode:
    sys.exit(done.stderr.decode()[-2000:])
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": seconds, "rss_kb": rss}))
"""


def measure(cmd: list[str], cwd: Path) -> dict[str, float]:
    """Wall time and peak RSS of one command run in a fresh wrapper process."""
    out = subprocess.run([PYTHON, "-c", _MEASURE, *cmd], cwd=cwd, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stderr}")
    return json.loads(out.stdout)


def ours(work: Path, *extra: str) -> list[str]:
    """The command line of one of our builds over the corpus in `work`."""
    return [
        PYTHON,
        str(ROOT / "build.py"),
        "--content",
        "content",
        "--templates",
        "templates",
        "--out",
        "out",
        "--cache",
        "cache",
        "--quiet",
        *extra,
    ]


def best_of(
    runs: int, cmd: list[str], cwd: Path, change: Callable[[int], None] | None = None
) -> dict[str, float]:
    """The fastest of `runs` measurements (the machine is shared and noisy), each after
    `change(i)` when given; peak memory is the largest seen."""
    results = []
    for i in range(runs):
        if change is not None:
            change(i)
        results.append(measure(cmd, cwd))
    fastest = min(results, key=lambda m: m["seconds"])
    return {"seconds": fastest["seconds"], "rss_kb": max(m["rss_kb"] for m in results)}


def run_size(
    n: int, hugo: bool, keep: bool, parent: Path | None = None, runs: int = 3
) -> list[tuple[str, dict[str, float]]]:
    """Every measurement at one corpus size, in the order they ran."""
    work = Path(tempfile.mkdtemp(prefix=f"petition-bench-{n}-", dir=parent))
    rows: list[tuple[str, dict[str, float]]] = []
    files: list[Path] = []

    def append_text(i: int) -> None:
        with files[i].open("a", encoding="utf-8") as f:
            f.write("\nOne more paragraph, added for the benchmark.\n")

    def rename(i: int) -> None:
        path = files[-1 - i]
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("title: Petition", "title: Renamed petition", 1), "utf-8")

    def touch_template(i: int) -> None:
        with (work / "templates" / "base.html").open("a", encoding="utf-8") as f:
            f.write(f"{{# benchmark: template change {i} #}}\n")

    try:
        files[:] = write_corpus(work / "content", n)
        shutil.copytree(ROOT / "templates", work / "templates")
        if hugo:
            write_hugo_site(work / "hugo", work / "content")
            hugo_cmd = ["hugo", "--quiet", "-s", str(work / "hugo"), "-d", str(work / "hugo-out")]
            rows.append(("hugo, empty output", measure(hugo_cmd, work)))
            rows.append(("hugo, existing output", measure(hugo_cmd, work)))
        rows.append(("ours, cold full (empty cache)", measure(ours(work), work)))
        rows.append(("ours, no change", best_of(runs, ours(work), work)))
        rows.append(
            ("ours, one petition's text changed", best_of(runs, ours(work), work, append_text))
        )
        rows.append(("ours, one petition's title changed", best_of(runs, ours(work), work, rename)))
        rows.append(("ours, warm (template changed)", best_of(1, ours(work), work, touch_template)))
        rows.append(("ours, warm --full", measure(ours(work, "--full"), work)))
        naive = [PYTHON, str(NAIVE), "content", "naive-out"]
        rows.append(("naive jinja2+markdown, 1 process", measure(naive, work)))
    finally:
        if keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return rows


def report(n: int, rows: list[tuple[str, dict[str, float]]]) -> str:
    """A Markdown table of one size's figures."""
    base = dict(rows).get("hugo, empty output")
    lines = [
        f"### {n:,} petitions",
        "",
        "| build | seconds | × Hugo full | peak RSS MB |",
        "|---|---|---|---|",
    ]
    for name, m in rows:
        ratio = f"{m['seconds'] / base['seconds']:.2f}" if base else "-"
        lines.append(f"| {name} | {m['seconds']:.2f} | {ratio} | {m['rss_kb'] / 1024:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes")
    parser.add_argument("--no-hugo", action="store_true", help="skip Hugo")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    parser.add_argument("--tmp", type=Path, default=None, help="where to make temporary folders")
    args = parser.parse_args(argv)
    hugo = not args.no_hugo
    if hugo:
        ensure_hugo()
    print(f"cores: {len(os.sched_getaffinity(0))}; python: {sys.version.split()[0]}")
    for n in (int(s) for s in args.sizes.split(",")):
        print(report(n, run_size(n, hugo, args.keep, args.tmp)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
