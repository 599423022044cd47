"""Per-rep table: counts, hours, and NaN-safe means and medians of every call metric."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analyzer.coach.aggregate import rep_table

NAN = math.nan


def calls() -> pd.DataFrame:
    return pd.DataFrame({
        "call_id": ["a", "b", "c", "d"],
        "rep": ["bo", "al", "al", "al"],
        "date": ["", "2024-01-02", "", ""],
        "duration_s": [1800.0, 3600.0, 1800.0, NAN],
        "rep_talk_share": [0.5, 0.4, NAN, 0.7],
        "turns": [10, 20, 30, 70],
        "diarized": [True, False, True, False],
        "rep_talk_share_status": ["good", "good", "", "bad"],
    })


def test_aggregate_one_row_per_rep_sorted():
    table = rep_table(calls())
    assert list(table["rep"]) == ["al", "bo"]
    assert list(table["calls"]) == [3, 1]
    assert list(table["hours"]) == [1.5, 0.5]


def test_aggregate_mean_and_median_skip_nan():
    al = rep_table(calls()).set_index("rep").loc["al"]
    assert al["rep_talk_share_mean"] == pytest.approx(0.55)
    assert al["rep_talk_share_median"] == pytest.approx(0.55)
    assert (al["turns_mean"], al["turns_median"]) == (40, 30)
    assert al["duration_s_mean"] == 2700


def test_aggregate_columns_are_numeric_metrics_only():
    columns = list(rep_table(calls()).columns)
    assert columns[:6] == ["rep", "calls", "hours", "talk_estimated_calls", "duration_s_mean",
                           "duration_s_median"]
    assert "diarized_mean" not in columns and "egomaniac_mean" not in columns
    assert {"rep_talk_share_mean", "turns_median", "patience_s_mean"} <= set(columns)


def test_aggregate_columns_do_not_depend_on_the_calls():
    # an untimed transcript's calls once gave 21 columns, a recording's 51
    untimed = calls().assign(duration_s=None, rep_talk_share=None)
    assert list(rep_table(untimed).columns) == list(rep_table(calls()).columns) == \
        list(rep_table(calls().iloc[:0]).columns)
    assert rep_table(untimed)["rep_talk_share_mean"].isna().all()


def test_aggregate_counts_calls_with_estimated_talk():
    table = rep_table(calls().assign(talk_estimated=[False, True, True, False]))
    assert list(table["talk_estimated_calls"]) == [2, 0]


def test_aggregate_metric_missing_for_every_call_is_nan():
    frame = calls().assign(patience_s=NAN)
    assert rep_table(frame)["patience_s_mean"].isna().all()


def test_aggregate_without_durations_has_nan_hours():
    table = rep_table(calls().drop(columns="duration_s"))
    assert table["hours"].isna().all() and list(table["calls"]) == [3, 1]


def test_aggregate_empty_calls_table():
    table = rep_table(calls().iloc[:0])
    assert table.empty and list(table.columns)[:3] == ["rep", "calls", "hours"]


def test_aggregate_moment_times_are_not_averaged():
    frame = calls().assign(longest_monologue_start_s=[1.0, 2.0, 3.0, 4.0])
    assert not any("start_s" in c for c in rep_table(frame).columns)
