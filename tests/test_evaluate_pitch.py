"""The pitch measurement: F0 and the end rise on tones with a known answer, utterances from
timed words, the scores, Whisper's question marks, the labels and skipping without real data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import realdata_path

from analyzer.evaluate.f0 import end_rise, f0_track
from analyzer.evaluate.pitch import (
    LABELS,
    Spoken,
    TimedWord,
    auc,
    best_threshold,
    ends_with_question_mark,
    read_labels,
    real_utterances,
    run,
    utterances,
)
from analyzer.types import Word

RATE = 16000


def voice(hz: np.ndarray) -> np.ndarray:
    """A voice-like tone following the instantaneous frequency hz (one value a sample): five
    harmonics falling off as 1/k, as a glottal source roughly does."""
    phase = 2 * np.pi * np.cumsum(hz) / RATE
    return sum(np.sin(k * phase) / k for k in range(1, 6)).astype(np.float32)


def glide(start_hz: float, end_hz: float, steady_s: float = 1.0, glide_s: float = 0.5
          ) -> np.ndarray:
    """A tone held at start_hz for steady_s, then gliding linearly to end_hz over glide_s."""
    t = np.arange(int((steady_s + glide_s) * RATE)) / RATE
    hz = np.where(t < steady_s, start_hz,
                  start_hz + (t - steady_s) / glide_s * (end_hz - start_hz))
    return voice(hz)


@pytest.mark.parametrize("hz", [90.0, 200.0, 320.0])
def test_evaluate_pitch_f0_of_a_steady_tone_is_its_frequency(hz: float) -> None:
    f0, times = f0_track(voice(np.full(RATE, hz)), RATE)
    assert np.isnan(f0).mean() < 0.05
    assert np.nanmedian(f0) == pytest.approx(hz, rel=0.01)
    assert np.all(np.diff(times) > 0)


def test_evaluate_pitch_rising_tone_ends_rising() -> None:
    # 160 -> 260 Hz over the last 0.5 s: the last 0.4 s sit about 3-8 st above the median.
    rise, slope = end_rise(glide(160.0, 260.0), RATE)
    assert 3.0 < rise < 9.0
    assert slope > 5.0


def test_evaluate_pitch_falling_tone_ends_falling() -> None:
    # 200 -> 120 Hz over the last 0.5 s.
    rise, slope = end_rise(glide(200.0, 120.0), RATE)
    assert -9.0 < rise < -3.0
    assert slope < -5.0


def test_evaluate_pitch_flat_tone_neither_rises_nor_falls() -> None:
    rise, slope = end_rise(voice(np.full(int(1.5 * RATE), 180.0)), RATE)
    assert abs(rise) < 0.2
    assert abs(slope) < 1.0


def test_evaluate_pitch_noise_and_silence_have_no_pitch() -> None:
    noise = np.random.default_rng(0).normal(0, 0.1, RATE).astype(np.float32)
    assert all(np.isnan(v) for v in end_rise(noise, RATE))
    assert all(np.isnan(v) for v in end_rise(np.zeros(RATE, np.float32), RATE))


def test_evaluate_pitch_utterances_end_at_a_pause_or_the_other_speaker() -> None:
    words = [TimedWord("A", "so", 0.0, 0.2), TimedWord("A", "you", 0.3, 0.5),
             TimedWord("A", "need", 1.2, 1.4), TimedWord("B", "yes", 1.5, 1.7),
             TimedWord("A", "ok", 1.8, 2.0)]
    found = utterances(words, "c", {"A": 0, "B": 1})
    assert [(u.speaker, u.text, u.start, u.end, u.channel) for u in found] == [
        ("A", "so you", 0.0, 0.5, 0), ("A", "need", 1.2, 1.4, 0), ("B", "yes", 1.5, 1.7, 1),
        ("A", "ok", 1.8, 2.0, 0)]


def test_evaluate_pitch_auc_and_threshold_by_hand() -> None:
    gold = [True, True, False, False]
    assert auc([3.0, 1.0, 2.0, 0.0], gold) == 0.75  # 3 of the 4 pairs ordered right
    assert auc([1.0, 1.0, 1.0, 1.0], gold) == 0.5
    assert best_threshold([3.0, 2.5, 1.0, 0.0], gold) == 1.75


def test_evaluate_pitch_whisper_question_mark_is_read_from_the_last_word_inside() -> None:
    said = Spoken("c", "A", 1.0, 2.0, "you mean tomorrow", 0)
    words = [Word(1.0, 1.3, "You", "0"), Word(1.4, 2.1, "tomorrow?", "0"),
             Word(2.6, 3.0, "Yes.", "0")]
    assert ends_with_question_mark(said, words) is True
    assert ends_with_question_mark(said, words[:1] + [Word(1.4, 2.1, "tomorrow.", "0")]) is False
    assert ends_with_question_mark(said, words[2:]) is None


def test_evaluate_pitch_labels_refuse_utterances_that_drifted(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("clip,speaker,start,end,words,question,kind,declarative\n"
                    "c,A,0.0,0.5,3,1,declarative,1\n")
    said = Spoken("c", "A", 0.0, 0.5, "so you need", 0)
    assert read_labels([said], path)[0].question
    with pytest.raises(ValueError, match="no label"):
        read_labels([Spoken("c", "A", 0.0, 0.5, "so you", 0)], path)


def test_evaluate_pitch_skips_without_real_data(tmp_path: Path, capsys: Any) -> None:
    assert run(tmp_path) == {}
    assert "absent, pitch measurement skipped" in capsys.readouterr().out


def test_evaluate_pitch_every_real_utterance_has_its_label() -> None:
    root = realdata_path("spokenwoz").parent
    labelled = read_labels(real_utterances(root), LABELS)
    assert len(labelled) == 117
    assert sum(i.question for i in labelled) == 39
