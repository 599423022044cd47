"""In this process: the calls of a run analyzed one after another with models already loaded.

One of three interchangeable ways to map the per-call job (``job.run_call``) over the calls,
beside ``processes`` (worker processes of this machine) and ``dask_cluster`` (a Dask
cluster): each takes the calls, the run and a callback that hears of every call as it ends.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from analyzer.run.engines import Engines
from analyzer.run.job import run_call
from analyzer.run.store import Run
from analyzer.types import CallOutcome, CallSource


def run_here(calls: Sequence[CallSource], run: Run, on_outcome: Callable[[CallOutcome], None],
             engines: Engines) -> None:
    """Analyze ``calls`` in this process with ``engines``; ``on_outcome`` hears of each."""
    for call in calls:
        on_outcome(run_call(call, run, engines))
