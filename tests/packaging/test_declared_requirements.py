"""Every third-party module the library imports is declared in pyproject.toml.

A user installs with `pip install .`, which installs only what pyproject declares; an
undeclared import works on a developer machine (where the test extras brought it in) and
fails for the user. Reading the import statements with `ast` finds imports inside
functions too (the CLI imports its heavy libraries lazily).
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIBRARY_PACKAGES = ("scheduler", "forecasts", "calendars")

# Distribution name → top-level module name, where they differ.
MODULE_OF_DISTRIBUTION = {"python-dateutil": "dateutil", "pyyaml": "yaml", "dask[distributed]": "dask", "pillow": "PIL"}


def _imported_top_level_modules() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for package in LIBRARY_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return found


def _requirement_module(requirement: str) -> str:
    name = re.split(r"[<>=!~;\s]", requirement.strip(), maxsplit=1)[0].lower()
    return MODULE_OF_DISTRIBUTION.get(name, name.split("[")[0].replace("-", "_"))


def _declared_modules() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    required = {_requirement_module(r) for r in project["dependencies"]}
    optional = {
        _requirement_module(r)
        for extra, requirements in project.get("optional-dependencies", {}).items()
        if extra != "test"
        for r in requirements
    }
    return required, optional


def test_every_library_import_is_declared() -> None:
    required, optional = _declared_modules()
    own = set(LIBRARY_PACKAGES)
    undeclared = {
        module: sorted(paths)
        for module, paths in _imported_top_level_modules().items()
        if module not in sys.stdlib_module_names
        and module not in own
        and module not in required
        and module not in optional
    }
    assert undeclared == {}, f"imported by library code but not declared in pyproject.toml: {undeclared}"


def test_declared_requirements_are_used() -> None:
    required, _ = _declared_modules()
    imported = set(_imported_top_level_modules())
    # tzdata is data for zoneinfo, never imported by name.
    unused = sorted(required - imported - {"tzdata"})
    assert unused == [], f"declared in pyproject.toml but never imported: {unused}"
