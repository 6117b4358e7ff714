"""The view layer's boundaries, read from the source: commands never import each other, no
view is left in `poolctl/commands/`, and every console and printer comes from the one
redacting factory (`poolctl/console.py`)."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "poolctl"
COMMANDS = sorted((PACKAGE / "commands").glob("*.py"))
# the reference worker prints its frames: stdout is its protocol, not poolctl's output
OWN_OUTPUT = [
    p for p in sorted(PACKAGE.rglob("*.py")) if "workers" not in p.relative_to(PACKAGE).parts
]


@functools.cache
def tree(path: Path) -> ast.Module:
    """`path` parsed once for every test of the module."""
    return ast.parse(path.read_text())


def imported(path: Path) -> set[str]:
    """Every module `path` imports (`from a.b import c` gives `a.b` and `a.b.c`)."""
    names: set[str] = set()
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@functools.cache
def call_nodes(path: Path) -> list[ast.Call]:
    """Every call in `path` (walked once for every test of the module)."""
    return [node for node in ast.walk(tree(path)) if isinstance(node, ast.Call)]


def calls(path: Path, name: str, *, methods: bool = True) -> list[int]:
    """The lines where `path` calls `name(...)`, and `something.name(...)` with `methods`."""
    out = []
    for node in call_nodes(path):
        func = node.func
        bare = isinstance(func, ast.Name) and func.id == name
        method = isinstance(func, ast.Attribute) and func.attr == name
        if bare or (methods and method):
            out.append(node.lineno)
    return out


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: p.name)
def test_a_command_imports_no_other_command(path: Path) -> None:
    # the index names every command (their help and examples) and imports none of them
    others = {m for m in imported(path) if m.startswith("poolctl.commands")}
    assert not {m for m in others if not m.startswith("poolctl.commands.index")}


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: p.name)
def test_no_view_in_commands(path: Path) -> None:
    """A command prints through a view of `poolctl/report/`: no markup, no rich of its own."""
    assert not {m for m in imported(path) if m.startswith("rich.") and "console" not in m}
    assert not calls(path, "print"), "a command prints through a view in poolctl/report/"
    assert "[/]" not in path.read_text(), "markup belongs to the views"


def test_every_console_and_printer_comes_from_the_factory() -> None:
    factory = PACKAGE / "console.py"
    consoles = [f"{p}:{n}" for p in OWN_OUTPUT if p != factory for n in calls(p, "Console")]
    prints = [f"{p}:{n}" for p in OWN_OUTPUT for n in calls(p, "print", methods=False)]
    assert not consoles, "make consoles with poolctl.console"
    assert not prints, "print through poolctl.console"
