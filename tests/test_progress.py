"""The progress bar and the summary line."""

from __future__ import annotations

import io

import pandas as pd

from analyzer.run.progress import Summary, Tracker
from analyzer.types import CallError, CallOutcome


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def outcomes() -> list[CallOutcome]:
    error = CallError("c3", "ann", "c3.wav", "input", "not audio")
    return [CallOutcome("c1", "c1.wav", "analyzed", 1800.0), CallOutcome("c2", "c2.wav", "cached"),
            CallOutcome("c3", "c3.wav", "failed", error=error),
            CallOutcome("c4", "c4.wav", "busy")]


def test_progress_summary_line_names_every_figure():
    line = Summary(calls=40, cached=10, failed=2, audio_s=7200, analyzed_s=5400,
                   wall_s=270).line()
    assert line == ("Summary: 40 calls (10 from cache), 2.00 h of audio (0.50 h from cache, "
                    "not analyzed again), 2 failed, 270.0 s, 0.050 x real time")
    assert "real time" not in Summary(3, 3, 0, 60, 0, 1).line()


def test_progress_one_call_is_not_plural_and_a_fresh_run_skips_nothing():
    line = Summary(calls=1, cached=0, failed=0, audio_s=60, analyzed_s=60, wall_s=3).line()
    assert line.startswith("Summary: 1 call (0 from cache), 0.02 h of audio, 0 failed")


def test_progress_bar_says_the_models_are_loading_until_a_call_is_analyzed():
    stream = Terminal()
    tracker = Tracker(None, bar=True, stream=stream)
    tracker.start(2)
    assert "loading the models" in stream.getvalue()
    tracker.update(outcomes()[0])
    assert stream.getvalue().rsplit("\r", 1)[-1].startswith("analyzing")
    tracker.close()


def test_progress_plain_lines_when_not_a_terminal():
    said: list[str] = []
    stream = io.StringIO()
    tracker = Tracker(said.append, bar=True, stream=stream)
    tracker.start(4)
    for outcome in outcomes():
        tracker.update(outcome)
    tracker.close()
    assert said == ["done: c1.wav", "done (cached): c2.wav", "error: c3.wav: not audio"]
    assert stream.getvalue() == ""


def test_progress_bar_on_a_terminal_shows_counts_and_errors_only():
    said: list[str] = []
    stream = Terminal()
    tracker = Tracker(said.append, bar=True, stream=stream)
    tracker.update(outcomes()[1])  # settled before the bar opens
    tracker.start(4)
    for outcome in outcomes()[::2]:
        tracker.update(outcome)
    tracker.close()
    drawn = stream.getvalue()
    assert "3/4" in drawn and "0.50 h audio" in drawn and "1 failed" in drawn
    assert "error: c3.wav: not audio" in drawn
    assert said == []


def test_progress_quiet_draws_no_bar():
    stream = Terminal()
    tracker = Tracker(None, bar=False, stream=stream)
    tracker.start(4)
    for outcome in outcomes():
        tracker.update(outcome)
    assert stream.getvalue() == ""


def test_progress_finish_counts_the_tables_and_the_cache():
    tracker = Tracker()
    for outcome in outcomes():
        tracker.update(outcome)
    tracker.fail("nowhere.wav", "file not found")
    calls = pd.DataFrame({"call_id": ["c1", "c2"], "duration_s": [1800.0, float("nan")]})
    summary = tracker.finish(calls)
    assert (summary.calls, summary.cached, summary.failed) == (2, 1, 2)
    assert summary.audio_s == 1800.0 and summary.analyzed_s == 1800.0
    assert tracker.summary is summary
