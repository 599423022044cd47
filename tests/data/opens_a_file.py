"""A stage that reads a file, for tests/test_structure.py's file-access check."""

from pathlib import Path


def read_call(path: str) -> str:
    """Reads a call from disk: what the one-call wing must never do."""
    return Path(path).read_text(encoding="utf-8")
