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
from functools import cache
from pathlib import Path
from typing import Any

from analyzer import store
from analyzer.audio import file_digest, load_audio
from analyzer.engines import Engines, voice_prints
from analyzer.errors import InputError
from analyzer.files import is_audio
from analyzer.redact import (
    People,
    bleep_spans,
    bleeped,
    placeholders,
    redact_speakers,
    write_wav,
)
from analyzer.settings import MODELS_DIR, load_settings
from analyzer.speakers import CHANNELS, transcribe_file
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
# What a redacted transcript depends on (the evaluation sets beside them do not count).
REDACTION_DATA = ("redaction/patterns.json", "redaction/street_suffixes.txt")
# Data that only shapes the pages (coaching rules, cards), says how fast or how wide a run
# goes, or sets `make bench` targets: editing it must not redo any call.
NOT_ANALYSIS = frozenset({"reports", "benchmarks.json", "runtime.json"})


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

    def audio_copy_path(self, call: CallSource) -> Path:
        """The redacted (bleeped) copy of a call's recording."""
        return self.out / "audio" / f"{store.safe_name(call.call_id)}.wav"


@dataclass(frozen=True)
class CallLimits:
    """What a call must hold to be analyzed, read from models/inputs.json.

    Attributes:
        min_call_s: A recording shorter than this (a misdial, a hang-up) is an error row.
    """

    min_call_s: float = 1.0


@cache
def call_limits(path: Path = MODELS_DIR / "inputs.json") -> CallLimits:
    """Read the limits from their data file."""
    return load_settings(CallLimits, path)


def analyze_call(call: CallSource, run: Run, engines: Engines) -> CallResult:
    """Run every stage on one call, from its file to its result.

    Raises InputError when the call cannot be read, is too short, or holds no speech.
    """
    transcript = load_transcript(call, run, engines)
    if not has_words(transcript):
        raise InputError(call.path, "no speech found: not one word in the call "
                                    "(silence, music or noise only?)")
    if transcript.voices:
        engines.read_voices(run.voices_path())  # what other workers have learned meanwhile
    roles = decide_roles(transcript, call, run.options, run.roster, engines.voices)
    if run.options.redact:
        transcript, roles = redact_speakers(transcript, roles, people_of(call, run),
                                            engines.redactor.patterns)
    engines.learn_voice(call.rep, roles, transcript, run.voices_path())
    utterances = tuple(
        Utterance(s.speaker, roles.role_of(s.speaker), s.start, s.end, s.text, s.words)
        for s in transcript.segments)
    result = measure(call, transcript, roles, utterances, engines)
    metrics = {**result.metrics, "redacted": run.options.redact}
    if not run.options.redact:
        return replace(result, metrics=metrics)
    return replace(result, source=_redacted_source(call, transcript, run), metrics=metrics)


def load_transcript(call: CallSource, run: Run, engines: Engines) -> Transcript:
    """Transcribe the call's audio (cached by content) or import its transcript file; with
    ``redact`` on, redact its text before anything is cached."""
    if not is_audio(call.path):
        from analyzer.transcripts import read_transcript

        imported = read_transcript(call.path, run.options.transcript_format or None)
        return redact_text(imported, call, run, engines)
    if not Path(call.path).is_file():
        raise InputError(call.path, "file not found")
    parts: list[Any] = [file_digest(call.path), _transcription_options(run.options),
                        models_version("audio", "transcription.json", "diarization/params.json")]
    if run.options.redact:
        parts.append({"redaction": models_version(*REDACTION_DATA),
                      "people": people_of(call, run).key()})
    key = store.run_key(*parts)
    cached = None if run.force else store.read_json(run.transcript_path(key))
    if cached is not None:
        return _long_enough(call, store.to_dataclass(Transcript, cached))
    engines.read_voices(run.voices_path())
    # A stereo call whose rep's channel was given teaches the rep's voice, until the rep's
    # print is settled; without one, both channels' prints are weighed against the rep's.
    rep_channel = call.rep_channel or run.options.rep_channel
    learn = (() if engines.voices.settled(call.rep) else (rep_channel,)) if rep_channel \
        else CHANNELS
    transcript = transcribe_file(call.path, engines.stt, lambda: engines.diarizer, learn)
    transcript = redact_text(_long_enough(call, transcript), call, run, engines)
    store.write_json(run.transcript_path(key), transcript)
    return transcript


def _long_enough(call: CallSource, transcript: Transcript) -> Transcript:
    shortest = call_limits().min_call_s
    if transcript.duration_s < shortest:
        raise InputError(call.path, f"too short to analyze ({transcript.duration_s:.2f} s; "
                                    f"calls under {shortest:g} s are not analyzed)")
    return transcript


def has_words(transcript: Transcript) -> bool:
    """True when some segment holds a word (letters or digits, not only punctuation or a
    music sign the transcriber wrote for a jingle)."""
    return any(ch.isalnum() for s in transcript.segments for ch in s.text)
def redact_text(transcript: Transcript, call: CallSource, run: Run,
                engines: Engines) -> Transcript:
    """The transcript's text and words redacted when the run redacts; else as it is."""
    if not run.options.redact:
        return transcript
    return engines.redactor.redact(transcript, people_of(call, run))


def people_of(call: CallSource, run: Run) -> People:
    """The names a redacted call keeps as ids: its rep's and the roster's."""
    return People.of_call(call.rep, call.rep_speaker or run.options.rep_name, run.roster)


def _redacted_source(call: CallSource, transcript: Transcript, run: Run) -> CallSource:
    """The call as a redacted result records it: the rep's speaker name as the rep's id, and
    the recording as its bleeped copy (none when no copy could be made)."""
    source = replace(call, rep_speaker=call.rep if call.rep_speaker else "")
    if not run.options.redact_audio:
        return source
    recording = call.audio_path or (call.path if is_audio(call.path) else "")
    if not recording:
        return source
    try:
        audio = load_audio(recording)
    except InputError:
        return replace(source, audio_path="")
    path = write_wav(bleeped(audio, bleep_spans(transcript, placeholders())),
                     run.audio_copy_path(call))
    return replace(source, audio_path=str(path))


def load_roster(path: str) -> Any:
    """The run's roster (rep -> names they appear under), read once; None without one."""
    if not path:
        return None
    from analyzer.roles import Roster

    return Roster.load(path)


def decide_roles(transcript: Transcript, call: CallSource, options: Options,
                 roster: Any = None, voices: VoiceProfiles | None = None) -> RoleAssignment:
    """Who is the rep: a person's word (channel, name, roster), else the evidence: the cues
    in the words, the rep's known voice and, for a stereo call, the default channel."""
    from analyzer import roles

    voice = None
    if voices is not None and transcript.voices:
        voice = voices.match(call.rep, voice_prints(transcript))
    return roles.decide(transcript, rep_channel=call.rep_channel or options.rep_channel,
                        rep_speaker=call.rep_speaker or options.rep_name, roster=roster,
                        rep=call.rep, voice=voice)


def measure(call: CallSource, transcript: Transcript, roles: RoleAssignment,
            utterances: tuple[Utterance, ...], engines: Engines) -> CallResult:
    """Label the sentences and compute every per-call metric."""
    from analyzer.language import call_flags, language_metrics
    from analyzer.metrics import call_metrics, metric_status, turn_moments

    labels = engines.labeler.label([u.text for u in utterances], [u.role for u in utterances])
    flags = call_flags(utterances, labels)
    language = language_metrics(flags)
    questions = {"rep_questions": language["rep_questions"],
                 "customer_questions": _customer_questions(flags)}
    metrics: dict[str, Any] = {
        "duration_s": transcript.duration_s, "source": transcript.source,
        "speakers": len(transcript.speakers), "role_method": roles.method,
        "role_confidence": roles.confidence, "role_reason": roles.reason}
    metrics.update(call_metrics(utterances, transcript.duration_s, questions,
                                activity=_role_activity(transcript, roles)))
    metrics.update(language)
    metrics.update(metric_status(metrics))
    metrics.update(turn_moments(utterances))  # appended last: where the reports link to
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
    files = [f for r in roots for f in ([r] if r.is_file() else r.rglob("*"))
             if parts or f.relative_to(MODELS_DIR).parts[0] not in NOT_ANALYSIS]
    for path in sorted(files):
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
