"""The batch with a fake transcriber: outputs, resuming, and bad input that never stops it."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest
from conftest import DEMO_ARCHIVE, FakeSTT

from analyzer.run.batch import analyze
from analyzer.run.engines import Engines
from analyzer.run.progress import Tracker
from analyzer.types import Execution, Options


@pytest.fixture
def archive(tmp_path):
    """A copy of the demo archive the test may add files to."""
    return shutil.copytree(DEMO_ARCHIVE, tmp_path / "archive")


def run(archive, out, stt, **kwargs):
    options = kwargs.pop("options", Options(diarize=False))
    return analyze([archive], out, options=options, engines=Engines(options, stt=stt), **kwargs)


def test_batch_writes_every_table_and_report(archive, tmp_path, fake_stt):
    results = run(archive, tmp_path / "out", fake_stt)
    out = tmp_path / "out"
    for name in ("calls.csv", "calls.parquet", "reps.csv", "reps.parquet", "utterances.parquet",
                 "flags.csv", "flags.parquet", "errors.csv", "index.html", "reps/alice.html",
                 "reps/bob.html"):
        assert (out / name).is_file(), name
    assert sorted(results.calls["rep"]) == ["alice", "alice", "alice", "bob", "bob", "bob",
                                           "carol", "carol", "dave", "erin"]
    assert {"call_id", "rep", "path", "duration_s", "rep_talk_s", "customer_talk_s",
            "rep_talk_share", "role_method", "role_confidence"} <= set(results.calls.columns)
    assert set(results.utterances["role"]) == {"rep", "customer"}
    assert pd.read_parquet(out / "calls.parquet").shape == results.calls.shape


def test_batch_index_links_every_rep(archive, tmp_path, fake_stt):
    run(archive, tmp_path / "out", fake_stt)
    index = (tmp_path / "out" / "index.html").read_text()
    assert 'href="reps/alice.html"' in index and 'href="reps/bob.html"' in index


def test_batch_second_run_redoes_nothing(archive, tmp_path, fake_stt):
    first = run(archive, tmp_path / "out", fake_stt)
    again = FakeSTT()
    second = run(archive, tmp_path / "out", again)
    assert again.calls == 0
    pd.testing.assert_frame_equal(first.calls, second.calls)


def test_batch_killed_run_resumes_where_it_stopped(archive, tmp_path, fake_stt):
    class Killed(FakeSTT):
        def transcribe(self, samples, speaker):
            if self.calls == 4:
                raise KeyboardInterrupt
            return super().transcribe(samples, speaker)

    with pytest.raises(KeyboardInterrupt):
        run(archive, tmp_path / "out", Killed(fake_stt.lines))
    assert len(list((tmp_path / "out" / "calls").glob("*.json"))) == 2
    resumed = FakeSTT(fake_stt.lines)
    results = run(archive, tmp_path / "out", resumed)
    assert resumed.calls == 16 and len(results.calls) == 10


def test_batch_changed_options_recompute(archive, tmp_path, fake_stt):
    run(archive, tmp_path / "out", fake_stt)
    swapped = run(archive, tmp_path / "out", FakeSTT(),
                  options=Options(rep_channel="right", diarize=False))
    left = run(archive, tmp_path / "other", FakeSTT(fake_stt.lines))
    merged = left.calls.merge(swapped.calls, on="call_id", suffixes=("", "_swapped"))
    assert (merged["rep_talk_s"] == merged["customer_talk_s_swapped"]).all()


def test_batch_bad_inputs_become_error_rows(archive, tmp_path, fake_stt):
    (archive / "alice" / "corrupt.wav").write_bytes(b"RIFF\x00\x00garbage" * 10)
    (archive / "alice" / "empty.mp3").write_bytes(b"")
    (archive / "bob" / "notes.ogg").write_text("not audio at all")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("path,rep\nnowhere/call.wav,carol\n")
    results = run(archive, tmp_path / "out", fake_stt, manifest=manifest)
    assert len(results.calls) == 10
    errors = pd.read_csv(tmp_path / "out" / "errors.csv")
    assert len(errors) == 4
    for name in ("corrupt.wav", "empty.mp3", "notes.ogg", "call.wav"):
        row = errors[errors["path"].str.endswith(name)]
        assert len(row) == 1 and row["reason"].iloc[0], name


def test_batch_unexpected_failure_of_one_call_is_recorded(archive, tmp_path, fake_stt):
    class Flaky(FakeSTT):
        def transcribe(self, samples, speaker):
            if self.calls == 0:
                self.calls += 1
                raise RuntimeError("decoder exploded")
            return super().transcribe(samples, speaker)

    results = run(archive, tmp_path / "out", Flaky(fake_stt.lines))
    assert len(results.calls) == 9
    assert "decoder exploded" in results.errors["reason"].iloc[0]


def test_batch_lock_left_by_a_killed_worker_goes_with_the_next_run(archive, tmp_path, fake_stt):
    """A worker killed after storing its result, before giving up its lock, left the lock
    behind: the next run found the result stored and never touched the lock (seen once in
    the SIGKILL test below)."""
    import socket
    import time

    from analyzer.run import store

    out = tmp_path / "out"
    run(archive, out, fake_stt)
    first, live = sorted((out / "calls").glob("*.json"))[:2]
    dead = first.with_suffix(".lock")
    beyond_pid_max = 2**22 + 1
    store.write_json(dead, {"pid": beyond_pid_max, "host": socket.gethostname(),
                            "time": time.time()})
    store.write_json(live.with_suffix(".lock"), {"pid": os.getpid(),
                                                 "host": socket.gethostname(),
                                                 "time": time.time()})
    results = run(archive, out, fake_stt)
    assert len(results.calls) == 10
    assert not dead.exists()
    assert live.with_suffix(".lock").exists()  # a live worker's lock stays


def test_batch_two_workers_share_an_output_folder_without_redoing(archive, tmp_path,
                                                                      fake_stt, monkeypatch):
    import threading
    import time

    import analyzer.run.batch

    monkeypatch.setattr(analyzer.run.batch, "WAIT_S", 0.05)

    class Slow(FakeSTT):
        def transcribe(self, samples, speaker):
            time.sleep(0.2)
            return super().transcribe(samples, speaker)

    first, second = Slow(fake_stt.lines), Slow(fake_stt.lines)
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.setdefault(
        "a", run(archive, tmp_path / "out", first)))
    worker.start()
    time.sleep(0.1)
    outcome["b"] = run(archive, tmp_path / "out", second)
    worker.join()
    assert first.calls + second.calls == 20
    assert len(outcome["a"].calls) == len(outcome["b"].calls) == 10
    assert not list((tmp_path / "out" / "calls").glob("*.lock"))


PRIVATE = FakeSTT({"left": ["Hi, this is Alice from Brightline.", "Can I have your email?"],
                   "right": ["Sure, it's olivia.bennett@harbour.co.uk.",
                             "Or call me on (555) 201-7788."]}).lines


def test_batch_redacted_run_caches_and_stores_no_original_text(archive, tmp_path):
    out = tmp_path / "out"
    results = run(archive, out, FakeSTT(PRIVATE), options=Options(redact=True, diarize=False))
    said = " ".join(results.utterances["text"])
    assert "[EMAIL]" in said and "[PHONE]" in said
    stored = [p.read_text(encoding="utf-8") for p in out.rglob("*.json")]
    assert any("[EMAIL]" in text for text in stored)
    assert not [t for t in stored if "olivia" in t.lower() or "201-7788" in t]
    assert results.calls["redacted"].all()


def test_batch_output_folder_keeps_one_redaction_mode(archive, tmp_path, fake_stt):
    from analyzer.errors import RunError

    run(archive, tmp_path / "plain", fake_stt)
    with pytest.raises(RunError, match="holds unredacted results"):
        run(archive, tmp_path / "plain", FakeSTT(), options=Options(redact=True, diarize=False))
    run(archive, tmp_path / "redacted", FakeSTT(), options=Options(redact=True, diarize=False))
    with pytest.raises(RunError, match="holds redacted results"):
        run(archive, tmp_path / "redacted", FakeSTT())


def test_batch_redacted_error_reasons_quote_nothing(archive, tmp_path, fake_stt):
    (archive / "bob" / "broken.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> call me on 555-201-7788\nOlivia Bennett: hi\n",
        encoding="utf-8")
    results = run(archive, tmp_path / "out", fake_stt,
                  options=Options(redact=True, diarize=False))
    reason = results.errors["reason"].iloc[0]
    assert "line 3" in reason and "7788" not in reason and "Olivia" not in reason
    written = (tmp_path / "out" / "errors.csv").read_text(encoding="utf-8")
    assert "7788" not in written


def test_batch_split_by_rep_recomputes_nothing(archive, tmp_path, fake_stt):
    run(archive, tmp_path / "out", fake_stt)
    again = FakeSTT()
    run(archive, tmp_path / "out", again, options=Options(diarize=False, split_by_rep=True))
    assert again.calls == 0
    assert {p.name for p in (tmp_path / "out" / "by-rep").iterdir()} == {
        "alice", "bob", "carol", "dave", "erin"}


def test_batch_force_redoes_every_call(archive, tmp_path, fake_stt):
    run(archive, tmp_path / "out", fake_stt)
    forced = FakeSTT(fake_stt.lines)
    results = run(archive, tmp_path / "out", forced, execution=Execution(force=True))
    assert forced.calls == 20 and len(results.calls) == 10


def test_batch_changed_models_file_relabels_without_transcribing(archive, tmp_path, fake_stt,
                                                                   monkeypatch):
    import analyzer.run.store

    run(archive, tmp_path / "out", fake_stt)
    stored = {p: p.stat().st_mtime_ns for p in (tmp_path / "out" / "calls").glob("*.json")}
    models = shutil.copytree(analyzer.run.store.MODELS_DIR, tmp_path / "models")
    monkeypatch.setattr(analyzer.run.store, "MODELS_DIR", models)
    (models / "runtime.json").write_text((models / "runtime.json").read_text() + "\n")
    (models / "benchmarks.json").write_text((models / "benchmarks.json").read_text() + "\n")
    for corpus in ("eval/language/blind3.jsonl", "eval/redaction/planted.jsonl"):
        with open(models / corpus, "a", encoding="utf-8") as handle:  # evaluation data only
            handle.write('{"text": "An edited evaluation corpus.", "labels": []}\n')
    untouched = FakeSTT(fake_stt.lines)
    run(archive, tmp_path / "out", untouched)
    assert {p: p.stat().st_mtime_ns for p in stored} == stored
    with open(models / "metrics" / "backchannels.txt", "a", encoding="utf-8") as handle:
        handle.write("\n")
    relabelled = FakeSTT(fake_stt.lines)
    results = run(archive, tmp_path / "out", relabelled)
    assert relabelled.calls == 0 and len(results.calls) == 10
    assert all(p.stat().st_mtime_ns != stored[p] for p in stored)


def test_batch_summary_counts_cached_calls(archive, tmp_path, fake_stt):
    run(archive, tmp_path / "out", fake_stt)
    tracker = Tracker()
    run(archive, tmp_path / "out", FakeSTT(), progress=tracker)
    assert tracker.summary.calls == 10 and tracker.summary.cached == 10
    assert tracker.summary.analyzed_s == 0 and tracker.summary.audio_s > 100


def wait_for(condition, timeout_s: float = 120.0) -> None:
    import time

    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def assert_whole_outputs(out) -> None:
    """Every table file parses and every stored result is complete JSON."""
    import json

    for path in out.glob("*.parquet"):
        pd.read_parquet(path)
    for path in out.glob("*.csv"):
        pd.read_csv(path)
    for path in (out / "calls").glob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_batch_sigkilled_run_resumes_with_every_call_once(tmp_path):
    import os
    import signal
    import subprocess

    out = tmp_path / "out"
    command = _analyze_command(tmp_path, 80, out, workers=2)
    first = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: len(list((out / "calls").glob("*.json"))) >= 6 or
                 first.poll() is not None)
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the run and its workers, at once
        first.wait()
    finished = {p.name: p.stat().st_mtime_ns for p in (out / "calls").glob("*.json")}
    assert 6 <= len(finished) < 80
    assert_whole_outputs(out)
    second = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr
    assert f"({len(finished)} from cache)" in second.stdout or \
        f"({len(finished) + 1} from cache)" in second.stdout  # one may finish as it was killed
    assert {p.name: p.stat().st_mtime_ns for p in (out / "calls").glob("*.json")
            if p.name in finished} == finished
    assert_whole_outputs(out)
    ids = {f"{rep}/call-{i:03d}" for i, rep in zip(range(80), ["alice", "bob"] * 40)}
    calls = pd.read_parquet(out / "calls.parquet")
    assert sorted(calls["call_id"]) == sorted(ids)
    assert sorted(pd.read_csv(out / "calls.csv")["call_id"]) == sorted(ids)
    for name in ("utterances.parquet", "flags.parquet", "flags.csv"):
        table = pd.read_parquet(out / name) if name.endswith("parquet") else pd.read_csv(out / name)
        firsts = table.groupby("call_id", sort=False).head(1)
        assert set(table["call_id"]) == ids, name
        assert table.groupby("call_id").ngroups == len(firsts) == 80, name
        # each call's rows once: one contiguous block per call
        assert (table["call_id"] != table["call_id"].shift()).sum() == 80, name
    assert not list(out.glob(".*.tmp")) and not list((out / "calls").glob("*.lock"))


@pytest.mark.slow
def test_batch_sigkilled_while_writing_tables_leaves_every_file_whole(tmp_path):
    import subprocess
    import time

    out = tmp_path / "out"
    command = _analyze_command(tmp_path, 40, out, workers=1)
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    for delay in (1.0, 1.5, 2.0, 2.5, 3.0):  # a cached run spends its time writing outputs
        killed = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        killed.kill()
        killed.wait()
        assert_whole_outputs(out)
        assert len(pd.read_parquet(out / "calls.parquet")) == 40


def test_batch_without_rows_returns_no_utterances_but_writes_them_and_every_page(
        archive, tmp_path, fake_stt):
    kept = run(archive, tmp_path / "kept", fake_stt)
    lean = run(archive, tmp_path / "lean", FakeSTT(fake_stt.lines), keep_rows=False)
    assert lean.utterances.empty and len(kept.utterances) > 0
    written = pd.read_parquet(tmp_path / "lean" / "utterances.parquet")
    assert len(written) == len(kept.utterances)
    pages = sorted(p.name for p in (tmp_path / "lean" / "call-pages").glob("*.html"))
    assert len(pages) == 10
    for name in pages:
        assert ((tmp_path / "lean" / "call-pages" / name).read_text(encoding="utf-8")
                == (tmp_path / "kept" / "call-pages" / name).read_text(encoding="utf-8")
                .replace("/kept/", "/lean/"))


def _analyze_command(tmp_path, calls: int, out, workers: int) -> list[str]:
    """`callcoach analyze` over an archive of ``calls`` transcripts, as a command to run."""
    import sys

    from conftest import write_transcript_archive

    archive = write_transcript_archive(tmp_path / "archive", calls)
    return [sys.executable, "-c", "from analyzer.cli import cli; cli()", "analyze",
            str(archive), "--out", str(out), "--workers", str(workers), "--quiet"]
