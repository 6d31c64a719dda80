"""The package's layers, as folders: a module imports only from its own layer or the layers below it, and the
analyses and views never reach past the cleaned tables to the parsers or the raw-text reader."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "helpers"
LAYERS: tuple[str, ...] = ("core", "sources", "sheets", "tables", "analysis", "views", "pipeline")
"""Bottom to top; ``pipeline`` is the command line (``helpers/pipeline.py``)."""
NEVER_ABOVE_TABLES = ("helpers.sheets", "helpers.sources.raw_text")


def _layer(module: str) -> str | None:
    """``helpers.tables.store`` → ``tables``; the package root (``helpers``: CITIES, BY_CITY) has no layer."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def _imports(path: Path) -> list[str]:
    modules: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return [m for m in modules if m == "helpers" or m.startswith("helpers.")]


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        found.append((".".join(("helpers", *parts)).removesuffix(".__init__"), path))
    return found


@pytest.mark.parametrize(("module", "path"), _modules(), ids=[m for m, _ in _modules()])
def test_imports_run_downward_only(module, path):
    own = _layer(module)
    if own is None:
        return
    upward = [m for m in _imports(path) if (other := _layer(m)) and LAYERS.index(other) > LAYERS.index(own)]
    assert upward == [], f"{module} imports from a layer above it: {upward}"


@pytest.mark.parametrize(("module", "path"), [(m, p) for m, p in _modules() if _layer(m) in ("analysis", "views")])
def test_analyses_and_views_read_only_the_cleaned_tables(module, path):
    reached = [m for m in _imports(path) if m.startswith(NEVER_ABOVE_TABLES)]
    assert reached == [], f"{module} reaches past the tables: {reached}"


def test_every_module_sits_in_a_layer():
    loose = [m for m, _ in _modules() if m not in ("helpers", "helpers.pipeline") and _layer(m) is None]
    assert loose == []
