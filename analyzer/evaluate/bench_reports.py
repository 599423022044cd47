"""Report benchmarks for `make bench`: a synthetic archive of 200 transcribed calls, the time of
`callcoach report` on it (and on the same tables grown to 1,000 calls), the largest page, and
how long Chromium takes to load the pages. Printed, never asserted.

    python -m analyzer.evaluate.bench_reports
"""

from __future__ import annotations

import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from analyzer.coach.tables import Results, read_tables, write_tables
from analyzer.run.batch import analyze
from analyzer.types import Options

REPS = ("avery", "blake", "casey", "devon", "emery")
REP_LINES = (
    "How is your team handling onboarding today?", "What does a good quarter look like for you?",
    "Could you walk me through how approvals work?", "Tell me more about that.",
    "We are the market leader in onboarding software.", "Our product is simply the best.",
    "I have been the top rep here for five years.", "This price is only good until Friday.",
    "If I get you ten percent off, will you sign today?", "Everyone in your industry is "
    "switching to us.", "Let me show you the dashboard.", "That makes sense.",
    "We can set up a pilot next month.", "I will send you the summary after the call.")
CUSTOMER_LINES = (
    "We use spreadsheets and it is slow.", "Our finance team has to sign off on anything new.",
    "Last quarter we hired twelve people and onboarding took weeks.", "Right.",
    "I need to talk to my boss.", "What does it cost?", "Can it connect to our payroll system?",
    "Honestly the current process works, it is just painful.", "Okay.",
    "We tried another tool last year and nobody used it.")
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def synthetic_archive(folder: Path, calls: int = 200, seed: int = 9) -> Path:
    """``folder/<rep>/<date>-call-<n>.vtt``: calls of 5 to 30 minutes, about 150 utterances
    each, reps who talk from 35% to 75% of the time. Returns ``folder``."""
    rng = random.Random(seed)
    for index in range(calls):
        rep = REPS[index % len(REPS)]
        share = 0.35 + 0.1 * (index % len(REPS))
        path = folder / rep / f"2026-{1 + index % 12:02d}-{1 + index % 28:02d}-call-{index}.vtt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_vtt(rep, rng.uniform(300, 1800), rng.randint(130, 170), share, rng),
                        encoding="utf-8")
    return folder


def _vtt(rep: str, length_s: float, utterances: int, share: float, rng: random.Random) -> str:
    cues, clock = ["WEBVTT", ""], 0.0
    step = length_s / utterances
    for n in range(utterances):
        by_rep = n % 2 == 0
        span = step * 2 * (share if by_rep else 1 - share) * 0.95
        lines = REP_LINES if by_rep else CUSTOMER_LINES
        text = " ".join(rng.choice(lines) for _ in range(rng.randint(1, 3)))
        cues += [f"{_stamp(clock)} --> {_stamp(clock + span)}",
                 f"{rep.title() if by_rep else 'Customer'}: {text}", ""]
        clock += span + step * 0.05
    return "\n".join(cues)


def _stamp(seconds: float) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{int(hours):02d}:{int(minutes):02d}:{secs:06.3f}"


def grown(tables: Results, copies: int) -> Results:
    """The same tables with every call repeated ``copies`` times under new ids."""
    def repeat(frame: pd.DataFrame) -> pd.DataFrame:
        parts = [frame.assign(call_id=frame["call_id"] + f"-{k}") for k in range(copies)]
        return pd.concat(parts, ignore_index=True)

    return Results(repeat(tables.calls), tables.reps, repeat(tables.utterances),
                   repeat(tables.flags), tables.errors)


def time_report_command(out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of ``callcoach report OUT`` in a fresh process (start-up
    included); the CPU time barely moves when other work shares the machine, the wall time
    does."""
    command = [sys.executable, "-c", "from analyzer.cli import cli; cli()", "report", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def page_sizes(out: Path) -> tuple[Path, float, float]:
    """The largest page, its size and the size of all pages (MB), plotly.min.js apart."""
    pages = list(out.rglob("*.html"))
    largest = max(pages, key=lambda p: p.stat().st_size)
    return largest, largest.stat().st_size / 1e6, sum(p.stat().st_size for p in pages) / 1e6


def load_times(pages: list[Path], repeats: int = 3) -> dict[str, float]:
    """Median seconds from navigation to the load event in headless Chromium, per page."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {}
    if not CHROMIUM.is_file():
        return {}
    times: dict[str, float] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        for path in pages:
            samples = []
            for _ in range(repeats):
                page = browser.new_page()
                page.goto(path.resolve().as_uri(), wait_until="load")
                samples.append(page.evaluate(
                    "performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000)
                page.close()
            times[path.name] = statistics.median(samples)
        browser.close()
    return times


def bench_reports(calls: int = 200) -> dict[str, float]:
    """Every report figure, measured on a synthetic archive in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="callcoach-bench-") as tmp:
        archive = synthetic_archive(Path(tmp) / "archive", calls)
        out = Path(tmp) / "out"
        start = time.perf_counter()
        analyze([archive], out, options=Options(diarize=False))
        analyze_s = time.perf_counter() - start
        wall, cpu = time_report_command(out)
        figures = {"report_calls": float(calls), "report_analyze_s": analyze_s,
                   "report_command_s": wall, "report_command_cpu_s": cpu}
        largest, largest_mb, total_mb = page_sizes(out)
        figures.update({"report_largest_page_mb": largest_mb, "report_all_pages_mb": total_mb,
                        "report_plotly_js_mb": (out / "plotly.min.js").stat().st_size / 1e6})
        print(f"largest page: {largest.relative_to(out)}")
        rep_page = max((out / "reps").glob("*.html"), key=lambda p: p.stat().st_size)
        loads = load_times([out / "index.html", rep_page, largest])
        for name, key in ((out / "index.html", "index"), (rep_page, "rep"), (largest, "largest")):
            if name.name in loads:
                figures[f"page_load_{key}_s"] = loads[name.name]
        big = Path(tmp) / "big"
        write_tables(grown(read_tables(out), 1000 // calls), big)
        wall, cpu = time_report_command(big)
        figures.update({"report_1000_calls_s": wall, "report_1000_calls_cpu_s": cpu})
    return figures


def main() -> None:
    """Print every report figure."""
    for name, value in bench_reports().items():
        print(f"{name:36s} {value:10.3f}")


if __name__ == "__main__":
    main()
