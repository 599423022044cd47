"""Archive-scale benchmark: a synthetic archive of stereo calls, and the figures that say
whether `callcoach analyze` is fit for a nightly run over tens of thousands of calls.

The archive is assembled once, into the cache folder, from stretches of real stereo calls
(../shared/realdata's SpokenWOZ calls when present) and the demo archive's, each call a
different draw, so no two files share a transcript. Every figure comes from runs of the real
command line in fresh processes, in one sitting:

(a) `analyze` time over a plain script's (load the model, transcribe every channel
    sequentially), batched and unbatched; (b) speed-up from 1 to 2 workers; (c) peak memory
    for 10 and 40 calls; (d) a cached re-run's time per call over the first run's;
    (e) a Dask LocalCluster of 2 workers against 2 local workers. ``machine_load_max`` is the
    highest 1-minute load average seen between runs: above about 2 on 2 cores, other work
    was competing and the ratios are to be taken with care.

    CALLCOACH_BENCH_CALL_S=600 python -m analyzer.evaluate.bench archive   (10-minute calls)
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from analyzer.run.audio import SAMPLE_RATE, load_audio
from analyzer.settings import REPO_DIR

VERSION = 1
CALL_S = float(os.environ.get("CALLCOACH_BENCH_CALL_S", 180))
ROUNDS = int(os.environ.get("CALLCOACH_BENCH_ROUNDS", 2))
SOURCES = [REPO_DIR.parent / "shared" / "realdata" / "spokenwoz" / "audio",
           REPO_DIR / "demo" / "archive"]


def archive_dir() -> Path:
    """Where the synthetic archive is kept between runs of the benchmark."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "callcoach" / "bench" / f"archive-v{VERSION}-{int(CALL_S)}s"


def build_archive(calls: int = 40) -> Path:
    """Assemble ``calls`` stereo calls of about CALL_S seconds (once; reused afterwards)."""
    folder = archive_dir()
    if (folder / "complete").is_file():
        return folder
    sources = [load_audio(p) for root in SOURCES if root.is_dir()
               for p in sorted(root.rglob("*")) if p.suffix in (".wav", ".opus")]
    sources = [a for a in sources if len(a.channels) == 2]
    for index in range(calls):
        left, right = _assemble(sources, np.random.default_rng(index))
        path = folder / f"rep{index % 4}" / f"call-{index:03d}.opus"
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_opus(path, left, right)
    for count in (10, calls):
        with open(folder / f"manifest-{count}.csv", "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["path", "rep"])
            writer.writerows([f"rep{i % 4}/call-{i:03d}.opus", f"rep{i % 4}"]
                             for i in range(count))
    (folder / "complete").write_text("")
    return folder


def _assemble(sources: list, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Stretches of 15-40 s of random source calls, back to back with short pauses."""
    pieces: list[np.ndarray] = []
    total = 0
    while total < CALL_S * SAMPLE_RATE:
        audio = sources[int(rng.integers(len(sources)))]
        length = min(int(rng.uniform(15, 40) * SAMPLE_RATE), audio.channels[0].size)
        start = int(rng.integers(0, audio.channels[0].size - length + 1))
        gap = np.zeros((2, int(rng.uniform(0.3, 1.0) * SAMPLE_RATE)), np.float32)
        pieces += [np.stack([c[start:start + length] for c in audio.channels]), gap]
        total += length + gap.shape[1]
    both = np.concatenate(pieces, axis=1)[:, : int(CALL_S * SAMPLE_RATE)]
    return both[0], both[1]


def _write_opus(path: Path, left: np.ndarray, right: np.ndarray) -> None:
    import av

    with av.open(str(path), "w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=SAMPLE_RATE, layout="stereo")
        stream.bit_rate = 32000
        pcm = (np.clip(np.stack([left, right], axis=1), -1, 1) * 32767).astype("<i2")
        for start in range(0, len(pcm), SAMPLE_RATE):
            frame = av.AudioFrame.from_ndarray(pcm[start:start + SAMPLE_RATE].reshape(1, -1),
                                               format="s16", layout="stereo")
            frame.sample_rate = SAMPLE_RATE
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def measure_archive(rounds: int = ROUNDS) -> dict[str, float]:
    """Every figure (a)-(e), from runs of the command line on the synthetic archive.

    The 10-call runs take turns ``rounds`` times and each counts its fastest time, so that a
    burst of other work on a shared machine does not decide a ratio.
    """
    folder = build_archive()
    m10, m40 = folder / "manifest-10.csv", folder / "manifest-40.csv"
    runs = {"plain": [sys.executable, "-m", "analyzer.evaluate.plain_whisper", str(m10)]}
    configs = {"unbatched": ("--workers", "1"), "one": ("--workers", "1"),
               "two": ("--workers", "2"), "dask": ("--dask-local", "2")}
    best: dict[str, float] = {}
    loads: list[float] = []
    with tempfile.TemporaryDirectory(prefix="callcoach-bench-") as scratch:
        work = Path(scratch)
        for turn in range(rounds):
            loads.append(os.getloadavg()[0])
            best["plain"] = min(best.get("plain", math.inf), _timed(runs["plain"]))
            for name, args in configs.items():
                out = work / f"{name}-{turn}"
                seconds, rss = _analyze(m10, out, *args, unbatched=name == "unbatched")
                best[name] = min(best.get(name, math.inf), seconds)
                best[f"{name}_rss"] = rss
                shutil.rmtree(out, ignore_errors=True)
        first40, rss40 = _analyze(m40, work / "forty", "--workers", "1")
        cached40, _ = _analyze(m40, work / "forty", "--workers", "1")
        loads.append(os.getloadavg()[0])
    return {"archive_call_s": CALL_S, "plain_whisper_10_calls_s": best["plain"],
            "analyze_10_calls_s": best["one"],
            "analyze_over_plain_whisper": best["one"] / best["plain"],
            "analyze_unbatched_over_plain_whisper": best["unbatched"] / best["plain"],
            "speedup_2_workers": best["one"] / best["two"],
            "peak_rss_10_calls_mb": best["one_rss"], "peak_rss_40_calls_mb": rss40,
            "peak_rss_40_over_10_calls": rss40 / best["one_rss"],
            "cached_rerun_per_call_over_first": cached40 / first40,
            "dask_local_over_local": best["dask"] / best["two"],
            "machine_load_max": max(loads)}


def _analyze(manifest: Path, out: Path, *args: str, unbatched: bool = False
             ) -> tuple[float, float]:
    """Wall time and peak memory (MB) of one `callcoach analyze` in a fresh process."""
    report = out.with_suffix(".rss.json")
    flags = ["--unbatched"] if unbatched else []
    seconds = _timed([sys.executable, "-m", "analyzer.evaluate.measured", str(report), *flags,
                      "--", "analyze", "--manifest", str(manifest), "--out", str(out),
                      "--quiet", *args])
    return seconds, float(json.loads(report.read_text())["peak_rss_mb"])


def _timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=REPO_DIR)
    return time.perf_counter() - start
