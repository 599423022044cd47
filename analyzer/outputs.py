"""Outputs: the run's tables, then the pages read from them, written into the output folder.

Tables know nothing of pages: the reports are built from the tables alone, so
``callcoach report DIR`` can rebuild them from what a run left on disk.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from analyzer.gather import gather_tables
from analyzer.report import write_reports
from analyzer.split import split_by_rep as write_rep_folders
from analyzer.tables import Results, build_results, write_tables
from analyzer.types import CallError, CallResult


def write_outputs(results: Sequence[CallResult], errors: Sequence[CallError],
                  out: str | Path, split_by_rep: bool = False) -> Results:
    """Gather the per-call results into tables, write them, then write the reports (and, with
    ``split_by_rep``, one self-contained folder per rep under ``by-rep/``)."""
    tables = build_results(results, errors, out)
    write_tables(tables, Path(out))
    write_reports(tables, Path(out))
    if split_by_rep:
        write_rep_folders(tables, Path(out))
    return tables


def stream_outputs(outcomes: Iterable[CallResult | CallError], out: str | Path,
                   group: int = 200, split_by_rep: bool = False) -> Results:
    """Write the tables from results streamed a group of calls at a time (``gather``), then
    the reports (and, with ``split_by_rep``, one folder per rep under ``by-rep/``)."""
    tables = gather_tables(outcomes, out, group)
    write_reports(tables, Path(out))
    if split_by_rep:
        write_rep_folders(tables, Path(out))
    return tables
