"""Load a recording: decode any common format to 16 kHz float channels, or say why not."""

from __future__ import annotations

import hashlib
import os
import tempfile
import wave
from collections.abc import Iterator
from itertools import chain
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
    path = _readable(path)
    try:
        blocks = list(_blocks(path))
    except (av.error.FFmpegError, IndexError, ValueError) as exc:
        raise InputError(str(path), f"not a readable audio file ({_reason(exc)})") from exc
    samples = np.concatenate(blocks, axis=1) if blocks else np.zeros((1, 0), np.float32)
    if samples.shape[1] == 0:
        raise InputError(str(path), "the recording holds no audio samples")
    channels = tuple(np.ascontiguousarray(c) for c in samples)
    return Audio(channels, SAMPLE_RATE, samples.shape[1] / SAMPLE_RATE, file_digest(path))


def _readable(path: str | Path) -> Path:
    """The path, once it is known to be a file with something in it (InputError if not)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), "file not found")
    if path.stat().st_size == 0:
        raise InputError(str(path), "empty file")
    return path


def audio_windows(path: str | Path, window_s: float, search_s: float) -> Iterator[Audio]:
    """Decode a recording a window at a time, so a long call never sits in memory whole.

    Each window holds at most ``window_s`` seconds and ends at the quietest moment of its
    last ``search_s`` seconds (on every channel), so that no word is cut in two; ``offset_s``
    says where it starts. A call shorter than a window is one window, as ``load_audio`` gives
    it. Raises InputError naming the file, as ``load_audio`` does.
    """
    path = _readable(path)
    digest = file_digest(path)
    size, search = int(window_s * SAMPLE_RATE), int(search_s * SAMPLE_RATE)
    empty = True
    try:
        for offset, samples in _windows(_blocks(path), size, search):
            empty = False
            yield Audio(tuple(np.ascontiguousarray(c) for c in samples), SAMPLE_RATE,
                        samples.shape[1] / SAMPLE_RATE, digest, offset / SAMPLE_RATE)
    except (av.error.FFmpegError, IndexError, ValueError) as exc:
        raise InputError(str(path), f"not a readable audio file ({_reason(exc)})") from exc
    if empty:
        raise InputError(str(path), "the recording holds no audio samples")


def _windows(blocks: Iterator[np.ndarray], size: int, search: int
             ) -> Iterator[tuple[int, np.ndarray]]:
    """Fill one window-sized buffer from the decoded blocks; cut, hand out a copy, keep the
    rest for the next window (memory: about two windows, whatever the call's length)."""
    buffer: np.ndarray | None = None
    filled = offset = 0
    for block in blocks:
        if buffer is None:
            buffer = np.empty((block.shape[0], size), dtype=np.float32)
        while block.shape[1]:
            take = min(size - filled, block.shape[1])
            buffer[:, filled:filled + take] = block[:, :take]
            filled, block = filled + take, block[:, take:]
            if filled == size:
                cut = _quiet_cut(buffer, search)
                yield offset, buffer[:, :cut].copy()
                buffer[:, :size - cut] = buffer[:, cut:]
                filled, offset = size - cut, offset + cut
    if buffer is not None and filled:
        yield offset, buffer[:, :filled].copy()


def _quiet_cut(samples: np.ndarray, search: int, frame: int = SAMPLE_RATE // 10) -> int:
    """Where to end a window: the middle of its quietest 0.1 s frame (loudest channel
    counted) among its last ``search`` samples."""
    tail = samples[:, samples.shape[1] - search:] if search else samples[:, :0]
    n = tail.shape[1] // frame
    if n == 0:
        return samples.shape[1]
    energy = (tail[:, : n * frame].reshape(len(tail), n, frame) ** 2).mean(axis=2).max(axis=0)
    return samples.shape[1] - tail.shape[1] + int(np.argmin(energy)) * frame + frame // 2


def _blocks(path: Path) -> Iterator[np.ndarray]:
    """Decoded 16 kHz float samples, (channels, n) a block at a time: mono and stereo keep
    their channels, more than two are mixed to mono (which one is the rep is unknown)."""
    with av.open(str(path), mode="r", metadata_errors="ignore") as container:
        stream = container.streams.audio[0]
        layout = "stereo" if stream.channels == 2 else "mono"
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
        for frame in chain(container.decode(stream), [None]):  # None flushes the resampler
            for piece in resampler.resample(frame):
                yield piece.to_ndarray().astype(np.float32, copy=False)


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
    return _correlation(left, right) >= min_correlation


def _correlation(a: np.ndarray, b: np.ndarray, block: int = 1 << 16) -> float:
    """Pearson correlation of two equally long signals, summed a block at a time in float64
    (np.corrcoef would copy both whole signals to float64 first: 16 bytes a sample)."""
    sums = np.zeros(5)
    for start in range(0, a.size, block):
        x = a[start:start + block].astype(np.float64)
        y = b[start:start + block].astype(np.float64)
        sums += (x.sum(), y.sum(), x @ x, y @ y, x @ y)
    n = a.size
    mean_x, mean_y = sums[0] / n, sums[1] / n
    var_x, var_y = sums[2] / n - mean_x**2, sums[3] / n - mean_y**2
    if var_x <= 0 or var_y <= 0:
        return 0.0
    return float((sums[4] / n - mean_x * mean_y) / np.sqrt(var_x * var_y))


def _reason(exc: Exception) -> str:
    if isinstance(exc, IndexError):
        return "no audio stream"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def write_wav(audio: Audio, path: Path) -> Path:
    """Write 16-bit PCM WAV atomically (a temporary file, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = np.stack(audio.channels, axis=1)
    pcm = (np.clip(data, -1, 1) * 32767).astype("<i2")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    with wave.open(tmp, "wb") as handle:
        handle.setnchannels(len(audio.channels))
        handle.setsampwidth(2)
        handle.setframerate(audio.sample_rate)
        handle.writeframes(pcm.tobytes())
    os.replace(tmp, path)
    return path
