"""Plotly charts of the pages, written as plain figure JSON for plotly.js.

The figures are built as dicts and handed to ``Plotly.newPlot`` by a small inline script
(the library itself is written once beside the pages): a thousand call pages are written in
seconds, which building ``plotly.graph_objects`` figures would not allow. Every text from a
call is HTML-escaped (plotly shows entities as the characters they stand for) and the JSON
goes through ``script_json``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from analyzer.coach.pages.display import MetricView
from analyzer.coach.pages.html import ROLE_COLOURS, e, number, script_json, status_colour
from analyzer.types import Flag, Utterance

CONFIG = {"displaylogo": False, "responsive": True,
          "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}
BASE_LAYOUT: dict[str, Any] = {
    "margin": {"t": 48, "b": 56, "l": 64, "r": 24}, "paper_bgcolor": "#ffffff",
    "plot_bgcolor": "#f7f9fb", "font": {"family": "system-ui, sans-serif", "size": 12},
    "title": {"x": 0.02, "font": {"size": 15}}, "hoverlabel": {"align": "left"}}
REPORTED_LABELS = ("customer_question", "self_promotion", "pushy_close", "follow_up_question",
                   "acknowledgement", "relating")
# The close's flags (call.closing), highlighted in the transcript beside the labels above;
# asks and objections are also marked on the timeline (as diamonds).
CLOSE_LABELS = ("ask", "commitment", "next_step", "objection")
TIMELINE_LABELS = (*REPORTED_LABELS, "ask", "objection")
LABEL_COLOURS = {"customer_question": "#2e9d5b", "self_promotion": "#d64541",
                 "pushy_close": "#a33a12", "follow_up_question": "#1f6fb2",
                 "acknowledgement": "#7b4fb5", "relating": "#c27c0e", "ask": "#00897b",
                 "commitment": "#5d7f1f", "next_step": "#2f6b2f", "objection": "#c2185b"}
# The kinds of talk a call's stretches are (call.stretches), as the timeline colours them.
STRETCH_COLOURS = {"business": "#2a9d8f", "personal": "#e76f8a", "small_talk": "#b9b9b9"}
# The phases of a call (call.phases), as the timeline's "phase" row colours them: none of
# them close to the colours of the speakers or of the kinds of talk on the rows above.
PHASE_COLOURS = {"opening": "#f4d35e", "discovery": "#5bc0eb", "presentation": "#9b5de5",
                 "pricing": "#8d6e63", "objection": "#d62828", "next_steps": "#80b918"}


def plot(div_id: str, data: list[dict[str, Any]], layout: dict[str, Any],
         on_click: str = "") -> str:
    """A chart: its div and the script that draws it; ``on_click`` is JS run with ``p``,
    the clicked point, when a point is clicked."""
    merged = {**BASE_LAYOUT, **layout}
    script = (f"Plotly.newPlot({script_json(div_id)},{script_json(data)},"
              f"{script_json(merged)},{script_json(CONFIG)})")
    if on_click:
        script += (f".then(function(g){{g.on('plotly_click',function(ev){{"
                   f"var p=ev.points[0];{on_click}}});}})")
    return f"<div class='chart' id='{e(div_id)}'></div><script>{script};</script>"


def clean(values: Sequence[Any]) -> list[Any]:
    """Values for JSON: nan becomes null (a gap in the chart)."""
    return [None if isinstance(v, float) and math.isnan(v) else v for v in values]


def reference_lines(lines: Sequence[tuple[str, float]], axis: str = "y"
                    ) -> dict[str, list[dict[str, Any]]]:
    """Dashed lines across the plot at benchmark values, each with its label."""
    other = "x" if axis == "y" else "y"
    shapes, notes = [], []
    for label, value in lines:
        shapes.append({"type": "line", f"{other}ref": "paper", f"{other}0": 0, f"{other}1": 1,
                       f"{axis}0": value, f"{axis}1": value, f"{axis}ref": axis,
                       "line": {"dash": "dash", "color": "#7b8794", "width": 1.5}})
        notes.append({f"{other}ref": "paper", other: 1 if axis == "y" else 1.0, axis: value,
                      f"{axis}ref": axis, "text": e(label), "showarrow": False,
                      "xanchor": "right", "yanchor": "bottom",
                      "font": {"size": 11, "color": "#52606d"}})
    return {"shapes": shapes, "annotations": notes}


def _one_day_range(x: Sequence[Any], dated: bool) -> dict[str, Any]:
    """A week around the day when every call is on one day: plotly would otherwise zoom the
    date axis to fractions of a second around it."""
    days = {str(d)[:10] for d in x}
    if not dated or len(days) != 1:
        return {}
    day = date.fromisoformat(days.pop())
    return {"range": [str(day - timedelta(days=3)), str(day + timedelta(days=3))]}


def per_call(div_id: str, view: MetricView, calls: Sequence[Mapping[str, Any]],
             hrefs: Sequence[str], dated: bool) -> str:
    """One metric per call over time (by date when every call has one, else file order);
    clicking a point opens that call's page."""
    values = [c.get(view.metric) for c in calls]
    x = [c["date"] for c in calls] if dated else list(range(1, len(calls) + 1))
    shown = [view.show(v) for v in values]
    trace = {"type": "scatter", "mode": "lines+markers", "x": x,
             "y": clean([number(v) for v in values]), "customdata": list(hrefs),
             "hovertext": [f"{e(c['call_id'])}<br>{s}" for c, s in zip(calls, shown)],
             "hoverinfo": "text", "line": {"color": "#9aa9bb", "width": 1.5},
             "marker": {"size": 10, "color": [status_colour(view.status_of(c)) for c in calls],
                        "line": {"color": "#ffffff", "width": 1}}, "name": e(view.label)}
    lines = list(view.band.markers) if view.band is not None else []
    layout = {"title": {**BASE_LAYOUT["title"], "text": e(f"{view.label} per call")},
              "height": 320, "showlegend": False,
              "xaxis": {"title": {"text": "call date" if dated else "call (file order)"},
                        "type": "category" if not dated else "date", **_one_day_range(x, dated)},
              "yaxis": {"title": {"text": e(view.label)}, "rangemode": "tozero",
                        **({"tickformat": ".0%"} if view.format == "percent" else {})},
              **reference_lines([(n, v) for n, v in lines])}
    return plot(div_id, [trace], layout, on_click="window.location.href=p.customdata;")


def histogram(div_id: str, title: str, series: Sequence[tuple[str, Sequence[Any]]],
              x_title: str, bin_size: float, lines: Sequence[tuple[str, float]] = (),
              percent: bool = False, x_range: tuple[float, float] | None = None) -> str:
    """How a metric is spread over all calls (several series side by side): bars of counts
    per bin, binned here so the pages need only plotly's basic bundle."""
    colours = ["#4a6fa5", "#e08a2c", "#2e9d5b"]
    data = []
    for i, (name, values) in enumerate(series):
        centres, counts = bins([number(v) for v in values], bin_size, x_range)
        data.append({"type": "bar", "x": centres, "y": counts, "name": e(name),
                     "marker": {"color": colours[i % len(colours)]},
                     "hovertemplate": "%{y} calls<extra></extra>"})
    layout = {"title": {**BASE_LAYOUT["title"], "text": e(title)}, "height": 320,
              "barmode": "group", "bargap": 0.1, "showlegend": len(series) > 1,
              "legend": {"orientation": "h", "y": -0.25},
              "xaxis": {"title": {"text": e(x_title)},
                        **({"tickformat": ".0%"} if percent else {}),
                        **({"range": list(x_range)} if x_range else {})},
              "yaxis": {"title": {"text": "calls"}, "rangemode": "tozero"},
              **reference_lines(lines, axis="x")}
    return plot(div_id, data, layout)


def bins(values: Sequence[float], size: float, span: tuple[float, float] | None = None
         ) -> tuple[list[float], list[int]]:
    """Centres and counts of bins of ``size`` (from ``span``'s start, else centred on whole
    multiples of ``size``); nan values are left out."""
    finite = [v for v in values if math.isfinite(v)]
    if span:  # the end of the span belongs to the last bin (a talk share of exactly 100%)
        finite = [min(v, span[1] - size * 1e-6) for v in finite]
    if not finite:
        return [], []
    origin = span[0] if span else -size / 2
    first = math.floor((min(finite) - origin) / size)
    last = math.floor((max(finite) - origin) / size)
    counts = [0] * (last - first + 1)
    for v in finite:
        counts[math.floor((v - origin) / size) - first] += 1
    centres = [round(origin + (first + k + 0.5) * size, 10) for k in range(len(counts))]
    return centres, counts


def timeline(utterances: Sequence[Utterance], flags: Sequence[Flag],
             stretches: Sequence[Flag] = (), phases: Sequence[Flag] = ()) -> str:
    """Who spoke when, with the flagged moments and, on rows of their own, the stretches of
    business, personal talk and small talk and the call's phases; clicking a bar or a flag
    plays from there."""
    data: list[dict[str, Any]] = [*phase_bars(phases), *stretch_bars(stretches)]
    for role, colour in ROLE_COLOURS.items():
        spans = [u for u in utterances if u.role == role and _timed(u.start, u.end)]
        if spans:
            data.append({"type": "bar", "orientation": "h", "name": role, "y": [role] * len(spans),
                         "base": [u.start for u in spans], "x": [u.end - u.start for u in spans],
                         "customdata": [u.start for u in spans], "marker": {"color": colour},
                         "hovertext": [e(_short(u.text)) for u in spans], "hoverinfo": "text"})
    for label in TIMELINE_LABELS:
        shown = [f for f in flags if f.label == label and _timed(f.start, f.start)]
        if shown:
            data.append({"type": "scatter", "mode": "markers", "name": label.replace("_", " "),
                         "x": [f.start for f in shown], "y": [f.role for f in shown],
                         "customdata": [f.start for f in shown], "hoverinfo": "text",
                         "hovertext": [e(f"{f.label} {f.subtype}: {_short(f.text)}")
                                       for f in shown],
                         "marker": {"symbol": "diamond" if label in CLOSE_LABELS else "x",
                                    "size": 12, "color": LABEL_COLOURS[label],
                                    "line": {"width": 1, "color": "#ffffff"}}})
    layout = {"title": {**BASE_LAYOUT["title"], "text": "Who spoke when (click to listen)"},
              "height": 300 if phases else 260, "barmode": "overlay",
              "xaxis": {"title": {"text": "time (s)"}, "rangemode": "tozero"},
              "yaxis": {"title": {"text": ""}}, "legend": {"orientation": "h", "y": -0.35}}
    return plot("timeline", data, layout, on_click="seek(p.customdata);")


def stretch_bars(stretches: Sequence[Flag]) -> list[dict[str, Any]]:
    """One bar series per kind of talk, on the timeline's "talk" row."""
    data = []
    for kind, colour in STRETCH_COLOURS.items():
        shown = [f for f in stretches if f.subtype == kind and _timed(f.start, f.end)]
        if shown:
            data.append({"type": "bar", "orientation": "h", "name": kind.replace("_", " "),
                         "y": ["talk"] * len(shown), "base": [f.start for f in shown],
                         "x": [f.end - f.start for f in shown],
                         "customdata": [f.start for f in shown], "marker": {"color": colour},
                         "hovertext": [e(f"{kind.replace('_', ' ')} from {f.role}: {f.span}")
                                       for f in shown], "hoverinfo": "text"})
    return data


def phase_bars(phases: Sequence[Flag]) -> list[dict[str, Any]]:
    """One bar series per phase (opening ... next steps), on the timeline's "phase" row."""
    data = []
    for phase, colour in PHASE_COLOURS.items():
        shown = [f for f in phases if f.subtype == phase and _timed(f.start, f.end)]
        if shown:
            name = phase.replace("_", " ")
            data.append({"type": "bar", "orientation": "h", "name": name,
                         "y": ["phase"] * len(shown), "base": [f.start for f in shown],
                         "x": [f.end - f.start for f in shown],
                         "customdata": [f.start for f in shown], "marker": {"color": colour},
                         "hovertext": [e(f"{name}: {_short(f.text, 60)}") for f in shown],
                         "hoverinfo": "text"})
    return data


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _timed(*values: float) -> bool:
    return all(isinstance(v, float) and math.isfinite(v) for v in values)


NEAR = (0.08, 0.1)  # reps closer than this on both axes (shares, 0..1) share one label


def _shared_labels(points: Sequence[tuple[Any, ...]]) -> list[str]:
    """One label per spot: reps on the same point, or so near it that their names would be
    drawn over each other, are named together, once ("dave, erin")."""
    spots: list[list[int]] = []
    for index, (_, x, y, *_rest) in enumerate(points):
        spot = next((s for s in spots if abs(points[s[0]][1] - x) < NEAR[0]
                     and abs(points[s[0]][2] - y) < NEAR[1]), None)
        if spot is None:
            spots.append([index])
        else:
            spot.append(index)
    labels = [""] * len(points)
    for members in spots:
        labels[members[0]] = e(", ".join(str(points[i][0]) for i in members))
    return labels


def connection_map(reps: Sequence[tuple[str, float, float, float]], hrefs: Sequence[str]) -> str:
    """Every rep placed by self-focus (x) against connection (y: the share of their questions
    that followed up on the customer), the dot's size their acknowledgements per call;
    clicking a rep opens their page. ``reps`` holds (rep, self-focus, follow-up share,
    acknowledgements), each a per-call mean."""
    shown = [(r, x, y, a, h) for (r, x, y, a), h in zip(reps, hrefs)
             if math.isfinite(x) and math.isfinite(y)]
    data = [{"type": "scatter", "mode": "markers+text", "x": [s[1] for s in shown],
             "y": [s[2] for s in shown], "text": _shared_labels(shown),
             "textposition": "top center", "customdata": [s[4] for s in shown],
             "marker": {"size": [10 + 4 * min(s[3], 10) if math.isfinite(s[3]) else 10
                                 for s in shown], "color": "#1f6fb2", "opacity": 0.8},
             "hovertext": [e(f"{s[0]}: self-focus {s[1]:.0%}, follow-ups {s[2]:.0%}, "
                             f"{s[3]:.1f} acknowledgements per call") for s in shown],
             "hoverinfo": "text"}]
    # The corners' names; the bottom ones under the 0% line, where no rep's name is drawn.
    notes = [("connector", 0.02, 0.98, "left"), ("egomaniac", 0.98, 0.01, "right"),
             ("interrogator", 0.02, 0.01, "left")]
    layout = {"title": {**BASE_LAYOUT["title"], "text": "Connection against self-focus"},
              "height": 380, "showlegend": False,
              "xaxis": {"title": {"text": "self-focus share (mean per call)"},
                        "tickformat": ".0%", "range": [-0.05, 1.05]},
              "yaxis": {"title": {"text": "follow-up share of questions (mean per call)"},
                        "tickformat": ".0%", "range": [-0.14, 1.05]},
              "annotations": [{"xref": "paper", "yref": "paper", "x": x, "y": y, "text": t,
                               "showarrow": False, "xanchor": anchor, "yanchor": "bottom"
                               if y < 0.5 else "top", "font": {"size": 11, "color": "#7b8794"}}
                              for t, x, y, anchor in notes]}
    return plot("connection-map", data, layout, on_click="location.href=p.customdata;")
