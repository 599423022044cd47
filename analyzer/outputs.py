"""Outputs: the run's tables, then the pages read from them, written into the output folder.

Tables know nothing of pages: the reports are built from the tables alone, so
``callcoach report DIR`` can rebuild them from what a run left on disk.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

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
