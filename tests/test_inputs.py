"""Finding calls: folders name reps, manifests override, bad rows become error rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.errors import ManifestError
from analyzer.run.inputs import find_calls


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


def test_inputs_linked_rep_folder_is_no_longer_skipped(tmp_path):
    touch(tmp_path / "nas" / "carol" / "c1.wav")
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "carol").symlink_to(tmp_path / "nas" / "carol")
    found = find_calls([tmp_path / "archive"])
    assert [(c.call_id, c.rep) for c in found.calls] == [("carol/c1", "carol")]


def test_inputs_symlink_loops_end_and_repeat_nothing(tmp_path):
    touch(tmp_path / "a" / "c1.wav")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a")
    (tmp_path / "a" / "root").symlink_to(tmp_path)
    (tmp_path / "a" / "self.wav").symlink_to(tmp_path / "a" / "self.wav")
    (tmp_path / "a" / "gone.wav").symlink_to(tmp_path / "nowhere.wav")
    found = find_calls([tmp_path])
    assert [c.call_id for c in found.calls] == ["a/c1"]
    assert {(e.call_id, e.reason) for e in found.errors} == {
        ("a/self", "symbolic link loop"),
        ("a/gone", f"broken symbolic link (to {tmp_path / 'nowhere.wav'})")}


def test_inputs_path_too_long_is_an_error_row_not_a_crash(tmp_path):
    found = find_calls([tmp_path / ("x" * 300 + ".wav")])
    assert found.errors[0].reason == "file name too long"


def write_manifest(tmp_path: Path, text: str | bytes) -> Path:
    manifest = tmp_path / "calls.csv"
    if isinstance(text, str):
        text = text.encode()
    manifest.write_bytes(text)
    return manifest


def test_inputs_manifest_with_a_too_long_path_or_unknown_home_is_an_error_row(tmp_path):
    manifest = write_manifest(tmp_path, f"path,rep\n{'x' * 300}.wav,a\n~nosuchuser/c.wav,b\n")
    found = find_calls([], manifest=manifest)
    assert [e.reason for e in found.errors] == ["manifest calls.csv line 2: file name too long",
                                                "manifest calls.csv line 3: file not found"]


def test_inputs_manifest_not_utf8_is_a_manifest_error(tmp_path):
    manifest = write_manifest(tmp_path, b"path,rep\nc\xe9.wav,ana\n")
    with pytest.raises(ManifestError, match=r"calls.csv: line 2: not UTF-8 text"):
        find_calls([], manifest=manifest)


def test_inputs_manifest_field_over_the_csv_limit_is_a_manifest_error(tmp_path):
    manifest = write_manifest(tmp_path, "path,rep\n\"" + "a" * 140_000 + "\",ana\n")
    with pytest.raises(ManifestError, match=r"line 2: not valid CSV \(field larger"):
        find_calls([], manifest=manifest)


def test_inputs_manifest_of_binary_data_is_a_manifest_error(tmp_path):
    manifest = write_manifest(tmp_path, b"path,rep\x00\x01\x02")
    with pytest.raises(ManifestError, match="binary data"):
        find_calls([], manifest=manifest)


def test_inputs_manifest_header_case_and_spaces_do_not_matter(tmp_path):
    touch(tmp_path / "c1.wav")
    manifest = write_manifest(tmp_path, " Path , REP,Call_ID\nc1.wav,priya,acme-1\n")
    (call,) = find_calls([], manifest=manifest).calls
    assert (call.call_id, call.rep) == ("acme-1", "priya")


def test_inputs_manifest_line_numbers_count_blank_and_quoted_lines(tmp_path):
    touch(tmp_path / "c1.wav")
    manifest = write_manifest(tmp_path, 'path,rep,rep_speaker\n\nc1.wav,a,"Ana\nSilva"\n'
                                        "\ngone.wav,b,\n")
    found = find_calls([], manifest=manifest)
    assert [e.reason for e in found.errors] == ["manifest calls.csv line 6: file not found"]


def test_inputs_manifest_rows_with_bad_dates_channels_or_repeated_ids_are_error_rows(tmp_path):
    for name in ("c1", "c2", "c3", "c4"):
        touch(tmp_path / f"{name}.wav")
    manifest = write_manifest(tmp_path, "path,rep,call_id,date,rep_channel\n"
                                        "c1.wav,a,x,2026-10-01T09:30:00,left\n"
                                        "c2.wav,a,x,2026-10-02,\n"
                                        "c3.wav,a,y,yesterday,\n"
                                        "c4.wav,a,z,,middle\n")
    found = find_calls([], manifest=manifest)
    assert [c.call_id for c in found.calls] == ["x"]
    assert [e.reason.split(": ", 1)[1] for e in found.errors] == [
        "call_id 'x' is already used on line 2",
        "date 'yesterday' is not an ISO date (YYYY-MM-DD)",
        "rep_channel must be left or right, not 'middle'"]


def test_inputs_manifest_missing_columns_is_a_manifest_error(tmp_path):
    manifest = write_manifest(tmp_path, "file,rep\nc1.wav,a\n")
    with pytest.raises(ManifestError, match=r"line 1: missing column\(s\) path"):
        find_calls([], manifest=manifest)


def test_inputs_date_read_from_a_file_name_that_starts_with_an_iso_date(tmp_path):
    import pandas as pd
    from click.testing import CliRunner

    from analyzer.cli import cli

    archive = tmp_path / "archive" / "priya"
    archive.mkdir(parents=True)
    for name in ("2026-10-01-acme.txt", "acme-2026-10-02.txt", "2026-13-45-bad.txt",
                 "2026-10-03.txt"):
        (archive / name).write_text("Priya: Hi, this is Priya from Acme.\nDan: Hello.\n")
    manifest = tmp_path / "calls.csv"
    manifest.write_text("path,rep,date\narchive/priya/2026-10-03.txt,priya,2026-11-30\n")
    result = CliRunner().invoke(cli, ["analyze", str(tmp_path / "archive"), "--manifest",
                                      str(manifest), "--rep-name", "Priya", "--out",
                                      str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    calls = pd.read_csv(tmp_path / "out" / "calls.csv", keep_default_na=False, dtype=str)
    dates = dict(zip(calls["call_id"], calls["date"], strict=True))
    assert dates == {"priya/2026-10-01-acme": "2026-10-01", "priya/acme-2026-10-02": "",
                     "priya/2026-13-45-bad": "", "2026-10-03": "2026-11-30"}
