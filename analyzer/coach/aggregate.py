"""Aggregate: one row per rep from the per-call table, so a coach can rank reps."""

from __future__ import annotations

import pandas as pd

from analyzer.types import CallMetrics

DURATION = "duration_s"
ESTIMATED = "talk_estimated"


def metric_columns() -> list[str]:
    """The per-call number columns that get a mean and a median: every int or float field of
    ``CallMetrics`` (booleans are not metrics, nor are the times of moments such as
    ``longest_monologue_start_s``), whatever the calls hold, so the table's columns never
    depend on the input."""
    return [c for c in CallMetrics.numeric_columns() if not c.endswith("_start_s")]


def rep_columns() -> list[str]:
    """The columns of the reps table, in order."""
    return ["rep", "calls", "hours", "talk_estimated_calls"] + [
        f"{m}_{s}" for m in metric_columns() for s in ("mean", "median")]


def rep_table(calls: pd.DataFrame) -> pd.DataFrame:
    """One row per rep: ``rep, calls, hours, talk_estimated_calls`` then ``<metric>_mean,
    <metric>_median`` for every number column of a call (``metric_columns``).

    Means and medians skip nan (a metric undefined for a call does not count); a rep whose
    calls all lack a metric, or whose table lacks its column (written by an older version),
    gets nan. ``hours`` is the sum of ``duration_s`` / 3600 (nan when no call has a
    duration); ``talk_estimated_calls`` counts the calls whose talk shares were estimated
    from words. Rows are sorted by rep.
    """
    columns = rep_columns()
    if calls.empty:
        return pd.DataFrame(columns=columns)
    metrics = metric_columns()
    numbers = pd.DataFrame({m: pd.to_numeric(calls[m], errors="coerce") if m in calls
                            else float("nan") for m in metrics}, index=calls.index)
    numbers["rep"] = calls["rep"]
    groups = numbers.groupby("rep", sort=True)
    estimated = calls[ESTIMATED] if ESTIMATED in calls else pd.Series(False, index=calls.index)
    parts = {"calls": groups.size(), "hours": groups[DURATION].sum(min_count=1) / 3600,
             "talk_estimated_calls": estimated.fillna(False).astype(bool).groupby(
                 calls["rep"]).sum().astype(int)}
    means, medians = groups[metrics].mean(), groups[metrics].median()
    for metric in metrics:  # gathered first, joined once: one frame, not a column at a time
        parts[f"{metric}_mean"] = means[metric]
        parts[f"{metric}_median"] = medians[metric]
    return pd.DataFrame(parts).reset_index()[columns]
