"""Outputs: the run's tables, then the pages read from them, written into the output folder.

Tables know nothing of pages: the reports are built from the tables alone, so
``callcoach report DIR`` can rebuild them from what a run left on disk.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from analyzer.gather import gather_tables
from analyzer.report import write_reports
from analyzer.tables import Results, build_results, write_tables
from analyzer.types import CallError, CallResult


def write_outputs(results: Sequence[CallResult], errors: Sequence[CallError],
                  out: str | Path) -> Results:
    """Gather the per-call results into tables, write them, then write the reports."""
    tables = build_results(results, errors, out)
    write_tables(tables, Path(out))
    write_reports(tables, Path(out))
    return tables


def stream_outputs(outcomes: Iterable[CallResult | CallError], out: str | Path,
                   group: int = 200) -> Results:
    """Write the tables from results streamed a group of calls at a time (``gather``), then
    the reports."""
    tables = gather_tables(outcomes, out, group)
    write_reports(tables, Path(out))
    return tables
