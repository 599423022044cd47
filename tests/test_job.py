"""One call of a run: cached, busy, analyzed, failed, forced."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import DEMO_ARCHIVE, FakeSTT

from analyzer.run import store
from analyzer.run.engines import Engines
from analyzer.run.job import run_call, stored_outcome, stored_result
from analyzer.run.store import Run, models_version
from analyzer.types import CallSource, Options

OPTIONS = Options(diarize=False)


@pytest.fixture
def call() -> CallSource:
    path = sorted(DEMO_ARCHIVE.rglob("*.opus"))[0]
    return CallSource("alice/first", "alice", str(path))


@pytest.fixture
def run(tmp_path) -> Run:
    return Run(tmp_path / "out", OPTIONS, models_version())


def test_job_analyzes_then_takes_the_stored_result(call, run, fake_stt):
    first = run_call(call, run, Engines(OPTIONS, stt=fake_stt))
    assert first.status == "analyzed" and first.duration_s > 20
    assert stored_outcome(call, run).status == "cached"
    again = FakeSTT()
    assert run_call(call, run, Engines(OPTIONS, stt=again)).status == "cached"
    assert again.calls == 0
    assert stored_result(call, run).source == call


def test_job_busy_while_another_worker_holds_the_call(call, run, fake_stt):
    assert store.claim(run.lock_path(call))
    try:
        outcome = run_call(call, run, Engines(OPTIONS, stt=fake_stt))
    finally:
        store.release(run.lock_path(call))
    assert outcome.status == "busy" and fake_stt.calls == 0


def test_job_failure_is_stored_and_named(run, tmp_path, fake_stt):
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF not really")
    call = CallSource("broken", "ann", str(broken))
    outcome = run_call(call, run, Engines(OPTIONS, stt=fake_stt))
    assert outcome.status == "failed" and outcome.error.stage == "input"
    assert "broken.wav" in outcome.error.path
    assert store.read_json(run.error_path(call))["reason"] == outcome.error.reason
    assert stored_outcome(call, run) is None


def test_job_force_redoes_a_stored_call_and_its_transcript(call, run, fake_stt):
    run_call(call, run, Engines(OPTIONS, stt=fake_stt))
    forced = replace(run, force=True)
    assert stored_outcome(call, forced) is None
    again = FakeSTT(fake_stt.lines)
    assert run_call(call, forced, Engines(OPTIONS, stt=again)).status == "analyzed"
    assert again.calls == 2  # both channels transcribed again, not read from the cache


def test_job_result_key_is_read_from_the_head_of_the_file(call, run, fake_stt):
    run_call(call, run, Engines(OPTIONS, stt=fake_stt))
    stored = store.read_json(run.result_path(call))
    assert store.read_key(run.result_path(call)) == stored["key"]
