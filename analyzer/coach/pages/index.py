"""The team's page (index.html): a leaderboard of every rep with status colours, how talk
share and questions spread over all calls, the outlier calls, and the inputs that failed."""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analyzer.coach.pages.charts import connection_map, histogram
from analyzer.coach.pages.display import load_views, page_settings, view
from analyzer.coach.pages.html import (
    ESTIMATED_METRICS,
    Cell,
    Num,
    call_file,
    clock,
    e,
    is_missing,
    length,
    number,
    page,
    plural,
    rep_file,
    table,
    total_seconds,
)

Call = Mapping[str, Any]


@dataclass(frozen=True)
class Outlier:
    """A call whose value of one metric lies outside the team's Tukey fences."""

    call: Call
    metric: str
    value: float
    low: float
    high: float
    distance: float


def index_page(calls: Sequence[Call], reps: Mapping[str, Call], errors: pd.DataFrame) -> str:
    """The landing page, from every call of the report, each rep's row of the reps table and
    the failed inputs."""
    by_rep: dict[str, list[Call]] = {}
    for call in calls:
        by_rep.setdefault(str(call["rep"]), []).append(call)
    seconds = total_seconds(calls)
    failed = (f"; <a href='#failed'>{plural(len(errors), 'input')} failed</a>"
              if len(errors) else "")
    parts = [f"<h1>Team</h1><p class='sub'>{plural(len(by_rep), 'rep')}, "
             f"{plural(len(calls), 'call')}, "
             f"{length(seconds)}{failed}.</p>",
             "<h2>Leaderboard</h2><p class='help'>Each rep's average per call. Colours are the "
             "benchmark bands (green good, yellow watch, red bad); click a column to sort, a "
             "rep to open their page.</p>", leaderboard(by_rep, reps),
             "<h2>Connection</h2><p class='help'>Each rep by self-focus (self-promotion "
             "against questions about the customer) and connection (how many of their "
             "questions followed up on what the customer said; a bigger dot, more "
             "acknowledgements). Top left connects, bottom left interrogates, right talks "
             "about themselves.</p>", _connection(by_rep, reps),
             "<h2>Across all calls</h2>", _distributions(calls),
             "<h2>Outlier calls</h2>", _outliers_section(calls), _errors(errors)]
    return page("CallCoach: team", "".join(parts), "", "&rsaquo; team")


def _connection(by_rep: Mapping[str, Sequence[Call]], reps: Mapping[str, Call]) -> str:
    """The reps on the connection map, from their rows of the reps table."""
    points = [(rep, number(reps.get(rep, {}).get("self_focus_share_mean")),
               number(reps.get(rep, {}).get("follow_up_share_mean")),
               number(reps.get(rep, {}).get("acknowledgements_mean"))) for rep in sorted(by_rep)]
    return connection_map(points, [f"reps/{rep_file(p[0])}" for p in points])


def leaderboard(by_rep: Mapping[str, Sequence[Call]], reps: Mapping[str, Call]) -> str:
    """One row per rep: calls, hours, the leaderboard metrics' means (from the reps table),
    egomaniac calls."""
    metrics = [v for v in load_views() if v.leaderboard]
    head = ["Rep", "Calls", "Total length", *(e(v.label) for v in metrics), "Egomaniac calls"]
    rows = []
    for rep, calls in sorted(by_rep.items()):
        cells: list[Any] = [f'<a href="reps/{e(rep_file(rep))}">{e(rep)}</a>',
                            Num(str(len(calls)), len(calls))]
        seconds = total_seconds(calls)
        cells.append(Num(clock(seconds) if math.isfinite(seconds) else "&ndash;", seconds))
        guessed = number(reps.get(rep, {}).get("talk_estimated_calls"))
        for item in metrics:
            mean = number(reps.get(rep, {}).get(f"{item.metric}_mean"))
            shown = item.show(mean, True)
            if item.metric in ESTIMATED_METRICS and guessed > 0:
                shown = (f"<span title='estimated from the words in {guessed:.0f} of the "
                         f"calls: no times'>&asymp; {shown}</span>")
            cells.append(Num(shown, mean, item.status(mean)))
        ego = sum(1 for c in calls if not is_missing(c.get("egomaniac")) and bool(c["egomaniac"]))
        cells.append(Num(f"{ego} of {len(calls)}", ego / len(calls) if calls else math.nan))
        rows.append(cells)
    return table(head, rows, "sortable leaderboard")


def _distributions(calls: Sequence[Call]) -> str:
    share = view("rep_talk_share")
    lines = list(share.band.markers) if share.band is not None else []
    talk = histogram("dist-talk-share", "Rep talk share across calls",
                     [("calls", [c.get("rep_talk_share") for c in calls])],
                     "rep talk share", 0.05, lines, percent=True, x_range=(0, 1))
    questions = histogram(
        "dist-questions", "Questions per call",
        [("questions about the customer", [c.get("customer_focused_questions") for c in calls]),
         ("all the rep's questions", [c.get("rep_questions") for c in calls])],
        "questions in the call", 1)
    return f"<div class='charts'>{talk}{questions}</div>"


def find_outliers(calls: Sequence[Call], metrics: Sequence[str], factor: float
                  ) -> list[Outlier]:
    """Calls outside Q1 - factor x IQR .. Q3 + factor x IQR of a metric (at least 4 calls),
    furthest first (distance from the median in IQRs)."""
    found: list[Outlier] = []
    for metric in metrics:
        values = [(c, number(c.get(metric))) for c in calls]
        values = [(c, x) for c, x in values if math.isfinite(x)]
        if len(values) < 4:
            continue
        q1, median, q3 = statistics.quantiles([x for _, x in values], n=4, method="inclusive")
        spread = q3 - q1 or statistics.pstdev([x for _, x in values]) or 1.0
        low, high = q1 - factor * (q3 - q1), q3 + factor * (q3 - q1)
        found.extend(Outlier(c, metric, x, q1, q3, abs(x - median) / spread)
                     for c, x in values if x < low or x > high)
    return sorted(found, key=lambda o: -o.distance)


def _outliers_section(calls: Sequence[Call]) -> str:
    settings = page_settings("outliers")
    found = find_outliers(calls, settings["metrics"], float(settings["iqr_factor"]))
    help_text = (f"<p class='help'>Calls whose value lies far outside the team's usual range "
                 f"(Tukey's fences: more than {settings['iqr_factor']} &times; the spread of the "
                 f"middle half of all calls below or above it), furthest first.</p>")
    if not found:
        return help_text + "<p class='muted'>No outlier calls.</p>"
    rows: list[list[Cell]] = []
    for o in found[: int(settings["max_rows"])]:
        item = view(o.metric)
        call_id = str(o.call["call_id"])
        rows.append([f'<a href="call-pages/{e(call_file(call_id))}">{e(call_id)}</a>',
                     f'<a href="reps/{e(rep_file(str(o.call["rep"])))}">{e(o.call["rep"])}</a>',
                     e(item.label), Num(item.show(o.value), o.value, item.status(o.value)),
                     f"{item.show(o.low, True)} &ndash; {item.show(o.high, True)}",
                     "higher" if o.value > o.high else "lower"])
    head = ["Call", "Rep", "Metric", "Value", "Middle half of calls", "Than usual"]
    more = len(found) - len(rows)
    tail = f"<p class='muted'>and {more} more.</p>" if more > 0 else ""
    return help_text + table(head, rows, "sortable") + tail


def _errors(errors: pd.DataFrame) -> str:
    if errors.empty:
        return ""
    names = {"call_id": "Call", "rep": "Rep", "path": "File", "stage": "Stage",
             "reason": "Reason"}
    columns = [c for c in names if c in errors.columns]
    rows = [[e(r.get(c, "")) for c in columns] for r in errors.to_dict("records")]
    head = [names[c] for c in columns]
    return (f"<h2 id='failed'>Inputs that failed ({len(rows)})</h2><p class='help'>The rows of "
            f"errors.csv: these files were not analyzed.</p>{table(head, rows, 'sortable')}")
