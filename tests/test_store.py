"""The result store: JSON round trips of the stage types, atomic writes, stable keys."""

from __future__ import annotations

import math

from analyzer import store
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
                        (Utterance("left", "rep", 0.0, 1.0, "hi"),), {"rep_talk_s": 1.0},
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
