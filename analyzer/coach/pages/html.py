"""The pieces every page is made of: escaping, numbers, tables, cards and the page frame.

Every piece of text that came from a call (transcript, rep name, call id, file path) goes
through ``e`` before it reaches the page, and through ``script_json`` before it reaches a
script, so a transcript line such as ``<script>alert(1)</script>`` shows as text.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from analyzer.run.store import safe_name


class Num(NamedTuple):
    """A numeric table cell: its HTML, the value a sortable table sorts by, its status."""

    html: str
    value: Any
    status: str = ""


Cell = str | Num
_SPECIAL = re.compile(r"[&<>\"']")

STATUS_COLOURS = {"good": "#2e9d5b", "watch": "#e0a100", "bad": "#d64541"}
NEUTRAL = "#4a6fa5"
ROLE_COLOURS = {"rep": "#4a6fa5", "customer": "#e08a2c", "colleague": "#7a9a4a"}

CSS = """
:root{--ink:#1f2933;--muted:#6b7785;--line:#e3e7ec;--bg:#f6f8fa;--card:#fff;
--good:#2e9d5b;--watch:#e0a100;--bad:#d64541;--accent:#4a6fa5}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:var(--ink);
background:var(--bg);line-height:1.45}
header.top{background:#1f2d3d;color:#fff;padding:.6em 2em;display:flex;gap:1.5em;
align-items:baseline}
header.top a{color:#fff;text-decoration:none;font-weight:600}
header.top .crumbs{color:#c9d3de;font-size:90%}
header.top .crumbs a{color:#c9d3de;font-weight:400}
main{max-width:1240px;margin:0 auto;padding:1.2em 2em 3em}
h1{margin:.2em 0 .1em;font-size:1.7em}h2{margin:1.6em 0 .5em;font-size:1.25em}
.sub{color:var(--muted);margin:0 0 1em}
.muted{color:var(--muted)}
a{color:#2357a0}
section.panel{background:var(--card);border:1px solid var(--line);border-radius:8px;
padding:1em 1.2em;margin:1em 0}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:.8em;
margin:1em 0}
.card{background:var(--card);border:1px solid var(--line);border-left:6px solid var(--accent);
border-radius:8px;padding:.7em .9em}
.card.good{border-left-color:var(--good)}.card.watch{border-left-color:var(--watch)}
.card.bad{border-left-color:var(--bad)}
.card .name{font-size:85%;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
.card .value{font-size:1.9em;font-weight:650;margin:.1em 0}
.card .cmp{font-size:85%;color:var(--muted)}
.badge{display:inline-block;font-size:75%;font-weight:600;padding:.05em .5em;border-radius:1em;
color:#fff;background:var(--accent);vertical-align:middle;margin-left:.4em}
.badge.good{background:var(--good)}.badge.watch{background:var(--watch)}
.badge.bad{background:var(--bad)}
table{border-collapse:collapse;margin:.6em 0;background:var(--card);width:100%}
td,th{border-bottom:1px solid var(--line);padding:5px 8px;font-size:90%;text-align:left;
vertical-align:top}
th{background:#eef2f6;font-weight:600;position:sticky;top:0}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th:after{content:" \\2195";color:#9aa5b1;font-size:80%}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.good{background:#dff3e6}td.watch{background:#fff1c7}td.bad{background:#fbdcd9}
.low{color:#b3261e;font-weight:600}
.banner{background:#fdecea;border:1px solid #f3b7b1;color:#8a1c14;border-radius:8px;
padding:.7em 1em;margin:.8em 0;font-weight:500}
.banner.nextstep{background:#e7f5ec;border-color:#b5dcc2;color:#1d5e35}
.banner.nextstep.none{background:#fdecea;border-color:#f3b7b1;color:#8a1c14}
.charts{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:.8em}
@media (max-width:900px){.charts{grid-template-columns:minmax(0,1fr)}}
.chart{background:var(--card);border:1px solid var(--line);border-radius:8px;min-height:260px;
overflow:hidden}
section.panel .chart{border:0}
.scroll{overflow-x:auto;max-width:100%}
ol.points a.listen,ol.connection-points a.listen{white-space:nowrap;font-size:90%}
ol.points,ol.connection-points{padding-left:1.3em}
ol.points li,ol.connection-points li{margin:.45em 0}
ol.points .rule,ol.connection-points .rule{font-size:80%;color:var(--muted)}
mark{padding:0 .1em;border-radius:3px;cursor:pointer}
/* The close's colours first: a sentence that is also pushy or self-promotion shows that. */
mark.ask,.key.ask{background:#cdeee9}
mark.commitment,.key.commitment,mark.next_step,.key.next_step{background:#e3efcc}
mark.objection,.key.objection{background:#f8d3e3}
mark.self_promotion,.key.self_promotion{background:#fbdcd9}
mark.pushy_close,.key.pushy_close{background:#f7b9a8}
mark.customer_question,.key.customer_question{background:#d3efdc}
mark.follow_up_question,.key.follow_up_question{background:#d6e6f5}
mark.acknowledgement,.key.acknowledgement{background:#e6dcf3}
mark.relating,.key.relating{background:#f6e3c2}
.legend .key{padding:0 .4em;border-radius:3px;color:var(--ink)}
mark u{text-decoration-thickness:2px}
tr.here td{background:#fff6d6}
.why{font-size:85%;margin:.1em 0;cursor:pointer}
.why b.self_promotion{color:#b3261e}.why b.pushy_close{color:#a33a12}
.why b.customer_question{color:#1d7a45}.why b.follow_up_question{color:#1f6fb2}
.why b.acknowledgement{color:#7b4fb5}.why b.relating{color:#c27c0e}
.why b.ask{color:#00695c}.why b.commitment,.why b.next_step{color:#2f6b2f}
.why b.objection{color:#ad1457}
code{font-size:90%;background:#eef2f6;padding:0 .25em;border-radius:3px}
audio{width:100%;margin:.5em 0}
.legend span{display:inline-block;margin-right:1.2em}
.help{font-size:88%;color:var(--muted)}
"""

SORT_JS = """
function sortKey(td){var v=td.getAttribute('data-v');if(v===null)return td.textContent.trim()
.toLowerCase();var n=parseFloat(v);return isNaN(n)?-Infinity:n;}
document.querySelectorAll('table.sortable').forEach(function(table){
 table.querySelectorAll('th').forEach(function(th,i){th.addEventListener('click',function(){
  var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows),up=th.dataset.dir!=='up';
  th.dataset.dir=up?'up':'down';
  rows.sort(function(a,b){var x=sortKey(a.cells[i]),y=sortKey(b.cells[i]);
   return (x<y?-1:x>y?1:0)*(up?1:-1);});
  rows.forEach(function(r){body.appendChild(r);});});});});
"""


def e(value: Any) -> str:
    """HTML-escape any value (quotes too, so it is safe inside attributes)."""
    text = str(value)
    # Most text has nothing to escape; looking first is twice as fast over a 1,000-call run.
    return html.escape(text, quote=True) if _SPECIAL.search(text) else text


def script_json(value: Any) -> str:
    """JSON for a <script> block: no "<", ">" or "&" survives, so no text can close it."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, default=str,
                      separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def is_missing(value: Any) -> bool:
    """True for None, nan and empty strings: a value the page shows as a dash."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value


def number(value: Any) -> float:
    """A value as a float (nan when it is missing or not a number)."""
    if isinstance(value, bool):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def clock(seconds: float) -> str:
    """Seconds as m:ss (h:mm:ss past an hour), cut to the second as players show time."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def plural(count: int, word: str) -> str:
    """"1 call", "2 calls"."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


# Talk shares that an untimed transcript's words stand in for (``talk_estimated``).
ESTIMATED_METRICS = ("rep_talk_share", "customer_talk_share")


def total_seconds(calls: Sequence[Mapping[str, Any]]) -> float:
    """The summed ``duration_s`` of calls, skipping unknown ones; nan when none is known (a
    folder of untimed transcripts has no length, not a length of 0:00)."""
    known = [x for x in (number(c.get("duration_s")) for c in calls) if math.isfinite(x)]
    return sum(known) if known else math.nan


def estimated(call: Mapping[str, Any]) -> bool:
    """Whether a call's talk shares were estimated from words (no times in its transcript)."""
    value = call.get("talk_estimated")
    return not is_missing(value) and bool(value)


def length(seconds: float) -> str:
    """A total length of calls in words ("2.5 hours", "12 min")."""
    if not math.isfinite(seconds):
        return "unknown length"
    return f"{seconds / 3600:.1f} hours" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def fmt(value: Any) -> str:
    """A plain value for a table cell (escaped; a dash when missing)."""
    if is_missing(value):
        return "&ndash;"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    return e(value)


def table(head: Sequence[str], rows: Sequence[Sequence[Cell]], css: str = "",
          row_ids: Sequence[str] | None = None) -> str:
    """An HTML table; a cell is HTML, or a ``Num`` (right-aligned, sortable, coloured).

    ``head`` entries are HTML (escape them first when they carry data).
    """
    header = "".join(f"<th>{h}</th>" for h in head)
    body = []
    for index, row in enumerate(rows):
        cells = "".join(_cell(c) for c in row)
        rid = f" id='{e(row_ids[index])}'" if row_ids else ""
        body.append(f"<tr{rid}>{cells}</tr>")
    return (f"<div class='scroll'><table class='{css}'><thead><tr>{header}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>")


def _cell(cell: Cell) -> str:
    if isinstance(cell, Num):
        value = number(cell.value)
        sort = "" if math.isnan(value) else f" data-v='{value:.6g}'"
        return f"<td class='num {cell.status}'{sort}>{cell.html}</td>"
    return f"<td>{cell}</td>"


def page(title: str, body: str, root: str, crumbs: str = "", script: str = "") -> str:
    """A whole page: plotly from ``root`` (written once beside the pages), the header with
    its breadcrumbs, the body, and the page's own script after it."""
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
            f"<title>{e(title)}</title><style>{CSS}</style>"
            f"<script src='{root}plotly.min.js'></script></head><body>"
            f"<header class='top'><a href='{root}index.html'>CallCoach</a>"
            f"<span class='crumbs'>{crumbs}</span></header>"
            f"<main>{body}</main><script>{SORT_JS}{script}</script></body></html>")


def rep_file(rep: str) -> str:
    """File name of a rep's page."""
    return f"{safe_name(rep)}.html"


def call_file(call_id: str) -> str:
    """File name of a call's page."""
    return f"{safe_name(call_id)}.html"


def call_name(call_id: str) -> str:
    """A call's short name for sentences ("alice/2026-10-01-acme" -> "2026-10-01-acme")."""
    return call_id.rstrip("/").rsplit("/", 1)[-1] or call_id


def relative(path: str, start: Path) -> str:
    """``path`` relative to the folder ``start`` (POSIX form, for a link)."""
    return Path(os.path.relpath(Path(path).resolve(), start.resolve())).as_posix()


def audio_href(audio: str, out: Path, pages: str) -> str:
    """The link to a recording from a page in ``out/pages``: an absolute ``audio_path`` as it
    is, a relative one (``audio/<call>.wav`` in a rep's folder) taken from ``out``, so a copied
    or zipped folder still plays the recordings copied with it."""
    path = Path(audio) if Path(audio).is_absolute() else Path(out) / audio
    return relative(str(path), Path(out) / pages)


def status_colour(status: Any) -> str:
    """Chart colour of a status ("good", "watch", "bad"; neutral otherwise)."""
    return STATUS_COLOURS.get(str(status), NEUTRAL)
