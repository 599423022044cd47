"""One call of a run, resumable and shared: its stored result when still valid, else the
call analyzed and its result (or failure) stored the moment it is done.

Everything that touches the disk or the run's shared state around the pure one-call analysis
(``call.analysis``) is here: the transcript, imported or transcribed and cached by content
(redacted before it is cached when the run redacts); the reps' voice prints, read before and
learned after; the bleeped copy of the recording.

Results are keyed by the file's content and everything that changes the answer, so a run
killed at any point resumes where it stopped. A worker takes a call by creating its lock file,
so workers sharing an output folder (processes of one run, or runs on several machines) never
analyze a call twice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from analyzer import __version__
from analyzer.call.analysis import Models, analyze_call, people_of
from analyzer.call.redact import bleep_spans, bleeped, placeholders, scrub_reason
from analyzer.call.roles import RoleEvidence
from analyzer.errors import InputError
from analyzer.run import store
from analyzer.run.audio import file_digest, load_audio, write_wav
from analyzer.run.engines import Engines
from analyzer.run.files import is_audio
from analyzer.run.recording import CHANNELS, open_recording, transcribe_windows
from analyzer.run.speech_to_text import ModelNotFound
from analyzer.run.store import Run, models_version
from analyzer.run.transcript_files import read_transcript
from analyzer.settings import MODELS_DIR, load_settings
from analyzer.types import CallError, CallOutcome, CallResult, CallSource, Options, Transcript

# What a redacted transcript depends on (the evaluation sets do not count).
REDACTION_DATA = ("redaction/patterns.json", "redaction/street_suffixes.txt")


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


def result_key(call: CallSource, run: Run) -> str:
    """The key a call's result is valid under (raises OSError when the file is unreadable)."""
    return store.run_key(file_digest(call.path), call, _result_options(run.options),
                         run.data_version, __version__, run.corrections.get(call.call_id, ()))


def stored_outcome(call: CallSource, run: Run) -> CallOutcome | None:
    """"cached" when the call's stored result is still valid, else None (cheap: reads the
    file's content digest and the head of the stored result)."""
    if run.force:
        return None
    try:
        key = result_key(call, run)
    except OSError:
        return None
    if store.read_key(run.result_path(call)) != key:
        return None
    return _cached(call, run)


def run_call(call: CallSource, run: Run, engines: Engines) -> CallOutcome:
    """Resume or analyze one call and store what came of it.

    Status "busy" means another worker sharing ``run.out`` is analyzing the call right now.
    """
    try:
        key = result_key(call, run)
    except OSError as exc:
        return _fail(call, run, "input", f"cannot read the file ({exc.strerror})")
    if not run.force and store.read_key(run.result_path(call)) == key:
        return _cached(call, run)
    if not store.claim(run.lock_path(call)):
        return CallOutcome(call.call_id, call.path, "busy")
    try:
        # Another worker may have finished it between the check and the claim.
        if not run.force and store.read_key(run.result_path(call)) == key:
            return CallOutcome(call.call_id, call.path, "cached")
        return _analyze_and_store(call, run, engines, key)
    finally:
        store.release(run.lock_path(call))


def _cached(call: CallSource, run: Run) -> CallOutcome:
    """The call's stored result stands; a lock left by a worker killed after storing it goes."""
    store.drop_stale(run.lock_path(call))
    return CallOutcome(call.call_id, call.path, "cached")


def stored_result(call: CallSource, run: Run) -> CallResult | None:
    """The call's stored result, whatever its key; None when there is none."""
    stored = store.read_json(run.result_path(call))
    return store.to_dataclass(CallResult, stored["result"]) if stored else None


def _analyze_and_store(call: CallSource, run: Run, engines: Engines, key: str) -> CallOutcome:
    try:
        result = analyze(call, run, engines)
    except InputError as exc:
        return _fail(call, run, "input", exc.message)
    except ModelNotFound:
        raise
    except Exception as exc:  # noqa: BLE001 - one bad call must not stop the batch
        if isinstance(exc, OSError) and store.is_disk_full(exc):
            raise  # a full disk fails every call after this one: the run stops
        return _fail(call, run, "analysis", f"{type(exc).__name__}: {exc}")
    store.write_json(run.result_path(call), {"key": key, "result": result})
    run.error_path(call).unlink(missing_ok=True)
    duration = result.metrics.duration_s
    return CallOutcome(call.call_id, call.path, "analyzed", duration if duration > 0 else 0.0)


def analyze(call: CallSource, run: Run, engines: Engines) -> CallResult:
    """One call's analysis with the run around it: its transcript (cached), the voice prints
    learned so far, the pure analysis, then the rep's voice learned and the bleeped copy.

    Raises InputError when the call cannot be read, is too short, or holds no speech.
    """
    options = run.options
    transcript = load_transcript(call, run, engines)
    if transcript.voices:
        engines.read_voices(run.voices_path())  # what other workers have learned meanwhile
    evidence = RoleEvidence(call.rep_channel or options.rep_channel,
                            call.rep_speaker or options.rep_name, run.roster, engines.voices)
    models = Models(engines.labeler, engines.redactor if options.redact else None)
    result = analyze_call(call, transcript, evidence, models,
                          run.corrections.get(call.call_id, ()))
    engines.learn_voice(call.rep, result.roles, transcript, run.voices_path())
    if not options.redact_audio:
        return result
    return replace(result, source=_with_bleeped_copy(result.source, transcript, run))


def load_transcript(call: CallSource, run: Run, engines: Engines) -> Transcript:
    """Transcribe the call's audio (cached by content) or import its transcript file; with
    ``redact`` on, redact its text before anything is cached."""
    if not is_audio(call.path):
        imported = read_transcript(call.path, run.options.transcript_format or None)
        return _redacted_text(imported, call, run, engines)
    if not Path(call.path).is_file():
        raise InputError(call.path, "file not found")
    key = _transcript_key(call, run)
    cached = None if run.force else store.read_json(run.transcript_path(key))
    if cached is not None:
        return _long_enough(call, store.to_dataclass(Transcript, cached))
    engines.read_voices(run.voices_path())
    # A stereo call whose rep's channel was given teaches the rep's voice, until the rep's
    # print is settled; without one, both channels' prints are weighed against the rep's.
    rep_channel = call.rep_channel or run.options.rep_channel
    learn = (() if engines.voices.settled(call.rep) else (rep_channel,)) if rep_channel \
        else CHANNELS
    stereo, windows = open_recording(call.path)
    # The diarizer is loaded only when this call needs it: to split a mono call, or for the
    # voice print of a stereo call's rep channel.
    diarizer = engines.diarizer if learn or not stereo else None
    transcript = transcribe_windows(windows, engines.stt, diarizer, learn)
    transcript = _redacted_text(_long_enough(call, transcript), call, run, engines)
    store.write_json(run.transcript_path(key), transcript)
    return transcript


def _transcript_key(call: CallSource, run: Run) -> str:
    keys = ("model", "language", "beam_size", "compute_type", "diarize")
    parts: list[Any] = [file_digest(call.path), {k: getattr(run.options, k) for k in keys},
                        models_version("audio", "transcription.json", "diarization/params.json")]
    if run.options.redact:
        parts.append({"redaction": models_version(*REDACTION_DATA),
                      "people": _people(call, run).key()})
    return store.run_key(*parts)


def _long_enough(call: CallSource, transcript: Transcript) -> Transcript:
    shortest = call_limits().min_call_s
    if transcript.duration_s < shortest:
        raise InputError(call.path, f"too short to analyze ({transcript.duration_s:.2f} s; "
                                    f"calls under {shortest:g} s are not analyzed)")
    return transcript


def _redacted_text(transcript: Transcript, call: CallSource, run: Run,
                   engines: Engines) -> Transcript:
    """The transcript's text and words redacted when the run redacts; else as it is."""
    if not run.options.redact:
        return transcript
    return engines.redactor.redact(transcript, _people(call, run))


def _people(call: CallSource, run: Run) -> Any:
    evidence = RoleEvidence(rep_speaker=call.rep_speaker or run.options.rep_name,
                            roster=run.roster)
    return people_of(call, evidence)


def _with_bleeped_copy(source: CallSource, transcript: Transcript, run: Run) -> CallSource:
    """The call with its recording replaced by a copy whose redacted stretches are bleeped
    (no recording when no copy could be made)."""
    recording = source.audio_path or (source.path if is_audio(source.path) else "")
    if not recording:
        return source
    try:
        audio = load_audio(recording)
    except InputError:
        return replace(source, audio_path="")
    path = write_wav(bleeped(audio, bleep_spans(transcript, placeholders())),
                     run.audio_copy_path(source))
    return replace(source, audio_path=str(path))


def _result_options(options: Options) -> dict[str, Any]:
    return {k: v for k, v in asdict(options).items() if k not in ("device", "split_by_rep")}


def scrubbed(error: CallError, options: Options) -> CallError:
    """In a redacted run, an error's reason quotes nothing from the file (see scrub_reason)."""
    return replace(error, reason=scrub_reason(error.reason)) if options.redact else error


def _fail(call: CallSource, run: Run, stage: str, reason: str) -> CallOutcome:
    error = scrubbed(CallError(call.call_id, call.rep, call.path, stage, reason), run.options)
    store.write_json(run.error_path(call), error)
    return CallOutcome(call.call_id, call.path, "failed", error=error)
