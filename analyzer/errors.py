"""Errors that name the file at fault in one line: a bad input (the run goes on without it),
or a reason the whole run cannot start or go on."""

from __future__ import annotations


class PathError(Exception):
    """An error about one file or folder, shown as ``path: message`` on one line."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class InputError(PathError):
    """An input file that cannot be analyzed: missing, unreadable, empty or malformed."""


class ManifestError(InputError):
    """A manifest that cannot be read at all (not CSV text, a required column missing).

    A bad row is not this: it becomes a row of ``errors.csv`` and the run goes on.
    """


class RunError(PathError):
    """The run cannot start or cannot go on: no input found, or the output folder cannot be
    written (not writable, or full). The command line exits with status 2."""
