"""lib/ goes one way down: every module imports only from its own layer or the ones before it in
`lib.LAYERS`, and no chain of imports comes back to where it started. Function-level imports count
(the AST is walked whole), so a lazy import cannot hide an upward one."""

from __future__ import annotations

import ast
from pathlib import Path

import lib

ROOT = Path(__file__).resolve().parent.parent
LIB = ROOT / "lib"

# Edges (importer, imported) that still break the rule while the layers settle; each commit that
# breaks one removes it here. A listed edge that no longer exists fails the test too.
ALLOWED: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(LIB.rglob("*.py")) if "versions" not in p.parts}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every lib module `name` imports, anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([node.module] if node.module else []))
            for a in node.names:
                found.add(f"{base}.{a.name}" if f"{base}.{a.name}" in known else base)
    return {m for m in found if m in known and m != name}


def layer_of(name: str) -> int:
    top = name.split(".")[1] if "." in name else ""
    top = "cli" if top == "__main__" else top
    assert top in lib.LAYERS, f"{name} is in no layer of lib.LAYERS"
    return lib.LAYERS.index(top)


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports_of(name, path, set(mods)) for name, path in mods.items()}


def upward_imports(g: dict[str, set[str]]) -> set[tuple[str, str]]:
    return {(a, b) for a, deps in g.items() if a != "lib" for b in deps if b != "lib" and layer_of(b) > layer_of(a)}


def cycles(g: dict[str, set[str]]) -> set[tuple[str, str]]:
    """The edges that close a cycle (depth-first search, back edges)."""
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}

    def visit(node: str) -> None:
        state[node] = 1
        for dep in sorted(g.get(node, ())):
            if state.get(dep) == 1:
                back.add((node, dep))
            elif dep not in state:
                visit(dep)
        state[node] = 2

    for node in sorted(g):
        if node not in state:
            visit(node)
    return back


def test_layers_are_declared_once_and_every_module_has_one() -> None:
    assert len(set(lib.LAYERS)) == len(lib.LAYERS)
    for name in modules():
        if name != "lib":
            layer_of(name)
    for layer in lib.LAYERS:
        assert (LIB / layer / "__init__.py").exists(), f"layer {layer} has no package lib/{layer}/"


def test_no_upward_import() -> None:
    bad = upward_imports(graph()) - ALLOWED
    assert not bad, "upward imports:\n" + "\n".join(f"{a} -> {b}" for a, b in sorted(bad))


def test_no_import_cycle() -> None:
    g = {a: {b for b in deps if (a, b) not in ALLOWED} for a, deps in graph().items()}
    bad = cycles(g)
    assert not bad, "imports closing a cycle:\n" + "\n".join(f"{a} -> {b}" for a, b in sorted(bad))


def test_allowed_list_only_holds_edges_that_still_exist() -> None:
    g = graph()
    stale = {(a, b) for a, b in ALLOWED if b not in g.get(a, set())}
    assert not stale, f"remove from ALLOWED, these imports are gone: {sorted(stale)}"


def test_the_lib_package_itself_imports_nothing() -> None:
    assert graph()["lib"] == set()
    assert "streamlit" not in {n.split(".")[0] for p in modules().values() for n in _all_imports(p)}


def _all_imports(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module)
    return out


def test_the_walk_sees_function_level_imports(tmp_path: Path) -> None:
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from lib.views import athlete\n    import lib.store.tables as t\n", encoding="utf-8")
    assert imports_of("lib.core.late", module, {"lib.views.athlete", "lib.store.tables"}) == {
        "lib.views.athlete", "lib.store.tables"}
    assert upward_imports({"lib.core.late": {"lib.views.athlete"}}) == {("lib.core.late", "lib.views.athlete")}


def test_a_cycle_is_found_inside_one_layer() -> None:
    g = {"lib.store.a": {"lib.store.b"}, "lib.store.b": {"lib.store.c"}, "lib.store.c": {"lib.store.a"}}
    assert len(cycles(g)) == 1
    assert cycles({"lib.store.a": {"lib.store.b"}, "lib.store.b": set()}) == set()
