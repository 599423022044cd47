"""The batch: every call of a run, then the tables and the reports.

Calls whose stored result is still valid are taken as they are; the others are analyzed in
this process, in worker processes (``workers``) or on a Dask cluster (``cluster``), each result
stored in ``<out>/calls/`` the moment it is done (``job``), so a run killed at any point resumes
where it stopped and several runs can share one output folder. When every call is done, the
tables are gathered from the stored results and the reports written (``outputs``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from analyzer.coach.publish import stream_outputs
from analyzer.coach.tables import Results
from analyzer.errors import RunError
from analyzer.run import store
from analyzer.run.dask_cluster import run_on_dask
from analyzer.run.engines import Engines
from analyzer.run.in_process import run_here
from analyzer.run.inputs import Inputs, find_calls, load_corrections, load_roster
from analyzer.run.job import run_call, scrubbed, stored_outcome, stored_result
from analyzer.run.processes import default_workers, run_pool
from analyzer.run.progress import Say, Tracker, plural
from analyzer.run.store import Run, models_version
from analyzer.settings import runtime_setting
from analyzer.types import CallError, CallOutcome, CallResult, CallSource, Execution, Options

WAIT_S = 2.0
Record = Callable[[CallOutcome], None]


def analyze(paths: Sequence[str | Path], out: str | Path, *, manifest: str | Path | None = None,
            options: Options | None = None, engines: Engines | None = None,
            progress: Say | Tracker | None = None,
            execution: Execution | None = None, keep_rows: bool = True) -> Results:
    """Analyze every call found in ``paths`` (and ``manifest``); write and return the tables.

    The returned tables hold every utterance unless ``keep_rows`` is false (the command line:
    its memory then stays flat in the archive's size; the files hold them all either way).

    Calls already finished in ``out`` under the same content and options are not redone
    (unless ``execution.force``). ``execution`` spreads the calls over worker processes or a
    Dask cluster; given ``engines`` (models already loaded), the calls run in this process.
    Raises RunError when the run cannot start (no input found, ``out`` not writable, ``out``
    holding results of the other redaction mode) or cannot go on (``out`` full: the calls
    finished so far stay stored, and the next run resumes from them); ManifestError or
    RosterError for a file that cannot be read at all.
    """
    options = options or Options()
    execution = execution or Execution()
    store.check_writable(Path(out))
    run = Run(Path(out), options, models_version(), load_roster(options.roster),
              execution.force, load_corrections(Path(out) / "corrections.csv"))
    check_redaction(run)
    found = find_calls(paths, manifest, rep=options.rep, skip=out)
    if not found.calls and not found.errors:
        where = ", ".join(str(p) for p in paths) or str(manifest)
        raise RunError(where, "no recordings or transcripts found")
    found = replace(found, errors=tuple(scrubbed(e, options) for e in found.errors))
    tracker = progress if isinstance(progress, Tracker) else Tracker(progress)
    try:
        return _analyze_and_write(found, run, execution, engines, tracker, keep_rows)
    except OSError as exc:  # every input error is caught per call: this is the output failing
        done = len(list((run.out / "calls").glob("*.json")))
        kept = f"{plural(done, 'call')} {'is' if done == 1 else 'are'} done"
        raise RunError(str(run.out), f"cannot write to the output folder ({exc.strerror or exc})"
                                     f"; {kept} and kept in {run.out / 'calls'}: "
                                     f"run again to resume") from exc


def _analyze_and_write(found: Inputs, run: Run, execution: Execution, engines: Engines | None,
                       tracker: Tracker, keep_rows: bool) -> Results:
    for error in found.errors:
        tracker.fail(error.path, error.reason)
    try:
        outcomes = _analyze_all(found.calls, run, execution, engines, tracker)
    finally:
        tracker.close()
    group = int(runtime_setting("row_group_calls"))
    results = stream_outputs(_stored(found, outcomes, run), run.out, group,
                             split_by_rep=run.options.split_by_rep, keep_rows=keep_rows)
    tracker.finish(results.calls)
    return results


def _analyze_all(calls: Sequence[CallSource], run: Run, execution: Execution,
                 engines: Engines | None, tracker: Tracker) -> dict[str, CallOutcome]:
    outcomes: dict[str, CallOutcome] = {}

    def record(outcome: CallOutcome) -> None:
        outcomes[outcome.call_id] = outcome
        tracker.update(outcome)

    waiting = _not_cached(calls, run, record)
    tracker.start(len(calls) + tracker.counts["failed"])
    if waiting:
        _dispatch(waiting, run, execution, engines, record)
    engines = engines or Engines(run.options)
    while waiting := [c for c in waiting if outcomes[c.call_id].status == "busy"]:
        # Held by other runs sharing the folder: wait for their results here, and take a
        # call over (in this process) if its worker died.
        tracker(f"waiting for {plural(len(waiting), 'call')} other workers are analyzing")
        time.sleep(WAIT_S)
        run = replace(run, force=False)
        for call in _not_cached(waiting, run, record):
            record(run_call(call, run, engines))
    return outcomes


def _not_cached(calls: Sequence[CallSource], run: Run, record: Record) -> list[CallSource]:
    """The calls without a valid stored result; the others are recorded as cached."""
    left = []
    for call in calls:
        cached = stored_outcome(call, run)
        if cached is None:
            left.append(call)
        else:
            record(cached)
    return left


def _dispatch(calls: Sequence[CallSource], run: Run, execution: Execution,
              engines: Engines | None, record: Record) -> None:
    """Map the per-call job over ``calls`` one of three ways: on Dask, in worker processes,
    or in this process (with ``engines``, models already loaded)."""
    if execution.scheduler or execution.dask_local:
        run_on_dask(calls, run, record, execution.scheduler, execution.dask_local)
        return
    workers = min(execution.workers or default_workers(len(calls)), len(calls))
    if engines is None and workers > 1:
        run_pool(calls, run, record, workers)
        return
    run_here(calls, run, record, engines or Engines(run.options))


def _stored(found: Inputs, outcomes: dict[str, CallOutcome],
            run: Run) -> Iterator[CallResult | CallError]:
    """Every input's result or failure, in the order found, read from disk one at a time."""
    yield from found.errors
    for call in found.calls:
        error = outcomes[call.call_id].error
        result = stored_result(call, run) if error is None else None
        if result is not None:
            yield result
        else:
            yield error or CallError(call.call_id, call.rep, call.path, "analysis",
                                     "its stored result vanished before the tables were written")


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
