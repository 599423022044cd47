"""Tables streamed from per-call results: the same tables as in memory, a row group per group
of calls, read back a call at a time, and never a half-written file."""

from __future__ import annotations

import math

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import metrics_of

from analyzer.coach.stream_tables import gather_tables, iter_calls
from analyzer.types import CallError, CallResult, CallSource, Flag, RoleAssignment, Utterance


def result(index: int) -> CallResult:
    """Call ``index``: index % 3 utterances (so some calls have none), a flag on odd calls."""
    source = CallSource(f"c{index:03d}", f"rep{index % 2}", f"/calls/c{index}.wav")
    roles = RoleAssignment(("left",), "channel", 1.0)
    utterances = tuple(Utterance("left" if k % 2 else "right", "rep" if k % 2 else "customer",
                                 float(k), k + 0.5, f"line {k} of {index}")
                       for k in range(index % 3))
    flags = (Flag("rep", 1.0, 1.5, "question", "", "q_rule", "Why?"),) if index % 2 else ()
    metrics = metrics_of(duration_s=60.0 + index, source="whisper",
                         rep_talk_share=0.5 if index % 5 else math.nan, egomaniac=index % 3 == 0)
    return CallResult(source, roles, utterances, metrics, flags)


RESULTS = [result(i) for i in range(23)]
ERRORS = [CallError("bad", "rep0", "/calls/bad.wav", "input", "not audio")]


def test_gather_tables_hold_every_result_and_error_in_order(tmp_path):
    streamed = gather_tables([*ERRORS, *RESULTS], tmp_path, group=4)
    assert list(streamed.calls["call_id"]) == [r.source.call_id for r in RESULTS]
    assert list(streamed.errors["call_id"]) == ["bad"]
    assert len(pd.read_parquet(tmp_path / "utterances.parquet")) == \
        sum(len(r.utterances) for r in RESULTS)
    assert len(pd.read_parquet(tmp_path / "flags.parquet")) == sum(len(r.flags) for r in RESULTS)
    for name in ("calls", "reps", "flags"):
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / f"{name}.parquet"),
                                      getattr(streamed, name))
    assert list(pd.read_csv(tmp_path / "calls.csv")["call_id"]) == list(streamed.calls["call_id"])


def test_gather_writes_one_row_group_per_group_of_calls(tmp_path):
    gather_tables(RESULTS, tmp_path, group=5)
    assert pq.ParquetFile(tmp_path / "utterances.parquet").num_row_groups == 5


def test_gather_iter_calls_gives_each_call_its_own_rows(tmp_path):
    gather_tables(RESULTS, tmp_path, group=4)
    seen = list(iter_calls(tmp_path, batch_rows=3))
    assert [call_id for call_id, _, _ in seen] == [r.source.call_id for r in RESULTS]
    for (call_id, utterances, flags), expected in zip(seen, RESULTS):
        assert list(utterances["text"]) == [u.text for u in expected.utterances], call_id
        assert list(flags["rule"]) == [f.rule for f in expected.flags], call_id
        assert set(utterances["call_id"]) <= {call_id} and set(flags["call_id"]) <= {call_id}


def test_gather_empty_run_writes_empty_tables(tmp_path):
    tables = gather_tables(ERRORS, tmp_path)
    assert tables.calls.empty and len(tables.errors) == 1
    assert list(pd.read_parquet(tmp_path / "utterances.parquet").columns)[:2] == \
        ["call_id", "rep"]
    assert list(iter_calls(tmp_path)) == []


def test_gather_failure_midway_leaves_the_previous_tables_whole(tmp_path):
    gather_tables(RESULTS[:3], tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def broken():
        yield from RESULTS
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        gather_tables(broken(), tmp_path, group=4)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
