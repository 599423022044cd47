"""Cluster: the calls of a run analyzed on a Dask distributed cluster, when one machine is not
enough (``--scheduler ADDRESS``), or on a LocalCluster started for the run (``--dask-local N``).

Dask schedules the calls, one task per call; each Dask worker process loads its models once
(kept for the next task) and writes each result into the output folder, which therefore must be
the same folder for every worker (a shared file system mounted at the same path). The process
that started the run then gathers the tables from that folder.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlparse

from analyzer.run.engines import Engines
from analyzer.run.job import run_call
from analyzer.run.processes import THREAD_VARIABLES, cores, threads_per_worker
from analyzer.run.store import Run, safe_name
from analyzer.types import CallError, CallOutcome, CallSource

CONNECT_TIMEOUT = "30s"
_engines: dict[tuple, Engines] = {}  # per worker process: models by (options, threads)
_one_call_at_a_time = threading.Lock()  # a worker run with --nthreads > 1 shares one Engines


class ClusterUnavailable(Exception):
    """Dask is not installed, or its scheduler cannot be reached."""


def run_on_dask(calls: Sequence[CallSource], run: Run, on_outcome: Callable[[CallOutcome], None],
                scheduler: str, local_workers: int) -> None:
    """Analyze ``calls`` on the cluster at ``scheduler``, or on a LocalCluster of
    ``local_workers`` processes; ``on_outcome`` hears of each call as it ends."""
    try:
        from distributed import as_completed
    except ImportError as exc:
        raise ClusterUnavailable(
            f"Dask is not installed ({exc}): pip install 'callcoach[cluster]'") from exc
    with _client(scheduler, local_workers) as client:
        hosts = _workers_by_host(client)
        futures = {client.submit(work, call, run, hosts, pure=False,
                                 key=f"callcoach-{safe_name(call.call_id)}-{i}"): call
                   for i, call in enumerate(calls)}
        for future in as_completed(futures):
            try:
                on_outcome(future.result())
            except Exception as exc:
                if type(exc).__name__ != "KilledWorker":
                    raise
                on_outcome(_lost(futures[future], exc))


def work(call: CallSource, run: Run, workers_by_host: dict[str, int]) -> CallOutcome:
    """One Dask task: analyze one call with this worker process's models, which use this
    host's cores divided by the worker processes on it."""
    threads = max(1, cores() // workers_by_host.get(_my_host(), 1))
    key = (run.options, threads)
    with _one_call_at_a_time:
        if key not in _engines:
            _engines[key] = Engines(run.options, threads=threads)
        return run_call(call, run, _engines[key])


@contextmanager
def _client(scheduler: str, local_workers: int) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except OSError as exc:
            raise ClusterUnavailable(f"cannot reach the Dask scheduler {scheduler}: {exc}") \
                from exc
        with client:
            yield client
        return
    threads = threads_per_worker(local_workers)
    env = {name: str(threads) for name in THREAD_VARIABLES}
    # Only critical logs: at shutdown a worker's heartbeat may race the closing scheduler and
    # log a harmless error with its traceback; a task's own errors reach the client anyway.
    with LocalCluster(n_workers=local_workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.CRITICAL, env=env) as cluster, \
            Client(cluster) as client:
        yield client


def _workers_by_host(client: Any) -> dict[str, int]:
    """How many worker processes run on each host (they share its cores)."""
    workers = client.scheduler_info(n_workers=-1)["workers"]
    return dict(Counter(_host(address) for address in workers))


def _my_host() -> str:
    from distributed import get_worker

    return _host(get_worker().address)


def _host(address: str) -> str:
    return urlparse(address).hostname or address


def _lost(call: CallSource, exc: BaseException) -> CallOutcome:
    reason = f"the Dask worker analyzing it died ({exc})"
    return CallOutcome(call.call_id, call.path, "failed",
                       error=CallError(call.call_id, call.rep, call.path, "analysis", reason))
