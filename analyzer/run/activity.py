"""Speech activity: when each channel of a stereo call holds its own speaker's voice.

Talk time is measured here rather than from word timestamps, because transcribers drop
fillers, false starts and short replies that are still time spent speaking.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from analyzer.settings import MODELS_DIR, load_settings
from analyzer.types import SpeakerTurn


@dataclass(frozen=True)
class ActivityOptions:
    """Settings of voice activity detection, read from models/audio/speech_activity.json.

    Attributes:
        vad_threshold: Silero speech probability above which a frame is speech.
        min_speech_ms: Shorter bursts are dropped.
        min_silence_ms: Shorter pauses do not split speech.
        speech_pad_ms: Padding added to each side of a speech region.
        frame_ms: Frame length of the bleed guard.
        bleed_margin_db: A frame whose level is this far below the other channel's is bleed.
        level_percentile: Percentile of frame energy taken as a channel's speech level.
    """

    vad_threshold: float = 0.5
    min_speech_ms: int = 200
    min_silence_ms: int = 300
    speech_pad_ms: int = 30
    frame_ms: int = 100
    bleed_margin_db: float = 20.0
    level_percentile: float = 90


@lru_cache(maxsize=1)
def load_options(path: Path = MODELS_DIR / "audio" / "speech_activity.json") -> ActivityOptions:
    """Read the activity settings from their data file."""
    return load_settings(ActivityOptions, path)


def voice_regions(samples: np.ndarray, sample_rate: int, options: ActivityOptions) -> np.ndarray:
    """Return an (n, 2) array of [start_s, end_s] speech regions found by Silero VAD."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    vad = VadOptions(threshold=options.vad_threshold, min_speech_duration_ms=options.min_speech_ms,
                     min_silence_duration_ms=options.min_silence_ms,
                     speech_pad_ms=options.speech_pad_ms)
    stamps = get_speech_timestamps(samples, vad, sampling_rate=sample_rate)
    pairs = [[s["start"] / sample_rate, s["end"] / sample_rate] for s in stamps]
    return np.array(pairs, dtype=float).reshape(-1, 2)


def channel_activity(channels: tuple[np.ndarray, ...], speakers: tuple[str, ...],
                     sample_rate: int, options: ActivityOptions | None = None,
                     ) -> tuple[SpeakerTurn, ...]:
    """Speech regions of each channel of a stereo call, with the other side's bleed removed."""
    options = options or load_options()
    levels = [_frame_levels(c, sample_rate, options.frame_ms) for c in channels]
    own = [lv - np.percentile(lv, options.level_percentile) for lv in levels]
    turns: list[SpeakerTurn] = []
    for index, (samples, speaker) in enumerate(zip(channels, speakers)):
        others = [own[j] for j in range(len(channels)) if j != index]
        loudest_other = np.max(others, axis=0) if others else np.full_like(own[index], -np.inf)
        keep = own[index] >= loudest_other - options.bleed_margin_db
        regions = voice_regions(samples, sample_rate, options)
        turns.extend(_guarded(regions, keep, options.frame_ms / 1000, speaker))
    return tuple(sorted(turns, key=lambda t: (t.start, t.end)))


def _frame_levels(samples: np.ndarray, sample_rate: int, frame_ms: int) -> np.ndarray:
    hop = max(1, sample_rate * frame_ms // 1000)
    n = max(1, int(np.ceil(samples.size / hop)))
    padded = np.zeros(n * hop, dtype=np.float32)
    padded[: samples.size] = samples
    return 10 * np.log10(np.mean(padded.reshape(n, hop) ** 2, axis=1) + 1e-10)


def _guarded(regions: np.ndarray, keep: np.ndarray, frame_s: float,
             speaker: str) -> list[SpeakerTurn]:
    """Cut each speech region down to its frames that are not bleed."""
    turns: list[SpeakerTurn] = []
    for start, end in regions:
        first, last = int(start / frame_s), int(np.ceil(end / frame_s))
        run_start = None
        for frame in range(first, min(last, keep.size) + 1):
            inside = frame < min(last, keep.size) and keep[frame]
            if inside and run_start is None:
                run_start = frame
            elif not inside and run_start is not None:
                turns.append(SpeakerTurn(speaker, float(max(start, run_start * frame_s)),
                                         float(min(end, frame * frame_s))))
                run_start = None
    return turns
