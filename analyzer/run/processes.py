"""Workers: the calls of a run spread over processes of this machine.

Each process loads its models once (its own ``Engines``) and analyzes one call after another;
the CPU threads of the models are divided between the processes, so that they do not fight
over the cores. Processes are started with "spawn": a fresh interpreter, nothing inherited
half-initialised from the parent's thread pools.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path

from analyzer.run.engines import Engines
from analyzer.run.job import run_call
from analyzer.run.store import Run
from analyzer.settings import runtime_setting
from analyzer.types import CallError, CallOutcome, CallSource, Options

THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
_engines: Engines | None = None  # this worker process's models, loaded once


def cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def available_memory_gb() -> float:
    """Memory the machine can still give (MemAvailable), in GiB."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30


def default_workers(calls: int) -> int:
    """As many workers as the cores and the memory can take, and no more than the calls."""
    need = runtime_setting("worker_memory_gb")
    by_memory = int(available_memory_gb() // need)
    return max(1, min(cores(), by_memory, calls))


def threads_per_worker(workers: int) -> int:
    """CPU threads each of ``workers`` processes may use."""
    return max(1, cores() // max(1, workers))


@contextmanager
def thread_limits(threads: int) -> Iterator[None]:
    """Set the OpenMP/BLAS thread variables that started processes inherit, then restore.

    They must be set before a process imports numpy or torch, hence at spawn time.
    """
    saved = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    os.environ.update({name: str(threads) for name in THREAD_VARIABLES})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_pool(calls: Sequence[CallSource], run: Run, on_outcome: Callable[[CallOutcome], None],
             workers: int) -> None:
    """Analyze ``calls`` in ``workers`` processes; ``on_outcome`` hears of each as it ends.

    When a worker process dies (killed, out of memory) the pool cannot go on: the calls not
    finished yet get one more chance in a new pool, and fail if that one dies too.
    """
    left = _pool_round(calls, run, workers, on_outcome, last=False)
    if left:
        _pool_round(left, run, workers, on_outcome, last=True)


def _pool_round(calls: Sequence[CallSource], run: Run, workers: int,
                on_outcome: Callable[[CallOutcome], None], last: bool) -> list[CallSource]:
    threads = threads_per_worker(workers)
    context = multiprocessing.get_context("spawn")
    broken: list[CallSource] = []
    with thread_limits(threads), ProcessPoolExecutor(
            workers, mp_context=context, initializer=start_worker,
            initargs=(run.options, threads)) as pool:
        futures = {pool.submit(work, call, run): call for call in calls}
        try:
            for future in as_completed(futures):
                try:
                    on_outcome(future.result())
                except BrokenProcessPool as exc:
                    if last:
                        on_outcome(_died(futures[future], exc))
                    else:
                        broken.append(futures[future])
        except BaseException:
            # Interrupted (Ctrl-C) or a fatal error: do not wait for the calls not started.
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return broken


def start_worker(options: Options, threads: int) -> None:
    """Set up one worker process: its models, loaded when its first call needs them, with
    ``threads`` CPU threads each (torch and BLAS read the variables ``thread_limits`` set)."""
    global _engines
    _engines = Engines(options, threads=threads)


def work(call: CallSource, run: Run) -> CallOutcome:
    """Analyze one call in this worker process with its models."""
    if _engines is None:
        start_worker(run.options, threads_per_worker(1))
    assert _engines is not None
    return run_call(call, run, _engines)


def _died(call: CallSource, exc: BaseException) -> CallOutcome:
    reason = f"the worker process analyzing it died ({exc})"
    return CallOutcome(call.call_id, call.path, "failed",
                       error=CallError(call.call_id, call.rep, call.path, "analysis", reason))

