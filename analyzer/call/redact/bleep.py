"""A redacted copy of a recording: every redacted stretch replaced by a tone.

The stretches come from the redacted transcript itself: each word that became a placeholder
(the whole utterance when the transcript has no word times). Settings (tone, loudness, the
margin around each stretch) are in ``models/redaction/bleep.json``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from analyzer.call.redact.patterns import REDACTION_DIR
from analyzer.settings import load_settings
from analyzer.types import Audio, Transcript

BLEEP_PATH = REDACTION_DIR / "bleep.json"


@dataclass(frozen=True)
class BleepSettings:
    """How a redacted stretch sounds in the copy.

    Attributes:
        tone_hz: Frequency of the tone.
        amplitude: Its peak level (full scale is 1.0).
        pad_s: Margin added before and after each stretch (word times are approximate).
    """

    tone_hz: float = 1000.0
    amplitude: float = 0.25
    pad_s: float = 0.15


def bleep_spans(transcript: Transcript, placeholders: Iterable[str]) -> list[tuple[float, float]]:
    """The (start, end) seconds of every redacted word, or utterance when it has no words."""
    marks = tuple(placeholders)

    def redacted(text: str) -> bool:
        return any(m in text for m in marks)

    spans: list[tuple[float, float]] = []
    for segment in transcript.segments:
        timed = [w for w in segment.words if not math.isnan(w.start) and not math.isnan(w.end)]
        if timed:
            spans.extend((w.start, w.end) for w in timed if redacted(w.text))
        elif redacted(segment.text) and not math.isnan(segment.start + segment.end):
            spans.append((segment.start, segment.end))
    return spans


def bleeped(audio: Audio, spans: Iterable[tuple[float, float]],
            settings: BleepSettings | None = None) -> Audio:
    """A copy of ``audio`` with a tone over each span (widened by the margin), every channel."""
    settings = settings or load_settings(BleepSettings, BLEEP_PATH)
    rate = audio.sample_rate
    channels = [np.array(c, dtype=np.float32) for c in audio.channels]
    size = channels[0].size if channels else 0
    for start, end in spans:
        a = max(0, int((start - settings.pad_s) * rate))
        b = min(size, int(math.ceil((end + settings.pad_s) * rate)))
        if b <= a:
            continue
        tone = settings.amplitude * np.sin(2 * np.pi * settings.tone_hz * np.arange(a, b) / rate)
        for channel in channels:
            channel[a:b] = tone
    return Audio(tuple(channels), rate, audio.duration_s, audio.digest)
