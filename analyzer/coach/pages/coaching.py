"""Coaching points: sentences written from a rep's numbers by the rules a coach can edit.

The rules are data (models/reports/coaching.json, documented in the README beside it): each
names a metric, a comparison against a number or a benchmark band, the call to point at and
the moment in it, and a message template. The first rules that apply are shown, in order.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from analyzer.coach.pages.display import REPORTS_DIR, view
from analyzer.coach.pages.html import call_name, clock, number
from analyzer.settings import read_json
from analyzer.types import Flag

COMPARISONS = ("above", "below", "between")
PICKS = ("max", "min", "closest")


@dataclass(frozen=True)
class Rule:
    """One coaching rule (fields documented in models/reports/README.md)."""

    id: str
    metric: str
    when: str
    threshold: Any
    message: str
    pick: str = "max"
    moment: str = ""
    target: Any = None
    min_calls: int = 1
    min_fraction: float = 0.0


@dataclass(frozen=True)
class CoachingPoint:
    """A sentence for the rep, and the moment of the call behind it.

    Attributes:
        rule: Id of the rule that wrote it.
        text: The sentence (plain text: escape it before it goes on a page).
        call_id: The call it points at.
        time: Seconds into that call (nan: the call as a whole).
    """

    rule: str
    text: str
    call_id: str
    time: float


class _Formatter(string.Formatter):
    """str.format with one more spec: ``{worst:clock}`` writes seconds as m:ss."""

    def format_field(self, value: Any, format_spec: str) -> str:
        """Format one placeholder ("clock" here, anything else as str.format does)."""
        if format_spec == "clock":
            return clock(float(value)) if math.isfinite(float(value)) else "?"
        return super().format_field(value, format_spec)


FORMATTER = _Formatter()
EXAMPLE = {"n": 1, "total": 2, "value": 0.5, "mean": 0.5, "worst": 0.5, "call": "call",
           "date": "", "threshold": 0.5, "low": 0.4, "high": 0.6, "target": 0.5, "at": "0:00"}


@lru_cache(maxsize=4)
def load_rules(path: Path = REPORTS_DIR / "coaching.json", section: str = "rules"
               ) -> tuple[tuple[Rule, ...], int]:
    """The rules of a section in order ("rules", or "connection_rules" for the rep page's
    connection card), and how many points a rep gets at most.

    Raises ValueError naming the file and the rule when a rule cannot work.
    """
    data = read_json(path)
    rules = []
    for item in data.get(section, ()):
        known = {k: v for k, v in item.items() if k in Rule.__dataclass_fields__}
        rule = Rule(**known)
        problem = _problem(rule)
        if problem:
            raise ValueError(f"{path}: rule {rule.id}: {problem}")
        rules.append(rule)
    return tuple(rules), int(data.get("max_points", 6))


def _problem(rule: Rule) -> str:
    if rule.when not in COMPARISONS:
        return f"when must be one of {', '.join(COMPARISONS)}"
    if rule.pick not in PICKS:
        return f"pick must be one of {', '.join(PICKS)}"
    try:
        FORMATTER.format(rule.message, **EXAMPLE)
    except (KeyError, ValueError, IndexError) as exc:
        return f"message: {exc!r}"
    return ""


def coaching_points(calls: Sequence[Mapping[str, Any]], flags_of: Mapping[str, Sequence[Flag]],
                    rules: Sequence[Rule] | None = None, max_points: int | None = None
                    ) -> list[CoachingPoint]:
    """The points for one rep's calls: the first rules that apply, at most ``max_points``."""
    if rules is None or max_points is None:
        loaded, limit = load_rules()
        rules = loaded if rules is None else rules
        max_points = limit if max_points is None else max_points
    points = []
    for rule in rules:
        point = apply_rule(rule, calls, flags_of)
        if point is not None:
            points.append(point)
        if len(points) >= max_points:
            break
    return points


def apply_rule(rule: Rule, calls: Sequence[Mapping[str, Any]],
               flags_of: Mapping[str, Sequence[Flag]]) -> CoachingPoint | None:
    """The rule's point for these calls, or None when it does not apply."""
    low, high = _bounds(rule)
    target = _reference(rule, rule.target)
    if (math.isnan(low) and math.isnan(high)) or (rule.target is not None and math.isnan(target)):
        return None
    values = [(c, number(c.get(rule.metric))) for c in calls]
    values = [(c, x) for c, x in values if math.isfinite(x)]
    matched = [(c, x) for c, x in values if _matches(rule.when, x, low, high)]
    if not matched or len(matched) < rule.min_calls or \
            len(matched) / len(values) < rule.min_fraction:
        return None
    call, worst = _pick(rule, matched, target, low, high)
    time = moment(rule.moment, call, flags_of.get(str(call["call_id"]), ()))
    fields = {"n": len(matched), "total": len(values), "worst": worst,
              "value": sum(x for _, x in matched) / len(matched),
              "mean": sum(x for _, x in values) / len(values),
              "call": call_name(str(call["call_id"])), "date": call.get("date", "") or "",
              "threshold": low if rule.when == "above" else high, "low": low, "high": high,
              "target": target, "at": clock(time) if math.isfinite(time) else ""}
    return CoachingPoint(rule.id, FORMATTER.format(rule.message, **fields),
                         str(call["call_id"]), time)


def _bounds(rule: Rule) -> tuple[float, float]:
    """(low, high): above means x > low, below means x < high, between means in [low, high]."""
    threshold = rule.threshold
    if isinstance(threshold, str) and threshold in ("band:good", "band:watch"):
        band = view(rule.metric).band
        if band is None:
            return math.nan, math.nan
        kind = threshold.split(":")[1]
        return getattr(band, f"{kind}_low"), getattr(band, f"{kind}_high")
    if isinstance(threshold, list | tuple):
        return number(threshold[0]), number(threshold[1])
    value = _reference(rule, threshold)
    return (value, math.nan) if rule.when == "above" else (math.nan, value)


def _reference(rule: Rule, ref: Any) -> float:
    """A number, ``band:<edge>`` (good_low, good_high, watch_low, watch_high) or
    ``marker:<name>`` (a published reference point) of the metric's band; nan if unknown."""
    if not isinstance(ref, str):
        return number(ref)
    band = view(rule.metric).band
    kind, _, name = ref.partition(":")
    if band is None:
        return math.nan
    if kind == "band" and name in ("good_low", "good_high", "watch_low", "watch_high"):
        edge = float(getattr(band, name))
        return edge if math.isfinite(edge) else math.nan
    if kind == "marker":
        return next((v for label, v in band.markers if label == name), math.nan)
    return math.nan


def _matches(when: str, x: float, low: float, high: float) -> bool:
    if when == "above":
        return x > low
    if when == "below":
        return x < high
    return low <= x <= high


def _pick(rule: Rule, matched: list[tuple[Mapping[str, Any], float]], target: float,
          low: float, high: float) -> tuple[Mapping[str, Any], float]:
    if rule.pick == "min":
        return min(matched, key=lambda cx: cx[1])
    if rule.pick == "max":
        return max(matched, key=lambda cx: cx[1])
    aim = target if math.isfinite(target) else (low + high) / 2
    return min(matched, key=lambda cx: abs(cx[1] - aim))


def moment(spec: str, call: Mapping[str, Any], flags: Sequence[Flag]) -> float:
    """Seconds into the call a point links to: a ``*_start_s`` column, or ``flag:<label>``
    (the rep's first sentence with that label); nan for the call as a whole."""
    if spec.startswith("flag:"):
        label = spec.split(":", 1)[1]
        times = [f.start for f in flags if f.label == label and f.role == "rep"
                 and math.isfinite(f.start)]
        return min(times) if times else math.nan
    return number(call.get(spec)) if spec else math.nan
