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

from analyzer.cluster import run_on_dask
from analyzer.inputs import Inputs, find_calls
from analyzer.job import run_call, stored_outcome, stored_result
from analyzer.outputs import stream_outputs
from analyzer.pipeline import Engines, Progress, Run, load_roster, models_version
from analyzer.progress import Tracker
from analyzer.tables import Results
from analyzer.types import CallError, CallOutcome, CallResult, CallSource, Execution, Options
from analyzer.workers import default_workers, run_pool, runtime_setting

WAIT_S = 2.0
Record = Callable[[CallOutcome], None]


def analyze(paths: Sequence[str | Path], out: str | Path, *, manifest: str | Path | None = None,
            options: Options | None = None, engines: Engines | None = None,
            progress: Progress | Tracker | None = None,
            execution: Execution | None = None) -> Results:
    """Analyze every call found in ``paths`` (and ``manifest``); write and return the tables.

    Calls already finished in ``out`` under the same content and options are not redone
    (unless ``execution.force``). ``execution`` spreads the calls over worker processes or a
    Dask cluster; given ``engines`` (models already loaded), the calls run in this process.
    """
    options = options or Options()
    execution = execution or Execution()
    tracker = progress if isinstance(progress, Tracker) else Tracker(progress)
    run = Run(Path(out), options, models_version(), load_roster(options.roster),
              execution.force)
    found = find_calls(paths, manifest, rep=options.rep, skip=out)
    for error in found.errors:
        tracker.fail(error.path, error.reason)
    try:
        outcomes = _analyze_all(found.calls, run, execution, engines, tracker)
    finally:
        tracker.close()
    group = int(runtime_setting("row_group_calls"))
    results = stream_outputs(_stored(found, outcomes, run), run.out, group)
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
        tracker(f"waiting for {len(waiting)} calls other workers are analyzing")
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
    if execution.scheduler or execution.dask_local:
        run_on_dask(calls, run, execution.scheduler, execution.dask_local, record)
        return
    workers = execution.workers or default_workers(len(calls))
    if engines is None and min(workers, len(calls)) > 1:
        run_pool(calls, run, min(workers, len(calls)), record)
        return
    engines = engines or Engines(run.options)
    for call in calls:
        record(run_call(call, run, engines))


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
