"""The layout holds: stage packages, no import cycles, argparse only in the command layer.

import-linter (run by `make lint`) checks the layering contracts in pyproject.toml; these
tests check what a contract cannot say: no cycle at all, counting imports inside functions
and under TYPE_CHECKING, and where modules may sit.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import grimp

REPO = Path(__file__).resolve().parents[2]
CORE = {"__init__.py", "errors.py", "model.py", "milestones.py"}
STAGES = {
    "content", "render", "build", "signing", "store", "counting", "writeback", "upkeep", "ship",
    "local",
    "commands",
    "regions",
    "log",
}  # fmt: skip


def _graph() -> grimp.ImportGraph:
    functions = str(REPO / "functions")
    if functions not in sys.path:
        sys.path.insert(0, functions)
    return grimp.build_graph(
        "generator", "chalicelib", include_external_packages=True, cache_dir=None
    )


def _cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.find_modules_directly_imported_by(node) & modules:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_round_a_cycle() -> None:
    graph = _graph()
    ours = {m for m in graph.modules if m.split(".")[0] in ("generator", "chalicelib")}
    assert len(ours) > 50
    assert _cycles(graph, ours) == []


def test_a_cycle_would_be_caught() -> None:
    graph = grimp.ImportGraph()
    for name in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(name)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.z")
    graph.add_import(importer="a.z", imported="a.x")
    assert _cycles(graph, {"a.x", "a.y", "a.z"}) == [["a.x", "a.y", "a.z"]]


def test_only_the_command_layer_sees_argparse() -> None:
    users = _graph().find_modules_that_directly_import("argparse")
    assert users, "argparse is used by the command line"
    assert {u for u in users if not u.startswith("generator.commands")} == set()


def test_generator_holds_the_core_and_stage_packages_only() -> None:
    folder = REPO / "generator"
    modules = {p.name for p in folder.glob("*.py")}
    packages = {p.name for p in folder.iterdir() if (p / "__init__.py").is_file()}
    assert modules == CORE
    assert packages == STAGES


def test_the_lambda_app_never_imports_the_command_line() -> None:
    tree = ast.parse((REPO / "functions" / "app.py").read_text(encoding="utf-8"))
    imported = {
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert not [name for name in imported if name.startswith("generator.commands")]
