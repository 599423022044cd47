"""Redaction: the details each pattern catches, names, words that keep their times, speaker
labels, the bleeped copy; and a run with --redact that leaves no planted detail in any file."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import REPO, FakeSTT, even_segment, write_wav
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.call.redact import (
    People,
    Redactor,
    bleep_spans,
    bleeped,
    redact_speakers,
    scrub_reason,
)
from analyzer.call.redact.patterns import load_patterns, luhn_valid, ssn_valid
from analyzer.call.roles import Roster, RosterEntry
from analyzer.cli import cli
from analyzer.run.audio import load_audio
from analyzer.run.batch import analyze
from analyzer.run.engines import Engines
from analyzer.run.transcript_files import write_transcript_json
from analyzer.types import Audio, Options, RoleAssignment, Segment, Transcript, Word


@pytest.fixture(scope="module")
def patterns_only() -> Redactor:
    """The patterns without the name recogniser (no spaCy model needed)."""
    return Redactor(load_patterns())


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    """Patterns and spaCy's entity recogniser, loaded once for the module."""
    return Redactor.load()


def call(*segments: Segment) -> Transcript:
    speakers = tuple(dict.fromkeys(s.speaker for s in segments))
    return Transcript(segments, speakers, 30.0, "vtt")


@pytest.mark.parametrize("text, expected", [
    ("mail olivia.bennett@harbour.co.uk today", "mail [EMAIL] today"),
    ("it's john dot smith at gmail dot com", "it's [EMAIL]"),
    ("call (555) 123-4567 now", "call [PHONE] now"),
    ("call 555.867.5309 now", "call [PHONE] now"),
    ("office +44 20 7946 0958.", "office [PHONE]."),
    ("try 07700 900123", "try [PHONE]"),
    ("it's 555-0142", "it's [PHONE]"),
    ("five five five, one two three, four five six seven", "[PHONE]"),
    ("card 4111 1111 1111 1111 ok", "card [CARD] ok"),
    ("card 5500-0000-0000-0004", "card [CARD]"),
    ("SSN 123-45-6789.", "SSN [SSN]."),
    ("at 42 Baker Street, Apt 4B, Springfield, IL 62704 now", "at [ADDRESS] now"),
    ("to forty two Elm Grove", "to [ADDRESS]"),
    ("PO Box 4471 please", "[ADDRESS] please"),
])
def test_redact_patterns_replace_each_kind(patterns_only, text, expected):
    assert patterns_only.redact_text(text) == expected


@pytest.mark.parametrize("text", [
    "We have 1,200,000 users and grew 35 percent from 2019-2024.",
    "The price is $12,500 for 250 seats, version 10.2.3, call at 10:30.",
    "the card is 4111 1111 1111 1112",  # fails the Luhn check: not a card
    "the number 666-12-3456 is no social security number",
    "I have two kids, one dog and three cats.",
    "we tried 3 new street signs",
])
def test_redact_patterns_leave_amounts_dates_and_ordinary_numbers(patterns_only, text):
    assert patterns_only.redact_text(text) == text


def test_redact_luhn_and_ssn_checks():
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert ssn_valid("123456789")
    assert not any(ssn_valid(s) for s in ("000123456", "666123456", "900123456", "123001234",
                                          "123450000"))


def test_redact_spoken_digits_become_one_word_over_their_time(patterns_only):
    segment = even_segment("B", 10.0, 16.0, "my number is five five five one two three four")
    out = patterns_only.redact(call(segment)).segments[0]
    assert out.text == "my number is [PHONE]"
    assert [w.text for w in out.words] == ["my", "number", "is", "[PHONE]"]
    phone = out.words[-1]
    assert phone.start == pytest.approx(segment.words[3].start)
    assert phone.end == pytest.approx(segment.words[-1].end)
    assert [w.start for w in out.words[:3]] == [w.start for w in segment.words[:3]]


def test_redact_detail_inside_a_word_keeps_its_punctuation(patterns_only):
    words = (Word(0.0, 0.5, "mail:", "B"), Word(0.6, 1.4, "jo@acme.com,", "B"),
             Word(1.5, 1.9, "thanks", "B"))
    out = patterns_only.redact(call(Segment("B", 0.0, 1.9, "mail: jo@acme.com, thanks", words)))
    assert [w.text for w in out.segments[0].words] == ["mail:", "[EMAIL],", "thanks"]
    assert out.segments[0].text == "mail: [EMAIL], thanks"


def test_redact_names_by_recogniser_cue_and_label(redactor):
    transcript = call(
        Segment("Priya Shah", 0.0, 2.0, "Hi, who am I speaking with?"),
        Segment("Olivia Bennett", 2.0, 4.0, "Hello, this is Olivia Bennett."),
        Segment("Priya Shah", 4.0, 6.0, "Thanks Olivia. Can I speak to Mr. Okafor too?"),
        Segment("Olivia Bennett", 6.0, 8.0, "Mark Thompson handles that, and Bennett is my name."))
    texts = [s.text for s in redactor.redact(transcript, People.of_call("priya")).segments]
    assert texts[1] == "Hello, this is [PERSON]."
    assert texts[2] == "Thanks [PERSON]. Can I speak to Mr. [PERSON] too?"
    assert texts[3] == "[PERSON] handles that, and [PERSON] is my name."


def test_redact_rep_and_roster_names_become_their_ids(redactor):
    roster = Roster((RosterEntry("priya", "Priya Shah"), RosterEntry("lee", "Lee Park"),
                     RosterEntry("priya", "Noor Ali", "colleague")))
    people = People.of_call("priya", roster=roster)
    text = "Hi, this is Priya Shah, with Lee Park and Noor Ali from our side, and Olivia Bennett."
    assert redactor.redact_text(text, people) == (
        "Hi, this is priya, with lee and colleague from our side, and [PERSON].")


def test_redact_speaker_labels_renamed_after_roles(redactor):
    transcript = call(Segment("Priya Shah", 0, 1, "Hi."), Segment("Olivia Bennett", 1, 2, "Hi."),
                      Segment("SPEAKER_02", 2, 3, "Hello."), Segment("Noor Ali", 3, 4, "Hi."))
    roles = RoleAssignment(("Priya Shah",), "roster", 1.0, ("Noor Ali",))
    renamed, new_roles = redact_speakers(transcript, roles, People.of_call("priya"))
    assert renamed.speakers == ("priya", "customer", "SPEAKER_02", "colleague")
    assert (new_roles.rep_speakers, new_roles.colleagues) == (("priya",), ("colleague",))
    assert [new_roles.role_of(s.speaker) for s in renamed.segments] == [
        "rep", "customer", "customer", "colleague"]


def test_redact_role_reason_names_no_speaker(redactor):
    transcript = call(Segment("Priya Shah", 0, 1, "How can I help you?"),
                      Segment("Olivia Bennett", 1, 2, "I need a new card."))
    roles = RoleAssignment(("Priya Shah",), "cues", 0.9, reason=(
        'Priya Shah offers help ("how can i help you"); Olivia Bennett asks for something'))
    _, new_roles = redact_speakers(transcript, roles, People.of_call("priya"))
    assert new_roles.reason == ('priya offers help ("how can i help you"); customer asks for '
                                "something")


def test_redact_two_customers_keep_two_labels(redactor):
    transcript = call(Segment("Ann Lee", 0.0, 1.0, "Hi."), Segment("Bo Chan", 1.0, 2.0, "Hi."))
    renamed, _ = redact_speakers(transcript, RoleAssignment((), "cues", 0.0), People())
    assert renamed.speakers == ("customer", "customer 2")


def test_redact_error_reasons_quote_nothing():
    reason = "vtt: line 4: bad cue timing 'call me on 555-867-5309 (Olivia)'"
    assert scrub_reason(reason) == "vtt: line 4: bad cue timing '…'"
    assert scrub_reason("mail jo@acme.com failed") == "mail [EMAIL] failed"
    assert scrub_reason("it doesn't start, it isn't audio") == "it doesn't start, it isn't audio"


def test_redact_bleeped_copy_has_a_tone_over_each_redacted_word(patterns_only):
    rate = 16000
    speech = (0.1 * np.random.default_rng(0).standard_normal(rate * 4)).astype(np.float32)
    audio = Audio((speech, speech.copy()), rate, 4.0, "x")
    segment = Segment("B", 0.0, 4.0, "call jo@acme.com now",
                      (Word(0.2, 0.6, "call", "B"), Word(1.0, 2.0, "jo@acme.com", "B"),
                       Word(3.0, 3.5, "now", "B")))
    transcript = patterns_only.redact(call(segment))
    spans = bleep_spans(transcript, ["[EMAIL]"])
    assert spans == [(1.0, 2.0)]
    copy = bleeped(audio, spans)
    for channel in copy.channels:
        middle = channel[int(1.2 * rate):int(1.8 * rate)]
        spectrum = np.abs(np.fft.rfft(middle))
        assert np.argmax(spectrum) * rate / middle.size == pytest.approx(1000, abs=5)
        np.testing.assert_array_equal(channel[:int(0.8 * rate)], speech[:int(0.8 * rate)])
    assert audio.channels[0] is speech  # the original is untouched


def test_redact_untimed_utterance_is_bleeped_whole():
    transcript = call(Segment("B", 5.0, 9.0, "my email is [EMAIL]"), Segment("A", 9, 10, "ok"),
                      Segment("B", math.nan, math.nan, "[PHONE]"))
    assert bleep_spans(transcript, ["[EMAIL]", "[PHONE]"]) == [(5.0, 9.0)]


CARDS = ["4111111111111111", "5500000000000004", "340000000000009", "6011000990139424"]


@settings(max_examples=60, deadline=None)
@given(card=st.sampled_from(CARDS), sep=st.sampled_from([" ", "-", ""]),
       before=st.lists(st.sampled_from(["yes", "the", "card", "is", "um", "it's", "ok"]),
                       max_size=5),
       after=st.lists(st.sampled_from(["thanks", "and", "expiry", "May", "right"]), max_size=5))
def test_redact_any_planted_card_is_removed(patterns_only, card, sep, before, after):
    written = sep.join(card[i:i + 4] for i in range(0, len(card), 4))
    out = patterns_only.redact_text(" ".join([*before, written, *after]))
    assert "[CARD]" in out and card not in out.replace(" ", "").replace("-", "")


# ---- End to end: plant details in transcripts and spoken calls, grep every output file ----

SPOKEN = REPO / "models" / "eval" / "redaction" / "spoken"
VTT = """WEBVTT

00:00:00.500 --> 00:00:03.000
Priya Shah: Hi, this is Priya Shah from Brightline. Who am I speaking with?

00:00:03.400 --> 00:00:06.000
Olivia Bennett: Hi Priya, it's Olivia. My email is olivia.bennett@harbourfreight.co.uk.

00:00:06.400 --> 00:00:09.000
Priya Shah: Thanks Olivia. And a phone number?

00:00:09.400 --> 00:00:12.000
Olivia Bennett: Call me on (555) 201-7788 or +44 20 7946 0958.

00:00:12.400 --> 00:00:15.000
Priya Shah: Which card would you like to use?

00:00:15.400 --> 00:00:18.000
Olivia Bennett: The card is 4539 1488 0343 6467 and my social is 457-55-5462.

00:00:18.400 --> 00:00:21.000
Priya Shah: And the delivery address?

00:00:21.400 --> 00:00:24.000
Olivia Bennett: 221 Harbour Road, Suite 5, Portland, OR 97201. Ask for Mr. Okafor.
"""
EXPORT_LINES = [
    ("spk_0", "Good morning, Brightline billing, how can I help you?"),
    ("spk_1", "Hi, this is Gareth Lloyd, my number is nine one seven five five five zero one "
              "four eight."),
    ("spk_0", "Thanks Gareth. Could you confirm your email?"),
    ("spk_1", "It's gareth at lloydplumbing dot com."),
    ("spk_1", "And the card is five four two five two three three four three zero one zero nine "
              "nine zero three."),
]
PLANTED = ["olivia.bennett@harbourfreight.co.uk", "(555) 201-7788", "+44 20 7946 0958",
           "4539 1488 0343 6467", "457-55-5462", "221 Harbour Road", "Portland, OR 97201",
           "Olivia Bennett", "Olivia", "Bennett", "Okafor", "Priya Shah", "Shah",
           "Gareth Lloyd", "Gareth", "nine one seven five five five zero one four eight",
           "gareth at lloydplumbing dot com", "5425233430109903"]


def planted_archive(root: Path) -> Path:
    """Two reps' calls: a Zoom VTT and a CallCoach JSON export with timed words, and the two
    spoken calls, every one holding private details."""
    archive = root / "archive"
    (archive / "priya").mkdir(parents=True)
    (archive / "lee").mkdir()
    (archive / "priya" / "2026-11-05-zoom.vtt").write_text(VTT, encoding="utf-8")
    segments = tuple(even_segment(who, 4.0 * i, 4.0 * i + 3.5, text)
                     for i, (who, text) in enumerate(EXPORT_LINES))
    write_transcript_json(Transcript(segments, ("spk_0", "spk_1"), 20.0, "callcoach"),
                          archive / "lee" / "2026-11-06-export.json")
    for spoken in SPOKEN.glob("*/*.opus"):
        shutil.copy(spoken, archive / spoken.parent.name / spoken.name)
    (root / "team.csv").write_text("rep,name\npriya,Priya Shah\nlee,Lee Park\n", encoding="utf-8")
    return archive


def output_texts(out: Path) -> dict[Path, str]:
    """Every file the run wrote, as text (Parquet tables through pandas, as the notebook reads
    them); the charting library and the bleeped WAV copies are checked apart."""
    texts = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            texts[path] = pd.read_parquet(path).to_csv(index=False)
        elif path.suffix != ".wav" and path.name != "plotly.min.js":
            texts[path] = path.read_text(encoding="utf-8")
    return texts


def spoken_details() -> list[str]:
    calls = json.loads((SPOKEN / "calls.json").read_text(encoding="utf-8"))["calls"]
    return [d["text"] for c in calls for d in c["details"]]


@pytest.fixture(scope="module")
def redacted_run(tmp_path_factory) -> Path:
    """``callcoach analyze --redact-audio --split-by-rep`` over the planted archive, once."""
    root = tmp_path_factory.mktemp("redacted")
    archive = planted_archive(root)
    out = root / "out"
    result = CliRunner().invoke(cli, ["analyze", str(archive), "--out", str(out), "--roster",
                                      str(root / "team.csv"), "--redact-audio",
                                      "--split-by-rep", "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.slow
def test_redact_run_leaves_no_planted_detail_in_any_output_file(redacted_run):
    from analyzer.evaluate.redaction import leaked

    out = redacted_run
    calls = pd.read_csv(out / "calls.csv")
    assert len(calls) == 4 and calls["redacted"].all()
    texts = output_texts(out)
    written = {p.relative_to(out).parts[0] for p in texts}
    assert {"cache", "calls", "call-pages", "reps", "by-rep", "calls.csv"} <= written
    for detail in [*PLANTED, *spoken_details()]:
        found = [str(p.relative_to(out)) for p, text in texts.items() if leaked(detail, text)]
        assert not found, f"{detail!r} is in {found}"
    utterances = " ".join(pd.read_parquet(out / "utterances.parquet")["text"])
    for placeholder in ("[EMAIL]", "[PHONE]", "[CARD]", "[SSN]", "[ADDRESS]", "[PERSON]"):
        assert placeholder in utterances
    assert "priya" in utterances  # the rep's name, kept as her id


@pytest.mark.slow
def test_redact_audio_copies_replace_the_recordings_in_the_pages(redacted_run):
    out = redacted_run
    calls = pd.read_csv(out / "calls.csv", keep_default_na=False)
    utterances = pd.read_parquet(out / "utterances.parquet")
    spoken = calls[calls["source"] == "whisper"]
    assert len(spoken) == 2
    for _, row in spoken.iterrows():
        copy = Path(row["audio_path"])
        assert copy.parent == out / "audio" and copy.suffix == ".wav" and copy.is_file()
        (page_path,) = (out / "call-pages").glob(f"*{Path(row['call_id']).name}*.html")
        page = page_path.read_text(encoding="utf-8")
        assert f"../audio/{copy.name}" in page and ".opus" not in page
        said = utterances[(utterances["call_id"] == row["call_id"])
                          & utterances["text"].str.contains(r"\[(?:PHONE|SSN)\]")]
        start, end = said.iloc[0][["start_s", "end_s"]]
        assert _tone_share(load_audio(copy), start, end) > 0.05
        assert _tone_share(load_audio(row["path"]), start, end) < 0.01


def _tone_share(audio: Audio, start: float, end: float, channel: int = 1) -> float:
    """Share of the stretch's time in which the 1 kHz tone dominates the channel."""
    samples = audio.channels[channel][int(start * audio.sample_rate):
                                      int(end * audio.sample_rate)]
    frames = samples[: samples.size // 512 * 512].reshape(-1, 512)
    peaks = np.argmax(np.abs(np.fft.rfft(frames, axis=1)), axis=1) * audio.sample_rate / 512
    return float(np.mean(np.abs(peaks - 1000) < 40))


def test_redact_audio_copy_of_a_transcripts_linked_recording(tmp_path):
    rate = 16000
    folder = tmp_path / "archive" / "priya"
    folder.mkdir(parents=True)
    noise = (0.1 * np.random.default_rng(1).standard_normal(rate * 6)).astype(np.float32)
    write_wav(folder / "call.wav", [noise])
    (folder / "call.vtt").write_text(
        "WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nPriya: Your email please?\n\n"
        "00:00:03.000 --> 00:00:05.000\nCustomer: it's jo@acme.com\n", encoding="utf-8")
    options = Options(redact_audio=True, diarize=False)
    results = analyze([tmp_path / "archive"], tmp_path / "out", options=options,
                      engines=Engines(options, stt=FakeSTT()))
    (row,) = results.calls.to_dict("records")
    copy = Path(row["audio_path"])
    assert copy == tmp_path / "out" / "audio" / "priya__call.wav"
    assert _tone_share(load_audio(copy), 3.2, 4.8, channel=0) > 0.9
    assert _tone_share(load_audio(copy), 0.6, 1.9, channel=0) == 0.0
