"""The package's import graph, room by room: what the layering test asserts and what
``python -m tests.import_graph`` prints (rooms, arrows, upward arrows, circles).

A *room* is a module at the package root or a sub-package of ``dynamic_vision`` (plugin
folders belong to their kind's room: ``models``, ``data``, ``metrics``, ``benchmarks``). An
*arrow* is a room importing another room (function-local imports included); an *upward arrow*
imports the package face (``dynamic_vision/__init__.py``); a *circle* is a set of rooms that
import each other (a strongly connected component of more than one room).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "dynamic_vision"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE
FACE = "__init__"
PLUGIN_KINDS = ("models", "data", "metrics", "benchmarks")


@dataclass(frozen=True)
class Import:
    """One import statement: the importing module, the imported module and where it stands."""

    source: str
    target: str
    path: Path
    line: int


def is_test(path: Path) -> bool:
    """Tests (a plugin's ``test.py``) use the package as any user does: not part of the graph."""
    return path.name == "test.py" or path.name.startswith("test_")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(dotted: str) -> bool:
    relative = Path(*dotted.split(".")[1:]) if "." in dotted else Path()
    base = ROOT / relative
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imports(root: Path = ROOT) -> Iterator[Import]:
    """Every import of the package's own modules, from every module of the package."""
    for path in sorted(root.rglob("*.py")):
        if is_test(path):
            continue
        source = module_name(path)
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: resolve against the importing module's package
                    base = source.split(".")
                    base = base[:len(base) - node.level + (1 if is_package else 0)]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                # ``from pkg import sub`` imports the sub-module when there is one.
                names = [f"{module}.{alias.name}" if _is_module(f"{module}.{alias.name}")
                         else module for alias in node.names]
            else:
                continue
            for name in names:
                if name == PACKAGE or name.startswith(PACKAGE + "."):
                    yield Import(source, name, path, node.lineno)


def room(module: str) -> str:
    """The room of a dotted module name (``dynamic_vision`` itself is the face)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else FACE


def plugin_of(module: str) -> str | None:
    """``models.r3d_18`` for any module inside that plugin folder, else None."""
    parts = module.split(".")
    if len(parts) >= 3 and parts[1] in PLUGIN_KINDS:
        return ".".join(parts[1:3])
    return None


def rooms(root: Path = ROOT) -> set[str]:
    found = {p.stem for p in root.glob("*.py") if p.stem != FACE}
    found |= {p.name for p in root.iterdir() if (p / "__init__.py").is_file()}
    return found


def arrows(found: list[Import]) -> set[tuple[str, str]]:
    return {(room(i.source), room(i.target)) for i in found
            if room(i.source) != room(i.target) and room(i.source) != FACE}


def circles(edges: set[tuple[str, str]]) -> list[set[str]]:
    """Strongly connected components of more than one room (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.add(top)
                if top == node:
                    break
            if len(component) > 1:
                out.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def summary(root: Path = ROOT) -> dict[str, object]:
    found = list(imports(root))
    edges = arrows(found)
    upward = {room(i.source) for i in found if room(i.target) == FACE and room(i.source) != FACE}
    root_files = sorted(p.name for p in root.glob("*.py") if p.stem != FACE)
    return {"rooms": len(rooms(root)), "arrows": len(edges), "upward arrows": len(upward),
            "circles": [sorted(c) for c in circles(edges)], "root files": root_files}


if __name__ == "__main__":
    for key, value in summary().items():
        print(f"{key}: {value}")
