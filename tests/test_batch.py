"""The batch with a fake transcriber: outputs, resuming, and bad input that never stops it."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from conftest import DEMO_ARCHIVE, FakeSTT

from analyzer.batch import analyze
from analyzer.pipeline import Engines
from analyzer.types import Options


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
    assert sorted(results.calls["rep"]) == ["alice", "alice", "bob", "bob"]
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
    assert resumed.calls == 4 and len(results.calls) == 4


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
    assert len(results.calls) == 4
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
    assert len(results.calls) == 3
    assert "decoder exploded" in results.errors["reason"].iloc[0]


def test_batch_two_workers_share_an_output_folder_without_redoing(archive, tmp_path,
                                                                      fake_stt, monkeypatch):
    import threading
    import time

    import analyzer.batch

    monkeypatch.setattr(analyzer.batch, "WAIT_S", 0.05)

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
    assert first.calls + second.calls == 8
    assert len(outcome["a"].calls) == len(outcome["b"].calls) == 4
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
    assert {p.name for p in (tmp_path / "out" / "by-rep").iterdir()} == {"alice", "bob"}
