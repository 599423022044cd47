"""Search benchmark for `make bench`: `callcoach search` over a synthetic archive of 10,000
calls (about 3 million utterances), its CPU time and peak memory, each search run in a fresh
process. Printed, never asserted.

The archive's tables are written once, as a run writes them (``gather.gather_tables``: row
groups of 200 calls), into the cache folder, with a 1,000-call archive beside it: the peak
memory of the same search over both says whether memory stays flat in the archive's size.

    python -m analyzer.evaluate.bench search
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from analyzer.coach.stream_tables import gather_tables
from analyzer.types import CallMetrics, CallResult, CallSource, Flag, RoleAssignment, Utterance

VERSION = 2
REPS = ("avery", "blake", "casey", "devon", "emery", "finley", "gray", "harper")
WORDS = ("we", "you", "team", "price", "onboarding", "the", "a", "quarter", "budget", "plan",
         "today", "next", "week", "call", "demo", "approval", "finance", "spreadsheet", "tool",
         "is", "are", "our", "your", "can", "will", "send", "show", "need", "think", "about",
         "contract", "renewal", "seats", "users", "payroll", "connect", "report", "slow",
         "fast", "cheaper", "market", "leader", "best", "only", "until", "friday", "boss",
         "sign", "month", "year", "pilot", "summary", "process", "painful", "works", "hired",
         "people", "weeks", "honestly", "right", "okay", "so", "and", "but", "if", "that")
PLANTED = ("what is the discount", "can you do a better price",
           "this price is only good until friday", "we are switching to acme")
SEARCHES = {"phrase": ["discount"], "phrase_rep": ["better price", "--rep", "avery"],
            "phrase_label": ["price", "--label", "pushy_close"],
            "any_customer": ["--any", "acme", "discount", "--role", "customer"]}


def archive_dir(calls: int) -> Path:
    """Where the synthetic run of ``calls`` calls is kept between runs of the benchmark."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "callcoach" / "bench" / f"search-v{VERSION}-{calls}"


def build_run(calls: int, utterances: int = 300) -> Path:
    """The tables of a run of ``calls`` synthetic calls (once; reused afterwards)."""
    folder = archive_dir(calls)
    if (folder / "complete").is_file():
        return folder
    gather_tables(_results(calls, utterances), folder, load=False)
    (folder / "complete").write_text("")
    return folder


def _results(calls: int, utterances: int) -> Iterator[CallResult]:
    rng = random.Random(21)
    for index in range(calls):
        rep = REPS[index * len(REPS) // calls]  # by rep, as a run over rep folders is
        source = CallSource(f"{rep}/call-{index:05d}", rep, f"/archive/{rep}/{index}.wav",
                            date=f"2026-{1 + index % 12:02d}-{1 + index % 28:02d}")
        said = tuple(_utterance(n, rng) for n in range(rng.randint(utterances - 40,
                                                                  utterances + 40)))
        flags = tuple(Flag(u.role, u.start, u.end, "pushy_close", "urgency", "pc_only_until",
                           u.text, utterance=n) for n, u in enumerate(said)
                      if "only good until" in u.text)
        metrics = CallMetrics(duration_s=said[-1].end, source="whisper", role_method="channel",
                              role_confidence=1.0, rep_talk_share=rng.uniform(0.3, 0.8))
        yield CallResult(source, RoleAssignment(("left",), "channel", 1.0), said, metrics,
                         flags)


def _utterance(n: int, rng: random.Random) -> Utterance:
    text = " ".join(rng.choices(WORDS, k=rng.randint(4, 18))).capitalize() + "."
    if rng.random() < 0.002:
        text = f"{text} {rng.choice(PLANTED).capitalize()}?"
    side = ("left", "rep") if n % 2 == 0 else ("right", "customer")
    return Utterance(side[0], side[1], n * 4.0, n * 4.0 + 3.5, text)


def measure_search(command: list[str]) -> dict[str, float]:
    """One `callcoach search ... --format csv` in a fresh process: the CPU seconds of the
    command once Python is up (its imports, the search, the output), of the whole process, its
    peak memory (MB) and the matches it printed."""
    code = ("import json, sys, time\n"
            "from analyzer.cli import cli\n"
            "t = time.process_time()\n"
            "try:\n"
            "    cli.main(sys.argv[1:], prog_name='callcoach', standalone_mode=False)\n"
            "finally:\n"
            "    cpu = time.process_time() - t\n"
            # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent through exec.
            "    status = open('/proc/self/status').read()\n"
            "    peak = int(status.split('VmHWM:')[1].split()[0]) / 1024\n"
            "    print(json.dumps({'cpu': cpu, 'peak': peak}), file=sys.stderr)\n")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, "-c", code, "search", *command, "--format", "csv"],
                          check=True, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    inside = json.loads(done.stderr.strip().splitlines()[-1])
    total = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"cpu": inside["cpu"], "command_cpu": total, "peak": inside["peak"],
            "hits": float(len(done.stdout.splitlines()) - 1)}


def bench_search(calls: int = 10_000) -> dict[str, float]:
    """Every search figure: CPU time and peak memory of each search on the big archive, and
    the peak memory of the first over the same search on an archive a tenth the size."""
    start = time.perf_counter()
    big = build_run(calls)
    small = build_run(calls // 10)
    figures = {"search_archive_build_s": time.perf_counter() - start,
               "search_calls": float(calls)}
    import pyarrow.parquet as pq

    figures["search_utterances"] = float(pq.ParquetFile(big / "utterances.parquet")
                                         .metadata.num_rows)
    for name, args in SEARCHES.items():
        measured = measure_search([str(big), *args])
        figures.update({f"search_{name}_cpu_s": measured["cpu"],
                        f"search_{name}_command_cpu_s": measured["command_cpu"],
                        f"search_{name}_peak_rss_mb": measured["peak"],
                        f"search_{name}_hits": measured["hits"]})
    tenth = measure_search([str(small), *SEARCHES["phrase"]])
    figures["search_peak_rss_10000_over_1000_calls"] = (
        figures["search_phrase_peak_rss_mb"] / tenth["peak"])
    return figures


def main() -> None:
    """Print every search figure."""
    for name, value in bench_search().items():
        print(f"{name:40s} {value:10.3f}")


if __name__ == "__main__":
    main()
