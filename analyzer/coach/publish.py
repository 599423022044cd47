"""Publish: the run's tables, then the pages read from them, written into the output folder.

Tables know nothing of pages: the reports are built from the tables alone, so
``callcoach report DIR`` can rebuild them from what a run left on disk.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pandas as pd

from analyzer.coach.pages import group_utterances, write_reports
from analyzer.coach.rep_folders import split_by_rep as write_rep_folders
from analyzer.coach.stream_tables import gather_tables, iter_calls
from analyzer.coach.tables import Results
from analyzer.types import CallError, CallResult


def stream_outputs(outcomes: Iterable[CallResult | CallError], out: str | Path,
                   group: int = 200, split_by_rep: bool = False,
                   keep_rows: bool = True) -> Results:
    """Write the tables from results streamed a group of calls at a time (``stream_tables``),
    then the reports (and, with ``split_by_rep``, one folder per rep under ``by-rep/``), the
    call pages from utterances read back a call at a time.

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
