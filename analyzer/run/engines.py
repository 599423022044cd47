"""Engines: the models of a run, each loaded the first time a call needs it, once per process
(the transcriber, the labeller, the diarizer, the redactor), and the reps' voice prints
learned so far, shared with the other workers of the run through ``voices.json``."""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.call.voice import VoiceProfiles, voice_prints
from analyzer.run import store
from analyzer.run.speech_to_text import SpeechToText, WhisperOptions, WhisperTranscriber, batched
from analyzer.types import Options, RoleAssignment, Transcript


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
            save_voices(self.voices, shared)
            self._voices_seen = _stamp(shared)
        return True

    def read_voices(self, path: Path) -> None:
        """Take up the voice prints in ``path`` when another worker (or run) has changed it."""
        stamp = _stamp(path)
        if stamp is not None and stamp != self._voices_seen:
            self.voices = load_voices(path)
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
        from analyzer.call.language import Labeler

        return Labeler.load()

    @cached_property
    def diarizer(self) -> Any:
        """The mono-call diarizer, or None when it is switched off or not installed."""
        if not self.options.diarize:
            return None
        try:
            from analyzer.run.diarize import Diarizer

            return Diarizer.load(threads=self.threads)
        except ImportError:
            return None

    @cached_property
    def redactor(self) -> Any:
        """The redaction patterns and spaCy's entity recogniser (``--redact``)."""
        from analyzer.call.redact import Redactor

        return Redactor.load()


def load_voices(path: str | Path) -> VoiceProfiles:
    """Read the voice prints written by ``save_voices``."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return VoiceProfiles({rep: np.asarray(d["print"], dtype=np.float32) for rep, d in data.items()},
                         {rep: float(d["weight"]) for rep, d in data.items()},
                         VoiceProfiles.empty().settings)


def save_voices(voices: VoiceProfiles, path: Path) -> None:
    """Write the voice prints as JSON (rep -> print and weight) atomically: other workers may
    be reading them, and later runs into the same folder reuse them."""
    data = {rep: {"print": [round(float(x), 6) for x in v], "weight": voices.weights[rep]}
            for rep, v in sorted(voices.prints.items())}
    store.write_text(path, json.dumps(data, indent=1) + "\n")


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size
