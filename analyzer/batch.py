"""The batch: every call of a run, one at a time, each result stored the moment it is done.

Each call's result is written to ``<out>/calls/`` as it finishes, keyed by the file's content
and everything that changes the answer, so a run killed at any point resumes where it stopped
and several workers can share one output folder. When every call is done, the tables and the
reports are written (``outputs``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from analyzer import __version__, store
from analyzer.audio import file_digest
from analyzer.errors import InputError, RunError
from analyzer.inputs import find_calls
from analyzer.outputs import write_outputs
from analyzer.pipeline import (
    Engines,
    Progress,
    Run,
    analyze_call,
    load_roster,
    models_version,
    say,
)
from analyzer.redact import scrub_reason
from analyzer.tables import Results
from analyzer.transcribe import ModelNotFound
from analyzer.types import CallError, CallResult, CallSource, Options
from analyzer.voice import VoiceProfiles

WAIT_S = 2.0


def analyze(paths: Sequence[str | Path], out: str | Path, *, manifest: str | Path | None = None,
            options: Options | None = None, engines: Engines | None = None,
            progress: Progress | None = None) -> Results:
    """Analyze every call found in ``paths`` (and ``manifest``); write and return the tables.

    Calls already finished in ``out`` under the same content and options are not redone.
    Raises RunError when the run cannot start (no input found, ``out`` not writable) or
    cannot go on (``out`` full: the calls finished so far stay stored, and the next run
    resumes from them); ManifestError or RosterError for a file that cannot be read at all.
    """
    options = options or Options()
    engines = engines or Engines(options)
    store.check_writable(Path(out))
    run = Run(Path(out), options, models_version(), load_roster(options.roster))
    check_redaction(run)
    if run.voices_path().is_file():
        engines.voices = VoiceProfiles.load(run.voices_path())
    found = find_calls(paths, manifest, rep=options.rep, skip=out)
    if not found.calls and not found.errors:
        where = ", ".join(str(p) for p in paths) or str(manifest)
        raise RunError(where, "no recordings or transcripts found")
    results: list[CallResult] = []
    errors = [_scrubbed(e, run) for e in found.errors]
    for error in errors:
        say(progress, f"error: {error.path}: {error.reason}")
    try:
        for outcome in _outcomes(found.calls, run, engines, progress):
            if isinstance(outcome, CallResult):
                results.append(outcome)
            else:
                errors.append(outcome)
        return write_outputs(results, errors, run.out, split_by_rep=options.split_by_rep)
    except OSError as exc:  # every input error is caught per call: this is the output failing
        raise RunError(str(run.out), f"cannot write to the output folder ({exc.strerror or exc})"
                                     f"; {len(results)} calls are done and kept in "
                                     f"{run.out / 'calls'}: run again to resume") from exc


def _outcomes(calls: Sequence[CallSource], run: Run, engines: Engines,
              progress: Progress | None) -> Iterator[CallResult | CallError]:
    """Each call's result or error as soon as it is known; calls another worker holds are
    waited for once this worker's own calls are done."""
    waiting = list(calls)
    while waiting:
        held = []
        for call in waiting:
            outcome = analyze_or_resume(call, run, engines, progress)
            if outcome is None:
                held.append(call)
            else:
                yield outcome
        waiting = held
        if waiting:
            say(progress, f"waiting for {len(waiting)} calls other workers are analyzing")
            time.sleep(WAIT_S)


def analyze_or_resume(call: CallSource, run: Run, engines: Engines,
                      progress: Progress | None = None) -> CallResult | CallError | None:
    """Return a call's stored result when still valid, else analyze it and store the outcome.

    None means another worker sharing ``run.out`` is analyzing the call right now.
    """
    try:
        key = store.run_key(file_digest(call.path), call, _result_options(run.options),
                            run.data_version, __version__)
    except OSError as exc:
        return _fail(call, run, "input", f"cannot read the file ({exc.strerror})", progress)
    stored = _stored(run, call, key)
    if stored is not None:
        say(progress, f"done (cached): {call.path}")
        return stored
    if not store.claim(run.lock_path(call)):
        return None
    try:
        return _analyze_and_store(call, run, engines, key, progress)
    finally:
        store.release(run.lock_path(call))


def _stored(run: Run, call: CallSource, key: str) -> CallResult | None:
    stored = store.read_json(run.result_path(call))
    if stored and stored.get("key") == key:
        return store.to_dataclass(CallResult, stored["result"])
    return None


def _analyze_and_store(call: CallSource, run: Run, engines: Engines, key: str,
                       progress: Progress | None) -> CallResult | CallError:
    stored = _stored(run, call, key)  # another worker may have finished it just before
    if stored is not None:
        return stored
    try:
        result = analyze_call(call, run, engines)
    except InputError as exc:
        return _fail(call, run, "input", exc.message, progress)
    except ModelNotFound:
        raise
    except Exception as exc:  # noqa: BLE001 - one bad call must not stop the batch
        if isinstance(exc, OSError) and store.is_disk_full(exc):
            raise  # a full disk fails every call after this one: the run stops
        return _fail(call, run, "analysis", f"{type(exc).__name__}: {exc}", progress)
    store.write_json(run.result_path(call), {"key": key, "result": result})
    run.error_path(call).unlink(missing_ok=True)
    say(progress, f"done: {call.path}")
    return result


def _result_options(options: Options) -> dict[str, Any]:
    return {k: v for k, v in asdict(options).items() if k not in ("device", "split_by_rep")}


def check_redaction(run: Run) -> None:
    """An output folder holds redacted results or unredacted ones, never both: a run of the
    other kind would leave the earlier run's text (cache, calls) beside its own.

    ``<out>/redaction.json`` records which; a folder with results but no record is unredacted.
    """
    marker = run.out / "redaction.json"
    recorded = store.read_json(marker)
    if isinstance(recorded, dict):
        before: bool | None = bool(recorded.get("redacted"))
    else:
        before = False if any((run.out / "calls").glob("*.json")) else None
    if before is None or before == run.options.redact:
        if not isinstance(recorded, dict):
            store.write_json(marker, {"redacted": run.options.redact})
        return
    if run.options.redact:
        raise RunError(str(run.out), "holds unredacted results of an earlier run: a redacted "
                                       "run needs a new output folder (or delete this one)")
    raise RunError(str(run.out), "holds redacted results: run with --redact again, or give a "
                                   "new output folder")


def _scrubbed(error: CallError, run: Run) -> CallError:
    """In a redacted run, an error's reason quotes nothing from the file (see scrub_reason)."""
    return replace(error, reason=scrub_reason(error.reason)) if run.options.redact else error


def _fail(call: CallSource, run: Run, stage: str, reason: str,
          progress: Progress | None) -> CallError:
    error = _scrubbed(CallError(call.call_id, call.rep, call.path, stage, reason), run)
    store.write_json(run.error_path(call), error)
    say(progress, f"error: {call.path}: {error.reason}")
    return error
