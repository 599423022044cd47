"""A call's page: its numbers, who spoke when, and the transcript with every flagged sentence
highlighted and explained (label, subtype, rule, the words that matched); clicking a flag or
a time plays the recording from that moment. ``#t=<seconds>`` in the address opens the page
at that moment (coaching points link there)."""

from __future__ import annotations

import math
import shlex
from collections.abc import Mapping, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

from analyzer.call.roles import load_calibration
from analyzer.coach.pages.charts import CLOSE_LABELS, LABEL_COLOURS, REPORTED_LABELS, timeline
from analyzer.coach.pages.closing_view import closing_panel, next_step_line
from analyzer.coach.pages.display import MetricView, card, load_views
from analyzer.coach.pages.html import (
    ESTIMATED_METRICS,
    ROLE_COLOURS,
    audio_href,
    call_name,
    clock,
    e,
    estimated,
    is_missing,
    number,
    page,
    rep_file,
    script_json,
    table,
)
from analyzer.types import Flag, Utterance

# Under it the pages and `audit` warn that the rep may be the other speaker
# (models/roles/calibration.json, where the confidence is calibrated).
LOW_CONFIDENCE = load_calibration().low_confidence
# The labels the transcript highlights: the rep's talk and the close (asks with the
# customer's answer, commitments, next steps, objections with their kind).
TRANSCRIPT_LABELS = (*REPORTED_LABELS, *CLOSE_LABELS)
SEEK_JS = """
function cue(a,t){if(a.readyState>0){a.currentTime=t;return;}
 a.addEventListener('loadedmetadata',function(){a.currentTime=t;},{once:true});
 a.preload='auto';a.load();}
function seek(t){var a=document.getElementById('audio');if(a){cue(a,t);
 var p=a.play();if(p&&p.catch)p.catch(function(){});}mark(t,false);}
function mark(t,scroll){var best=-1;for(var i=0;i<STARTS.length;i++){
 if(STARTS[i]!==null&&STARTS[i]<=t+0.05)best=i;}
 document.querySelectorAll('tr.here').forEach(function(r){r.classList.remove('here');});
 var row=document.getElementById('u'+best);if(row){row.classList.add('here');
 if(scroll)row.scrollIntoView({block:'center'});}}
document.addEventListener('click',function(ev){var el=ev.target.closest('[data-t]');
 if(el){ev.preventDefault();seek(parseFloat(el.getAttribute('data-t')));}});
(function(){var m=/[#&]t=([0-9.]+)/.exec(location.hash);if(!m)return;var t=parseFloat(m[1]);
 var a=document.getElementById('audio');if(a)cue(a,t);mark(t,true);})();
"""


def call_page(call: Mapping[str, Any], utterances: Sequence[Utterance], flags: Sequence[Flag],
              out: Path) -> str:
    """One call: its numbers, a timeline of who spoke when, and the transcript with every
    flagged sentence highlighted; clicking a time or a flag plays the recording from there."""
    call_id, rep = str(call["call_id"]), str(call["rep"])
    corrected = [f for f in flags if f.coach == "wrong"]
    shown = [f for f in flags if f.label in TRANSCRIPT_LABELS and f.coach != "wrong"]
    fix = Corrector(call_id)
    parts = [low_confidence_banner(call), not_english_banner(call, len(utterances)),
             _heading(call), next_step_line(call, flags, utterances),
             _audio_player(str(call.get("audio_path", "") or ""), out),
             "<div class='cards'>", *(card(v, call.get(v.metric), _card_note(v, call))
                                      for v in load_views() if v.card), "</div>",
             _who_spoke_when(utterances, shown, [f for f in flags if f.label == "stretch"],
                             [f for f in flags if f.label == "phase"]),
             closing_panel(call, flags, fix.wrong),
             "<h2>Transcript</h2>", _corrected(corrected), fix.help(),
             transcript(utterances, shown, fix)]
    starts = [u.start if math.isfinite(u.start) else None for u in utterances]
    crumbs = (f"&rsaquo; <a href='../reps/{e(rep_file(rep))}'>{e(rep)}</a> "
              f"&rsaquo; {e(call_name(call_id))}")
    return page(f"CallCoach: {call_id}", "".join(parts), "../", crumbs,
                f"var STARTS={script_json(starts)};{SEEK_JS}")


# Under a timeline with a phase row: how far its phases hold on real calls (stop 41).
PHASE_TRUST = ("<p class='help'>How far to trust the phase row: on 27 real sales calls the "
               "phase model was not trained on, 0.63 of utterances are in the phase two readers "
               "chose (the readers agree with each other on 0.96); short pricing and objection "
               "stretches are mostly missed and presentation is said too often. Read it, and the "
               "seconds per phase, as the rough shape of the call. "
               "<code>models/closing/README.md</code>.</p>")


def _card_note(item: MetricView, call: Mapping[str, Any]) -> str:
    if item.metric in ESTIMATED_METRICS and estimated(call):
        return f"estimated from the words (no times) &middot; {item.band_text()}"
    return item.band_text()


def _who_spoke_when(utterances: Sequence[Utterance], flags: Sequence[Flag],
                    stretches: Sequence[Flag] = (), phases: Sequence[Flag] = ()) -> str:
    """The timeline (with the stretches of business, personal and small talk, and the
    phases), or a note when the transcript has no times to draw (never an empty chart)."""
    if not any(math.isfinite(u.start) and math.isfinite(u.end) for u in utterances):
        return ("<section class='panel'><p class='muted'>No timeline: this transcript has no "
                "times. Talk share is estimated from the words each side said; the times, "
                "monologues and rates are unknown (&ndash;).</p></section>")
    trust = PHASE_TRUST if phases else ""
    return (f"<section class='panel'>{timeline(utterances, flags, stretches, phases)}{_legend()}"
            f"{trust}</section>")


def low_confidence_banner(call: Mapping[str, Any]) -> str:
    """The warning at the top of a call whose roles may be swapped ("" when they are sure)."""
    confidence = number(call.get("role_confidence"))
    if math.isnan(confidence) or confidence >= LOW_CONFIDENCE:
        return ""
    method = e(call.get("role_method", "") or "?")
    reason = role_reason(call)
    why = f" Why this speaker: {e(reason)}." if reason else ""
    return (f"<div class='banner'>&#9888; The rep was found by <b>{method}</b> with confidence "
            f"<b>{confidence:.2f}</b> (under {LOW_CONFIDENCE}): the rep may be the other "
            f"speaker.{why} Check the transcript before coaching from this call.</div>")


def not_english_banner(call: Mapping[str, Any], utterances: int) -> str:
    """The warning at the top of a call some of whose utterances are not in English ("" when
    all are, or in results older than the ``not_english`` column)."""
    count = number(call.get("not_english"))
    if math.isnan(count) or count <= 0:
        return ""
    return (f"<div class='banner'>&#9888; <b>{count:.0f} of {utterances}</b> utterances are "
            "not in English. CallCoach reads English only: they carry no label, and the "
            "counts and coaching points of this call cover only its English part.</div>")


def role_reason(call: Mapping[str, Any]) -> str:
    """Why the call's rep is the rep (the ``role_reason`` column; "" in older results)."""
    reason = call.get("role_reason")
    return reason if isinstance(reason, str) else ""


def _heading(call: Mapping[str, Any]) -> str:
    date = str(call.get("date", "") or "")
    duration = number(call.get("duration_s"))
    facts = [f"rep <a href='../reps/{e(rep_file(str(call['rep'])))}'>{e(call['rep'])}</a>"]
    if date:
        facts.append(e(date))
    if math.isfinite(duration):
        facts.append(f"{clock(duration)} long")
    facts.append(f"from {e(call.get('source', '') or '?')}")
    facts.append(f"<span title='{e(role_reason(call))}'>roles by "
                 f"{e(call.get('role_method', '') or '?')} "
                 f"({number(call.get('role_confidence')):.2f})</span>")
    return f"<h1>{e(call['call_id'])}</h1><p class='sub'>{' &middot; '.join(facts)}</p>"


def _audio_player(audio: str, out: Path) -> str:
    if not audio:
        return "<p class='muted'>No recording is linked to this call.</p>"
    src = e(audio_href(audio, out, "call-pages"))
    return f"<audio id='audio' controls preload='none' src='{src}'></audio>"


def _legend() -> str:
    items = "".join(f"<span class='key {label}'>{label.replace('_', ' ')}</span>"
                    for label in TRANSCRIPT_LABELS)
    return (f"<p class='legend help'>{items} Hover a highlight for the rule and the words that "
            f"matched; click it, a time or a mark on the timeline to listen from there.</p>")


def transcript(utterances: Sequence[Utterance], flags: Sequence[Flag],
               fix: Corrector | None = None) -> str:
    """Every utterance with its time, speaker, text (flagged sentences highlighted) and a side
    note explaining each flag (with, given ``fix``, the command that marks it wrong)."""
    rows = []
    speakers: dict[tuple[str, str], str] = {}
    for utterance, own in zip(utterances, flags_by_utterance(utterances, flags)):
        key = (utterance.role, utterance.speaker)
        if key not in speakers:
            colour = ROLE_COLOURS.get(utterance.role, "#444")
            speakers[key] = (f"<span style='color:{colour};font-weight:600'>{e(key[0])}</span> "
                             f"<span class='muted'>{e(key[1])}</span>")
        who = speakers[key]
        spans = _spans(utterance.text, own) if own else []
        notes = "".join(_note(f) + (fix.wrong(f) if fix else "")
                        for _, _, group in spans for f in group)
        rows.append([_seek_link(utterance.start), who, highlighted(utterance.text, spans), notes])
    ids = [f"u{i}" for i in range(len(utterances))]
    return table(["Time", "Speaker", "Said", "Why flagged"], rows, "transcript", ids)


def flags_by_utterance(utterances: Sequence[Utterance], flags: Sequence[Flag]
                       ) -> list[list[Flag]]:
    """Each utterance's flags: the utterance the flag records (its ``utterance`` index), or,
    for a flag from an older run without one, the first utterance of the flag's side, at its
    time, whose text holds the flagged sentence. Flags come in the order of the utterances, so
    that search starts where the previous flag of that side was found (linear)."""
    owned: list[list[Flag]] = [[] for _ in utterances]
    cursor: dict[str, int] = {}
    for flag in flags:
        if not flag.text:
            continue
        if _holds(utterances, flag.utterance, flag):
            owned[flag.utterance].append(flag)
            cursor[flag.role] = flag.utterance
            continue
        start = cursor.get(flag.role, 0)
        for index in chain(range(start, len(utterances)), range(start)):
            utterance = utterances[index]
            if utterance.role == flag.role and flag.text in utterance.text and \
                    _within(flag.start, utterance):
                owned[index].append(flag)
                cursor[flag.role] = index
                break
    return owned


def _holds(utterances: Sequence[Utterance], index: int, flag: Flag) -> bool:
    """Whether utterance ``index`` exists and holds the flag's words, on the flag's side."""
    return 0 <= index < len(utterances) and utterances[index].role == flag.role and \
        flag.text in utterances[index].text


def _spans(text: str, flags: Sequence[Flag]) -> list[tuple[int, int, list[Flag]]]:
    """Where the flagged sentences sit in the text, with their flags (overlaps dropped)."""
    found: dict[tuple[int, int], list[Flag]] = {}
    for flag in flags:
        at = text.find(flag.text)
        found.setdefault((at, at + len(flag.text)), []).append(flag)
    spans, end = [], -1
    for (start, stop), group in sorted(found.items()):
        if start >= end:
            spans.append((start, stop, group))
            end = stop
    return spans


def highlighted(text: str, spans: Sequence[tuple[int, int, list[Flag]]]) -> str:
    """The text escaped, each flagged sentence in a <mark> whose tooltip names the label,
    subtype, rule and matched words; the matched words underlined."""
    if not spans:
        return e(text)
    out, cursor = [], 0
    for start, stop, group in spans:
        out.append(e(text[cursor:start]))
        tip = "; ".join(_tip(f) for f in group)
        labels = " ".join(dict.fromkeys(f.label for f in group))
        out.append(f"<span class='hl' data-t='{_time(group[0].start)}'><mark class='{labels}' "
                   f"title='{e(tip)}'>{_underlined(text[start:stop], group[0].span)}</mark> "
                   f"<sup>{e(labels.replace(' ', ', '))}</sup></span>")
        cursor = stop
    out.append(e(text[cursor:]))
    return "".join(out)


def _tip(flag: Flag) -> str:
    tip = " ".join(f"{flag.label} {flag.subtype} ({flag.rule})".split())
    return f"{tip}: {_evidence(flag)} \u201c{flag.span}\u201d" if flag.span else tip


def _evidence(flag: Flag) -> str:
    """What the span of a flag is: the customer's words a follow-up took up, or the customer's
    refusal an insisting ask came after, else the words the rule matched."""
    if flag.label == "follow_up_question" and flag.subtype == "takes_up":
        return "took up the customer's words"
    if flag.rule == "insist_after_no":
        return "asked again after the customer said"
    return "matched"


def _underlined(sentence: str, span: str) -> str:
    at = sentence.lower().find(span.lower()) if span else -1
    if at < 0 or len(span) == len(sentence):
        return e(sentence)
    end = at + len(span)
    return f"{e(sentence[:at])}<u>{e(sentence[at:end])}</u>{e(sentence[end:])}"


def _note(flag: Flag) -> str:
    colour = LABEL_COLOURS.get(flag.label, "#444")
    matched = f" &middot; {_evidence(flag)} &ldquo;{e(flag.span)}&rdquo;" if flag.span else ""
    when = f" &middot; &#9654; {clock(flag.start)}" if math.isfinite(flag.start) else ""
    rule = ("added by a coach" if flag.coach == "added"
            else f"rule <code>{e(flag.rule)}</code>")
    return (f"<div class='why' data-t='{_time(flag.start)}'><b class='{flag.label}' "
            f"style='color:{colour}'>{e(flag.label.replace('_', ' '))}</b>{_subtype(flag)} "
            f"&middot; {rule}{matched}{when}</div>")


def _subtype(flag: Flag) -> str:
    """A flag's subtype as its note says it: an ask's subtype is the customer's answer."""
    if not flag.subtype:
        return ""
    return f" &middot; answer: {e(flag.subtype)}" if flag.label == "ask" else f" {e(flag.subtype)}"


class Corrector:
    """The ``callcoach correct`` commands a coach copies from a call's page."""

    def __init__(self, call_id: str) -> None:
        # "." is the report folder (the one holding index.html): the page may have been moved.
        self.base = f"callcoach correct . --call {shlex.quote(call_id)}"

    def wrong(self, flag: Flag) -> str:
        """A "not right?" control under a flag: the command that marks it wrong."""
        command = (f"{self.base} --label {flag.label} --wrong --sentence "
                   f"{shlex.quote(flag.text)}")
        return (f"<details class='fix'><summary>not right?</summary><p class='help'>Run this in "
                f"the report folder, then analyze again (nothing is transcribed again):</p>"
                f"<code>{e(command)}</code></details>")

    def help(self) -> str:
        """How to mark a sentence the labels missed."""
        command = f"{self.base} --label pushy_close --missed --sentence 'the sentence'"
        return (f"<p class='help'>A flag wrong, or a sentence missed? Each flag has a "
                f"<i>not right?</i> control with the command that corrects it; for a missed "
                f"sentence: <code>{e(command)}</code> (any label), run in the report folder "
                f"(the one holding <code>index.html</code>). The next analysis of this "
                f"call applies it without transcribing again, and the page says a coach "
                f"corrected it. What the labels can be trusted for: "
                f"<code>models/language/README.md</code>.</p>")


def _corrected(flags: Sequence[Flag]) -> str:
    """The flags a coach marked wrong: kept here for the record, counted nowhere."""
    if not flags:
        return ""
    items = "".join(f"<li><b>{e(f.label.replace('_', ' '))}</b> on &ldquo;{e(f.text)}&rdquo; "
                    f"(rule <code>{e(f.rule)}</code>)</li>" for f in flags)
    return (f"<div class='panel'><b>Corrected by a coach</b>: these flags were marked wrong "
            f"and are not counted.<ul>{items}</ul></div>")


def _time(start: float) -> str:
    return f"{start:.2f}" if math.isfinite(start) else "0"


def _seek_link(start: float) -> str:
    if is_missing(start) or not math.isfinite(start):
        return "&ndash;"
    return f"<a href='#t={start:.2f}' onclick='seek({start:.2f});return false'>{clock(start)}</a>"


def _within(start: float, utterance: Utterance) -> bool:
    if math.isnan(start) or math.isnan(utterance.start):
        return True
    return utterance.start - 0.01 <= start <= utterance.end + 0.01
