"""Speaker embeddings to the call's speakers: splitting the speech in two while the halves
differ, speaker centroids, and the speaker of each frame."""

from __future__ import annotations

import numpy as np

from analyzer.run.diarize.params import DiarizationParams


def cluster_embeddings(embeddings: np.ndarray, weights: np.ndarray,
                       params: DiarizationParams) -> np.ndarray:
    """Group speaker embeddings into speakers; return one label 0..K-1 per embedding.

    Starting from one speaker, the largest speaker that can be split in two is split
    (spherical 2-means) as long as both halves hold enough speech and
    their centroids are less similar than ``cluster_threshold``: centroids average many
    pieces, so their similarity is far steadier than that of two short pieces.
    """
    x = _unit(embeddings)
    labels = np.zeros(len(x), dtype=int)
    tried: set[int] = set()
    while labels.max() + 1 < params.max_speakers:
        sizes = np.bincount(labels, weights=weights)
        candidates = [int(k) for k in np.argsort(-sizes) if int(k) not in tried]
        if not candidates:
            break
        members = np.flatnonzero(labels == candidates[0])
        halves = _two_means(x[members], weights[members])
        if _worth_splitting(x[members], weights[members], halves, weights.sum(), params):
            labels[members[halves == 1]] = labels.max() + 1
            tried.clear()
        else:
            tried.add(candidates[0])
    for _ in range(params.refine_iterations):
        labels = _relabel(np.argmax(x @ _centroids(x, weights, labels).T, axis=1))
    return labels


def _worth_splitting(x: np.ndarray, weights: np.ndarray, halves: np.ndarray, total: float,
                     params: DiarizationParams) -> bool:
    seconds = np.bincount(halves, weights=weights, minlength=2)
    if seconds.min() < max(params.min_speaker_s, params.min_cluster_share * total):
        return False
    centroids = _centroids(x, weights, halves)
    return float(centroids[0] @ centroids[1]) < params.cluster_threshold


def _two_means(x: np.ndarray, weights: np.ndarray, iterations: int = 10) -> np.ndarray:
    labels = np.zeros(len(x), dtype=int)
    if len(x) < 2:
        return labels
    first = int(np.argmin(x @ (x.T @ weights)))
    centroids = x[[first, int(np.argmin(x @ x[first]))]]
    for _ in range(iterations):
        labels = np.argmax(x @ centroids.T, axis=1)
        if labels.min() == labels.max():
            break
        centroids = _centroids(x, weights, labels)
    return labels


def _centroids(x: np.ndarray, weights: np.ndarray, labels: np.ndarray) -> np.ndarray:
    sums = np.zeros((labels.max() + 1, x.shape[1]))
    np.add.at(sums, labels, x * weights[:, None])
    return sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-9)


def _relabel(labels: np.ndarray) -> np.ndarray:
    return np.unique(labels, return_inverse=True)[1].reshape(-1)


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)


def _frame_labels(spans: list[tuple[int, int]], embeddings: np.ndarray, centroids: np.ndarray,
                  n_frames: int) -> np.ndarray:
    """Name each frame's most likely speaker from the pieces covering it (-1: none).

    Pieces overlap, so a frame's speaker comes from the summed similarity of every piece
    covering it to each speaker's centroid, which smooths out a stray piece.
    """
    similarity = embeddings @ centroids.T
    score = np.zeros((n_frames, similarity.shape[1]))
    covered = np.zeros(n_frames, dtype=bool)
    for (a, b), row in zip(spans, similarity):
        score[a:b] += row
        covered[a:b] = True
    return np.where(covered, np.argmax(score, axis=1), -1)
