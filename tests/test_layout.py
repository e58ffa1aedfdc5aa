"""The layout keeps itself: sub-packages import only downward, no two modules or sub-packages
import each other, and no module reaches for another's private names.

Imports inside functions count (they run too); imports under `if TYPE_CHECKING:` do not.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "practice"

# Lowest first: a module may import its own layer and the layers before it. The web pages sit
# beside the CLI, both over the application layer; the CLI's `practice app` starts them.
LAYERS = ("core", "speech", "judgment", "history", "journey", "app", "web", "cli")
TOP_MODULES = {"practice": -1, "practice.runtime": len(LAYERS), "practice.__main__": len(LAYERS)}
MAX_LOOSE_MODULES = 8


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return skip


def _resolve(source: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = source.split(".") if is_package else source.split(".")[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def imports(known: dict[str, Path]) -> tuple[list[Edge], list[str]]:
    """Every import of a practice module, and every use of another module's private name."""
    edges: list[Edge] = []
    private: list[str] = []
    for name, path in known.items():
        tree = ast.parse(path.read_text(), str(path))
        skip = _type_checking_nodes(tree)
        bound: dict[str, str] = {}  # local name -> practice module it names
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in known:
                        edges.append(Edge(name, alias.name, node.lineno))
                        if alias.asname:
                            bound[alias.asname] = alias.name
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, path.name == "__init__.py", node)
                if not base.startswith("practice"):
                    continue
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    if full in known:  # a module: from practice.speech import audio
                        edges.append(Edge(name, full, node.lineno))
                        bound[alias.asname or alias.name] = full
                    else:  # a name inside a module
                        edges.append(Edge(name, base, node.lineno))
                        if alias.name.startswith("_") and not alias.name.startswith("__"):
                            private.append(f"{name}:{node.lineno} imports {base}.{alias.name}")
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in bound
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                private.append(f"{name}:{node.lineno} uses {bound[node.value.id]}.{node.attr}")
    return [e for e in edges if e.source != e.target], private


def layer(module: str) -> int:
    if module in TOP_MODULES:
        return TOP_MODULES[module]
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in LAYERS:
        return LAYERS.index(parts[1])
    raise AssertionError(f"{module} is in no layer: put it in one of {', '.join(LAYERS)}")


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


@pytest.fixture(scope="module")
def graph() -> tuple[dict[str, Path], list[Edge], list[str]]:
    known = modules()
    edges, private = imports(known)
    return known, edges, private


def test_every_module_sits_in_a_layer(graph: tuple[dict[str, Path], list[Edge], list[str]]) -> None:
    known, _, _ = graph
    for name in known:
        layer(name)


def test_imports_only_go_down(graph: tuple[dict[str, Path], list[Edge], list[str]]) -> None:
    _, edges, _ = graph
    upward = [
        f"{e.source}:{e.line} imports {e.target}"
        for e in edges
        if layer(e.target) > layer(e.source)
    ]
    assert not upward, "a lower layer imports a higher one:\n" + "\n".join(upward)


def test_no_two_modules_import_each_other(
    graph: tuple[dict[str, Path], list[Edge], list[str]],
) -> None:
    _, edges, _ = graph
    modules_graph: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        modules_graph[e.source].add(e.target)
    assert cycles(modules_graph) == []


def test_no_two_subpackages_import_each_other(
    graph: tuple[dict[str, Path], list[Edge], list[str]],
) -> None:
    _, edges, _ = graph
    packages: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        a, b = e.source.split(".")[:2], e.target.split(".")[:2]
        if a != b and len(a) == len(b) == 2:
            packages[a[1]].add(b[1])
    assert cycles(packages) == []


def test_no_module_imports_another_ones_private_names(
    graph: tuple[dict[str, Path], list[Edge], list[str]],
) -> None:
    _, _, private = graph
    assert not private, "\n".join(private)


STORE = "practice.history.store"  # the one module that speaks SQL
SQL_TEXT = re.compile(
    r"^\s*(SELECT|INSERT|UPDATE|DELETE FROM|CREATE|ALTER|DROP|PRAGMA|BEGIN|COMMIT)\b"
)


def sql_users(known: dict[str, Path]) -> list[str]:
    """Modules other than the store that import sqlite3 or hold a string of SQL."""
    found = []
    for name, path in known.items():
        if name == STORE:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import) and any(a.name == "sqlite3" for a in node.names):
                found.append(f"{name}:{node.lineno} imports sqlite3")
            elif isinstance(node, ast.ImportFrom) and node.module == "sqlite3":
                found.append(f"{name}:{node.lineno} imports from sqlite3")
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and SQL_TEXT.match(node.value)
            ):
                found.append(f"{name}:{node.lineno} has SQL: {node.value[:40]!r}")
    return found


def test_all_sql_is_in_the_store(graph: tuple[dict[str, Path], list[Edge], list[str]]) -> None:
    known, _, _ = graph
    assert STORE in known
    assert not sql_users(known), "SQL outside the store:\n" + "\n".join(sql_users(known))


def test_few_modules_are_left_loose_at_the_top() -> None:
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(loose) <= MAX_LOOSE_MODULES, loose
    assert len([p for p in PACKAGE.iterdir() if (p / "__init__.py").exists()]) >= 4


def test_the_checker_sees_what_it_must(tmp_path: Path) -> None:
    # The rules catch what they are for, on modules made for the purpose.
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    assert (
        layer("practice.core.errors") < layer("practice.speech.audio") < layer("practice.cli.main")
    )
    assert layer("practice.app.rehearse") < layer("practice.web.server") < layer("practice.cli.web")
    src = tmp_path / "m.py"
    src.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import x\n"
        "def f():\n    import y\n"
    )
    tree = ast.parse(src.read_text())
    skipped = _type_checking_nodes(tree)
    kinds = [
        ast.unparse(n) for n in ast.walk(tree) if isinstance(n, ast.Import) and id(n) not in skipped
    ]
    assert kinds == ["import y"]
    pkg = tmp_path / "practice"
    (pkg / "journey").mkdir(parents=True)
    (pkg / "journey" / "j.py").write_text('import sqlite3\nQ = "SELECT 1"\nDOC = "Select one"\n')
    found = sql_users({"practice.journey.j": pkg / "journey" / "j.py"})
    assert [f.split(" ", 1)[1] for f in found] == ["imports sqlite3", "has SQL: 'SELECT 1'"]


def test_the_error_family_lives_in_one_module() -> None:
    errors = PACKAGE / "core" / "errors.py"
    tree = ast.parse(errors.read_text())
    family = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    assert "PracticeError" in family
    strays = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == errors:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any(
                ast.unparse(base).rsplit(".", 1)[-1] in family for base in node.bases
            ):
                strays.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}")
    assert not strays, "define these in practice/core/errors.py:\n" + "\n".join(strays)
