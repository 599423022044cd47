"""Call metrics: exact values on hand-built calls, invariants on random ones, benchmarks."""

from __future__ import annotations

import csv
import math
from dataclasses import replace

import pytest
from conftest import dynamics, random_calls, utt
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.call.metrics import (
    count_fillers,
    load_benchmarks,
    merge_intervals,
    metric_status,
    overlap_time,
    talk_time,
    turn_moments,
)
from analyzer.call.turns import build_turns
from analyzer.settings import METRICS_DIR
from analyzer.types import SpeakerTurn, Utterance, Word

NAN = math.nan
COLUMNS = {"rep_talk_s", "customer_talk_s", "colleague_talk_s", "silence_s", "overtalk_s",
           "rep_talk_share", "customer_talk_share", "interactivity", "patience_s",
           "longest_monologue_s", "longest_customer_story_s", "rep_wpm", "customer_wpm",
           "rep_filler_per_min", "turns", "talk_estimated"}
LANGUAGE = {"rep_questions", "customer_questions"}  # counted by the language stage


def discovery_call() -> list[Utterance]:
    """A 30 s call whose every metric is worked out by hand in the tests below.

    R speaks 0-2, backchannels "mm-hmm" 4.2-4.6 inside C's turn 3-7 (C pauses 4-5),
    speaks 7.5-10 with fillers, C talks over 9.8-11, R closes 12-13.
    """
    return [
        utt("R", (0, 0.5, "hi"), (0.5, 1.0, "there"), (1.2, 1.5, "how"), (1.5, 1.8, "are"),
            (1.8, 2.0, "you?")),
        utt("C", (3.0, 3.5, "good"), (3.5, 4.0, "thanks")),
        utt("R", (4.2, 4.6, "mm-hmm")),
        utt("C", (5.0, 5.5, "we"), (5.5, 6.0, "use"), (6.0, 7.0, "spreadsheets")),
        utt("R", (7.5, 8.0, "so"), (8.0, 8.5, "um"), (8.5, 9.0, "like,"), (9.0, 9.5, "what"),
            (9.5, 10.0, "matters?")),
        utt("C", (9.8, 10.4, "budget"), (10.4, 11.0, "mostly")),
        utt("R", (12.0, 12.5, "great"), (12.5, 13.0, "thanks")),
    ]


def test_metrics_discovery_call_exact_values():
    m = dynamics(discovery_call(), 30.0)
    rep, customer = 2.0 + 0.4 + 2.5 + 1.0, 3.0 + 1.2
    both = rep + customer
    expected = {
        "rep_talk_s": rep, "customer_talk_s": customer, "colleague_talk_s": 0.0,
        "silence_s": 30 - 9.9, "overtalk_s": 0.2,
        "rep_talk_share": rep / both, "customer_talk_share": customer / both,
        "interactivity": 4 / 0.5, "patience_s": (0.5 + 1.0) / 2,
        "longest_monologue_s": 2.5, "longest_customer_story_s": 4.0,
        "rep_wpm": 13 / (rep / 60), "customer_wpm": 7 / (customer / 60),
        "rep_filler_per_min": 2 / (rep / 60), "turns": 5,
        "talk_estimated": False}
    assert set(m) == COLUMNS
    assert m == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_metrics_turn_moments_are_the_starts_of_the_longest_turns():
    moments = turn_moments(build_turns(discovery_call()), True)
    assert moments == {"longest_monologue_start_s": 7.5, "longest_customer_story_start_s": 3.0}


def test_metrics_turn_moments_are_nan_without_times_or_turns():
    untimed = [Utterance("R", "rep", NAN, NAN, "hello there")]
    assert all(math.isnan(v) for v in turn_moments(build_turns(untimed), False).values())
    assert math.isnan(turn_moments(build_turns([utt("R", (0, 1, "hi"))]), True)[
        "longest_customer_story_start_s"])


def test_metrics_rep_talking_over_customer_waits_zero():
    call = [utt("C", (0, 4, "story")), utt("R", (3.5, 6, "interrupting"))]
    assert dynamics(call, 10.0)["patience_s"] == 0.0


def test_metrics_one_speaker_only():
    m = dynamics([utt("R", (0, 5, "hello"), (5, 10, "anyone?"))], 60.0)
    assert m["rep_talk_s"] == 10 and m["customer_talk_s"] == 0
    assert m["rep_talk_share"] == 1 and m["customer_talk_share"] == 0
    assert m["interactivity"] == 0 and m["turns"] == 1 and m["silence_s"] == 50
    assert m["longest_monologue_s"] == 10 and m["longest_customer_story_s"] == 0
    assert m["rep_wpm"] == 12 and math.isnan(m["customer_wpm"])
    assert math.isnan(m["patience_s"])


def test_metrics_empty_call_is_nan_where_undefined():
    m = dynamics([], 60.0)
    assert {k: v for k, v in m.items() if not math.isnan(v)} == {
        "rep_talk_s": 0, "customer_talk_s": 0, "colleague_talk_s": 0, "silence_s": 60,
        "overtalk_s": 0, "interactivity": 0, "longest_monologue_s": 0,
        "longest_customer_story_s": 0, "turns": 0, "talk_estimated": False}
    assert all(math.isnan(m[k]) for k in ("rep_talk_share", "customer_talk_share", "patience_s",
                                          "rep_wpm", "customer_wpm", "rep_filler_per_min"))


def test_metrics_empty_call_of_unknown_length():
    m = dynamics([], NAN)
    assert math.isnan(m["silence_s"]) and math.isnan(m["interactivity"])


def test_metrics_untimed_transcript_counts_but_does_not_time():
    call = [Utterance("R", "rep", NAN, NAN, "Hi, what do you use today?"),
            Utterance("C", "customer", NAN, NAN, "Spreadsheets, um, mostly.")]
    m = dynamics(call, NAN)
    assert m["turns"] == 2
    # the shares are estimated from the words (6 rep, 3 customer), the times unknown
    assert m["talk_estimated"] is True
    assert (m["rep_talk_share"], m["customer_talk_share"]) == pytest.approx((6 / 9, 3 / 9))
    timed = COLUMNS - {"turns", "talk_estimated", "rep_talk_share", "customer_talk_share"}
    assert all(math.isnan(m[k]) for k in timed)


def test_metrics_segment_without_words_uses_its_times():
    call = [Utterance("C", "customer", 0.0, 2.0, "Four."),
            Utterance("R", "rep", 2.0, 8.0, "One two three.")]
    m = dynamics(call, 10.0)
    assert (m["rep_talk_s"], m["customer_talk_s"], m["rep_talk_share"]) == (6, 2, 0.75)
    assert m["rep_wpm"] == 30 and m["patience_s"] == 0


def test_metrics_pauses_up_to_bridge_gap_are_talk():
    call = [utt("R", (0, 1, "a"), (1.3, 2, "b"), (3, 4, "c"))]
    assert dynamics(call, 10.0)["rep_talk_s"] == pytest.approx(3.0)


def test_metrics_colleague_is_outside_the_share():
    call = [utt("R", (0, 2, "a")), utt("C", (2, 4, "b")), utt("M", (4, 10, "c"), role="colleague")]
    m = dynamics(call, 10.0)
    assert (m["colleague_talk_s"], m["rep_talk_share"], m["silence_s"]) == (6, 0.5, 0)


def test_metrics_activity_replaces_word_times_for_talk():
    activity = [SpeakerTurn("rep", 0, 3), SpeakerTurn("customer", 2, 8)]
    m = dynamics(discovery_call(), 10.0, activity=activity)
    assert (m["rep_talk_s"], m["customer_talk_s"], m["overtalk_s"], m["silence_s"]) == (3, 6, 1, 2)
    assert m["turns"] == 5


def test_metrics_shifted_transcript_without_duration_has_no_leading_silence():
    call = [utt("R", (3600, 3602, "hello")), utt("C", (3603, 3604, "hi"))]
    m = dynamics(call, NAN)
    assert m["silence_s"] == 1 and m["interactivity"] == 15


@pytest.mark.parametrize("text, expected", [
    ("Um, so, uh, we ship er next week.", 3),
    ("It was, like, huge.", 1),
    ("I'd like a demo. Tools like Slack.", 0),
    ("You know, it works. It's cheap, you know.", 2),
    ("Do you know the price? What I mean is this.", 0),
    ("I mean, it's like um fine", 3),
    ("", 0),
])
def test_metrics_count_fillers(text, expected):
    assert count_fillers(text) == expected


def test_metrics_interval_helpers():
    assert merge_intervals([(5, 6), (0, 1), (1.2, 2), (0.5, 0.8), (3, 3)], 0.3) == [(0, 2), (5, 6)]
    assert talk_time([(0, 1), (0.5, 2), (4, 5)]) == 3
    assert overlap_time([(0, 2), (4, 6)], [(1, 5)]) == 2


@pytest.mark.parametrize("share, status", [(0.43, "good"), (0.60, "watch"), (0.70, "bad"),
                                           (0.10, "bad"), (NAN, "")])
def test_metrics_talk_share_status(share, status):
    assert metric_status({"rep_talk_share": share})["rep_talk_share_status"] == status


def test_metrics_status_of_every_benchmarked_metric():
    status = metric_status({"rep_talk_share": 0.5, "rep_questions": 12, "rep_wpm": 173,
                            "longest_customer_story_s": 30, "turns": 3})
    assert status == {"rep_talk_share_status": "good", "rep_questions_status": "good",
                      "rep_wpm_status": "good", "longest_customer_story_s_status": "bad"}


def test_metrics_every_benchmark_and_card_names_a_calls_column():
    """The models/ files name metrics by column: each name must be a CallMetrics field."""
    from dataclasses import fields

    from analyzer.coach.pages.display import load_views
    from analyzer.types import CallMetrics

    columns = {f.name for f in fields(CallMetrics)} - {"statuses"}
    assert {b.metric for b in load_benchmarks()} <= columns
    assert {v.metric for v in load_views()} <= columns


def test_metrics_benchmarks_are_sourced_columns():
    with (METRICS_DIR / "benchmarks.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(r["source"].strip() and r["metric"] in COLUMNS | LANGUAGE for r in rows)
    talk = next(b for b in load_benchmarks() if b.metric == "rep_talk_share")
    assert [v for _label, v in talk.lines()] == [0.43, 0.65]


def shift(call: list[Utterance], by: float) -> list[Utterance]:
    return [replace(u, start=u.start + by, end=u.end + by,
                    words=tuple(replace(w, start=w.start + by, end=w.end + by) for w in u.words))
            for u in call]


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-9, abs=1e-9)


@settings(max_examples=120, deadline=None)
@given(random_calls(), st.integers(1, 4000), st.sampled_from([NAN, 120.0]))
def test_metrics_shifting_time_changes_no_metric(call, eighths, duration):
    before = dynamics(call, duration)
    after = dynamics(shift(call, eighths / 8), duration)
    assert all(same(before[k], after[k]) for k in before), (before, after)


@settings(max_examples=120, deadline=None)
@given(random_calls())
def test_metrics_talk_shares_sum_to_one(call):
    m = dynamics(call, NAN)
    if m["rep_talk_s"] + m["customer_talk_s"] > 0:
        assert m["rep_talk_share"] + m["customer_talk_share"] == pytest.approx(1.0)
    else:
        assert math.isnan(m["rep_talk_share"]) and math.isnan(m["customer_talk_share"])
    assert m["overtalk_s"] <= min(m["rep_talk_s"], m["customer_talk_s"]) + 1e-9
    assert m["silence_s"] >= 0 or not call


def test_metrics_word_without_time_falls_back_to_utterance():
    words = (Word(0, 1, "a", "R"), Word(NAN, NAN, "b", "R"))
    m = dynamics([Utterance("R", "rep", 0, 4, "a b", words)], 10.0)
    assert m["rep_talk_s"] == 4
