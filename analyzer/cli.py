"""The `callcoach` command line: parses options, calls the library, reports errors."""

from __future__ import annotations

import click

from analyzer import __version__


@click.group()
@click.version_option(__version__, prog_name="callcoach")
def cli() -> None:
    """CallCoach: who talks and who listens, across an archive of sales calls."""
