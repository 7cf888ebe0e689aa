"""The layout ARCHITECTURE.md promises (issue 17), kept: rooms, short modules, imports one way.

A module that grows past the limit, a new module at the top of ``scheduler/`` or an
import that closes a circle fails here, where it is cheap to fix, rather than being
found in a later review.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("scheduler", "forecasts", "calendars")
MAX_MODULE_LINES = 600
MAX_SCHEDULER_TOP_MODULES = 8


def library_modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the three library packages."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


def imported_modules(path: Path, modules: dict[str, Path]) -> set[str]:
    """The library modules ``path`` imports, at its top or inside a function (both can close a circle)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        found.update(name for name in names if name in modules)
    return found


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
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
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_library_module_is_over_the_limit() -> None:
    modules = library_modules()
    long = {
        name: n
        for name, path in modules.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}, f"split these by idea (at most {MAX_MODULE_LINES} lines each): {long}"


def test_scheduler_top_holds_few_modules_and_the_rest_in_rooms() -> None:
    top = sorted(path.name for path in (ROOT / "scheduler").glob("*.py"))
    assert len(top) <= MAX_SCHEDULER_TOP_MODULES, top
    for name in top:
        assert f"`{name}`" in (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8") or name == "__init__.py", (
            f"scheduler/{name} is not on the map in ARCHITECTURE.md"
        )


def test_no_import_circle() -> None:
    modules = library_modules()
    graph = {
        name: {other for other in imported_modules(path, modules) if other != name} for name, path in modules.items()
    }
    assert circles(graph) == []


def test_the_circle_finder_finds_a_circle() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []
