"""Fuzzing the readers of what users hand in: every transcript reader, format detection and the
manifest parser either parse their input or raise the project's own error, never another
exception. Derandomized and without an example database, so every run (CI included) tries the
same inputs."""

from __future__ import annotations

import json
import math
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from analyzer.errors import InputError
from analyzer.run.inputs import read_manifest
from analyzer.run.transcript_files import READERS, TranscriptError, detect_format, read_transcript
from analyzer.run.transcript_files.build import FormatError

FUZZ = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Field names every JSON reader looks for, so generated objects reach past the first check.
KEYS = ["segments", "words", "word", "speaker", "start", "end", "text", "utterances",
        "results", "channels", "alternatives", "items", "speaker_labels", "channel_labels",
        "start_time", "end_time", "content", "type", "speaker_role", "start_ms",
        "duration_ms", "transcript", "format", "version", "metadata", "duration"]
# Values that broke readers or might: huge numbers, negative or non-finite times, wrong types.
ODD = st.sampled_from([10**400, -1, -0.5, math.nan, math.inf, "", None, True, [], {}, "x",
                       "1e999", "12:00", 10**30])
PLAIN = st.sampled_from([0, 1, 2.5, 3, "0", "1.5", "Alice", "Bob", "hello there", "okay.",
                         "pronunciation", "punctuation", "callcoach-transcript"])
SCALARS = st.one_of(ODD, PLAIN, st.integers(), st.floats(), st.text(max_size=12))
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)),
    max_leaves=40)
L = "leaf"
WORD = {"word": L, "text": L, "punctuated_word": L, "start": L, "end": L, "score": L,
        "confidence": L, "probability": L, "speaker": L}
# The documented layout of each service's JSON; every field optional, every leaf any value.
SHAPES = {
    "whisperx": {"segments": [{"start": L, "end": L, "text": L, "speaker": L, "words": [WORD]}],
                 "duration": L},
    "assemblyai": {"utterances": [{"speaker": L, "start": L, "end": L, "text": L,
                                   "words": [WORD]}],
                   "words": [WORD], "audio_duration": L},
    "deepgram": {"metadata": {"duration": L},
                 "results": {"utterances": [{"speaker": L, "channel": L, "start": L, "end": L,
                                             "transcript": L, "words": [WORD]}],
                             "channels": [{"alternatives": [{"words": [WORD]}]}]}},
    "aws": {"results": {"items": [{"type": L, "start_time": L, "end_time": L,
                                   "speaker_label": L, "channel_label": L,
                                   "alternatives": [{"content": L, "confidence": L}]}],
                        "speaker_labels": {"segments": [{"items": [{"start_time": L,
                                                                    "speaker_label": L}]}]},
                        "channel_labels": {"channels": [{"channel_label": L,
                                                         "items": [{"start_time": L}]}]}}},
    "gridspace": [{"speaker_role": L, "start_ms": L, "duration_ms": L, "transcript": L,
                   "human_transcript": L}],
    "callcoach": {"format": L, "version": L, "source": L, "timed": L, "duration_s": L,
                  "speakers": [L], "activity": [{"speaker": L, "start": L, "end": L}],
                  "segments": [{"speaker": L, "start": L, "end": L, "text": L,
                                "words": [WORD]}]},
}


def shaped(template):
    """Values laid out like ``template``: optional keys, short lists, any value at a leaf."""
    if isinstance(template, dict):
        return st.fixed_dictionaries({}, optional={k: shaped(v) for k, v in template.items()})
    if isinstance(template, list):
        return st.lists(shaped(template[0]), max_size=3)
    return SCALARS


def as_json(values):
    return values.map(lambda v: json.dumps(v, allow_nan=True))


ANY_JSON = as_json(st.one_of(*(shaped(t) for t in SHAPES.values()), JSON_VALUES))
TIMES = st.sampled_from(["00:00:01.000", "00:01.500", "1:02:03,250", "99:59.9", "00:00:02,5",
                         "-1:00.000", "00:00:00.000", "9" * 400 + ":00:00.000", "aa:bb.ccc"])
LINES = st.one_of(
    st.sampled_from(["WEBVTT", "WEBVTT - Zoom", "", "", "NOTE a note", "STYLE", "1", "2",
                     "Alice: hello there", "<v Bob>Hi, how are you?</v>", "<v>no name</v>",
                     "<v.loud Priya Shah>We are the best.", "[noise]", "Speaker 1:",
                     "-->", ":", "::::", "Bob:" * 30, "<b>bold</b> <i>", "&amp; &lt;"]),
    st.builds(lambda a, b, rest: f"{a} --> {b}{rest}", TIMES, TIMES,
              st.sampled_from(["", " align:start", "x"])),
    st.text(max_size=40))
CUE_TEXT = st.lists(LINES, max_size=25).map("\n".join)
TRANSCRIPT_TEXT = st.one_of(st.text(max_size=300), CUE_TEXT, ANY_JSON)


def text_for(fmt: str):
    """Mostly text laid out as ``fmt`` expects, sometimes anything at all."""
    own = as_json(shaped(SHAPES[fmt])) if fmt in SHAPES else CUE_TEXT
    return st.one_of(own, own, own, TRANSCRIPT_TEXT)


def parses_or_raises_format_error(fmt: str, text: str) -> None:
    try:
        transcript = READERS[fmt](text)
    except FormatError:
        return
    assert transcript.segments
    assert all(s.end >= s.start for s in transcript.segments if transcript.timed)


@pytest.mark.parametrize("fmt", sorted(READERS))
@FUZZ
@given(data=st.data())
def test_fuzz_reader_parses_or_raises_format_error(fmt, data):
    parses_or_raises_format_error(fmt, data.draw(text_for(fmt)))


# Inputs that once escaped as another exception or took minutes (each named for what broke).
FOUND = {
    "json_nested_deeper_than_python_recursion": "[" * 100_000,
    "json_integer_of_more_digits_than_python_converts":
        '{"segments": [{"start": 1' + "0" * 5000 + ', "end": 2, "text": "x"}]}',
    "json_number_too_large_for_a_float": '{"segments": [{"start": 1' + "0" * 400 + "}]}",
    "service_results_not_an_object": '{"results": 3}',
    "aws_speaker_segments_not_a_list":
        '{"results": {"items": [], "speaker_labels": {"segments": 5}}}',
    "aws_channel_items_not_objects":
        '{"results": {"items": [], "channel_labels": {"channels": [{"items": [1]}]}}}',
    "long_line_of_spaces_took_minutes_to_split_off_a_name": " " * 100_000 + "x",
    "cue_of_spaces_took_minutes_to_split_off_a_name":
        "WEBVTT\n\n00:00.000 --> 00:01.000\n" + " " * 100_000 + "x: hi",
    "square_brackets_never_closed_took_quadratic_time": "Ana: " + "[" * 100_000,
    "voice_tags_never_closed_took_quadratic_time":
        "WEBVTT\n\n00:00.000 --> 00:01.000\n" + "<v " * 50_000,
    "vtt_hours_too_large_for_a_float":
        "WEBVTT\n\n" + "9" * 400 + ":00:00.000 --> 00:00:01.000\nhi",
}


@pytest.mark.parametrize("fmt", sorted(READERS))
@pytest.mark.parametrize("text", FOUND.values(), ids=FOUND.keys())
def test_fuzz_found_inputs_parse_or_raise_format_error(fmt, text):
    parses_or_raises_format_error(fmt, text)


@FUZZ
@given(text=TRANSCRIPT_TEXT, name=st.sampled_from(["call.vtt", "call.srt", "call.txt",
                                                   "call.json", "CALL.VTT"]))
@example(text="[" * 100_000, name="call.json")
def test_fuzz_detect_format_names_a_reader_or_raises_transcript_error(text, name):
    try:
        fmt = detect_format(text, name)
    except TranscriptError as exc:
        assert exc.path == name and "\n" not in exc.message
        return
    assert fmt in READERS


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A folder for the fuzzed files, with one real recording for manifests to point at."""
    path = tmp_path_factory.mktemp("fuzz")
    (path / "audio").mkdir()
    (path / "audio" / "c1.wav").write_bytes(b"RIFF")
    return path


@FUZZ
@given(raw=st.one_of(st.binary(max_size=300), TRANSCRIPT_TEXT.map(str.encode),
                     TRANSCRIPT_TEXT.map(lambda t: t.encode("utf-16"))),
       fmt=st.sampled_from([None, *sorted(READERS)]))
@example(raw=b"\xff\xfeA", fmt=None)
@example(raw=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", fmt=None)
def test_fuzz_read_transcript_reads_or_raises_transcript_error(folder, raw, fmt):
    path = folder / "call.txt"
    path.write_bytes(raw)
    try:
        transcript = read_transcript(path, fmt)
    except TranscriptError as exc:
        assert exc.path == str(path) and "\n" not in exc.message
        return
    assert transcript.segments


CELLS = st.one_of(
    st.sampled_from(["audio/c1.wav", "audio/missing.wav", "", "~nosuchuser/c.wav",
                     "x" * 5000, "audio", "audio/c1.wav\x00", "alice", "left", "right", "up",
                     "2026-10-01", "2026-13-45", "31/12/2026", "2026-10-01T10:30:00", "id1",
                     '"quoted, cell"', '"open quote']),
    st.text(alphabet=string.printable, max_size=15))
HEADERS = st.lists(st.sampled_from(["path", "rep", "call_id", "date", "rep_channel",
                                    "rep_speaker", " Path ", "REP", "", "extra"]),
                   min_size=0, max_size=7)
MANIFESTS = st.builds(
    lambda header, rows: "\n".join([",".join(header), *(",".join(r) for r in rows)]),
    HEADERS, st.lists(st.lists(CELLS, max_size=7), max_size=8))


@FUZZ
@given(raw=st.one_of(MANIFESTS.map(str.encode), st.binary(max_size=200),
                     st.text(max_size=200).map(str.encode)))
@example(raw=b"path,rep\n" + b"x" * 200_000 + b",alice\n")
@example(raw=b"path,rep\n\"" + b"a" * 140_000 + b"\",alice\n")
@example(raw=b"path,rep\n~nosuchuser/c.wav,alice\n")
@example(raw=b"path,rep\n" + b"x" * 5000 + b".wav,alice\n")
def test_fuzz_manifest_parses_or_raises_input_error(folder, raw):
    path = folder / "manifest.csv"
    path.write_bytes(raw)
    try:
        calls, errors = read_manifest(path)
    except InputError as exc:
        assert exc.path == str(path) and "\n" not in exc.message
        return
    for call in calls:
        assert Path(call.path).is_file() and call.rep
    assert all(e.reason.startswith(f"manifest {path.name} line ") for e in errors)
