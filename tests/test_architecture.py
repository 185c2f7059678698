"""The layout of ARCHITECTURE.md holds: one package per stage, no import cycles, a stage
imports only shared helpers and the stages before it, no module over 400 lines.

Imports are read from the source (every `import`, also those inside functions and under
TYPE_CHECKING), so a lazy import cannot hide a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import REPO

PACKAGE = REPO / "edition"
# the pipeline's stages in the order of DESIGN §1; a stage may import the ones before it
STAGES = ("ingest", "detect", "collate", "encode", "validate", "render", "review")
# the top-level modules every stage may use; they import no stage
SHARED = {"model", "config", "errors", "tokens", "lexicon", "tei", "report", "resources",
          "console", "output"}
# the runner and the CLI compose the stages
COMPOSERS = {"pipeline", "cli"}
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """The edition modules `path` imports (a `from pkg import name` counts the submodule when
    `name` is one)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("edition"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("edition"):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if _exists(sub) else target)
    return {m for m in found if m != name and _exists(m)}


def _exists(module: str) -> bool:
    path = REPO.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def _owner(module: str) -> str:
    """The stage package or the top-level module a module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_every_stage_is_a_package() -> None:
    for stage in STAGES:
        assert (PACKAGE / stage / "__init__.py").is_file(), stage
        doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text()))
        assert doc and len(doc.split()) >= 15, f"{stage}/__init__.py says what it takes and gives"
    top = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert top <= SHARED | COMPOSERS, f"flat modules outside a stage: {top - SHARED - COMPOSERS}"


def test_no_import_cycles() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt):], nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_stages_import_only_earlier_stages_and_shared_helpers() -> None:
    wrong = []
    for module, targets in _graph().items():
        owner = _owner(module)
        for target in targets:
            to = _owner(target)
            if owner in SHARED and to and to not in SHARED and to != "":
                wrong.append(f"shared {module} imports {target}")
            if owner in STAGES and to in STAGES and STAGES.index(to) > STAGES.index(owner):
                wrong.append(f"{module} imports the later stage {target}")
            if owner in STAGES and to in COMPOSERS:
                wrong.append(f"{module} imports the runner {target}")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_module_over_400_lines() -> None:
    long = {str(p.relative_to(REPO)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, long


def test_tests_mirror_the_packages() -> None:
    for stage in STAGES:
        assert list((REPO / "tests" / stage).glob("test_*.py")), f"tests/{stage}/ has no tests"
