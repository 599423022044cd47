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
    return re.findall(r"^\d+\. `([a-z_.]+)`", section, flags=re.MULTILINE)


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(p for p in parts if p != "__init__")


WINGS = ("call", "run", "coach")


def stage_of(module: str) -> str:
    """The stage a module belongs to: analyzer.run.diarize.onnx -> run.diarize,
    analyzer.types -> types (a wing's own __init__ is the wing itself)."""
    parts = module.split(".")[1:]
    if parts and parts[0] in WINGS:
        return ".".join(parts[:2])
    return parts[0] if parts else ""


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
    stages = {stage_of(module_name(p)) for p in pipeline_modules()} - {"", *WINGS}
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


# What opens, writes or lists files: none of it may appear in the one-call wing, which reads
# its rule data only through `settings` (versioned, part of every result's key). The models it
# is given (spaCy pipelines) are loaded by the run's engines, once per process.
FILE_CALLS = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "mkdir", "unlink",
              "rmdir", "glob", "rglob", "iterdir", "touch", "exists", "is_file", "is_dir",
              "stat", "mkstemp", "savez", "save", "dump", "copy", "copyfile", "move"}
FILE_MODULES = {"os", "shutil", "tempfile", "io", "pickle", "wave", "av", "soundfile"}


def file_access(path: Path) -> list[str]:
    """Calls and imports of a module that touch the file system."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in FILE_CALLS:
                found.append(f"{module_name(path)}:{node.lineno} calls {name}()")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names]
            found.extend(f"{module_name(path)}:{node.lineno} imports {n}" for n in names
                         if n.split(".")[0] in FILE_MODULES)
    return found


def test_structure_one_call_wing_opens_no_file() -> None:
    wing = sorted((PACKAGE / "call").rglob("*.py"))
    assert wing
    found = [line for path in wing for line in file_access(path)]
    assert not found, found


def test_structure_one_call_wing_imports_neither_the_run_nor_the_reports() -> None:
    wrong = [f"{module_name(p)} imports {target}" for p in sorted((PACKAGE / "call").rglob("*.py"))
             for target in imports_of(p)
             if target.startswith(("analyzer.run", "analyzer.coach", "analyzer.cli"))]
    assert not wrong, wrong


def test_structure_file_access_is_found() -> None:
    """The check above would catch a stage that reads a file."""
    probe = PACKAGE.parent / "tests" / "data" / "opens_a_file.py"
    assert file_access(probe)
