"""Finding calls: folders name reps, manifests override, bad rows become error rows."""

from __future__ import annotations

from pathlib import Path

from analyzer.inputs import find_calls


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return path


def test_inputs_first_folder_level_names_the_rep(tmp_path):
    touch(tmp_path / "alice" / "2026" / "c1.wav")
    touch(tmp_path / "bob" / "c2.mp3")
    touch(tmp_path / "loose.flac")
    touch(tmp_path / "bob" / "notes.docx")
    found = find_calls([tmp_path])
    reps = {c.call_id: c.rep for c in found.calls}
    assert reps == {"alice/2026/c1": "alice", "bob/c2": "bob", "loose": "unknown"}
    assert not found.errors


def test_inputs_every_audio_suffix_is_found(tmp_path):
    for suffix in ("wav", "mp3", "m4a", "flac", "ogg", "opus", "webm", "mp4", "WAV"):
        touch(tmp_path / "r" / f"call_{suffix}.{suffix}")
    assert len(find_calls([tmp_path]).calls) == 9


def test_inputs_same_stem_for_two_reps_gets_distinct_ids(tmp_path):
    a, b = touch(tmp_path / "a" / "call.wav"), touch(tmp_path / "b" / "call.wav")
    found = find_calls([a, b], rep="x")
    assert [c.call_id for c in found.calls] == ["call", "call-2"]


def test_inputs_missing_path_is_an_error_row(tmp_path):
    found = find_calls([tmp_path / "gone.wav"])
    assert not found.calls
    assert found.errors[0].reason == "file not found"


def test_inputs_manifest_sets_rep_channel_and_date(tmp_path):
    touch(tmp_path / "audio" / "c1.wav")
    manifest = tmp_path / "calls.csv"
    manifest.write_text("path,rep,call_id,date,rep_channel\n"
                        "audio/c1.wav,priya,acme-1,2026-10-01,right\n"
                        "audio/missing.wav,priya,acme-2,,\n")
    found = find_calls([], manifest=manifest)
    (call,) = found.calls
    assert (call.call_id, call.rep, call.date, call.rep_channel) == \
        ("acme-1", "priya", "2026-10-01", "right")
    (error,) = found.errors
    assert error.call_id == "acme-2" and "line 3" in error.reason and "not found" in error.reason


def test_inputs_manifest_overrides_folder_rep(tmp_path):
    touch(tmp_path / "archive" / "wrong" / "c1.wav")
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,rep\narchive/wrong/c1.wav,right_rep\n")
    found = find_calls([tmp_path / "archive"], manifest=manifest)
    assert [c.rep for c in found.calls] == ["right_rep"]


def test_inputs_audio_next_to_a_transcript_is_linked_not_analyzed_twice(tmp_path):
    touch(tmp_path / "r" / "call.vtt")
    touch(tmp_path / "r" / "call.m4a")
    (call,) = find_calls([tmp_path]).calls
    assert call.path.endswith("call.vtt") and call.audio_path.endswith("call.m4a")


def test_inputs_output_folder_inside_the_archive_is_not_read_back(tmp_path):
    touch(tmp_path / "alice" / "c1.wav")
    touch(tmp_path / "report" / "calls" / "alice__c1.json")
    found = find_calls([tmp_path], skip=tmp_path / "report")
    assert [c.call_id for c in found.calls] == ["alice/c1"]
