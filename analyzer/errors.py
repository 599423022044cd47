"""Errors about a user's input, each naming the file at fault in one line."""

from __future__ import annotations


class InputError(Exception):
    """An input file that cannot be analyzed: missing, unreadable, empty or malformed."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"
