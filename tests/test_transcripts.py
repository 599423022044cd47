"""Transcript import: every format reads into the same Transcript, and bad files say where.

The samples in tests/data/transcripts/ hold the same call in every format, written from each
format's documentation: the rep speaks 0.5-3.0 s and 5.4-7.0 s, the customer 3.4-5.6 s
(overlapping the rep) and 7.2-7.6 s, and one cue in between is empty.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import FakeSTT, realdata_path

from analyzer.call.metrics import talk_time
from analyzer.cli import cli
from analyzer.run.batch import analyze
from analyzer.run.engines import Engines
from analyzer.run.transcript_files import (
    FORMATS,
    TRANSCRIPT_SUFFIXES,
    TranscriptError,
    detect_format,
    linked_audio,
    read_transcript,
    write_transcript_json,
)
from analyzer.types import Options, Segment, SpeakerTurn, Transcript, Word

SAMPLES = Path(__file__).parent / "data" / "transcripts"
# file -> (format, rep's label, customer's label)
SAMPLE_FORMATS = {
    "zoom.vtt": ("vtt", "Priya Shah", "Jürgen Müller"),
    "teams.vtt": ("vtt", "Priya Shah", "Jürgen Müller"),
    "sample.srt": ("srt", "Priya Shah", "Jürgen Müller"),
    "whisperx.json": ("whisperx", "SPEAKER_00", "SPEAKER_01"),
    "assemblyai.json": ("assemblyai", "A", "B"),
    "deepgram_words.json": ("deepgram", "0", "1"),
    "deepgram_utterances.json": ("deepgram", "0", "1"),
    "aws.json": ("aws", "spk_0", "spk_1"),
    "gridspace.json": ("gridspace", "agent", "caller"),
}


def talk(transcript: Transcript, speaker: str) -> float:
    """Talk time as the product defines it: the union of the speaker's segment intervals."""
    return talk_time((s.start, s.end) for s in transcript.segments if s.speaker == speaker)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(SAMPLE_FORMATS))
def test_transcripts_every_format_reads_the_same_call(name: str) -> None:
    fmt, rep, customer = SAMPLE_FORMATS[name]
    path = SAMPLES / name
    transcript = read_transcript(path)
    assert detect_format(path.read_text(encoding="utf-8"), str(path)) == fmt
    assert transcript.source == fmt and transcript.timed
    assert transcript.speakers == (rep, customer)
    assert [s.speaker for s in transcript.segments] == [rep, customer, rep, customer]
    assert talk(transcript, rep) == pytest.approx(4.1)
    assert talk(transcript, customer) == pytest.approx(2.6)
    starts = [s.start for s in transcript.segments]
    assert starts == sorted(starts)
    assert transcript.segments[2].start < transcript.segments[1].end  # overlap kept, not clipped
    assert transcript.segments[0].text.lower().startswith("hi, this is priya from acme")
    assert transcript.duration_s >= 7.6


@pytest.mark.parametrize("name", ["zoom.vtt", "teams.vtt", "sample.srt", "sample.txt"])
def test_transcripts_unicode_names_and_empty_cues(name: str) -> None:
    transcript = read_transcript(SAMPLES / name)
    assert "Jürgen Müller" in transcript.speakers
    assert len(transcript.segments) == 4
    assert all(s.text.strip() for s in transcript.segments)


def test_transcripts_plain_text_has_no_times() -> None:
    transcript = read_transcript(SAMPLES / "sample.txt")
    assert transcript.source == "txt" and not transcript.timed
    assert math.isnan(transcript.duration_s)
    assert all(math.isnan(s.start) and math.isnan(s.end) for s in transcript.segments)
    assert [s.speaker for s in transcript.segments] == ["Priya Shah", "Jürgen Müller"] * 2


def test_transcripts_plain_text_line_without_name_continues_the_speaker(tmp_path: Path) -> None:
    path = write(tmp_path, "call.txt", "opening words\nAna: hello\nsecond line\nBo: hi")
    transcript = read_transcript(path)
    assert [s.speaker for s in transcript.segments] == ["unknown", "Ana", "Ana", "Bo"]


def test_transcripts_zoom_crlf_and_cue_without_speaker(tmp_path: Path) -> None:
    text = ("WEBVTT\r\n\r\n1\r\n00:00:01.000 --> 00:00:02.500\r\nAna Díaz: Hello there.\r\n\r\n"
            "2\r\n00:00:03.000 --> 00:00:04.000\r\nYes. Okay.\r\n\r\n"
            "3\r\n01:00:00.000 --> 01:00:01.250\r\nAna Díaz: Time is 10:30 now.\r\n")
    transcript = read_transcript(write(tmp_path, "z.vtt", text))
    assert [(s.speaker, s.text) for s in transcript.segments] == [
        ("Ana Díaz", "Hello there."), ("unknown", "Yes. Okay."), ("Ana Díaz", "Time is 10:30 now.")]
    assert transcript.segments[2].end == pytest.approx(3601.25)


def test_transcripts_teams_voice_tags_with_classes_and_markup(tmp_path: Path) -> None:
    text = ("WEBVTT\n\nSTYLE\n::cue { color: red }\n\n"
            "00:01.000 --> 00:02.000 align:start\n<v.loud Bo Li>Fish &amp; <i>chips</i>!</v>\n")
    transcript = read_transcript(write(tmp_path, "t.vtt", text))
    assert transcript.segments == (Segment("Bo Li", 1.0, 2.0, "Fish & chips !"),)


def test_transcripts_non_speech_tags_are_not_talk(tmp_path: Path) -> None:
    rows = [{"speaker_role": "caller", "start_ms": 0, "duration_ms": 500,
             "human_transcript": "[noise]"},
            {"speaker_role": "caller", "start_ms": 600, "duration_ms": 400,
             "human_transcript": "hi [laughter] there"}]
    transcript = read_transcript(write(tmp_path, "g.json", json.dumps(rows)))
    assert transcript.segments == (Segment("caller", 0.6, 1.0, "hi there"),)


def test_transcripts_word_formats_keep_their_words() -> None:
    aws = read_transcript(SAMPLES / "aws.json")
    first = aws.segments[0]
    assert first.text == "Hi, this is Priya from Acme. How can I help you today?"
    assert [w.text for w in first.words][:2] == ["Hi,", "this"]
    assert all(w.speaker == "spk_0" for w in first.words)
    deepgram = read_transcript(SAMPLES / "deepgram_words.json")
    assert [len(s.words) for s in deepgram.segments] == [12, 8, 7, 1]
    assert deepgram.segments[0].words[0] == Word(0.5, 0.708, "Hi,", "0", 0.99)


def test_transcripts_aws_speakers_from_speaker_segments(tmp_path: Path) -> None:
    data = json.loads((SAMPLES / "aws.json").read_text(encoding="utf-8"))
    for item in data["results"]["items"]:
        item.pop("speaker_label", None)  # older outputs label speakers only in the segments
    transcript = read_transcript(write(tmp_path, "old.json", json.dumps(data)))
    assert transcript.speakers == ("spk_0", "spk_1")
    assert talk(transcript, "spk_0") == pytest.approx(4.1)


def test_transcripts_whisperx_unaligned_words_keep_nan_times(tmp_path: Path) -> None:
    data = {"segments": [{"start": 1.0, "end": 2.0, "text": " It costs 20 dollars.",
                          "words": [{"word": "It", "start": 1.0, "end": 1.2, "score": 0.9},
                                    {"word": "20"}]}]}
    segment = read_transcript(write(tmp_path, "w.json", json.dumps(data))).segments[0]
    assert segment.speaker == "unknown" and segment.text == "It costs 20 dollars."
    assert math.isnan(segment.words[1].start) and segment.words[0].probability == 0.9


def test_transcripts_own_json_round_trips(tmp_path: Path) -> None:
    words = (Word(0.0, 0.4, "hello", "left", 0.9), Word(0.5, 0.9, "there", "right", 0.8))
    original = Transcript(
        segments=(Segment("left", 0.0, 0.9, "hello there", words),
                  Segment("right", 0.5, 2.0, "  Grüße [sic]  ")),
        speakers=("left", "right", "silent"), duration_s=3.5, source="whisper",
        activity=(SpeakerTurn("left", 0.0, 1.0), SpeakerTurn("right", 0.4, 2.0)))
    path = tmp_path / "call.json"
    write_transcript_json(original, path)
    assert detect_format(path.read_text(encoding="utf-8"), str(path)) == "callcoach"
    assert read_transcript(path) == original


def test_transcripts_own_json_round_trips_untimed(tmp_path: Path) -> None:
    original = read_transcript(SAMPLES / "sample.txt")
    write_transcript_json(original, tmp_path / "t.json")
    again = read_transcript(tmp_path / "t.json")
    assert not again.timed and math.isnan(again.duration_s)
    assert [(s.speaker, s.text) for s in again.segments] == [
        (s.speaker, s.text) for s in original.segments]


def test_transcripts_forced_format_and_aliases(tmp_path: Path) -> None:
    path = write(tmp_path, "call.txt", "1\n00:00:01,000 --> 00:00:02,000\nAna: hi\n")
    assert read_transcript(path).source == "srt"
    assert read_transcript(path, "txt").source == "txt"
    assert read_transcript(SAMPLES / "zoom.vtt", "Teams").source == "vtt"
    with pytest.raises(TranscriptError, match="unknown transcript format 'docx'"):
        read_transcript(path, "docx")


def test_transcripts_formats_and_suffixes() -> None:
    assert set(FORMATS) == {"vtt", "srt", "txt", "fathom", "fireflies", "whisperx",
                            "assemblyai", "deepgram", "aws", "gridspace", "callcoach"}
    assert set(TRANSCRIPT_SUFFIXES) == {".vtt", ".srt", ".json", ".txt", ".md"}


@pytest.mark.parametrize(("name", "text", "where"), [
    ("bad.vtt", "WEBVTT\n\n1\n00:00:01.000 --> 00:00:0x.000\nA: hi\n", "line 4: bad timestamp"),
    ("bad.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\nA: hi\n\nA: no timing\n",
     "line 6: expected a cue timing"),
    ("bad.vtt", "WEBVTT\n\n00:03.000 --> 00:02.000\nA: hi\n", "line 3: ends"),
    ("bad.vtt", "Kind: captions\n\n00:01.000 --> 00:02.000\nA: hi\n", "line 1: a WebVTT"),
    ("bad.srt", "1\n00:00:01,000 --> 00:00:02,000\nA: hi\n\n2\n00:00:03,000 -> 00:00:04,000\n",
     "line 5: expected a cue timing"),
    ("bad.json", '{"segments": [\n {"start": 1, "end": 2, "text": "a"},\n]}', "line 3: invalid"),
    ("bad.json", '{"segments": [{"start": 1, "text": "a"}]}', "field segments[0].end: missing"),
    ("bad.json", '{"utterances": [{"speaker": "A", "start": "soon", "end": 5, "text": "a"}]}',
     "field utterances[0].start: expected a number"),
    ("bad.json", '{"results": {"items": [{"type": "pronunciation", "start_time": "1.0"}]}}',
     "field results.items[0].alternatives: expected a list"),
    ("bad.json", '{"results": {"channels": [{"alternatives": [{"words": [{"word": "a", '
                 '"start": -1, "end": 1}]}]}]}}', "words[0].start: -1 is not a time"),
    ("bad.json", '[{"speaker_role": "agent", "start_ms": 0}]', "field [0].duration_ms: missing"),
    ("bad.json", '{"transcript": "hello"}', "no known transcript shape"),
    ("bad.json", '{"format": "callcoach-transcript", "version": 9, "segments": []}',
     "field version: 9"),
    ("empty.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\n\n", "no speech"),
    ("empty.txt", "  \n", "empty file"),
])
def test_transcripts_malformed_file_names_file_and_place(tmp_path: Path, name: str, text: str,
                                                         where: str) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(TranscriptError) as caught:
        read_transcript(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert where in message


def test_transcripts_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes(b"Ana: hola\nBo: adi\xf3s\n")
    with pytest.raises(TranscriptError, match="line 2: not UTF-8"):
        read_transcript(path)


def test_transcripts_utf16_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "win.txt"
    path.write_bytes("Zoë: hi".encode("utf-16"))
    assert read_transcript(path).speakers == ("Zoë",)


def test_transcripts_linked_audio_same_stem(tmp_path: Path) -> None:
    (tmp_path / "call.vtt").touch()
    assert linked_audio(tmp_path / "call.vtt") == ""
    (tmp_path / "call.MP3").touch()
    (tmp_path / "call.wav").touch()
    (tmp_path / "other.wav").touch()
    assert linked_audio(tmp_path / "call.vtt") == str(tmp_path / "call.wav")
    (tmp_path / "zoom.transcript.vtt").touch()
    (tmp_path / "zoom.m4a").touch()
    assert linked_audio(tmp_path / "zoom.transcript.vtt") == str(tmp_path / "zoom.m4a")


def test_transcripts_batch_goes_on_after_a_malformed_file(tmp_path: Path,
                                                          session_labeler) -> None:
    folder = tmp_path / "archive" / "priya"
    folder.mkdir(parents=True)
    (folder / "good.vtt").write_text((SAMPLES / "zoom.vtt").read_text(encoding="utf-8"),
                                     encoding="utf-8")
    write(folder, "bad.vtt", "WEBVTT\n\n1\n00:00:01.000 --> 00:00:0x.000\nA: hi\n")
    options = Options()
    results = analyze([tmp_path / "archive"], tmp_path / "out", options=options,
                      engines=Engines(options, stt=FakeSTT(), labeler=session_labeler))
    assert [Path(c).name for c in results.calls["call_id"]] == ["good"]
    assert results.calls["rep_talk_s"].iloc[0] == pytest.approx(4.1, abs=0.01)
    reasons = " ".join(results.errors["reason"])
    assert "line 4: bad timestamp" in reasons


# A Fathom notes export as Fathom writes it (stop 28: both real closing calls found in public
# repositories were Fathom exports, and were read as one speaker "unknown" and speakers named
# "ACTION ITEM" and "- WATCH").
FATHOM = """Joseph - June 18
VIEW RECORDING - 65 mins (No highlights): https://fathom.video/share/abc

---

0:00 - Kevin Perez
  My income is kind of limited.  And I need an extra income.

0:26 - Yasen Kawan (emoneyreselling.com)
  How is that affecting you?

1:02 - Kevin Perez
  I'm exhausted.
  ACTION ITEM: Follow up w/ Kevin in 2 wks - WATCH: https://fathom.video/share/abc?t=62
 - WATCH: https://fathom.video/share/abc?timestamp=62

@1:04:10 - Yasen Kawan (emoneyreselling.com)
  Let's talk tomorrow.
"""


def test_transcripts_fathom_export_turns_times_and_speakers(tmp_path: Path) -> None:
    path = write(tmp_path, "joseph.txt", FATHOM)
    transcript = read_transcript(path)
    assert detect_format(FATHOM, str(path)) == "fathom" and transcript.source == "fathom"
    assert transcript.speakers == ("Kevin Perez", "Yasen Kawan (emoneyreselling.com)")
    assert [(s.start, s.end) for s in transcript.segments] == [
        (0.0, 26.0), (26.0, 62.0), (62.0, 3850.0), (3850.0, 3850.0 + 3 * 0.4)]
    assert [s.text for s in transcript.segments] == [
        "My income is kind of limited. And I need an extra income.",
        "How is that affecting you?", "I'm exhausted.", "Let's talk tomorrow."]


def test_transcripts_one_time_dash_line_is_still_plain_text(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.txt", "Ana: the agenda is 0:00 - intro\n0:05 - Bo\nBo: hi\n")
    assert read_transcript(path).source == "txt"
    with pytest.raises(TranscriptError, match="fathom: line 1: no 'm:ss - Name' turn header"):
        read_transcript(write(tmp_path, "plain.txt", "Ana: hi\n"), "fathom")


def test_transcripts_fathom_export_analyzed_through_the_cli(tmp_path: Path) -> None:
    (tmp_path / "calls").mkdir()
    write(tmp_path / "calls", "joseph.txt", FATHOM)
    result = CliRunner().invoke(cli, ["analyze", str(tmp_path / "calls"), "--out",
                                      str(tmp_path / "out"), "--rep-name", "Yasen Kawan",
                                      "--quiet"])
    assert result.exit_code == 0, result.output
    calls = pd.read_csv(tmp_path / "out" / "calls.csv")
    assert calls["rep_talk_s"].iloc[0] == pytest.approx(36.0 + 1.2)
    assert calls["customer_talk_s"].iloc[0] == pytest.approx(26.0 + 3788.0)


# A Fireflies Markdown export as Fireflies writes it (stop 29: four of the five real sales
# calls found in public repositories were Fireflies exports, read as plain text with speakers
# "**Mmoro**", "**Meeting ID**", "**Participants**" and "unknown" for the title).
FIREFLIES = """# PlanHub Premier Demo
**Meeting ID**: 01JW9HZ7J65XCVSCF9MFWNME7E
**Date**: 2025-05-28
**Duration**: 22.729999542236328 minutes
**Transcript**: [View Transcript](https://app.fireflies.ai/view/01JW9HZ7J65XCVSCF9MFWNME7E)
**Participants**: mmoro@example.com, maria@example.com

## Transcript
**Mmoro**: So it's okay.
**Maria**: All good?
**Maria**: I was stalking you on the website.
**Mmoro**: Yeah, we get that a lot.
"""


def test_transcripts_fireflies_export_speakers_without_its_header(tmp_path: Path) -> None:
    path = write(tmp_path, "demo.md", FIREFLIES)
    transcript = read_transcript(path)
    assert detect_format(FIREFLIES, str(path)) == "fireflies"
    assert (transcript.source, transcript.timed) == ("fireflies", False)
    assert transcript.speakers == ("Mmoro", "Maria")
    assert [s.text for s in transcript.segments] == [
        "So it's okay.", "All good?", "I was stalking you on the website.",
        "Yeah, we get that a lot."]
    headless = FIREFLIES.split("## Transcript\n")[0].replace("# PlanHub Premier Demo\n", "")
    headless += FIREFLIES.split("## Transcript\n")[1]
    assert read_transcript(write(tmp_path, "b.txt", headless)).speakers == ("Mmoro", "Maria")


# Meeting notes made from a Fathom or Fireflies recording, as two real sales calls found in
# stop 29 were kept: front matter, a summary, then the transcript under a heading, with topic
# headings inserted and the time after the name.
NOTES = """# Acme <> Globex - Partnership Scope
---
title: Acme <> Globex
participants:
  - Marcel (Acme)
---
## Summary
**Key takeaway:** Globex wants a pilot.

## Transcript

### Introductions

**Cody Henshaw (00:16):** How's it going, y'all?

**Marcel Santilli (00:17):** Good, man.

### Scope
**Cody Henshaw (01:02:05):** What would the pilot cover?
"""


def test_transcripts_meeting_notes_read_from_their_transcript_section(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.md", NOTES)
    transcript = read_transcript(path)
    assert transcript.source == "fireflies"
    assert transcript.speakers == ("Cody Henshaw", "Marcel Santilli")
    assert [s.text for s in transcript.segments] == [
        "How's it going, y'all?", "Good, man.", "What would the pilot cover?"]
    # Its header and summary alone are no transcript.
    with pytest.raises(TranscriptError, match="a Markdown file without"):
        read_transcript(write(tmp_path, "summary.md", NOTES.split("## Transcript")[0]))


def test_transcripts_markdown_that_is_no_transcript_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError, match=r"notes\.md: a Markdown file without"):
        read_transcript(write(tmp_path, "notes.md", "# Notes\n\nCall Ana on Monday.\n"))
    with pytest.raises(TranscriptError, match="fireflies: line 1: no"):
        read_transcript(write(tmp_path, "plain.txt", "Ana: hi\n"), "fireflies")


def test_transcripts_fireflies_export_analyzed_through_the_cli(tmp_path: Path) -> None:
    (tmp_path / "calls").mkdir()
    write(tmp_path / "calls", "demo.md", FIREFLIES)
    write(tmp_path / "calls", "README.md", "# About these calls\n\nRecorded in May.\n")
    result = CliRunner().invoke(cli, ["analyze", str(tmp_path / "calls"), "--out",
                                      str(tmp_path / "out"), "--rep-name", "Mmoro", "--quiet"])
    assert result.exit_code != 0 or "README.md" in result.output, result.output
    calls = pd.read_csv(tmp_path / "out" / "calls.csv")
    assert [Path(c).name for c in calls["call_id"]] == ["demo"]
    errors = pd.read_csv(tmp_path / "out" / "errors.csv")
    assert "a Markdown file without" in " ".join(errors["reason"])


# ---- real exports (skipped when ../shared/realdata is absent) ---------------------------


def test_transcripts_real_zoom_vtt_talk_time_matches_the_cues() -> None:
    path = realdata_path("zoom_vtt", "meeting001_transcript.vtt")
    raw = path.read_bytes().decode("utf-8")
    assert "\r\n" in raw
    expected: dict[str, list[tuple[float, float]]] = {}
    for start, end, line in re.findall(r"(\S+) --> (\S+)\r\n(.*)\r\n", raw):
        name = line.split(": ", 1)[0] if re.match(r"^[A-Z][a-z]+ [A-Z]\w+: ", line) else "unknown"
        expected.setdefault(name, []).append((_seconds(start), _seconds(end)))
    transcript = read_transcript(path)
    assert len(transcript.segments) == sum(len(v) for v in expected.values()) == 300
    named = [s for s in transcript.speakers if s != "unknown"]
    assert len(named) == 5 and "unknown" in transcript.speakers
    for speaker, spans in expected.items():
        assert talk(transcript, speaker) == pytest.approx(talk_time(spans), abs=1e-6)


def test_transcripts_real_harper_valley_agent_and_caller() -> None:
    path = next(realdata_path("harper_valley").glob("*.json"))
    transcript = read_transcript(path)
    assert transcript.source == "gridspace"
    assert transcript.speakers == ("agent", "caller")
    assert talk(transcript, "agent") == pytest.approx(12.27, abs=1e-6)
    assert talk(transcript, "caller") == pytest.approx(8.46, abs=1e-6)


def _seconds(stamp: str) -> float:
    hours, minutes, seconds = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def test_transcripts_utf16_cut_short_is_a_transcript_error(tmp_path: Path) -> None:
    path = tmp_path / "win.txt"
    path.write_bytes("Zoë: hi".encode("utf-16")[:-1])
    with pytest.raises(TranscriptError, match="not UTF-16 text"):
        read_transcript(path)


def test_transcripts_binary_file_is_not_a_text_file(tmp_path: Path) -> None:
    path = tmp_path / "scan.vtt"
    path.write_bytes(b"WEBVTT\n\x00\x01\x02\x03")
    with pytest.raises(TranscriptError, match="not a text file"):
        read_transcript(path)


def test_transcripts_form_feed_or_nel_inside_a_cue_no_longer_breaks_it(tmp_path: Path) -> None:
    path = write(tmp_path, "call.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\n"
                                       "Ana: one\x85\x85two\x0cthree\x1e\n")
    (segment,) = read_transcript(path).segments
    assert (segment.speaker, segment.text) == ("Ana", "one two three")


def test_transcripts_markup_and_control_characters_leave_speaker_names(tmp_path: Path) -> None:
    path = write(tmp_path, "call.txt", "<b>Ana</b>:\x07 hi\n\x1b[1mBo\x1b[0m: yo &amp; bye\n")
    transcript = read_transcript(path)
    assert transcript.speakers == ("Ana", "Bo")
    assert [s.text for s in transcript.segments] == ["hi", "yo & bye"]
