"""Separating speakers: stereo by channel, utterances split at pauses."""

from __future__ import annotations

import numpy as np
from conftest import FakeSTT

from analyzer.speakers import split_at_pauses, transcribe_call
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
    transcript = transcribe_call(Audio((left, right), 16000, 2.0, "d"), stt)
    assert stt.calls == 2
    assert [s.speaker for s in transcript.segments] == ["left", "right"]
    assert transcript.speakers == ("left", "right")
