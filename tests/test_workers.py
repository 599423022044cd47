"""Worker processes: how many, their threads, and results identical to one worker."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest
from conftest import DEMO_ARCHIVE, write_transcript_archive

from analyzer.run import processes as workers
from analyzer.run.batch import analyze
from analyzer.settings import runtime_setting
from analyzer.types import Execution, Options

TABLES = ("calls", "reps", "utterances", "flags", "errors")


def test_workers_default_never_exceeds_cores_memory_or_calls(monkeypatch):
    monkeypatch.setattr(workers, "cores", lambda: 8)
    monkeypatch.setattr(workers, "available_memory_gb", lambda: 4.0)
    need = runtime_setting("worker_memory_gb")
    assert workers.default_workers(100) == max(1, min(8, int(4.0 // need)))
    assert workers.default_workers(1) == 1
    monkeypatch.setattr(workers, "available_memory_gb", lambda: 0.1)
    assert workers.default_workers(100) == 1


def test_workers_share_the_cores(monkeypatch):
    monkeypatch.setattr(workers, "cores", lambda: 8)
    assert [workers.threads_per_worker(n) for n in (1, 2, 3, 8, 16)] == [8, 4, 2, 1, 1]


def test_workers_thread_limits_are_restored(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    with workers.thread_limits(2):
        assert os.environ["OMP_NUM_THREADS"] == os.environ["MKL_NUM_THREADS"] == "2"
    assert os.environ["OMP_NUM_THREADS"] == "7" and "MKL_NUM_THREADS" not in os.environ


def tables_of(out) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(out / f"{name}.parquet") if name != "errors"
            else pd.read_csv(out / "errors.csv") for name in TABLES}


@pytest.mark.slow
def test_workers_two_processes_give_the_tables_of_one(tmp_path):
    archive = write_transcript_archive(tmp_path / "archive", 6)
    shortest = DEMO_ARCHIVE / "bob" / "2026-10-09-umbrella-pitch.opus"
    shutil.copy(shortest, archive / "bob")
    (archive / "bob" / "broken.wav").write_text("not a recording")
    options = Options()
    one = analyze([archive], tmp_path / "one", options=options, execution=Execution(workers=1))
    two = analyze([archive], tmp_path / "two", options=options, execution=Execution(workers=2))
    assert len(one.calls) == 7 and len(one.errors) == 1
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(one, name), getattr(two, name))
    written_one, written_two = tables_of(tmp_path / "one"), tables_of(tmp_path / "two")
    for name in TABLES:
        pd.testing.assert_frame_equal(written_one[name], written_two[name])
