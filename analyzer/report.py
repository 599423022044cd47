"""Reports: an index of reps and one HTML page per rep, with plotly charts, that a coach reads
and a rep uses to audit their own calls (every count backed by the sentence and the rule)."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from analyzer.store import safe_name
from analyzer.tables import Results
from analyzer.types import Flag, Utterance

LOW_CONFIDENCE = 0.7
SUMMARY_METRICS = {
    "rep_talk_share": "Talk share", "longest_monologue_s": "Longest monologue (s)",
    "longest_customer_story_s": "Longest customer story (s)",
    "interactivity": "Switches per min", "patience_s": "Patience (s)", "rep_wpm": "Words per min",
    "rep_filler_per_min": "Fillers per min", "rep_questions": "Questions",
    "customer_focused_questions": "Questions about the customer",
    "self_promotion": "Self-promotion", "pushy_closing": "Pushy closing",
    "egomaniac": "Egomaniac"}
REPORTED_LABELS = ("customer_question", "self_promotion", "pushy_close")
CSS = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 6px;font-size:90%;text-align:left;vertical-align:top}
th{background:#f3f3f3}.good{background:#d8f5d0}
.watch{background:#fff2c2}.bad{background:#ffd2cc}.low{color:#b00;font-weight:bold}
.flag{font-size:90%}mark.self_promotion{background:#ffd2cc}
mark.pushy_close{background:#ffb3a7}mark.customer_question{background:#d8f5d0}.muted{color:#777}"""


def write_reports(tables: Results, out: Path) -> None:
    """Write ``index.html``, ``reps/<rep>.html`` and ``call-pages/<call>.html`` into ``out``,
    from the tables alone."""
    (out / "reps").mkdir(parents=True, exist_ok=True)
    (out / "plotly.min.js").write_text(get_plotlyjs(), encoding="utf-8")
    for rep, calls in tables.calls.groupby("rep", sort=True):
        flags = tables.flags[tables.flags["rep"] == rep]
        page = rep_page(str(rep), calls, flags, out)
        (out / "reps" / f"{rep_file(str(rep))}").write_text(page, encoding="utf-8")
    (out / "index.html").write_text(index_page(tables), encoding="utf-8")
    (out / "call-pages").mkdir(exist_ok=True)
    utterances = dict(iter(tables.utterances.groupby("call_id", sort=False)))
    flags_of = dict(iter(tables.flags.groupby("call_id", sort=False)))
    for _, call in tables.calls.iterrows():
        call_id = str(call["call_id"])
        page = call_page(call, _utterances(utterances.get(call_id)), _flags(flags_of.get(call_id)),
                         out)
        (out / "call-pages" / call_file(call_id)).write_text(page, encoding="utf-8")


def _utterances(rows: pd.DataFrame | None) -> tuple[Utterance, ...]:
    if rows is None:
        return ()
    return tuple(Utterance(r["speaker"], r["role"], r["start_s"], r["end_s"], r["text"])
                 for r in rows.to_dict("records"))


def _flags(rows: pd.DataFrame | None) -> tuple[Flag, ...]:
    if rows is None:
        return ()
    return tuple(Flag(r["role"], r["start_s"], r["end_s"], r["label"], r["subtype"], r["rule"],
                      r["text"]) for r in rows.to_dict("records"))


def rep_file(rep: str) -> str:
    """File name of a rep's page."""
    return f"{safe_name(rep)}.html"


def call_file(call_id: str) -> str:
    """File name of a call's page."""
    return f"{safe_name(call_id)}.html"


def index_page(tables: Results) -> str:
    """The landing page: every rep with their headline numbers, and the inputs that failed."""
    rows = []
    for _, rep in tables.reps.iterrows():
        link = f'<a href="reps/{rep_file(str(rep["rep"]))}">{_e(rep["rep"])}</a>'
        rows.append([link, _fmt(rep.get("calls")), _fmt(rep.get("hours")),
                     _fmt(rep.get("rep_talk_share_mean")),
                     _fmt(rep.get("longest_monologue_s_mean")),
                     _fmt(rep.get("customer_focused_questions_mean")),
                     _fmt(rep.get("pushy_closing_mean"))])
    head = ["Rep", "Calls", "Hours", "Talk share (mean)", "Longest monologue s (mean)",
            "Customer questions (mean)", "Pushy closing (mean)"]
    body = f"<h1>CallCoach</h1><h2>Reps</h2>{_table(head, rows)}{_errors(tables.errors)}"
    return _page("CallCoach: reps", body, "")


def rep_page(rep: str, calls: pd.DataFrame, flags: pd.DataFrame, out: Path) -> str:
    """One rep's page: talk share per call, every call's metrics, and every flagged sentence."""
    calls = calls.sort_values(["date", "call_id"])
    parts = [f"<p><a href='../index.html'>&larr; all reps</a></p><h1>{_e(rep)}</h1>",
             _verdict(calls), _talk_share_chart(calls), "<h2>Calls</h2>",
             _calls_table(calls, out), "<h2>Flagged sentences</h2>",
             _flags_section(calls, flags, out)]
    return _page(f"CallCoach: {rep}", "".join(parts), "../")


def _verdict(calls: pd.DataFrame) -> str:
    """The headline a coach reads first: talk share, and the dating-egomaniac test."""
    share = calls["rep_talk_share"].mean() if "rep_talk_share" in calls else math.nan
    lines = [f"<p><b>{len(calls)}</b> calls; talks <b>{_fmt(share)}</b> of the time on average."]
    if "egomaniac" in calls:
        count = int(calls["egomaniac"].fillna(False).astype(bool).sum())
        lines.append(f" Self-promotion outnumbers questions about the customer in <b>{count}</b>"
                     f" of {len(calls)} calls.")
    if "pushy_closing" in calls:
        lines.append(f" Pushy closing lines: <b>{int(calls['pushy_closing'].fillna(0).sum())}</b>.")
    return "".join(lines) + "</p>"


def _talk_share_chart(calls: pd.DataFrame) -> str:
    share = calls.get("rep_talk_share", pd.Series(dtype=float))
    fig = go.Figure(go.Bar(x=calls["call_id"], y=share, name="rep talk share",
                           marker_color=[_status_colour(s) for s in
                                         calls.get("rep_talk_share_status", [""] * len(calls))]))
    for y, label in _talk_share_lines():
        fig.add_hline(y=y, line_dash="dash", annotation_text=label)
    fig.update_layout(title="Rep talk share per call", yaxis_range=[0, 1], height=380,
                      yaxis_title="share of talk time", margin={"t": 50, "b": 80})
    return fig.to_html(full_html=False, include_plotlyjs=False)


def _talk_share_lines() -> list[tuple[float, str]]:
    """Benchmark lines for the talk-share chart, from the benchmark data file."""
    try:
        from analyzer.metrics import load_benchmarks
    except ImportError:
        return []
    lines: list[tuple[float, str]] = []
    for bench in load_benchmarks():
        if getattr(bench, "metric", "") == "rep_talk_share":
            lines.extend((float(v), f"{name} ({v:.0%})") for name, v in bench.lines())
    return lines


def _calls_table(calls: pd.DataFrame, out: Path) -> str:
    metrics = [m for m in SUMMARY_METRICS if m in calls.columns]
    head = ["Date", "Call", "Duration (s)", "Roles", *(SUMMARY_METRICS[m] for m in metrics)]
    rows = []
    for _, call in calls.iterrows():
        cells = [_e(call.get("date", "")), _call_link(call, out), _fmt(call.get("duration_s")),
                 _roles_cell(call)]
        cells.extend(_metric_cell(call, m) for m in metrics)
        rows.append(cells)
    return _table(head, rows)


def _roles_cell(call: pd.Series) -> str:
    method, confidence = call.get("role_method", ""), call.get("role_confidence", math.nan)
    text = f"{_e(method)} ({_fmt(confidence)})"
    if isinstance(confidence, float) and confidence < LOW_CONFIDENCE:
        warning = "the rep may be the other speaker"
        return f'<span class="low" title="{warning}">&#9888; {text} low confidence</span>'
    return text


def _metric_cell(call: Mapping[str, Any] | pd.Series, metric: str) -> str:
    status = call.get(f"{metric}_status", "")
    status = status if isinstance(status, str) else ""
    return f'<span class="{status}" title="{status}">{_fmt(call.get(metric))}</span>'


def _flags_section(calls: pd.DataFrame, flags: pd.DataFrame, out: Path) -> str:
    shown = flags[(flags["role"] == "rep") & flags["label"].isin(REPORTED_LABELS)]
    if shown.empty:
        return "<p class='muted'>No flagged sentences.</p>"
    audio = dict(zip(calls["call_id"], calls.get("audio_path", [""] * len(calls))))
    rows = [[_e(f["call_id"]), _time_link(audio.get(f["call_id"], ""), f["start_s"], out),
             _e(f["label"]), _e(f["subtype"]), f"<code>{_e(f['rule'])}</code>", _e(f["text"])]
            for _, f in shown.sort_values(["call_id", "start_s"]).iterrows()]
    note = ("<p class='muted'>The rep's sentences that asked about the customer, promoted "
            "themselves or pushed for the close; every question is in flags.csv. The time "
            "opens the recording at that moment.</p>")
    return note + _table(["Call", "Time", "Label", "Subtype", "Rule", "Sentence"], rows, "flag")


def _call_link(call: pd.Series, out: Path) -> str:
    return f'<a href="../call-pages/{call_file(str(call["call_id"]))}">{_e(call["call_id"])}</a>'


ROLE_COLOURS = {"rep": "#3f6fb5", "customer": "#e08a2c", "colleague": "#7a9a4a"}
SEEK_JS = """<script>function seek(t){var a=document.getElementById('audio');
if(a){a.currentTime=t;a.play();}}</script>"""


def call_page(call: pd.Series, utterances: Sequence[Utterance], flags: Sequence[Flag],
              out: Path) -> str:
    """One call: its numbers, a timeline of who spoke when, and the transcript with every
    flagged sentence highlighted; clicking a time plays the recording from there."""
    call_id, rep, date = str(call["call_id"]), str(call["rep"]), str(call.get("date", "") or "")
    method, confidence = call.get("role_method", ""), float(call.get("role_confidence", 1.0))
    head = (f"<p><a href='../reps/{rep_file(rep)}'>&larr; {_e(rep)}</a></p><h1>{_e(call_id)}</h1>"
            f"<p>{_e(date) + ' &middot; ' if date else ''}"
            f"{_fmt(call.get('duration_s'))} s &middot; "
            f"roles by {_e(method)} ({_fmt(confidence)})"
            f"{_low_confidence_note(confidence)}</p>")
    parts = [head, _audio_player(str(call.get("audio_path", "") or ""), out),
             _timeline(utterances, flags), _call_metrics(call),
             "<h2>Transcript</h2>", _transcript(utterances, flags)]
    return _page(f"CallCoach: {call_id}", "".join(parts) + SEEK_JS, "../")


def _low_confidence_note(confidence: float) -> str:
    if confidence >= LOW_CONFIDENCE:
        return ""
    return " <span class='low'>&#9888; low confidence: the rep may be the other speaker</span>"


def _audio_player(audio: str, out: Path) -> str:
    if not audio:
        return ""
    src = _e(_relative(audio, out / "call-pages"))
    return f"<audio id='audio' controls preload='none' src='{src}'></audio>"


def _timeline(utterances: Sequence[Utterance], flags: Sequence[Flag]) -> str:
    fig = go.Figure()
    for role, colour in ROLE_COLOURS.items():
        spans = [u for u in utterances if u.role == role and not math.isnan(u.start)]
        if spans:
            fig.add_trace(go.Bar(base=[u.start for u in spans], x=[u.end - u.start for u in spans],
                                 y=[role] * len(spans), orientation="h", name=role,
                                 marker_color=colour, hovertext=[u.text[:80] for u in spans]))
    shown = [f for f in flags if f.label in REPORTED_LABELS and not math.isnan(f.start)]
    if shown:
        fig.add_trace(go.Scatter(x=[f.start for f in shown], y=[f.role for f in shown],
                                 mode="markers", name="flagged", marker_symbol="x",
                                 marker_color="#c00", marker_size=11,
                                 hovertext=[f"{f.label} {f.subtype}: {f.text}" for f in shown]))
    fig.update_layout(title="Who spoke when", height=260, xaxis_title="seconds",
                      margin={"t": 40, "b": 40}, barmode="overlay")
    return fig.to_html(full_html=False, include_plotlyjs=False)


def _call_metrics(metrics: pd.Series) -> str:
    shown = [m for m in SUMMARY_METRICS if m in metrics]
    return _table([SUMMARY_METRICS[m] for m in shown], [[_metric_cell(metrics, m) for m in shown]])


def _transcript(utterances: Sequence[Utterance], flags: Sequence[Flag]) -> str:
    rows = []
    for utterance in utterances:
        time = _seek_link(utterance.start)
        who = f"<span style='color:{ROLE_COLOURS.get(utterance.role, '#444')}'>" \
              f"{_e(utterance.role)}</span> <span class='muted'>{_e(utterance.speaker)}</span>"
        rows.append([time, who, _highlighted(utterance, flags)])
    return _table(["Time", "Speaker", "Said"], rows)


def _seek_link(start: float) -> str:
    if math.isnan(start):
        return "&ndash;"
    return f"<a href='#' onclick='seek({start:.2f});return false'>{_clock(start)}</a>"


def _highlighted(utterance: Utterance, flags: Sequence[Flag]) -> str:
    """The utterance's text with each flagged sentence marked, the rule in its tooltip."""
    text = _e(utterance.text)
    for flag in flags:
        if flag.label in REPORTED_LABELS and flag.role == utterance.role and flag.text and \
                _e(flag.text) in text and _within(flag.start, utterance):
            tip = _e(f"{flag.label} {flag.subtype} ({flag.rule})".replace("  ", " "))
            text = text.replace(_e(flag.text), f"<mark class='{flag.label}' title='{tip}'>"
                                f"{_e(flag.text)}</mark> <sup>{_e(flag.label)}</sup>", 1)
    return text


def _within(start: float, utterance: Utterance) -> bool:
    if math.isnan(start) or math.isnan(utterance.start):
        return True
    return utterance.start - 0.01 <= start <= utterance.end + 0.01


def _clock(start: float) -> str:
    return f"{int(start // 60)}:{int(start % 60):02d}"


def _time_link(audio: str, start: float, out: Path) -> str:
    """A clock time that opens the recording at that moment (media fragment #t=)."""
    if not isinstance(start, float) or math.isnan(start):
        return "&ndash;"
    clock = _clock(start)
    if not audio:
        return clock
    return f'<a href="{_e(_relative(audio, out / "reps"))}#t={start:.1f}">{clock}</a>'


def _relative(path: str, start: Path) -> str:
    import os

    return Path(os.path.relpath(Path(path).resolve(), start.resolve())).as_posix()


def _errors(errors: pd.DataFrame) -> str:
    if errors.empty:
        return ""
    rows = [[_e(r["path"]), _e(r["stage"]), _e(r["reason"])] for _, r in errors.iterrows()]
    return f"<h2>Inputs that failed ({len(rows)})</h2>{_table(['File', 'Stage', 'Reason'], rows)}"


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], css: str = "") -> str:
    header = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><tr>{header}</tr>{body}</table>'


def _page(title: str, body: str, root: str) -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{_e(title)}</title>"
            f"<style>{CSS}</style><script src='{root}plotly.min.js'></script></head>"
            f"<body>{body}</body></html>")


def _status_colour(status: Any) -> str:
    return {"good": "#4caf50", "watch": "#f0b400", "bad": "#e53935"}.get(str(status), "#5b7fb8")


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "&ndash;"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    return _e(value)


def _e(value: Any) -> str:
    return html.escape(str(value))
