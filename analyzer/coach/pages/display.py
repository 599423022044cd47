"""How each metric is shown: its name, how its value is written, and its good/watch/bad band.

Read from models/reports/cards.json; the band comes from the published benchmarks
(models/metrics/benchmarks.csv) when there is one, else from the house band in cards.json.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from analyzer.call.metrics import Benchmark, load_benchmarks
from analyzer.coach.pages.html import clock, e, is_missing, number
from analyzer.settings import MODELS_DIR, read_json

REPORTS_DIR = MODELS_DIR / "reports"


@dataclass(frozen=True)
class MetricView:
    """How the pages show one metric.

    Attributes:
        metric: Column of calls.csv.
        label: Its name on the pages.
        format: "percent", "clock", "seconds", "count", "number", "decimal" or "yesno".
        means: One sentence a coach reads to understand the number.
        card: Shown as a headline card on rep pages.
        leaderboard: Shown as a column of the index's leaderboard.
        chart: Charted per call over time on rep pages.
        band: Good/watch band (published benchmark first, else the house band), or None.
        band_source: Where the band comes from.
    """

    metric: str
    label: str
    format: str
    means: str
    card: bool = False
    leaderboard: bool = False
    chart: bool = False
    band: Benchmark | None = None
    band_source: str = ""

    def status(self, value: Any) -> str:
        """"good", "watch" or "bad" for a value; "" without a band or a value."""
        if self.band is None or is_missing(value) or isinstance(value, bool):
            return ""
        return self.band.status(number(value))

    def status_of(self, call: Mapping[str, Any]) -> str:
        """A call's status on this metric: its ``<metric>_status`` column, decided when the call
        was measured; the house band of ``cards.json`` for a metric without a benchmark."""
        stored = call.get(f"{self.metric}_status")
        if stored is not None and not is_missing(stored):
            return str(stored)
        return "" if f"{self.metric}_status" in call else self.status(call.get(self.metric))

    def show(self, value: Any, average: bool = False) -> str:
        """The value as the pages write it (escaped; a dash when missing)."""
        if is_missing(value):
            return "&ndash;"
        if self.format == "yesno":
            return "yes" if bool(value) else "no"
        x = number(value)
        if math.isnan(x):
            return e(value)
        return _FORMATS.get(self.format, _decimal)(x, average)

    def band_text(self) -> str:
        """The band in words ("good 33%–53%, watch 20%–65%; top performers 43%")."""
        if self.band is None:
            return ""
        b = self.band
        parts = [f"good {self._range(b.good_low, b.good_high)}"]
        if (b.watch_low, b.watch_high) != (b.good_low, b.good_high):
            parts.append(f"watch {self._range(b.watch_low, b.watch_high)}")
        text = ", ".join(parts)
        markers = "; ".join(f"{name} {self.show(v, True)}" for name, v in b.markers)
        return f"{text}; {markers}" if markers else text

    def _range(self, low: float, high: float) -> str:
        if math.isinf(low):
            return f"&le; {self.show(high, True)}"
        if math.isinf(high):
            return f"&ge; {self.show(low, True)}"
        return f"{self.show(low, True)}&ndash;{self.show(high, True)}"


def _decimal(x: float, average: bool) -> str:
    return f"{x:.2f}"


_FORMATS = {
    "percent": lambda x, avg: f"{x:.0%}",
    "clock": lambda x, avg: clock(x),
    "seconds": lambda x, avg: f"{x:.1f} s",
    "count": lambda x, avg: f"{x:.1f}" if avg and x != int(x) else f"{x:.0f}",
    "number": lambda x, avg: f"{x:.0f}",
    "decimal": _decimal,
}


@lru_cache(maxsize=4)
def load_views(path: Path = REPORTS_DIR / "cards.json") -> tuple[MetricView, ...]:
    """Every metric the pages show, in the order of the file."""
    data = read_json(path)
    published = {b.metric: b for b in load_benchmarks()}
    views = []
    for item in data["metrics"]:
        metric = item["metric"]
        band, source = published.get(metric), ""
        if band is not None:
            source = band.source
        elif "band" in item:
            band, source = _house_band(metric, item["band"]), item.get("band_source", "ours")
        views.append(MetricView(metric, item["label"], item.get("format", "decimal"),
                                item.get("means", ""), bool(item.get("card")),
                                bool(item.get("leaderboard")), bool(item.get("chart")),
                                band, source))
    return tuple(views)


def _house_band(metric: str, band: dict[str, float]) -> Benchmark:
    good_low, good_high = band.get("good_low", -math.inf), band.get("good_high", math.inf)
    return Benchmark(metric, good_low, good_high, band.get("watch_low", good_low),
                     band.get("watch_high", good_high), (), "", "ours", "")


@lru_cache(maxsize=8)
def page_settings(section: str, path: Path = REPORTS_DIR / "cards.json") -> dict[str, Any]:
    """A section of cards.json's page settings ("outliers", "rep_page")."""
    return dict(read_json(path)[section])


def view(metric: str) -> MetricView:
    """How a metric is shown (a plain default for a metric cards.json does not list)."""
    for item in load_views():
        if item.metric == metric:
            return item
    return MetricView(metric, metric.replace("_", " "), "decimal", "")


def card(item: MetricView, value: Any, note: str = "", average: bool = False) -> str:
    """A headline card: the metric's name, its value coloured by status, and a note (HTML)."""
    status = item.status(value)
    badge = f"<span class='badge {status}'>{status}</span>" if status else ""
    return (f"<div class='card {status}' title='{e(item.means)}'><div class='name'>"
            f"{e(item.label)}</div><div class='value'>{item.show(value, average)}{badge}</div>"
            f"<div class='cmp'>{note}</div></div>")


def mean_of(calls: Sequence[Mapping[str, Any]], metric: str) -> float:
    """Mean of a metric over calls, skipping the calls where it is undefined (nan if none)."""
    values = [number(c.get(metric)) for c in calls]
    values = [v for v in values if math.isfinite(v)]
    return sum(values) / len(values) if values else math.nan
