"""The portal's layers hold: the import contracts pass, no two files import each other
(directly or round a circle), and no import of the portal's code hides inside a function
without a comment saying why."""

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("apps", "config")
# The domain's models are imported from any layer (pyproject.toml), so what they import
# is reachable from every layer too: only other models, and these helpers, which import
# nothing of the portal.
MODEL_HELPERS = {"apps.audits.periods", "apps.compliance.classifier"}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    """The import graph of this checkout, migrations left out (they import nothing of
    the apps' code, and Django orders them itself)."""
    sys.path.insert(0, str(ROOT))
    try:
        built = grimp.build_graph(*PACKAGES, cache_dir=None)
    finally:
        sys.path.remove(str(ROOT))
    for module in [m for m in built.modules if ".migrations" in m]:
        built.remove_module(module)
    return built


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (no recursion limit on a long chain of imports):
    the groups of modules each of which reaches all the others of its group.

    1. A depth-first walk numbers each module when it is first reached (`index`) and keeps
       the modules of the walk not yet placed in a group on a stack.
    2. `low` of a module is the smallest number reachable from it through the walk's
       edges and at most one edge back to a module still on the stack.
    3. When a module's walk is done and its `low` is its own number, it is the root of a
       group: every module above it on the stack belongs to it.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        walk = [(start, iter(sorted(edges[start])))]
        while walk:
            module, targets = walk[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    walk.append((target, iter(sorted(edges.get(target, ())))))
                elif target in on_stack:
                    low[module] = min(low[module], index[target])
                continue
            walk.pop()
            if walk:
                parent = walk[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                groups.append(sorted(group))
    return groups


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    return [group for group in strongly_connected(edges) if len(group) > 1]


def test_strongly_connected_finds_a_circle_and_leaves_a_chain_alone():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": {"e"}, "e": set(), "f": {"f"}}
    groups = strongly_connected(edges)
    assert ["a", "b", "c"] in groups
    assert all(len(group) == 1 for group in groups if group != ["a", "b", "c"])


def test_the_import_contracts_pass():
    """What `make lint` runs: lint-imports reads the contracts from pyproject.toml."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Each app imports only the apps below it KEPT" in result.stdout


def test_no_file_imports_itself_round_a_circle(graph):
    cycles = import_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_the_cycle_check_sees_a_circle(graph):
    """The check above is not vacuous: an import added back from a service to the
    tasks that import it is found."""
    graph.add_import(importer="apps.vendors.services", imported="apps.vendors.tasks")
    try:
        assert any(
            {"apps.vendors.services", "apps.vendors.tasks"} <= set(group)
            for group in import_cycles(graph)
        )
    finally:
        graph.remove_import(importer="apps.vendors.services", imported="apps.vendors.tasks")


def test_models_import_only_models(graph):
    models = {m for m in graph.modules if m.endswith(".models")}
    reached = {
        module: graph.find_upstream_modules(module) - models - MODEL_HELPERS for module in models
    }
    assert not {module: found for module, found in reached.items() if found}
    for helper in MODEL_HELPERS:
        assert not graph.find_upstream_modules(helper)


def _comment_near(lines: list[str], node: ast.stmt) -> bool:
    """A comment on the import's lines or on the line just above it."""
    above = lines[node.lineno - 2].strip() if node.lineno >= 2 else ""
    own = lines[node.lineno - 1 : node.end_lineno]
    return above.startswith("#") or any("#" in line for line in own)


def hidden_imports(path: Path, package: str, root: Path = ROOT) -> list[str]:
    """Imports of the portal's own code (absolute or relative) inside a function of
    `path` with no comment saying why."""
    source = path.read_text()
    lines = source.splitlines()
    found = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else [package]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            ours = any(name.split(".")[0] in PACKAGES for name in names)
            if ours and not _comment_near(lines, node):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_no_import_of_the_portal_hides_in_a_function_without_a_reason():
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                found += hidden_imports(path, package)
    assert not found, "imports inside functions with no comment why: " + ", ".join(found)


def test_the_hidden_import_check_sees_one(tmp_path):
    module = tmp_path / "apps" / "example.py"
    module.parent.mkdir()
    module.write_text(
        "def quiet():\n"
        "    from apps.audits.tasks import evaluate_all\n"
        "\n\n"
        "def explained():\n"
        "    # Models load only once the registry is ready.\n"
        "    from . import models\n"
        "\n\n"
        "def elsewhere():\n"
        "    import json\n"
    )
    assert hidden_imports(module, "apps", root=tmp_path) == ["apps/example.py:2"]
