"""Engines: the models of a run, each loaded the first time a call needs it, once per process
(the transcriber, the labeller, the diarizer, the redactor), and the reps' voice prints
learned so far, shared with the other workers of the run through ``voices.json``."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from analyzer import store
from analyzer.transcribe import SpeechToText, WhisperOptions, WhisperTranscriber, batched
from analyzer.types import Options, RoleAssignment, Transcript
from analyzer.voice import VoiceProfiles


class Engines:
    """The models of a run, each loaded the first time a call needs it and then reused."""

    def __init__(self, options: Options, stt: SpeechToText | None = None,
                 labeler: Any = None, diarizer: Any = None, threads: int = 0) -> None:
        self.options = options
        self.threads = threads  # CPU threads each model may use (0 = its library's default)
        self.voices = VoiceProfiles.empty()
        self._voices_seen: tuple[int, int] | None = None
        if stt is not None:
            self.__dict__["stt"] = stt
        if labeler is not None:
            self.__dict__["labeler"] = labeler
        if diarizer is not None:
            self.__dict__["diarizer"] = diarizer

    def learn_voice(self, rep: str, roles: RoleAssignment, transcript: Transcript,
                    shared: Path | None = None) -> bool:
        """Fold the rep's voice from this call into their profile; True when it changed.

        With ``shared`` (the run's voices.json), the sample is folded into that file under a
        lock, so workers sharing it add up what each of them learned.
        """
        voices = voice_prints(transcript)
        if roles.method == "channel" and roles.rep_speakers:
            sample = voices.get(roles.rep_speakers[0])
        else:
            sample = self.voices.teachable(roles, voices)
        if sample is None or not rep or self.voices.settled(rep):
            return False
        if shared is None:
            self.voices = self.voices.learn(rep, sample)
            return True
        with store.locked(shared.with_name(f"{shared.name}.lock")):
            self.read_voices(shared)
            self.voices = self.voices.learn(rep, sample)
            _save_voices(self.voices, shared)
            self._voices_seen = _stamp(shared)
        return True

    def read_voices(self, path: Path) -> None:
        """Take up the voice prints in ``path`` when another worker (or run) has changed it."""
        stamp = _stamp(path)
        if stamp is not None and stamp != self._voices_seen:
            self.voices = VoiceProfiles.load(path)
            self._voices_seen = stamp

    @cached_property
    def stt(self) -> SpeechToText:
        """The transcriber (faster-whisper, bundled tiny.en unless --model says otherwise)."""
        o = self.options
        return WhisperTranscriber.load(WhisperOptions(
            model=o.model, language=o.language, beam_size=o.beam_size, device=o.device,
            compute_type=o.compute_type, cpu_threads=self.threads, batched=batched()))

    @cached_property
    def labeler(self) -> Any:
        """The spaCy sentence labeler."""
        from analyzer.language import Labeler

        return Labeler.load()

    @cached_property
    def diarizer(self) -> Any:
        """The mono-call diarizer, or None when it is switched off or not installed."""
        if not self.options.diarize:
            return None
        try:
            from analyzer.diarize import Diarizer

            return Diarizer.load(threads=self.threads)
        except ImportError:
            return None

    @cached_property
    def redactor(self) -> Any:
        """The redaction patterns and spaCy's entity recogniser (``--redact``)."""
        from analyzer.redact import Redactor

        return Redactor.load()


def voice_prints(transcript: Transcript) -> dict[str, np.ndarray]:
    """The transcript's voice print per speaker, as arrays."""
    return {s: np.asarray(v, dtype=np.float32) for s, v in transcript.voices.items()}


def _save_voices(voices: VoiceProfiles, path: Path) -> None:
    """Write the voice prints atomically (other workers may be reading them)."""
    with store.atomic_path(path) as tmp:
        voices.save(tmp)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size
