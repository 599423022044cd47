"""One call, from its file to its result: every stage in the order data flows.

load the transcript (import it, or decode and transcribe the audio, cached by content) ->
decide the roles (channel, name, roster, voice or cues) -> utterances -> label the sentences
and compute the metrics. ``Engines`` loads each model the first time a call needs it, once
per process; ``batch`` runs this over every call of a run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from analyzer import store
from analyzer.audio import file_digest
from analyzer.errors import InputError
from analyzer.files import is_audio
from analyzer.settings import MODELS_DIR
from analyzer.speakers import transcribe_file
from analyzer.transcribe import SpeechToText, WhisperOptions, WhisperTranscriber, batched
from analyzer.types import (
    CallResult,
    CallSource,
    Options,
    RoleAssignment,
    Transcript,
    Utterance,
)
from analyzer.voice import VoiceProfiles

Progress = Callable[[str], None]
# Files under models/ that say how fast or how wide a run goes, not what it finds: editing
# them must not relabel every call.
NOT_RESULTS = frozenset({"benchmarks.json", "runtime.json"})


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


@dataclass(frozen=True)
class Run:
    """Where a run keeps its per-call files, and the keys its results are valid under."""

    out: Path
    options: Options
    data_version: str
    roster: Any = None
    force: bool = False  # redo: ignore stored results and cached transcripts

    def result_path(self, call: CallSource) -> Path:
        """File of one call's finished result."""
        return self.out / "calls" / f"{store.safe_name(call.call_id)}.json"

    def error_path(self, call: CallSource) -> Path:
        """File of one call's failure."""
        return self.out / "calls" / f"{store.safe_name(call.call_id)}.error.json"

    def voices_path(self) -> Path:
        """The reps' voice prints, learned over every run into this folder."""
        return self.out / "voices.json"

    def lock_path(self, call: CallSource) -> Path:
        """Lock a worker holds while it analyzes one call."""
        return self.out / "calls" / f"{store.safe_name(call.call_id)}.lock"

    def transcript_path(self, key: str) -> Path:
        """Cached transcript of one recording under one set of transcription options."""
        return self.out / "cache" / "transcripts" / f"{key}.json"


def analyze_call(call: CallSource, run: Run, engines: Engines) -> CallResult:
    """Run every stage on one call, from its file to its result."""
    transcript = load_transcript(call, run, engines)
    if transcript.voices:
        engines.read_voices(run.voices_path())  # what other workers have learned meanwhile
    roles = decide_roles(transcript, call, run.options, run.roster, engines.voices)
    engines.learn_voice(call.rep, roles, transcript, run.voices_path())
    utterances = tuple(
        Utterance(s.speaker, roles.role_of(s.speaker), s.start, s.end, s.text, s.words)
        for s in transcript.segments)
    return measure(call, transcript, roles, utterances, engines)


def load_transcript(call: CallSource, run: Run, engines: Engines) -> Transcript:
    """Transcribe the call's audio (cached by content) or import its transcript file."""
    if not is_audio(call.path):
        from analyzer.transcripts import read_transcript

        return read_transcript(call.path, run.options.transcript_format or None)
    if not Path(call.path).is_file():
        raise InputError(call.path, "file not found")
    key = store.run_key(file_digest(call.path), _transcription_options(run.options),
                        models_version("audio", "transcription.json", "diarization/params.json"))
    cached = None if run.force else store.read_json(run.transcript_path(key))
    if cached is not None:
        return store.to_dataclass(Transcript, cached)
    engines.read_voices(run.voices_path())
    # A stereo call teaches its rep's voice, until the rep's print is settled.
    rep_channel = call.rep_channel or run.options.rep_channel
    learn = () if engines.voices.settled(call.rep) else (rep_channel,)
    transcript = transcribe_file(call.path, engines.stt, lambda: engines.diarizer, learn)
    store.write_json(run.transcript_path(key), transcript)
    return transcript


def load_roster(path: str) -> Any:
    """The run's roster (rep -> names they appear under), read once; None without one."""
    if not path:
        return None
    from analyzer.roles import Roster

    return Roster.load(path)


def decide_roles(transcript: Transcript, call: CallSource, options: Options,
                 roster: Any = None, voices: VoiceProfiles | None = None) -> RoleAssignment:
    """Who is the rep: the channel for stereo calls; else a name (manifest, option, roster),
    else the rep's known voice or the cues in the words, whichever is surer."""
    from analyzer import roles

    if set(transcript.speakers) <= {"left", "right"} and transcript.source == "whisper":
        return roles.channel_roles(call.rep_channel or options.rep_channel)
    decided = roles.assign_roles(transcript, rep_speaker=call.rep_speaker or options.rep_name,
                                 roster=roster, rep=call.rep)
    if decided.method != "cues" or voices is None or not transcript.voices:
        return decided
    by_voice = voices.match(call.rep, voice_prints(transcript))
    if by_voice is None or by_voice.confidence <= decided.confidence:
        return decided
    return replace(by_voice, colleagues=decided.colleagues)


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


def measure(call: CallSource, transcript: Transcript, roles: RoleAssignment,
            utterances: tuple[Utterance, ...], engines: Engines) -> CallResult:
    """Label the sentences and compute every per-call metric."""
    from analyzer.language import call_flags, language_metrics
    from analyzer.metrics import call_metrics, metric_status

    labels = engines.labeler.label([u.text for u in utterances], [u.role for u in utterances])
    flags = call_flags(utterances, labels)
    language = language_metrics(flags)
    questions = {"rep_questions": language["rep_questions"],
                 "customer_questions": _customer_questions(flags)}
    metrics: dict[str, Any] = {
        "duration_s": transcript.duration_s, "source": transcript.source,
        "speakers": len(transcript.speakers), "role_method": roles.method,
        "role_confidence": roles.confidence}
    metrics.update(call_metrics(utterances, transcript.duration_s, questions,
                                activity=_role_activity(transcript, roles)))
    metrics.update(language)
    metrics.update(metric_status(metrics))
    return CallResult(call, roles, utterances, metrics, flags)


def _customer_questions(flags: Sequence[Any]) -> int:
    return sum(1 for f in flags if f.role == "customer" and f.label == "question")


def _role_activity(transcript: Transcript, roles: RoleAssignment) -> tuple[Any, ...]:
    """The measured speech activity, with each speaker replaced by their role."""
    return tuple(replace(t, speaker=roles.role_of(t.speaker)) for t in transcript.activity)


def models_version(*parts: str) -> str:
    """Digest of the data files under models/ (all, or the named files and folders).

    Results are keyed by it: editing a phrase list recomputes the labels, not the transcripts.
    """
    sha = hashlib.sha256()
    roots = [MODELS_DIR / p for p in parts] or [MODELS_DIR]
    files = [f for r in roots for f in ([r] if r.is_file() else r.rglob("*"))]
    for path in sorted(files):
        if path.name in NOT_RESULTS:
            continue
        if path.is_file() and path.suffix in (".json", ".jsonl", ".csv", ".txt"):
            sha.update(path.relative_to(MODELS_DIR).as_posix().encode())
            sha.update(path.read_bytes())
    return sha.hexdigest()[:16]


def _transcription_options(options: Options) -> dict[str, Any]:
    keys = ("model", "language", "beam_size", "compute_type", "diarize")
    return {k: getattr(options, k) for k in keys}


def say(progress: Progress | None, message: str) -> None:
    """Pass a progress message on, when anyone listens."""
    if progress is not None:
        progress(message)
