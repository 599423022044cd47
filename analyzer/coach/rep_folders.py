"""Split by rep: one self-contained folder per rep (``--split-by-rep``), to hand to that rep.

``<out>/by-rep/<rep>/`` holds that rep's rows of every table, the pages built from those rows
alone (an index with only that rep, their page, their calls' pages, the charting library) and
a copy of their calls' recordings (the bleeped copies with ``--redact-audio``) that the pages
link to. Nothing in it comes from another rep's calls.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd

from analyzer.coach.pages import write_reports
from analyzer.coach.tables import Results, write_tables
from analyzer.run.store import safe_name

FOLDER = "by-rep"


def split_by_rep(tables: Results, out: Path, rows_from: Path | None = None) -> list[Path]:
    """Write ``out/by-rep/<rep>/`` for every rep with a call or a failed input; return them.

    Each folder is rewritten from scratch, so nothing of an earlier run stays in it. With
    ``rows_from`` (a run's folder), each rep's utterances are read from its
    ``utterances.parquet`` one rep at a time instead of from ``tables``.
    """
    reps = sorted({str(r) for r in tables.calls["rep"]} | {str(r) for r in tables.errors["rep"]})
    folders = []
    for rep in reps:
        folder = out / FOLDER / safe_name(rep)
        shutil.rmtree(folder, ignore_errors=True)
        own = rep_tables(tables, rep, folder, rows_from)
        write_tables(own, folder)
        write_reports(own, folder)
        folders.append(folder)
    return folders


def rep_tables(tables: Results, rep: str, folder: Path, rows_from: Path | None = None) -> Results:
    """One rep's rows of every table; recordings copied into ``folder/audio/``."""
    calls = _rows(tables.calls, rep)
    if not calls.empty:
        calls["audio_path"] = [_copy_audio(str(p), str(c), folder)
                               for p, c in zip(calls["audio_path"], calls["call_id"])]
    said = (_rows(tables.utterances, rep) if rows_from is None else
            pd.read_parquet(rows_from / "utterances.parquet", filters=[("rep", "==", rep)]))
    return Results(calls, _rows(tables.reps, rep), said,
                   _rows(tables.flags, rep), _rows(tables.errors, rep), folder)


def _rows(frame: pd.DataFrame, rep: str) -> pd.DataFrame:
    return frame[frame["rep"].astype(str) == rep].reset_index(drop=True)


def _copy_audio(path: str, call_id: str, folder: Path) -> str:
    """The recording copied (hard-linked when it can be) into the rep's folder, as a path
    relative to that folder (``audio/<call>.wav``: the folder can be moved); "" if none."""
    source = Path(path) if path and path != "nan" else None
    if source is None or not source.is_file():
        return ""
    target = folder / "audio" / f"{safe_name(call_id)}{source.suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
    return target.relative_to(folder).as_posix()
