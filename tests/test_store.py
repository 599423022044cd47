"""The result store: JSON round trips of the stage types, atomic writes, stable keys."""

from __future__ import annotations

import math

import pytest
from conftest import metrics_of

from analyzer.errors import RunError
from analyzer.run import store
from analyzer.types import (
    CallResult,
    CallSource,
    Flag,
    RoleAssignment,
    Segment,
    SpeakerTurn,
    Transcript,
    Utterance,
    Word,
)


def test_store_transcript_round_trips_with_nan(tmp_path):
    word = Word(0.0, math.nan, "hi", "left")
    transcript = Transcript((Segment("left", 0.0, 1.0, "hi", (word,)),), ("left",), 2.0,
                            "whisper", True, (SpeakerTurn("left", 0.0, 1.0),))
    store.write_json(tmp_path / "t.json", transcript)
    back = store.to_dataclass(Transcript, store.read_json(tmp_path / "t.json"))
    assert back.segments[0].words[0].text == "hi" and math.isnan(back.segments[0].words[0].end)
    assert back.activity == transcript.activity


def test_store_call_result_round_trips(tmp_path):
    result = CallResult(CallSource("c", "r", "p.wav"), RoleAssignment(("left",), "channel", 1.0),
                        (Utterance("left", "rep", 0.0, 1.0, "hi"),),
                        metrics_of(rep_talk_s=1.0, rep_talk_share_status="good"),
                        (Flag("rep", 0.0, 1.0, "question", "", "q1", "How?"),))
    store.write_json(tmp_path / "r.json", {"key": "k", "result": result})
    back = store.to_dataclass(CallResult, store.read_json(tmp_path / "r.json")["result"])
    assert back == result


def test_store_damaged_file_reads_as_absent(tmp_path):
    (tmp_path / "bad.json").write_text("{not json")
    assert store.read_json(tmp_path / "bad.json") is None
    assert store.read_json(tmp_path / "missing.json") is None


def test_store_write_leaves_no_temporary_files(tmp_path):
    store.write_json(tmp_path / "a" / "x.json", {"a": 1})
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["x.json"]


def test_store_key_changes_with_any_part():
    assert store.run_key("abc", {"model": ""}) == store.run_key("abc", {"model": ""})
    assert store.run_key("abc", {"model": ""}) != store.run_key("abc", {"model": "small"})


def test_store_safe_name_flattens_folders():
    assert store.safe_name("alice/2026/c1") == "alice__2026__c1"


def test_store_claim_is_exclusive_until_released(tmp_path):
    lock = tmp_path / "c.lock"
    assert store.claim(lock)
    assert not store.claim(lock)
    store.release(lock)
    assert store.claim(lock)


def test_store_claim_of_a_dead_worker_is_taken_over(tmp_path):
    import socket
    import time

    lock = tmp_path / "c.lock"
    beyond_pid_max = 2**22 + 1
    store.write_json(lock, {"pid": beyond_pid_max, "host": socket.gethostname(),
                            "time": time.time()})
    assert store.claim(lock)


def test_store_claim_older_than_the_limit_is_stale(tmp_path):
    lock = tmp_path / "c.lock"
    store.write_json(lock, {"pid": 1, "host": "another-machine", "time": 0.0})
    assert store.claim(lock)


def test_store_safe_name_keeps_plain_ids_as_they_were():
    assert store.safe_name("alice/2026-10-01-acme") == "alice__2026-10-01-acme"
    assert store.safe_name("bob/call_1.v2") == "bob__call_1.v2"


def test_store_safe_name_ids_differing_in_accents_or_script_no_longer_share_a_file():
    ids = ["café", "cafè", "日本", "中文", "a b", "a/b", "a__b", "call"]
    assert len({store.safe_name(i) for i in ids}) == len(ids)


def test_store_safe_name_of_a_very_long_id_fits_in_a_file_name(tmp_path):
    name = store.safe_name("/".join(["folder-with-a-long-name"] * 40))
    assert len(f"{name}.error.json") < 255
    store.write_json(tmp_path / f"{name}.json", {"ok": True})  # no "File name too long"


def test_store_write_that_fails_leaves_the_old_file_and_no_temporary_file(tmp_path,
                                                                          monkeypatch):
    path = tmp_path / "result.json"
    store.write_json(path, {"old": 1})

    def full(payload, handle, **kwargs):
        handle.write('{"new": ')
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.json, "dump", full)
    with pytest.raises(OSError):
        store.write_json(path, {"new": 2})
    monkeypatch.undo()
    assert store.read_json(path) == {"old": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]


def test_store_claim_that_cannot_write_its_lock_leaves_none(tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.json, "dump", full)
    with pytest.raises(OSError):
        store.claim(tmp_path / "call.lock")
    assert not (tmp_path / "call.lock").exists()


def test_store_check_writable_names_the_folder(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(RunError, match=r"file/out: cannot write to the output folder"):
        store.check_writable(tmp_path / "file" / "out")
    store.check_writable(tmp_path / "new" / "out")
    assert not list((tmp_path / "new" / "out").iterdir())
