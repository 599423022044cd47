"""Gather: per-call results streamed into the table files a group of calls at a time, so that
writing the tables of a run never holds every transcript at once.

Only one row per call is kept in memory (the calls and reps tables). Utterances and flags go
to Parquet as one row group per group of calls, and to CSV a chunk at a time; each file is
written under a temporary name and renamed once complete, so a run killed while writing leaves
the previous file whole. ``iter_calls`` reads the written tables back one call at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from itertools import islice
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analyzer.coach.aggregate import rep_table
from analyzer.coach.tables import (
    CSV_ENCODING,
    FLAG_COLUMNS,
    OUTPUTS,
    UTTERANCE_COLUMNS,
    Results,
    call_row,
    calls_frame,
    errors_table,
    flags_table,
    for_spreadsheet,
    utterances_table,
    write_tables,
)
from analyzer.run import store
from analyzer.types import CallError, CallResult

TYPES = {"start_s": pa.float64(), "end_s": pa.float64(), "utterance": pa.int64()}


def _schema(columns: Sequence[str]) -> pa.Schema:
    return pa.schema([(c, TYPES.get(c, pa.string())) for c in columns])


SCHEMAS = {"utterances": _schema(UTTERANCE_COLUMNS), "flags": _schema(FLAG_COLUMNS)}
BUILDERS: dict[str, Callable[[Sequence[CallResult]], pd.DataFrame]] = {
    "utterances": utterances_table, "flags": flags_table}


def gather_tables(outcomes: Iterable[CallResult | CallError], out: str | Path,
                  group: int = 200, load: bool = True) -> Results:
    """Write every table of a run from its calls' results (and failures), in that order.

    ``outcomes`` is consumed once, ``group`` results at a time. The returned tables hold the
    utterances and flags read back from their Parquet files, or empty frames unless ``load``.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    store.sweep_temporaries(out)
    rows: list[dict] = []
    errors: list[CallError] = []
    with ExitStack() as stack:
        sinks = {name: stack.enter_context(_Sink(out, name)) for name in SCHEMAS}
        stream = iter(outcomes)
        while chunk := list(islice(stream, group)):
            results = [r for r in chunk if isinstance(r, CallResult)]
            errors.extend(e for e in chunk if isinstance(e, CallError))
            rows.extend(call_row(r) for r in results)
            for name, sink in sinks.items():
                sink.write(BUILDERS[name](results))
    calls = calls_frame(rows)
    tables = Results(calls, rep_table(calls), utterances_table(()), flags_table(()),
                     errors_table(errors), out)
    write_tables(tables, out, names=[n for n in OUTPUTS if n not in SCHEMAS])
    if not load:
        return tables
    return Results(calls, tables.reps, pd.read_parquet(out / "utterances.parquet"),
                   pd.read_parquet(out / "flags.parquet"), tables.errors, out)


def iter_calls(out: str | Path, batch_rows: int = 10_000
               ) -> Iterator[tuple[str, pd.DataFrame, pd.DataFrame]]:
    """Each call of a written run with its utterance rows and flag rows, in the order of the
    calls table, reading the Parquet files a batch of rows at a time (memory stays flat)."""
    out = Path(out)
    calls = pd.read_parquet(out / "calls.parquet", columns=["call_id"])["call_id"]
    utterances = _RowsByCall(out / "utterances.parquet", batch_rows)
    flags = _RowsByCall(out / "flags.parquet", batch_rows)
    for call_id in calls:
        yield str(call_id), utterances.take(str(call_id)), flags.take(str(call_id))


class _Sink:
    """One streamed table: its Parquet file and, when it has one, its CSV file."""

    def __init__(self, out: Path, name: str) -> None:
        self.out, self.name, self.schema = out, name, SCHEMAS[name]
        self.stack = ExitStack()
        self.parquet: Any = None
        self.csv: Any = None

    def __enter__(self) -> _Sink:
        tmp = self.stack.enter_context(store.atomic_path(self.out / f"{self.name}.parquet"))
        self.parquet = self.stack.enter_context(pq.ParquetWriter(tmp, self.schema))
        if "csv" in OUTPUTS[self.name]:
            tmp = self.stack.enter_context(store.atomic_path(self.out / f"{self.name}.csv"))
            self.csv = self.stack.enter_context(open(tmp, "w", encoding=CSV_ENCODING,
                                                     newline=""))
            self.csv.write(",".join(self.schema.names) + "\n")  # after the byte-order mark
        return self

    def write(self, frame: pd.DataFrame) -> None:
        """Append one group of calls' rows."""
        self.parquet.write_table(
            pa.Table.from_pandas(frame, schema=self.schema, preserve_index=False))
        if self.csv is not None and len(frame):
            for_spreadsheet(frame).to_csv(self.csv, header=False, index=False)

    def __exit__(self, *exc: object) -> None:
        # Files close before their rename; an error leaves the previous files in place.
        self.stack.__exit__(*exc)  # type: ignore[arg-type]


class _RowsByCall:
    """A Parquet table in the order of the calls table (as gathered), a call at a time."""

    def __init__(self, path: Path, batch_rows: int) -> None:
        self.batches = pq.ParquetFile(path).iter_batches(batch_size=batch_rows)
        self.pending: pd.DataFrame = SCHEMAS[path.stem].empty_table().to_pandas()
        self.done = False

    def take(self, call_id: str) -> pd.DataFrame:
        """The rows of ``call_id``; calls must be asked for in the order of the calls table,
        so the rows of the call asked for are at the front of what is left."""
        ids = self.pending["call_id"]
        while not self.done and (not len(ids) or ids.iloc[0] == call_id == ids.iloc[-1]):
            self._read()
            ids = self.pending["call_id"]
        others = (self.pending["call_id"] != call_id).to_numpy()
        count = int(others.argmax()) if others.any() else len(others)
        rows = self.pending.iloc[:count].reset_index(drop=True)
        self.pending = self.pending.iloc[count:]
        return rows

    def _read(self) -> None:
        batch = next(self.batches, None)
        if batch is None:
            self.done = True
            return
        frame = batch.to_pandas()
        self.pending = pd.concat([self.pending, frame], ignore_index=True) \
            if len(self.pending) else frame
