"""The pitch (F0) of speech and whether an utterance ends rising or falling (issue 17).

F0 is tracked by a YIN-style difference function (de Cheveigne and Kawahara 2002) written here
in numpy, on 40 ms windows every 10 ms between 60 and 400 Hz; nothing is downloaded or
trained. ``end_rise`` reads the end of an utterance against its own median, in semitones, so
a speaker's register does not matter. Used by ``analyzer.evaluate.pitch``; the product does not
use it (see ``models/language/README.md`` for why).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PitchOptions:
    """How F0 is tracked and how the end of an utterance is read.

    Attributes:
        frame_s: Analysis window (the difference function's integration length).
        hop_s: Step between frames.
        fmin: Lowest F0 looked for, Hz.
        fmax: Highest F0 looked for, Hz.
        threshold: YIN's absolute threshold on the normalised difference: a frame is voiced
            when some lag falls below it.
        min_level_db: A frame quieter than the utterance's loudest frame by more than this is
            unvoiced (silence, breath, the other side's bleed).
        floor_db: A frame quieter than this (dB of full scale) is unvoiced (digital silence).
        tail_s: The end of the utterance: the last this many seconds of voiced frames.
        min_voiced: Fewest voiced frames in the utterance (and half as many in the tail) for
            the feature to be read at all.
    """

    frame_s: float = 0.04
    hop_s: float = 0.01
    fmin: float = 60.0
    fmax: float = 400.0
    threshold: float = 0.2
    min_level_db: float = 30.0
    floor_db: float = -70.0
    tail_s: float = 0.4
    min_voiced: int = 10


def frames_of(samples: np.ndarray, size: int, hop: int) -> np.ndarray:
    """Overlapping frames of samples (one a row), the last ones zero-padded."""
    count = max(1, 1 + (len(samples) - size + hop - 1) // hop)
    padded = np.zeros(size + hop * (count - 1), dtype=np.float64)
    padded[:len(samples)] = samples[:len(padded)]
    index = np.arange(size)[None, :] + hop * np.arange(count)[:, None]
    return padded[index]


def normalised_difference(frames: np.ndarray, window: int, max_lag: int) -> np.ndarray:
    """YIN's cumulative-mean-normalised difference d'(lag) of each frame, lags 0..max_lag.

    d(lag) = sum over the window of (x[j] - x[j + lag])^2, from energies and the
    cross-correlation (by FFT); d' divides it by its running mean so a lag is judged against
    the lags before it (de Cheveigne and Kawahara 2002, steps 2-3)."""
    n = 1 << int(np.ceil(np.log2(window + max_lag + 1)))
    head = np.fft.rfft(frames[:, :window], n)
    whole = np.fft.rfft(frames[:, :window + max_lag], n)
    cross = np.fft.irfft(np.conj(head) * whole, n)[:, :max_lag + 1]
    squares = np.cumsum(np.pad(frames ** 2, ((0, 0), (1, 0))), axis=1)
    lags = np.arange(max_lag + 1)
    energy = squares[:, lags + window] - squares[:, lags]
    diff = np.maximum(energy[:, :1] + energy - 2 * cross, 0.0)
    running = np.cumsum(diff[:, 1:], axis=1) / lags[1:]
    normalised = np.ones_like(diff)
    # A lag with nothing to compare against (digital silence) is no evidence of a period.
    normalised[:, 1:] = np.where(running > 1e-12, diff[:, 1:] / np.maximum(running, 1e-12), 1.0)
    return normalised


def f0_track(samples: np.ndarray, rate: int, options: PitchOptions = PitchOptions()
             ) -> tuple[np.ndarray, np.ndarray]:
    """F0 in Hz of each frame (NaN where unvoiced) and the frames' centre times in seconds."""
    window, hop = int(options.frame_s * rate), int(options.hop_s * rate)
    min_lag, max_lag = int(rate / options.fmax), int(np.ceil(rate / options.fmin))
    frames = frames_of(np.asarray(samples, dtype=np.float64), window + max_lag, hop)
    times = (np.arange(len(frames)) * hop + window / 2) / rate
    level = 10 * np.log10(np.mean(frames[:, :window] ** 2, axis=1) + 1e-12)
    loud = (level >= level.max() - options.min_level_db) & (level >= options.floor_db)
    curve = normalised_difference(frames, window, max_lag)[:, min_lag:]
    f0 = np.full(len(frames), np.nan)
    for i in np.flatnonzero(loud):
        lag = _first_dip(curve[i], options.threshold)
        if lag is not None:
            f0[i] = rate / (min_lag + lag)
    return f0, times


def _first_dip(curve: np.ndarray, threshold: float) -> float | None:
    """The first lag whose value is under threshold, moved to the bottom of its dip and refined
    by a parabola through its neighbours; None when no lag is under it (unvoiced)."""
    below = np.flatnonzero(curve < threshold)
    if not below.size:
        return None
    lag = int(below[0])
    while lag + 1 < len(curve) and curve[lag + 1] < curve[lag]:
        lag += 1
    if 0 < lag < len(curve) - 1:
        left, mid, right = curve[lag - 1], curve[lag], curve[lag + 1]
        bend = left - 2 * mid + right
        if bend > 0:
            return lag + 0.5 * (left - right) / bend
    return float(lag)


def semitones(f0: np.ndarray) -> np.ndarray:
    """F0 in semitones above 1 Hz, smoothed by a median over 5 voiced frames (octave slips)."""
    tones = 12 * np.log2(f0)
    if len(tones) < 5:
        return tones
    padded = np.pad(tones, 2, mode="edge")
    return np.median(np.lib.stride_tricks.sliding_window_view(padded, 5), axis=1)


def end_rise(samples: np.ndarray, rate: int, options: PitchOptions = PitchOptions()
             ) -> tuple[float, float]:
    """How far the pitch at the end of an utterance is above its median, in semitones, and
    the slope of the pitch over that end in semitones a second; NaN, NaN with too little
    voiced speech. Positive: rising, as a question often ends."""
    f0, times = f0_track(samples, rate, options)
    voiced = ~np.isnan(f0)
    if voiced.sum() < options.min_voiced:
        return float("nan"), float("nan")
    tones, at = semitones(f0[voiced]), times[voiced]
    tail = at >= at[-1] - options.tail_s
    if tail.sum() < options.min_voiced // 2:
        return float("nan"), float("nan")
    rise = float(np.median(tones[tail]) - np.median(tones))
    slope = float(np.polyfit(at[tail], tones[tail], 1)[0])
    return rise, slope
