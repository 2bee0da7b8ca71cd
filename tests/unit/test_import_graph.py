"""The import graph of `selector/`: no cycle anywhere, and a scoring core that imports only itself.

The graph is read from the source with `ast`, so every import counts wherever it is written:
at the top of a module, inside a function, or under `if TYPE_CHECKING:`. `from a import b`
is an edge to the module `a.b` when `a/b.py` (or the package `a/b/`) exists, else to `a`;
relative imports are resolved against the importing module's package.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Import:
    """One import statement's target, where it is written."""

    target: str
    path: Path
    line: int

    def where(self) -> str:
        try:
            shown = self.path.relative_to(ROOT)
        except ValueError:
            shown = self.path
        return f"{shown}:{self.line}"


def module_files(package_dir: Path) -> dict[str, Path]:
    """Module name -> file, for every .py file of the package at `package_dir`."""
    base = package_dir.parent
    modules: dict[str, Path] = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(base).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _imported(node: ast.AST, module: str, is_package: bool, known: set[str]) -> Iterator[str]:
    """The modules one `import` or `from ... import` statement names."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            package = module if is_package else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            source = f"{package}.{node.module}" if node.module else package
        else:
            source = node.module or ""
        for alias in node.names:
            submodule = f"{source}.{alias.name}"
            yield submodule if submodule in known else source


def import_graph(package_dir: Path) -> dict[str, list[Import]]:
    """module -> the imports it makes of other modules of the same package (any depth)."""
    files = module_files(package_dir)
    known = set(files)
    graph: dict[str, list[Import]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        edges: list[Import] = []
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for target in _imported(node, module, is_package, known):
                if target in known and target != module:
                    edges.append(Import(target, path, node.lineno))
        graph[module] = edges
    return graph


def external_imports(package_dir: Path) -> dict[str, list[Import]]:
    """module -> every import it makes (targets as written, relative ones resolved)."""
    files = module_files(package_dir)
    known = set(files)
    found: dict[str, list[Import]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        found[module] = [
            Import(target, path, node.lineno)
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for target in _imported(node, module, is_package, known)
        ]
    return found


def knots(graph: Mapping[str, list[Import]]) -> list[list[str]]:
    """The strongly connected groups of two or more modules (Tarjan's algorithm): each
    module of a group reaches every other through imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(start: str) -> None:
        # iterative Tarjan: (node, iterator over its targets)
        work = [(start, iter(dict.fromkeys(i.target for i in graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(dict.fromkeys(i.target for i in graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            connect(module)
    return sorted(groups)


def cycles(graph: Mapping[str, list[Import]]) -> list[list[Import]]:
    """One cycle (as the imports that make it) for each knot: the shortest way from its
    first module back to itself."""
    found = []
    for group in knots(graph):
        members = set(group)
        start = group[0]
        # breadth-first from `start` inside the group, back to `start`
        came_by: dict[str, Import] = {}
        frontier = [start]
        closing: Import | None = None
        while frontier and closing is None:
            following = []
            for node in frontier:
                for edge in graph[node]:
                    if edge.target == start:
                        closing = edge
                        break
                    if edge.target in members and edge.target not in came_by:
                        came_by[edge.target] = edge
                        following.append(edge.target)
                if closing is not None:
                    break
            frontier = following
        assert closing is not None
        path = [closing]
        node = _source(closing, graph)
        while node != start:
            edge = came_by[node]
            path.append(edge)
            node = _source(edge, graph)
        found.append(path[::-1])
    return found


def _source(edge: Import, graph: Mapping[str, list[Import]]) -> str:
    return next(module for module, edges in graph.items() if edge in edges)


def describe(cycle: list[Import], graph: Mapping[str, list[Import]]) -> str:
    """"a -> b -> a" and where each of those imports is written."""
    names = [_source(edge, graph) for edge in cycle] + [cycle[-1].target]
    lines = [" -> ".join(names)]
    lines += [f"  {_source(e, graph)} imports {e.target} at {e.where()}" for e in cycle]
    return "\n".join(lines)


# --- the rules of selector/ -----------------------------------------------------------------


def test_no_module_of_selector_takes_part_in_an_import_cycle():
    graph = import_graph(ROOT / "selector")
    found = [
        f"{describe(cycle, graph)}\n  (the modules caught in it: {', '.join(knot)})"
        for knot, cycle in zip(knots(graph), cycles(graph), strict=True)
    ]
    assert not found, "import cycles in selector/:\n" + "\n".join(found)


FORBIDDEN_IN_THE_CORE = ("flask", "flask_babel", "flask_login", "flask_wtf", "sqlalchemy")


def outside_the_core(package_dir: Path, core: str = "selector.scoring") -> list[str]:
    """Each import of the core that reaches Flask, SQLAlchemy or the rest of the package."""
    own = package_dir.name
    outside = []
    for module, imports in external_imports(package_dir).items():
        if module != core and not module.startswith(core + "."):
            continue
        for found in imports:
            top = found.target.split(".")[0]
            inside = found.target == core or found.target.startswith(core + ".")
            if top in FORBIDDEN_IN_THE_CORE or (top == own and not inside):
                outside.append(f"{module} imports {found.target} at {found.where()}")
    return outside


def test_the_scoring_core_imports_nothing_from_flask_sqlalchemy_or_the_rest_of_selector():
    found = outside_the_core(ROOT / "selector")
    assert not found, "\n".join(found)


def lazy_imports_without_a_reason(package_dir: Path) -> list[str]:
    """Each import written inside a function with no comment saying why: none on its own
    line, and none just above its block of imports (blank lines and other imports between
    them are part of the block)."""
    found = []
    for path in sorted(package_dir.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for function in ast.walk(ast.parse(source)):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if not isinstance(node, ast.Import | ast.ImportFrom):
                    continue
                if "#" in lines[(node.end_lineno or node.lineno) - 1]:
                    continue
                above = node.lineno - 2
                while above >= 0 and _in_an_import_block(lines[above]):
                    above -= 1
                if above >= 0 and lines[above].lstrip().startswith("#"):
                    continue
                shown = Import("", path, node.lineno).where()
                found.append(f"{shown}: {lines[node.lineno - 1].strip()}")
    return found


def _in_an_import_block(line: str) -> bool:
    """A blank line, an import, or the continuation of a parenthesised one."""
    if line.lstrip().startswith("#"):
        return False
    text = line.split("#")[0].strip()
    return not text or text.startswith(("import ", "from ")) or text.endswith((",", ")"))


def test_every_import_inside_a_function_says_why_it_is_not_at_the_top():
    found = lazy_imports_without_a_reason(ROOT / "selector")
    assert not found, "imports inside functions with no comment saying why:\n" + "\n".join(
        found
    )


# --- the graph reader itself, on small packages written for the test ------------------------


def write_package(root: Path, files: Mapping[str, str]) -> Path:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return root / next(iter(files)).split("/")[0]


def test_a_cycle_through_a_function_level_import_is_found_and_named(tmp_path: Path):
    package = write_package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/engine.py": "from pkg.model import Result\n",
            "pkg/model.py": "def make():\n    from pkg import engine\n    return engine\n",
        },
    )
    graph = import_graph(package)
    [cycle] = cycles(graph)
    text = describe(cycle, graph)
    assert text.splitlines()[0] == "pkg.engine -> pkg.model -> pkg.engine"
    assert "pkg/model.py:2" in text


def test_a_type_checking_import_counts(tmp_path: Path):
    package = write_package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/checks.py": "import pkg.model\n",
            "pkg/model.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n"
                "    from pkg.checks import Flag\n"
            ),
        },
    )
    graph = import_graph(package)
    assert [describe(c, graph).splitlines()[0] for c in cycles(graph)] == [
        "pkg.checks -> pkg.model -> pkg.checks"
    ]


def test_relative_imports_and_submodules_named_by_from_are_resolved(tmp_path: Path):
    package = write_package(
        tmp_path,
        {
            "pkg/__init__.py": "from . import web\n",
            "pkg/web/__init__.py": "from .pages import bp\nfrom ..store import db\n",
            "pkg/web/pages.py": "from pkg.web import helpers, user\n",
            "pkg/web/helpers.py": "",
            "pkg/store/__init__.py": "",
            "pkg/store/db.py": "",
        },
    )
    graph = import_graph(package)
    targets = {module: sorted({i.target for i in edges}) for module, edges in graph.items()}
    assert targets["pkg"] == ["pkg.web"]
    assert targets["pkg.web"] == ["pkg.store.db", "pkg.web.pages"]
    # `helpers` is a submodule; `user` is a name defined in pkg/web/__init__.py
    assert targets["pkg.web.pages"] == ["pkg.web", "pkg.web.helpers"]
    assert [describe(c, graph).splitlines()[0] for c in cycles(graph)] == [
        "pkg.web -> pkg.web.pages -> pkg.web"
    ]


def test_a_package_without_cycles_passes(tmp_path: Path):
    package = write_package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "import pkg.b\nimport pkg.c\n",
            "pkg/b.py": "from pkg import c\n",
            "pkg/c.py": "import json\n",
        },
    )
    assert cycles(import_graph(package)) == []


@pytest.mark.parametrize(
    "source",
    [
        "import flask",
        "from sqlalchemy.orm import Session",
        "from selector.store import db",
        "from selector import PROJECT_ROOT",
        "from .. import services",
    ],
)
def test_the_core_rule_catches_an_outside_import(tmp_path: Path, source: str):
    package = write_package(
        tmp_path,
        {
            "selector/__init__.py": "",
            "selector/services.py": "",
            "selector/scoring/__init__.py": "",
            "selector/scoring/model.py": "import json\nfrom . import rules\n",
            "selector/scoring/rules.py": "from selector.scoring.model import Text\n",
            "selector/scoring/engine.py": f"def f():\n    {source}\n",
        },
    )
    [found] = outside_the_core(package)
    assert found.startswith("selector.scoring.engine imports ")
    assert found.endswith("selector/scoring/engine.py:2")


def test_a_lazy_import_needs_a_comment_on_its_line_or_above_its_block(tmp_path: Path):
    package = write_package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": (
                "def told():\n"
                "    # pandas: only for Excel\n"
                "    import json\n"
                "\n"
                "    import csv\n"
                "    return json, csv\n"
                "\n"
                "\n"
                "def inline():\n"
                "    import json  # start-up speed\n"
                "    return json\n"
                "\n"
                "\n"
                "def silent():\n"
                '    """No reason given."""\n'
                "    import json\n"
                "    return json\n"
            ),
        },
    )
    assert lazy_imports_without_a_reason(package) == [f"{package / 'a.py'}:16: import json"]


@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=30))
def test_the_knots_are_the_groups_of_modules_that_reach_each_other(pairs):
    names = [f"m{i}" for i in range(8)]
    graph = {name: [] for name in names}
    for a, b in pairs:
        if a != b:
            graph[names[a]].append(Import(names[b], Path(f"{names[a]}.py"), 1))
    reach = {name: {e.target for e in graph[name]} for name in names}
    for _ in names:  # transitive closure, the slow and obvious way
        for name in names:
            reach[name] |= {far for near in reach[name] for far in reach[near]}
    on_a_cycle = [n for n in names if n in reach[n]]
    together = {tuple(sorted({n} | {m for m in reach[n] if n in reach[m]})) for n in on_a_cycle}
    expected = sorted(together)
    assert knots(graph) == [list(group) for group in expected]
    for cycle in cycles(graph):  # each cycle shown is one: every import leads to the next
        sources = [_source(edge, graph) for edge in cycle]
        assert [edge.target for edge in cycle] == sources[1:] + sources[:1]
