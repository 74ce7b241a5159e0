"""The package layers point one way, and no module imports itself in a circle.

    imr_cli      the command line                   may import everything below
    search_ui    web UI and JSON API                imr_search, mappings
    synthetic    generated letters                  indexer, mappings, clinical
    indexer      letters -> records -> documents    imr_search, mappings, clinical
    imr_search   query language, contract, engines  mappings, clinical
    mappings     the item schema, the index         nothing of the project
    clinical     rules that read clinical text       nothing of the project

Every import counts, including imports inside functions and under TYPE_CHECKING (a lazy
import is still a dependency). The README's "How it is built" draws the same table.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED: dict[str, set[str]] = {
    "mappings": set(),
    "clinical": set(),
    "imr_search": {"mappings", "clinical"},
    "indexer": {"imr_search", "mappings", "clinical"},
    "synthetic": {"indexer", "mappings", "clinical"},
    "search_ui": {"imr_search", "mappings"},
    "imr_cli": {"search_ui", "synthetic", "indexer", "imr_search", "mappings", "clinical"},
}
PRODUCT_MAX_LINES = 500


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in ALLOWED
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules a file imports (a `from package import module` counts as the
    module, else as the package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            names = [n if n in modules else node.module for n in names]
        else:
            continue
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def test_packages_import_only_the_layers_below() -> None:
    wrong = []
    for module, targets in _graph().items():
        package = module.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if other != package and other not in ALLOWED[package]:
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports against the layers:\n" + "\n".join(sorted(wrong))


def test_no_module_imports_itself_in_a_circle() -> None:
    graph = _graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            # A package's __init__ importing its own modules is how packages expose them;
            # a module importing its package's __init__ back would be a circle.
            if state.get(target) == 1:
                cycles.append(path[path.index(target) :] + [target])
            elif target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_product_modules_stay_small(package: str) -> None:
    """A module a newcomer reads in one sitting (data files are not modules)."""
    long = {
        str(path.relative_to(ROOT)): n
        for path in (ROOT / package).rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > PRODUCT_MAX_LINES
    }
    assert not long, long
