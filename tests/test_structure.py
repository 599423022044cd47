"""The shape of the package: one direction of flow, as the README's "How it works" lists it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "analyzer"
MAX_LINES = 400


def readme_flow() -> list[str]:
    """The modules of the README's "How it works" list, in order."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## How it works", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\d+\. `([a-z_]+)`", section, flags=re.MULTILINE)


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(p for p in parts if p != "__init__")


def stage_of(module: str) -> str:
    """The top-level stage a module belongs to (analyzer.diarize.onnx -> diarize)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "analyzer":
                found.update(f"analyzer.{a.name}" for a in node.names)
            elif node.module.startswith("analyzer."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("analyzer."))
    return found


def pipeline_modules() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if "evaluate" not in p.parts]


def test_structure_readme_names_every_module_once() -> None:
    flow = readme_flow()
    stages = {stage_of(module_name(p)) for p in pipeline_modules()} - {""}
    assert len(flow) == len(set(flow))
    assert set(flow) == stages


def test_structure_stages_import_only_stages_above_them() -> None:
    order = {name: i for i, name in enumerate(readme_flow())}
    wrong = []
    for path in pipeline_modules():
        here = stage_of(module_name(path))
        for target in imports_of(path):
            there = stage_of(target)
            if there in order and here in order and there != here and order[there] > order[here]:
                wrong.append(f"{module_name(path)} imports {target}")
    assert not wrong, wrong


def test_structure_no_import_cycles() -> None:
    graph = {module_name(p): imports_of(p) for p in sorted(PACKAGE.rglob("*.py"))}
    done: set[str] = set()

    def cycle_from(module: str, path: list[str]) -> list[str]:
        if module in path:
            return [*path[path.index(module):], module]
        if module in done:
            return []
        for target in sorted(graph.get(module, ())):
            found = cycle_from(target, [*path, module])
            if found:
                return found
        done.add(module)
        return []

    cycles = [c for m in graph if (c := cycle_from(m, []))]
    assert not cycles, cycles[0]


def test_structure_evaluation_tools_are_not_imported_by_the_pipeline() -> None:
    users = [module_name(p) for p in pipeline_modules()
             if any(t.startswith("analyzer.evaluate") for t in imports_of(p))]
    assert not users


def test_structure_no_module_over_400_lines_without_a_reason() -> None:
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_LINES and "Why this module is long:" not in text[:2000]:
            long.append(f"{module_name(path)}: {len(text.splitlines())} lines")
    assert not long, long
