"""One call of a run, resumable and shared: its stored result when still valid, else the
call analyzed and its result (or failure) stored the moment it is done.

Results are keyed by the file's content and everything that changes the answer, so a run
killed at any point resumes where it stopped. A worker takes a call by creating its lock file,
so workers sharing an output folder (processes of one run, or runs on several machines) never
analyze a call twice.
"""

from __future__ import annotations

import math
from dataclasses import asdict, replace
from typing import Any

from analyzer import __version__, store
from analyzer.audio import file_digest
from analyzer.engines import Engines
from analyzer.errors import InputError
from analyzer.pipeline import Run, analyze_call
from analyzer.redact import scrub_reason
from analyzer.transcribe import ModelNotFound
from analyzer.types import CallError, CallOutcome, CallResult, CallSource, Options


def result_key(call: CallSource, run: Run) -> str:
    """The key a call's result is valid under (raises OSError when the file is unreadable)."""
    return store.run_key(file_digest(call.path), call, _result_options(run.options),
                         run.data_version, __version__)


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
    return CallOutcome(call.call_id, call.path, "cached")


def run_call(call: CallSource, run: Run, engines: Engines) -> CallOutcome:
    """Resume or analyze one call and store what came of it.

    Status "busy" means another worker sharing ``run.out`` is analyzing the call right now.
    """
    try:
        key = result_key(call, run)
    except OSError as exc:
        return _fail(call, run, "input", f"cannot read the file ({exc.strerror})")
    if not run.force and store.read_key(run.result_path(call)) == key:
        return CallOutcome(call.call_id, call.path, "cached")
    if not store.claim(run.lock_path(call)):
        return CallOutcome(call.call_id, call.path, "busy")
    try:
        # Another worker may have finished it between the check and the claim.
        if not run.force and store.read_key(run.result_path(call)) == key:
            return CallOutcome(call.call_id, call.path, "cached")
        return _analyze_and_store(call, run, engines, key)
    finally:
        store.release(run.lock_path(call))


def stored_result(call: CallSource, run: Run) -> CallResult | None:
    """The call's stored result, whatever its key; None when there is none."""
    stored = store.read_json(run.result_path(call))
    return store.to_dataclass(CallResult, stored["result"]) if stored else None


def _analyze_and_store(call: CallSource, run: Run, engines: Engines, key: str) -> CallOutcome:
    try:
        result = analyze_call(call, run, engines)
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
    duration = float(result.metrics.get("duration_s", 0.0) or 0.0)
    return CallOutcome(call.call_id, call.path, "analyzed",
                       0.0 if math.isnan(duration) else duration)


def _result_options(options: Options) -> dict[str, Any]:
    return {k: v for k, v in asdict(options).items() if k not in ("device", "split_by_rep")}


def scrubbed(error: CallError, options: Options) -> CallError:
    """In a redacted run, an error's reason quotes nothing from the file (see scrub_reason)."""
    return replace(error, reason=scrub_reason(error.reason)) if options.redact else error


def _fail(call: CallSource, run: Run, stage: str, reason: str) -> CallOutcome:
    error = scrubbed(CallError(call.call_id, call.rep, call.path, stage, reason), run.options)
    store.write_json(run.error_path(call), error)
    return CallOutcome(call.call_id, call.path, "failed", error=error)
