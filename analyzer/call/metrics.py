"""Metrics: the conversation dynamics of one call, and their status against benchmarks.

Every definition, unit and undefined (nan) case is documented in models/metrics/README.md.
Talk time is time spent speaking: the length of the union of a side's speech intervals, not
the span from its first word to its last.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from analyzer.call.connection import connection_metrics
from analyzer.call.language import language_metrics
from analyzer.call.turns import floor_turns, load_turn_options
from analyzer.call.words import WORD_RE, words_in
from analyzer.settings import METRICS_DIR, read_rows
from analyzer.types import (
    CUSTOMER,
    EPSILON_S,
    NAN,
    REP,
    CallMetrics,
    Flag,
    RoleAssignment,
    Transcript,
    Turn,
    Utterance,
)

Interval = tuple[float, float]
SIDES = (REP, CUSTOMER, "colleague")
PAUSE_RE = re.compile(r"[,;…—–]|\s-\s|\.\.\.")
SENTENCE_END_RE = re.compile(r"[.?!]")


@dataclass(frozen=True)
class Filler:
    """A filler word or phrase; ``aside`` ones count only when set off from the sentence."""

    words: tuple[str, ...]
    aside: bool


@dataclass(frozen=True)
class Benchmark:
    """A benchmark band of one metric, from models/metrics/benchmarks.csv.

    A value in [good_low, good_high] is "good", else in [watch_low, watch_high] "watch",
    else "bad"; an empty bound is open. ``markers`` are the published reference points.
    """

    metric: str
    good_low: float
    good_high: float
    watch_low: float
    watch_high: float
    markers: tuple[tuple[str, float], ...]
    unit: str
    source: str
    note: str

    def status(self, value: Any) -> str:
        """"good", "watch" or "bad" for a value; "" when the value is missing or nan."""
        if not isinstance(value, numbers.Real) or isinstance(value, bool) or math.isnan(value):
            return ""
        value = float(value)
        if self.good_low <= value <= self.good_high:
            return "good"
        return "watch" if self.watch_low <= value <= self.watch_high else "bad"

    def lines(self) -> list[tuple[str, float]]:
        """The published reference points, as (label, value), to draw on charts."""
        return list(self.markers)


# ---- intervals -------------------------------------------------------------------------


def merge_intervals(intervals: Iterable[Interval], bridge_gap_s: float = 0.0) -> list[Interval]:
    """Sorted, disjoint union of intervals; gaps up to ``bridge_gap_s`` are filled."""
    merged: list[list[float]] = []
    for start, end in sorted((s, e) for s, e in intervals if e > s):
        if merged and start - merged[-1][1] <= bridge_gap_s + EPSILON_S:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def talk_time(intervals: Iterable[Interval], bridge_gap_s: float = 0.0) -> float:
    """Length in seconds of the union of intervals (bridging gaps up to ``bridge_gap_s``)."""
    return sum((e - s for s, e in merge_intervals(intervals, bridge_gap_s)), 0.0)


def overlap_time(a: Iterable[Interval], b: Iterable[Interval]) -> float:
    """Length in seconds of the time covered by both sets of intervals."""
    x, y = merge_intervals(a), merge_intervals(b)
    total, i, j = 0.0, 0, 0
    while i < len(x) and j < len(y):
        total += max(0.0, min(x[i][1], y[j][1]) - max(x[i][0], y[j][0]))
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return total


def speech_intervals(utterance: Utterance) -> list[Interval]:
    """Where an utterance is speech: its words' times, or its own when it has no timed word."""
    timed = [(w.start, w.end) for w in utterance.words if _finite(w.start, w.end)]
    if utterance.words and len(timed) == len(utterance.words):
        return timed
    return [(utterance.start, utterance.end)] if _finite(utterance.start, utterance.end) else []


def side_speech(utterances: Sequence[Utterance], activity: Sequence[Any] = (),
                bridge_gap_s: float = 0.3) -> dict[str, list[Interval]]:
    """Speech of each side (rep, customer, colleague) as disjoint intervals.

    Each speaker's words are bridged across pauses up to ``bridge_gap_s`` before the sides are
    joined. ``activity`` (SpeakerTurns whose speaker is a role), when given, replaces the words.
    """
    per_speaker: dict[tuple[str, str], list[Interval]] = {}
    if activity:
        for t in activity:
            per_speaker.setdefault((t.speaker, t.speaker), []).append((t.start, t.end))
    else:
        for u in utterances:
            per_speaker.setdefault((u.role, u.speaker), []).extend(speech_intervals(u))
    sides: dict[str, list[Interval]] = {side: [] for side in SIDES}
    for (role, _speaker), spans in per_speaker.items():
        sides.setdefault(role, []).extend(merge_intervals(spans, bridge_gap_s))
    return {side: merge_intervals(spans) for side, spans in sides.items()}


# ---- per-call metrics ------------------------------------------------------------------


def measure(transcript: Transcript, roles: RoleAssignment, utterances: Sequence[Utterance],
            turns: Sequence[Turn], flags: Sequence[Flag], redacted: bool = False,
            more: Mapping[str, Any] | None = None) -> CallMetrics:
    """Every per-call number of one call, each status decided here once; ``more`` holds the
    columns later stages worked out (the close, trackers, phases)."""
    options = load_turn_options()
    counted = [f for f in flags if f.coach != "wrong"]  # a coach said so: counted nowhere
    activity = tuple(replace(t, speaker=roles.role_of(t.speaker)) for t in transcript.activity)
    values: dict[str, Any] = {
        "duration_s": transcript.duration_s, "source": transcript.source,
        "speakers": len(transcript.speakers), "role_method": roles.method,
        "role_confidence": roles.confidence, "role_reason": roles.reason,
        **call_metrics(utterances, turns, transcript.duration_s, activity=activity,
                       bridge_gap_s=options.bridge_gap_s),
        **language_metrics(counted),
        **connection_metrics(counted, utterances),
        **turn_moments(turns, all(_finite(u.start, u.end) for u in utterances)),
        **(more or {}), "redacted": redacted}
    return CallMetrics(**values, statuses=metric_status(values))


def call_metrics(utterances: Sequence[Utterance], turns: Sequence[Turn], duration_s: float, *,
                 activity: Sequence[Any] = (), bridge_gap_s: float = 0.3
                 ) -> dict[str, float | int | bool]:
    """The conversation dynamics of one call (columns of calls.csv); without times, the
    shares come from the words (``talk_estimated``).

    Args:
        utterances: The call, with roles; times nan when the transcript has none.
        turns: The call's turns (``turns.build_turns``), backchannels flagged.
        duration_s: Length of the recording (nan when unknown: the last speech end is used).
        activity: Measured speech (SpeakerTurns whose speaker is the role); when given, talk
            time, silence and overtalk come from it instead of the word times.
        bridge_gap_s: A speaker's pause up to this long is still speech.
    """
    floor = floor_turns(turns)
    timed = bool(activity) or all(_finite(u.start, u.end) for u in utterances)
    sides = side_speech(utterances, activity, bridge_gap_s)
    length = call_length(duration_s, sides)
    out = _talk_metrics(sides, length) if timed else _word_shares(utterances)
    out["interactivity"] = _per_minute(_switches(floor), length)
    out["patience_s"] = patience(floor)
    out["longest_monologue_s"] = _longest(floor, REP, timed)
    out["longest_customer_story_s"] = _longest(floor, CUSTOMER, timed)
    out.update(_rate_metrics(utterances, out["rep_talk_s"], out["customer_talk_s"]))
    out["turns"] = len(floor)
    out["talk_estimated"] = not timed
    return out


TALK_COLUMNS = ("rep_talk_s", "customer_talk_s", "colleague_talk_s", "silence_s", "overtalk_s",
                "rep_talk_share", "customer_talk_share")


def call_length(duration_s: float, sides: Mapping[str, Sequence[Interval]]) -> float:
    """The call's length: its duration, or the span of its speech when that is unknown or
    longer (exported transcripts may carry a clock offset, so the span starts at the first
    speech, not at 0). nan when neither is known."""
    spans = [span for side in sides.values() for span in side]
    speech = max(e for _s, e in spans) - min(s for s, _e in spans) if spans else NAN
    if not _finite(duration_s):
        return speech
    return max(duration_s, speech) if _finite(speech) else duration_s


def _talk_metrics(sides: Mapping[str, list[Interval]], length: float) -> dict[str, float]:
    rep, customer = talk_time(sides[REP]), talk_time(sides[CUSTOMER])
    speech = talk_time(s for spans in sides.values() for s in spans)
    both = rep + customer
    return {"rep_talk_s": rep, "customer_talk_s": customer,
            "colleague_talk_s": talk_time(sides["colleague"]),
            "silence_s": max(0.0, length - speech) if _finite(length) else NAN,
            "overtalk_s": overlap_time(sides[REP], sides[CUSTOMER]),
            "rep_talk_share": rep / both if both > 0 else NAN,
            "customer_talk_share": customer / both if both > 0 else NAN}


def _word_shares(utterances: Sequence[Utterance]) -> dict[str, float]:
    """Without times, each side's share of the words stands for its share of the talk (an
    estimate: ``talk_estimated`` is set); the talk times themselves stay unknown (nan)."""
    out = dict.fromkeys(TALK_COLUMNS, NAN)
    rep = sum(word_count(u) for u in utterances if u.role == REP)
    customer = sum(word_count(u) for u in utterances if u.role == CUSTOMER)
    if rep + customer:
        out["rep_talk_share"] = rep / (rep + customer)
        out["customer_talk_share"] = customer / (rep + customer)
    return out


def _switches(turns: Sequence[Turn]) -> int:
    return sum(1 for a, b in zip(turns, turns[1:], strict=False) if a.speaker != b.speaker)


def patience(turns: Sequence[Turn]) -> float:
    """Mean pause (s) between a customer turn's end and the start of the rep turn right after
    it; a rep who starts before the customer has finished waited 0. nan when no such reply."""
    waits = [max(0.0, b.start - a.end) for a, b in zip(turns, turns[1:], strict=False)
             if a.role == CUSTOMER and b.role == REP and _finite(a.end, b.start)]
    return sum(waits) / len(waits) if waits else NAN


def _longest(turns: Sequence[Turn], role: str, timed: bool) -> float:
    if not timed:
        return NAN
    return max((t.end - t.start for t in turns if t.role == role), default=0.0)


def turn_moments(turns: Sequence[Turn], timed: bool) -> dict[str, float]:
    """When the longest rep and customer floor turns start (s), so a report can open the
    call at the moment behind ``longest_monologue_s`` and ``longest_customer_story_s``.

    nan when the transcript is untimed or the side has no turn.
    """
    floor = floor_turns(turns)

    def start_of_longest(role: str) -> float:
        own = [t for t in floor if t.role == role]
        return max(own, key=lambda t: t.end - t.start).start if own and timed else NAN

    return {"longest_monologue_start_s": start_of_longest(REP),
            "longest_customer_story_start_s": start_of_longest(CUSTOMER)}


def _rate_metrics(utterances: Sequence[Utterance], rep_s: float, customer_s: float
                  ) -> dict[str, float]:
    fillers = load_fillers()
    rep = [u for u in utterances if u.role == REP]
    customer = [u for u in utterances if u.role == CUSTOMER]
    return {"rep_wpm": _per_minute(sum(word_count(u) for u in rep), rep_s),
            "customer_wpm": _per_minute(sum(word_count(u) for u in customer), customer_s),
            "rep_filler_per_min": _per_minute(sum(count_fillers(u.text, fillers) for u in rep),
                                              rep_s)}


def _per_minute(count: float, seconds: float) -> float:
    return count / (seconds / 60) if _finite(seconds) and seconds > 0 else NAN


def word_count(utterance: Utterance) -> int:
    """Words of an utterance: its timed words, or the words of its text when it has none."""
    return len(utterance.words) if utterance.words else len(words_in(utterance.text))


# ---- fillers -------------------------------------------------------------------------


@lru_cache(maxsize=4)
def load_fillers(path: Path = METRICS_DIR / "fillers.csv") -> tuple[Filler, ...]:
    """The filler words and phrases, longest first."""
    rows = [Filler(tuple(words_in(r["phrase"])), r["when"].strip() == "aside")
            for r in read_rows(path)]
    return tuple(sorted(rows, key=lambda f: len(f.words), reverse=True))


def count_fillers(text: str, fillers: Sequence[Filler] | None = None) -> int:
    """Filler occurrences in a text.

    An ``aside`` filler ("like", "you know", "I mean") counts only when set off from the
    sentence: followed by a pause mark (comma, dash, ellipsis), or ending a sentence right
    after a comma ("..., you know."), or followed by a hesitation filler ("like um").
    """
    fillers = load_fillers() if fillers is None else fillers
    tokens = [(m.group().lower(), m.start(), m.end()) for m in WORD_RE.finditer(text)]
    always = {f.words for f in fillers if not f.aside}
    count, at = 0, 0
    while at < len(tokens):
        match = next((f for f in fillers if tuple(t[0] for t in tokens[at:at + len(f.words)])
                      == f.words), None)
        if match is None:
            at += 1
            continue
        after = at + len(match.words)
        if not match.aside or _set_off(text, tokens, at, after, always):
            count += 1
        at = after
    return count


def _set_off(text: str, tokens: Sequence[tuple[str, int, int]], first: int, after: int,
             always: set[tuple[str, ...]]) -> bool:
    gap_before = text[tokens[first - 1][2] if first else 0:tokens[first][1]]
    gap_after = text[tokens[after - 1][2]:tokens[after][1] if after < len(tokens) else len(text)]
    if PAUSE_RE.search(gap_after):
        return True
    if (after == len(tokens) or SENTENCE_END_RE.search(gap_after)) and PAUSE_RE.search(gap_before):
        return True
    return after < len(tokens) and (tokens[after][0],) in always


# ---- benchmarks ------------------------------------------------------------------------


@lru_cache(maxsize=4)
def load_benchmarks(path: Path = METRICS_DIR / "benchmarks.csv") -> tuple[Benchmark, ...]:
    """The benchmark bands, one per metric that has a published benchmark."""
    return tuple(_benchmark(row) for row in read_rows(path))


def _benchmark(row: Mapping[str, str]) -> Benchmark:
    def bound(key: str, open_value: float) -> float:
        return float(row[key]) if row[key].strip() else open_value

    markers = tuple((label.strip(), float(value)) for label, value in
                    (m.split("=") for m in row["markers"].split(";") if m.strip()))
    return Benchmark(row["metric"], bound("good_low", -math.inf), bound("good_high", math.inf),
                     bound("watch_low", -math.inf), bound("watch_high", math.inf), markers,
                     row["unit"], row["source"], row["note"])


def metric_status(metrics: Mapping[str, Any]) -> dict[str, str]:
    """``<metric>_status`` ("good", "watch", "bad"; "" when undefined) for every metric that
    has a benchmark and is present in ``metrics``."""
    return {f"{b.metric}_status": b.status(metrics[b.metric])
            for b in load_benchmarks() if b.metric in metrics}


def _finite(*values: float) -> bool:
    return all(isinstance(v, numbers.Real) and math.isfinite(v) for v in values)
