"""Load a recording: decode any common format to 16 kHz float channels, or say why not."""

from __future__ import annotations

import hashlib
from pathlib import Path

import av
import numpy as np

from analyzer.errors import InputError
from analyzer.types import Audio

SAMPLE_RATE = 16000


def file_digest(path: str | Path) -> str:
    """Return the SHA-256 of a file's bytes (the cache key of a call)."""
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def load_audio(path: str | Path) -> Audio:
    """Decode a recording into one 16 kHz float32 array per channel (at most two).

    Mono and stereo keep their channels; a recording with more than two channels is mixed
    down to mono (which channel is the rep is unknown), so its speakers are diarized.
    Raises InputError naming the file when it is missing, not audio, or silent-empty.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), "file not found")
    if path.stat().st_size == 0:
        raise InputError(str(path), "empty file")
    try:
        channels = _decode(path)
    except (av.error.FFmpegError, IndexError, ValueError) as exc:
        raise InputError(str(path), f"not a readable audio file ({_reason(exc)})") from exc
    if channels[0].size == 0:
        raise InputError(str(path), "the recording holds no audio samples")
    duration = channels[0].size / SAMPLE_RATE
    return Audio(tuple(channels), SAMPLE_RATE, duration, file_digest(path))


def mixdown(audio: Audio) -> np.ndarray:
    """Return the channels of a recording averaged into one mono array."""
    if len(audio.channels) == 1:
        return audio.channels[0]
    return np.mean(np.stack(audio.channels), axis=0).astype(np.float32)


def is_dual_mono(audio: Audio, min_correlation: float = 0.98) -> bool:
    """True when a stereo file carries the same signal on both channels (a mono call saved
    as stereo), so its channels cannot tell the speakers apart."""
    if len(audio.channels) < 2:
        return False
    left, right = audio.channels
    if not left.any() or not right.any():
        return False
    return float(np.corrcoef(left, right)[0, 1]) >= min_correlation


def _decode(path: Path) -> list[np.ndarray]:
    with av.open(str(path), mode="r", metadata_errors="ignore") as container:
        stream = container.streams.audio[0]
        layout = "stereo" if stream.channels == 2 else "mono"
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
        chunks: list[np.ndarray] = []
        for frame in container.decode(stream):
            chunks.extend(f.to_ndarray() for f in resampler.resample(frame))
        chunks.extend(f.to_ndarray() for f in resampler.resample(None))
    n_channels = 2 if layout == "stereo" else 1
    if not chunks:
        return [np.zeros(0, dtype=np.float32) for _ in range(n_channels)]
    samples = np.concatenate(chunks, axis=1).astype(np.float32)
    return [np.ascontiguousarray(samples[i]) for i in range(n_channels)]


def _reason(exc: Exception) -> str:
    if isinstance(exc, IndexError):
        return "no audio stream"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
