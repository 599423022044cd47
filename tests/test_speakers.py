"""Separating speakers: stereo by channel, utterances split at pauses."""

from __future__ import annotations

import numpy as np
from conftest import FakeSTT

from analyzer.run.recording import CHANNELS, split_at_pauses, transcribe_windows
from analyzer.types import Audio, Segment, Word


def words(*spec: tuple[str, float, float]) -> tuple[Word, ...]:
    return tuple(Word(s, e, t, "left") for t, s, e in spec)


def test_speakers_split_at_long_pause_only():
    seg = Segment("left", 0.0, 5.0, "a b c", words(("a", 0.0, 0.5), ("b", 0.7, 1.0),
                                                   ("c", 3.0, 3.5)))
    pieces = split_at_pauses([seg], gap_s=0.8)
    assert [p.text for p in pieces] == ["a b", "c"]
    assert (pieces[1].start, pieces[1].end) == (3.0, 3.5)


def test_speakers_segment_without_words_is_kept():
    seg = Segment("left", 1.0, 2.0, "hello")
    assert split_at_pauses([seg], 0.8) == (seg,)


def test_speakers_stereo_call_is_transcribed_per_channel():
    rng = np.random.default_rng(1)
    left = np.zeros(32000, np.float32)
    right = np.zeros(32000, np.float32)
    left[:8000] = rng.standard_normal(8000) * 0.2
    right[16000:24000] = rng.standard_normal(8000) * 0.2
    stt = FakeSTT({"left": ["hello"], "right": ["hi there"]})
    transcript = transcribe_windows([Audio((left, right), 16000, 2.0, "d")], stt)
    assert stt.calls == 2
    assert [s.speaker for s in transcript.segments] == ["left", "right"]
    assert transcript.speakers == ("left", "right")


def test_speakers_windowed_call_gives_the_words_of_the_whole_call(tmp_path):
    import pytest
    from conftest import talk_channels, write_wav

    from analyzer.run.audio import audio_windows, load_audio
    from analyzer.run.recording import transcribe_windows

    path = write_wav(tmp_path / "long.wav", talk_channels(60.0, seed=3))
    lines = {"left": ["hello there"], "right": ["fine thanks"]}
    whole = transcribe_windows([load_audio(path)], FakeSTT(lines))
    windowed = transcribe_windows(audio_windows(path, 15, 5), FakeSTT(lines))
    assert windowed.duration_s == pytest.approx(whole.duration_s)
    assert [(s.speaker, s.text) for s in windowed.segments] == \
        [(s.speaker, s.text) for s in whole.segments]
    for ours, theirs in zip(windowed.segments, whole.segments):
        assert (ours.start, ours.end) == pytest.approx((theirs.start, theirs.end), abs=1e-6)
        assert [w.start for w in ours.words] == pytest.approx([w.start for w in theirs.words])
    talk = {s: sum(t.end - t.start for t in whole.activity if t.speaker == s) for s in CHANNELS}
    windowed_talk = {s: sum(t.end - t.start for t in windowed.activity if t.speaker == s)
                     for s in CHANNELS}
    assert windowed_talk == pytest.approx(talk, rel=0.03)


def test_speakers_long_call_is_transcribed_in_bounded_memory(tmp_path, monkeypatch):
    import tracemalloc

    from conftest import talk_channels, write_wav

    import analyzer.run.recording
    from analyzer.run.audio import audio_windows
    from analyzer.run.recording import transcribe_windows

    monkeypatch.setattr(analyzer.run.recording, "channel_activity", lambda *args: ())

    def peak_bytes(minutes: int) -> int:
        path = write_wav(tmp_path / f"{minutes}.wav", talk_channels(minutes * 60.0, seed=5))
        tracemalloc.start()
        try:
            transcript = transcribe_windows(audio_windows(path, 30, 5), FakeSTT())
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert transcript.segments[-1].end > minutes * 60 - 5
        return peak

    short, long = peak_bytes(3), peak_bytes(12)
    window = 30 * 16000 * 2 * 4  # one 30 s window of both channels as float32: 3.8 MB
    assert long < 1.2 * short, (short, long)
    assert long < 4 * window, long  # the whole 12 minutes would be 24 windows
