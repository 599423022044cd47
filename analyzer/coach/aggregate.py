"""Aggregate: one row per rep from the per-call table, so a coach can rank reps."""

from __future__ import annotations

import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

DURATION = "duration_s"


def metric_columns(calls: pd.DataFrame) -> list[str]:
    """The numeric per-call columns that get a mean and a median (booleans are not metrics,
    nor are the times of moments such as ``longest_monologue_start_s``)."""
    return [c for c in calls.columns
            if c != "rep" and not c.endswith("_start_s") and is_numeric_dtype(calls[c])
            and not is_bool_dtype(calls[c])]


def rep_table(calls: pd.DataFrame) -> pd.DataFrame:
    """One row per rep: ``rep, calls, hours`` then ``<metric>_mean, <metric>_median`` for every
    numeric per-call column, in the order of ``calls``.

    Means and medians skip nan (a metric undefined for a call does not count); a rep whose
    calls all lack a metric gets nan. ``hours`` is the sum of ``duration_s`` / 3600 (nan when
    no call has a duration). Rows are sorted by rep.
    """
    metrics = metric_columns(calls)
    columns = ["rep", "calls", "hours"] + [f"{m}_{s}" for m in metrics for s in ("mean", "median")]
    if calls.empty:
        return pd.DataFrame(columns=columns)
    groups = calls.groupby("rep", sort=True)
    table = pd.DataFrame({"calls": groups.size()})
    durations = groups[DURATION].sum(min_count=1) if DURATION in calls else float("nan")
    table["hours"] = durations / 3600
    for metric in metrics:
        values = groups[metric]
        table[f"{metric}_mean"] = values.mean()
        table[f"{metric}_median"] = values.median()
    return table.reset_index()[columns]
