"""Outputs: the run's tables, then the pages read from them, written into the output folder.

Tables know nothing of pages: the reports are built from the tables alone, so
``callcoach report DIR`` can rebuild them from what a run left on disk.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd

from analyzer.gather import gather_tables, iter_calls
from analyzer.report import group_utterances, write_reports
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
                   group: int = 200, split_by_rep: bool = False,
                   keep_rows: bool = True) -> Results:
    """Write the tables from results streamed a group of calls at a time (``gather``), then
    the reports (and, with ``split_by_rep``, one folder per rep under ``by-rep/``), the call
    pages from utterances read back a call at a time.

    Memory stays flat in the number of calls: only the calls, reps and flags tables are held.
    With ``keep_rows`` the returned tables also hold every utterance (read once at the end).
    """
    out = Path(out)
    tables = gather_tables(outcomes, out, group, load=False)
    tables = replace(tables, flags=pd.read_parquet(out / "flags.parquet"))
    said = ((call_id, group_utterances(rows).get(call_id, []))
            for call_id, rows, _ in iter_calls(out))
    write_reports(tables, out, said)
    if split_by_rep:
        write_rep_folders(tables, out, rows_from=out)
    if keep_rows:
        tables = replace(tables, utterances=pd.read_parquet(out / "utterances.parquet"))
    return tables
