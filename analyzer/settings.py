"""Settings read from the data files under models/ into frozen dataclasses."""

from __future__ import annotations

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


def load_settings(cls: type[T], path: str | Path) -> T:
    """Build ``cls`` from a JSON file's keys; keys it does not know ("version",
    "description") are documentation and are ignored."""
    data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in data.items() if k in known})
