"""Progress of a run: a bar on stderr while the calls finish, and one summary line at the end.

The bar (tqdm) shows calls done, hours of audio analyzed, failures so far and the time left;
it is drawn only on a terminal, so logs and pipes get plain lines instead.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

import pandas as pd

from analyzer.types import CallOutcome

Say = Callable[[str], None]
LOADING = "loading the models"


@dataclass(frozen=True)
class Summary:
    """What a run did.

    Attributes:
        calls: Calls in the tables (analyzed now or taken from the cache).
        cached: Calls whose stored result was still valid.
        failed: Inputs that failed.
        audio_s: Length of every call in the tables.
        analyzed_s: Length of the calls analyzed in this run (not from the cache).
        wall_s: Time the run took.
    """

    calls: int
    cached: int
    failed: int
    audio_s: float
    analyzed_s: float
    wall_s: float

    def line(self) -> str:
        """One line for the end of a run."""
        speed = (f", {self.wall_s / self.analyzed_s:.3f} x real time"
                 if self.analyzed_s > 0 else "")
        skipped = self.audio_s - self.analyzed_s
        reused = (f" ({skipped / 3600:.2f} h from cache, not analyzed again)"
                  if self.cached and skipped > 0 else "")
        return (f"Summary: {plural(self.calls, 'call')} ({self.cached} from cache), "
                f"{self.audio_s / 3600:.2f} h of audio{reused}, {self.failed} failed, "
                f"{self.wall_s:.1f} s{speed}")


def plural(count: int, word: str) -> str:
    """"1 call", "2 calls"."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class Tracker:
    """Counts how the calls of a run end, draws the bar, and passes messages on.

    Called with a message (``tracker("...")``) it behaves as the plain progress callback it
    replaces: the message goes to ``say``; with a bar, only errors are shown, above it (the
    bar stands for the per-call lines).
    """

    def __init__(self, say: Say | None = None, bar: bool = False,
                 stream: TextIO | None = None) -> None:
        self.say = say
        self.stream = stream or sys.stderr
        self.want_bar = bar and self.stream.isatty()
        self.started = time.perf_counter()
        self.counts = {"analyzed": 0, "cached": 0, "failed": 0}
        self.analyzed_s = 0.0
        self.summary: Summary | None = None
        self._bar: Any = None

    def __call__(self, message: str) -> None:
        if not self.want_bar:
            if self.say is not None:
                self.say(message)
        elif message.startswith("error:"):
            if self._bar is not None:
                self._bar.write(message, file=self.stream)
            else:
                print(message, file=self.stream)

    def start(self, total: int) -> None:
        """Open the bar for ``total`` inputs, counting those already settled."""
        if self.want_bar and total:
            from tqdm import tqdm

            done = sum(self.counts.values())
            self._bar = tqdm(total=total, initial=done, unit="call", file=self.stream,
                             dynamic_ncols=True, smoothing=0.1)
            # The first call waits for the models to load (seconds): say so, not a frozen 0%.
            self._bar.set_description_str(LOADING if done < total else "", refresh=False)
            self._show()

    def update(self, outcome: CallOutcome) -> None:
        """Count one call's outcome ("busy" ones are counted when they come back)."""
        if outcome.status == "busy":
            return
        self.counts[outcome.status] += 1
        self.analyzed_s += outcome.duration_s
        if outcome.error is not None:
            self(f"error: {outcome.path}: {outcome.error.reason}")
        elif outcome.status == "cached":
            self(f"done (cached): {outcome.path}")
        else:
            self(f"done: {outcome.path}")
        if self._bar is not None:
            if outcome.status != "cached":
                self._bar.set_description_str("analyzing", refresh=False)
            self._bar.update(1)
            self._show()

    def fail(self, path: str, reason: str) -> None:
        """Count an input that failed before it became a call (missing file, bad manifest)."""
        self.counts["failed"] += 1
        self(f"error: {path}: {reason}")

    def close(self) -> None:
        """Remove the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def finish(self, calls: pd.DataFrame) -> Summary:
        """The run's summary, given its calls table; kept as ``self.summary``."""
        audio_s = float(calls["duration_s"].fillna(0).sum()) if "duration_s" in calls else 0.0
        self.summary = Summary(len(calls), self.counts["cached"], self.counts["failed"],
                               audio_s, self.analyzed_s, time.perf_counter() - self.started)
        return self.summary

    def _show(self) -> None:
        self._bar.set_postfix_str(
            f"{self.analyzed_s / 3600:.2f} h audio, {self.counts['failed']} failed",
            refresh=False)
        self._bar.refresh()
