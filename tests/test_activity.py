"""Speech activity: the other side's bleed is not counted as this side's talk."""

from __future__ import annotations

import numpy as np

from analyzer.run.activity import _frame_levels, _guarded, load_options


def test_activity_guard_drops_frames_marked_as_bleed():
    keep = np.array([True] * 10 + [False] * 10 + [True] * 10)
    turns = _guarded(np.array([[0.0, 3.0]]), keep, 0.1, "left")
    assert [(round(t.start, 2), round(t.end, 2)) for t in turns] == [(0.0, 1.0), (2.0, 3.0)]


def test_activity_frame_levels_are_in_decibels():
    samples = np.full(16000, 0.1, np.float32)
    levels = _frame_levels(samples, 16000, 100)
    assert levels.shape == (10,) and np.allclose(levels, -20, atol=0.01)


def test_activity_options_come_from_the_data_file():
    options = load_options()
    assert options.bleed_margin_db > 0 and 0 < options.vad_threshold < 1
