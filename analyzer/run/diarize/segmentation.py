"""Segmentation windows to speaker turns: where the windows start, their powerset output,
spans of speech, averaging over the windows, matching each window's local speakers to the
call's speakers, stitching the windows together, closing pauses, and turns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analyzer.types import SpeakerTurn


@dataclass(frozen=True)
class _Windows:
    """Local speaker activity of every segmentation window, on one global frame grid."""

    offsets: np.ndarray  # (W,) first global frame of each window
    activity: np.ndarray  # (W, F, 3) bool
    speech: np.ndarray  # (W, F) probability that anyone speaks
    n_frames: int  # global frames in the call
    frame_step: float
    frame_shift: float  # seconds from a frame index to the start of the time it covers


def _window_starts(duration: float, window: float, step: float) -> np.ndarray:
    if duration <= window:
        return np.zeros(1)
    starts = np.arange(0.0, duration - window + 1e-9, step)
    if starts[-1] + window < duration - 1e-3:
        starts = np.append(starts, duration - window)
    return starts


def _powerset_to_multilabel(classes: np.ndarray) -> np.ndarray:
    # segmentation-3.0 powerset order: {}, {0}, {1}, {2}, {0,1}, {0,2}, {1,2}
    table = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1],
                      [1, 1, 0], [1, 0, 1], [0, 1, 1]], dtype=bool)
    return table[classes]


def _sliding_spans(speech: np.ndarray, length: int, shift: int) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate([[0], speech.astype(int), [0]]))
    spans: list[tuple[int, int]] = []
    for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
        if b - a < length // 3:
            continue
        starts = list(range(a, max(a + 1, b - length + 1), shift))
        if starts[-1] + length < b:
            starts.append(b - length)
        spans.extend((int(s), min(int(b), int(s) + length)) for s in starts)
    return spans


def _aggregate(windows: _Windows, values: np.ndarray) -> np.ndarray:
    """Average a per-window frame value over the windows covering each global frame."""
    total = np.zeros(windows.n_frames)
    weight = np.zeros(windows.n_frames)
    hamming = np.hamming(values.shape[1])
    for w, offset in enumerate(windows.offsets):
        n = min(windows.n_frames, offset + values.shape[1]) - offset
        total[offset:offset + n] += hamming[:n] * values[w, :n]
        weight[offset:offset + n] += hamming[:n]
    return total / np.maximum(weight, 1e-9)


def _map_local_speakers(windows: _Windows, label_of_frame: np.ndarray,
                        n_speakers: int) -> np.ndarray:
    """Match each window's local speakers to global speakers (-1: no evidence)."""
    from scipy.optimize import linear_sum_assignment

    n_windows, n_local_frames, n_local = windows.activity.shape
    mapping = np.full((n_windows, n_local), -1)
    for w in range(n_windows):
        labels = label_of_frame[windows.offsets[w]:][:n_local_frames]
        active = windows.activity[w, :len(labels)]
        single = active & (active.sum(axis=1, keepdims=True) == 1)
        onehot = (labels[:, None] == np.arange(n_speakers)[None, :]).astype(float)
        score = single.T.astype(float) @ onehot
        rows, cols = linear_sum_assignment(-score)
        for r, c in zip(rows, cols):
            if score[r, c] > 0:
                mapping[w, r] = c
    return mapping


def _reconstruct(windows: _Windows, mapping: np.ndarray, n_speakers: int,
                 speech_threshold: float) -> np.ndarray:
    """Stitch the windows into one (frames, speakers) activity matrix.

    Scores, speaker counts and speech probability are averaged over the windows covering a
    frame (Hamming weighted: a window's edges see less context); each frame keeps its
    ``count`` best speakers, at least one where the speech probability passes the threshold.
    """
    n_windows, n_local_frames, n_local = windows.activity.shape
    local = np.zeros((n_windows, n_local_frames, n_speakers))
    for w, s in zip(*np.nonzero(mapping >= 0)):
        local[w, :, mapping[w, s]] += windows.activity[w, :, s]
    score = np.stack([_aggregate(windows, local[..., k]) for k in range(n_speakers)], axis=1)
    count = np.rint(_aggregate(windows, windows.activity.sum(axis=2))).astype(int)
    speech = _aggregate(windows, windows.speech) > speech_threshold
    count = np.where(speech, np.maximum(count, 1), count)
    score = _borrow_nearest(score, count > 0)
    ranks = np.argsort(np.argsort(-score, axis=1), axis=1)
    return (ranks < count[:, None]) & (score > 0)


def _trust_embeddings(activity: np.ndarray, label_of_frame: np.ndarray) -> np.ndarray:
    """Where one speaker talks, the embeddings name the speaker: the segmentation model
    sometimes hears two similar voices as one local speaker."""
    out = activity.copy()
    single = (activity.sum(axis=1) == 1) & (label_of_frame >= 0)
    out[single] = False
    out[np.flatnonzero(single), label_of_frame[single]] = True
    return out


def _borrow_nearest(score: np.ndarray, speech: np.ndarray) -> np.ndarray:
    """Give speech frames that no window's speaker covers the scores of the nearest frame
    that has one (the speaker most likely kept talking)."""
    known = score.max(axis=1) > 0
    if not known.any():
        return score
    idx = np.flatnonzero(known)
    pos = np.clip(np.searchsorted(idx, np.arange(len(score))), 1, max(1, len(idx) - 1))
    left, right = idx[pos - 1], idx[np.minimum(pos, len(idx) - 1)]
    frames = np.arange(len(score))
    nearest = np.where(np.abs(frames - left) <= np.abs(right - frames), left, right)
    fill = speech & ~known
    out = score.copy()
    out[fill] = score[nearest[fill]] * 1e-3
    return out


def _fill_pauses(activity: np.ndarray, max_frames: int) -> np.ndarray:
    """Close a speaker's pauses of at most ``max_frames`` while nobody else speaks."""
    out = activity.copy()
    for k in range(activity.shape[1]):
        others = np.asarray(np.delete(activity, k, axis=1).any(axis=1))
        edges = np.diff(np.concatenate([[0], activity[:, k].astype(int), [0]]))
        ends, starts = np.flatnonzero(edges == -1)[:-1], np.flatnonzero(edges == 1)[1:]
        for a, b in zip(ends, starts):
            if b - a <= max_frames and not others[a:b].any():
                out[a:b, k] = True
    return out


def _turns(activity: np.ndarray, windows: _Windows, min_turn_s: float
           ) -> tuple[tuple[SpeakerTurn, ...], dict[int, str]]:
    raw: list[tuple[int, float, float]] = []
    for k in range(activity.shape[1]):
        edges = np.diff(np.concatenate([[0], activity[:, k].astype(int), [0]]))
        for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
            start = max(0.0, a * windows.frame_step + windows.frame_shift)
            end = b * windows.frame_step + windows.frame_shift
            if end - start >= min_turn_s:
                raw.append((k, round(start, 3), round(end, 3)))
    raw.sort(key=lambda t: (t[1], t[2]))
    names: dict[int, str] = {}
    for k, _, _ in raw:
        names.setdefault(k, f"SPEAKER_{len(names):02d}")
    return tuple(SpeakerTurn(names[k], s, e) for k, s, e in raw), names
