"""Settings read from the data files under models/ into frozen dataclasses."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
# The project's data files (phrase lists, patterns, thresholds, model choices) sit beside the
# package, so a coach edits them without reading Python.
REPO_DIR = Path(__file__).resolve().parent.parent
MODELS_DIR = REPO_DIR / "models"
# Corpora and figures that evaluate the analysis, kept apart from the data it runs on: editing
# them must not recompute any stored call, so they are not part of any result's key.
EVAL_DIR = MODELS_DIR / "eval"
METRICS_DIR = MODELS_DIR / "metrics"


def data_text(path: str | Path) -> str:
    """A data file's text (UTF-8): the one way the analysis reads its data files."""
    return Path(path).read_text(encoding="utf-8")


def read_json(path: str | Path) -> Any:
    """A JSON data file."""
    return json.loads(data_text(path))


def read_rows(path: str | Path) -> list[dict[str, str]]:
    """The rows of a CSV data file with a header line."""
    return list(csv.DictReader(data_text(path).splitlines()))


def read_list(path: str | Path) -> list[str]:
    """Lines of a word-list file, lower case, without blank lines and ``#`` comments."""
    lines = data_text(path).splitlines()
    return [s.strip().lower() for s in lines if s.strip() and not s.lstrip().startswith("#")]


def runtime_setting(name: str) -> float:
    """A number from models/runtime.json (how wide a run goes; never changes a result)."""
    return float(read_json(MODELS_DIR / "runtime.json")[name])


def load_settings(cls: type[T], path: str | Path) -> T:
    """Build ``cls`` from a JSON file's keys; keys it does not know ("version",
    "description") are documentation and are ignored."""
    data: dict[str, Any] = read_json(path)
    known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in data.items() if k in known})
