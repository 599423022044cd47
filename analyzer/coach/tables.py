"""Tables: gather the per-call results into DataFrames and write them (Parquet and CSV)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd
from pandas.api.types import is_float_dtype

from analyzer.call.metrics import load_benchmarks
from analyzer.run.store import atomic_path
from analyzer.types import CallError, CallMetrics, CallResult

CALL_COLUMNS = ("call_id", "rep", "date", "path", "audio_path")
UTTERANCE_COLUMNS = ("call_id", "rep", "utterance", "speaker", "role", "start_s", "end_s", "text")
FLAG_COLUMNS = ("call_id", "rep", "utterance", "role", "start_s", "end_s", "label", "subtype",
                "rule", "text", "span", "coach")
ERROR_COLUMNS = ("call_id", "rep", "path", "stage", "reason")


@dataclass(frozen=True)
class Results:
    """The tables of a run, as DataFrames (and where they were written, if anywhere).

    Attributes:
        calls: One row per analyzed call (calls.csv / calls.parquet).
        reps: One row per rep, means and medians of the call metrics (reps.csv / .parquet).
        utterances: One row per utterance (utterances.parquet).
        flags: One row per labelled sentence (flags.csv / flags.parquet).
        errors: One row per input that failed, with the reason (errors.csv).
        out: The output folder, or None when nothing was written.
    """

    calls: pd.DataFrame
    reps: pd.DataFrame
    utterances: pd.DataFrame
    flags: pd.DataFrame
    errors: pd.DataFrame
    out: Path | None = None


def call_row(result: CallResult) -> dict:
    """A call's row of the calls table."""
    source = result.source
    return {"call_id": source.call_id, "rep": source.rep, "date": source.date,
            "path": source.path, "audio_path": _audio_of(result), **result.metrics.columns()}


def call_columns() -> tuple[str, ...]:
    """Every column of the calls table, in order, whatever the calls: who and where, then
    ``CallMetrics``' columns with a ``<metric>_status`` for every benchmarked metric."""
    statuses = [f"{b.metric}_status" for b in load_benchmarks()]
    return CALL_COLUMNS + tuple(CallMetrics(statuses=dict.fromkeys(statuses, "")).columns())


def calls_frame(rows: list[dict]) -> pd.DataFrame:
    """The calls table from the calls' rows: every column of ``call_columns`` (empty when no
    row has it), the number columns numeric even when every value is missing."""
    frame = pd.DataFrame(rows, columns=_columns(call_columns(), rows))
    numbers = [c for c in CallMetrics.numeric_columns() if c in frame]
    frame[numbers] = frame[numbers].apply(pd.to_numeric, errors="coerce")
    text = [c for c in frame if c.endswith("_status") or c in CALL_COLUMNS]
    return frame.fillna(value=dict.fromkeys(text, "")).infer_objects()


def utterances_table(results: Sequence[CallResult]) -> pd.DataFrame:
    """One row per utterance of every call."""
    rows = [{"call_id": r.source.call_id, "rep": r.source.rep, "utterance": index,
             "speaker": u.speaker, "role": u.role, "start_s": u.start, "end_s": u.end,
             "text": u.text} for r in results for index, u in enumerate(r.utterances)]
    return _frame(rows, UTTERANCE_COLUMNS)


def flags_table(results: Sequence[CallResult]) -> pd.DataFrame:
    """One row per labelled sentence of every call, with the index of its utterance."""
    rows = [{"call_id": r.source.call_id, "rep": r.source.rep, "utterance": f.utterance,
             "role": f.role, "start_s": f.start, "end_s": f.end, "label": f.label,
             "subtype": f.subtype, "rule": f.rule, "text": f.text, "span": f.span,
             "coach": f.coach}
            for r in results for f in r.flags]
    return _frame(rows, FLAG_COLUMNS)


def errors_table(errors: Sequence[CallError]) -> pd.DataFrame:
    """One row per failed input."""
    return _frame([asdict(e) for e in errors], ERROR_COLUMNS)


# CSV files are for spreadsheets: UTF-8 with a byte-order mark (so that Excel reads accented
# names as such) and numbers rounded to CSV_DECIMALS; Parquet keeps every digit.
CSV_ENCODING = "utf-8-sig"
CSV_DECIMALS = 3


def for_spreadsheet(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as its CSV file holds it: float columns rounded to ``CSV_DECIMALS``."""
    floats = [c for c in frame.columns if is_float_dtype(frame[c])]
    return frame.assign(**{c: frame[c].round(CSV_DECIMALS) for c in floats}) if floats \
        else frame


WRITERS: dict[str, Callable[[pd.DataFrame, Path], None]] = {
    "csv": lambda frame, path: for_spreadsheet(frame).to_csv(path, index=False,
                                                             encoding=CSV_ENCODING),
    "parquet": lambda frame, path: frame.to_parquet(path, index=False),
}
OUTPUTS = {"calls": ("csv", "parquet"), "reps": ("csv", "parquet"),
           "utterances": ("parquet",), "flags": ("csv", "parquet"), "errors": ("csv",)}


def write_tables(tables: Results, out: Path, names: Sequence[str] = tuple(OUTPUTS)) -> None:
    """Write the tables ``names`` (all by default) in their formats into ``out``; each file
    appears whole or not at all."""
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        for fmt in OUTPUTS[name]:
            with atomic_path(out / f"{name}.{fmt}") as tmp:
                WRITERS[fmt](getattr(tables, name), tmp)


def read_tables(out: str | Path) -> Results:
    """Read back the tables a run wrote into ``out`` (no call is analyzed again).

    Raises InputError naming ``calls.parquet`` when the folder holds no run. Tables written by
    an older version get the columns added since, empty.
    """
    from analyzer.coach.aggregate import rep_table
    from analyzer.errors import InputError

    folder = Path(out)
    calls_path = folder / "calls.parquet"
    if not calls_path.is_file():
        raise InputError(str(calls_path), "not found: is this a folder written by "
                                          "`callcoach analyze`?")
    try:
        calls = pd.read_parquet(calls_path)
        reps = (pd.read_parquet(folder / "reps.parquet") if (folder / "reps.parquet").is_file()
                else rep_table(calls))
        utterances = _read_parquet(folder / "utterances.parquet", UTTERANCE_COLUMNS)
        flags = _read_parquet(folder / "flags.parquet", FLAG_COLUMNS)
    except (OSError, ValueError) as exc:
        raise InputError(str(folder), f"cannot read the tables ({exc})") from exc
    return Results(calls, reps, utterances, flags, _read_errors(folder / "errors.csv"), folder)


def _read_parquet(path: Path, columns: Sequence[str]) -> pd.DataFrame:
    if not path.is_file():
        return _frame([], columns)
    frame = pd.read_parquet(path)
    missing = [c for c in columns if c not in frame.columns]
    return frame.assign(**dict.fromkeys(missing, "")) if missing else frame


def _read_errors(path: Path) -> pd.DataFrame:
    if not path.is_file():
        return _frame([], ERROR_COLUMNS)
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=CSV_ENCODING)


def _audio_of(result: CallResult) -> str:
    source = result.source
    if source.audio_path:
        return source.audio_path
    return source.path if result.metrics.source == "whisper" else ""


def _columns(first: Sequence[str], rows: list[dict]) -> list[str]:
    rest = dict.fromkeys(k for row in rows for k in row if k not in first)
    return [*first, *rest]


def _frame(rows: list[dict], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns))
