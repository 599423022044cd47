"""Reports: the pages a coach reads and a rep audits their calls from, built from the tables
alone (so ``callcoach report DIR`` rebuilds them without analyzing any call).

``index.html`` (the team), ``reps/<rep>.html`` (one rep) and ``call-pages/<call>.html`` (one
call), with ``plotly.min.js`` written once beside them: everything works offline from the
file system. One module per page kind (``index``, ``rep_page``, ``call_page``), on shared
pieces (``html``: escaping and layout; ``display``: how each metric is shown and coloured;
``charts``: plotly figures; ``coaching``: the coaching rules); ``summary`` is the terminal
summary of ``callcoach audit``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from analyzer.coach.pages.call_page import call_page
from analyzer.coach.pages.html import call_file, rep_file
from analyzer.coach.pages.index import index_page
from analyzer.coach.pages.rep_page import rep_page
from analyzer.coach.tables import Results
from analyzer.types import Flag, Utterance

PLOTLY_JS = Path(__file__).parent / "assets" / "plotly-basic.min.js"
__all__ = ["write_reports", "call_file", "rep_file", "call_records", "group_flags",
           "group_utterances"]


def write_reports(tables: Results, out: str | Path,
                  utterances: Iterable[tuple[str, Sequence[Utterance]]] | None = None) -> None:
    """Write ``index.html``, ``reps/<rep>.html`` and ``call-pages/<call>.html`` into ``out``
    from the tables alone; the tables may hold any subset of a run (one rep, one call).

    ``utterances`` gives each call's utterances a call at a time (read from the stored tables,
    so a large run's transcripts are never all in memory); by default they come from
    ``tables.utterances``.
    """
    out = Path(out)
    (out / "reps").mkdir(parents=True, exist_ok=True)
    (out / "call-pages").mkdir(exist_ok=True)
    _write_plotly(out / "plotly.min.js")
    calls = call_records(tables.calls)
    reps = rep_records(tables.reps)
    every_flag = group_flags(tables.flags)
    # What a coach marked wrong is shown on the call page as corrected, and read nowhere else.
    flags_of = {c: [f for f in fs if f.coach != "wrong"] for c, fs in every_flag.items()}
    _write(out / "index.html", index_page(calls, reps, tables.errors))
    by_rep: dict[str, list[Mapping[str, Any]]] = {}
    for call in calls:
        by_rep.setdefault(str(call["rep"]), []).append(call)
    for rep, own in by_rep.items():
        _write(out / "reps" / rep_file(rep),
               rep_page(rep, own, reps.get(rep, {}), flags_of, calls, out))
    pending = {str(call["call_id"]): call for call in calls}
    said = group_utterances(tables.utterances).items() if utterances is None else utterances
    for call_id, spoken in said:
        if call_id in pending:
            _write(out / "call-pages" / call_file(call_id),
                   call_page(pending.pop(call_id), spoken, every_flag.get(call_id, ()), out))
    for call_id, call in pending.items():  # calls without an utterance row
        _write(out / "call-pages" / call_file(call_id),
               call_page(call, (), every_flag.get(call_id, ()), out))


def call_records(calls: pd.DataFrame) -> list[dict[str, Any]]:
    """The calls as plain dicts, sorted by rep, date and id (the order of every page)."""
    if calls.empty:
        return []
    keys = [k for k in ("rep", "date", "call_id") if k in calls.columns]
    return calls.sort_values(keys, kind="stable").to_dict("records")


def rep_records(reps: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Each rep's row of the reps table (their means and medians, computed once there)."""
    return {str(row["rep"]): {str(k): v for k, v in row.items()}
            for row in reps.to_dict("records")}


def group_utterances(table: pd.DataFrame) -> dict[str, list[Utterance]]:
    """Every call's utterances, grouped once (not filtered per call)."""
    grouped: dict[str, list[Utterance]] = {}
    columns = [table[c].tolist() for c in ("call_id", "speaker", "role", "start_s", "end_s",
                                           "text")]
    for call_id, speaker, role, start, end, text in zip(*columns):
        grouped.setdefault(str(call_id), []).append(
            Utterance(str(speaker), str(role), float(start), float(end), str(text)))
    return grouped


def group_flags(table: pd.DataFrame) -> dict[str, list[Flag]]:
    """Every call's flags, grouped once."""
    grouped: dict[str, list[Flag]] = {}
    names = ("call_id", "role", "start_s", "end_s", "label", "subtype", "rule", "text", "span",
             "coach")
    columns = [table[c].tolist() if c in table.columns else [""] * len(table) for c in names]
    # Tables written before flags knew their utterance have no such column: -1, unknown.
    columns.append(table["utterance"].tolist() if "utterance" in table.columns
                   else [-1] * len(table))
    for call_id, role, start, end, label, subtype, rule, text, span, coach, index in \
            zip(*columns):
        grouped.setdefault(str(call_id), []).append(
            Flag(str(role), float(start), float(end), str(label), _text(subtype), _text(rule),
                 str(text), _text(span), _index(index), _text(coach)))
    return grouped


def _index(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _text(value: Any) -> str:
    return "" if value is None or isinstance(value, float) else str(value)


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _write_plotly(path: Path) -> None:
    """plotly.js beside the pages, written only when missing or different: the basic bundle
    (assets/README.md says why not the full one)."""
    script = PLOTLY_JS.read_bytes()
    if not path.is_file() or path.stat().st_size != len(script):
        path.write_bytes(script)
