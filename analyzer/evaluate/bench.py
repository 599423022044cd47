"""Benchmarks: speed ratios measured in one run, printed for `make bench`.

Every figure is a ratio of two timings taken in the same process on the same input, so it
means the same on a slow or a busy machine. Targets live in models/benchmarks.json.

    python -m analyzer.evaluate.bench
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from analyzer.evaluate.archive_bench import measure_archive
from analyzer.evaluate.bench_reports import bench_reports
from analyzer.evaluate.search_bench import bench_search
from analyzer.run.activity import channel_activity
from analyzer.run.audio import load_audio, mixdown
from analyzer.run.recording import CHANNELS
from analyzer.run.speech_to_text import WhisperTranscriber
from analyzer.settings import MODELS_DIR, REPO_DIR

DEMO = REPO_DIR / "demo" / "archive"
TARGETS = MODELS_DIR / "benchmarks.json"


def timed(work: Callable[[], object]) -> float:
    """Seconds one call of ``work`` takes."""
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def bench_transcription(calls: list[Path]) -> dict[str, float]:
    """Real-time factor of transcription and the cost of measuring speech activity."""
    start = time.perf_counter()
    stt = WhisperTranscriber.load()
    load_s = time.perf_counter() - start
    audio = [load_audio(p) for p in calls]
    seconds = sum(a.duration_s for a in audio)
    said: list[tuple] = []  # the transcripts, which the redaction benchmark reuses

    def transcribe(samples: object, speaker: str) -> None:
        said.append(stt.transcribe(samples, speaker))  # type: ignore[arg-type]

    stt_s = sum(timed(partial(transcribe, c, s))
                for a in audio for c, s in zip(a.channels, CHANNELS))
    activity_s = sum(timed(partial(channel_activity, a.channels, CHANNELS, a.sample_rate))
                     for a in audio)
    figures = {"audio_s": seconds, "model_load_s": load_s,
               "transcription_x_realtime": stt_s / seconds,
               "activity_over_transcription": activity_s / stt_s}
    figures.update(_bench_diarization(audio, stt_s))
    figures.update(_bench_redaction(said, stt_s))
    return figures


def _bench_redaction(said: list[tuple], stt_s: float) -> dict[str, float]:
    """What ``--redact`` adds: its patterns and name recogniser over the same transcripts."""
    from analyzer.call.redact import People, Redactor
    from analyzer.types import Transcript

    start = time.perf_counter()
    redactor = Redactor.load()
    load_s = time.perf_counter() - start
    calls = [Transcript(segments, ("x",), 0.0, "whisper") for segments in said]
    redact_s = sum(timed(partial(redactor.redact, c, People.of_call("alice"))) for c in calls)
    return {"redactor_load_s": load_s, "redaction_over_transcription": redact_s / stt_s}


def _bench_diarization(audio: list, stt_s: float) -> dict[str, float]:
    try:
        from analyzer.run.diarize import Diarizer
    except ImportError:
        return {}
    start = time.perf_counter()
    diarizer = Diarizer.load()
    load_s = time.perf_counter() - start
    mono = [mixdown(a) for a in audio]
    first_s = timed(lambda: diarizer.diarize(mono[0], 16000))
    total_s = sum(timed(partial(diarizer.diarize, m, 16000)) for m in mono)
    return {"diarizer_load_s": load_s, "diarization_first_call_s": first_s,
            "diarization_over_transcription": total_s / stt_s}


def bench_language() -> dict[str, float]:
    """Labelling 10,000 utterances against the bare spaCy model over the same texts."""
    from analyzer.evaluate.language import bench

    figures = bench()
    return {"labelling_over_bare_spacy": figures["ratio"],
            "labelling_over_same_components": figures["rules_ratio"]}


def main() -> None:
    """Run every benchmark (or those named as arguments: transcription, language, reports,
    archive, search) and print each figure beside its target."""
    benchmarks = json.loads(TARGETS.read_text(encoding="utf-8"))
    parts = sys.argv[1:] or ["transcription", "language", "reports", "archive", "search"]
    figures: dict[str, float] = {}
    if "transcription" in parts:
        figures.update(bench_transcription(sorted(DEMO.rglob("*.opus"))))
    if "language" in parts:
        figures.update(bench_language())
    if "reports" in parts:
        figures.update(bench_reports())  # report figures (issue 9): bench_reports.py
    if "archive" in parts:
        figures.update(measure_archive())
    if "search" in parts:
        figures.update(bench_search())  # search over 10,000 calls (issue 21): search_bench.py
    for name, value in figures.items():
        print(figure_line(name, value, benchmarks["targets"].get(name),
                          benchmarks.get("at_least", {}).get(name)))


def figure_line(name: str, value: float, most: float | None, least: float | None) -> str:
    """One printed figure: its value, its target (at most, or at least) and the verdict."""
    if most is not None:
        limit, verdict = f"(target <= {most})", "ok" if value <= most else "OVER TARGET"
    elif least is not None:
        limit, verdict = f"(target >= {least})", "ok" if value >= least else "UNDER TARGET"
    else:
        return f"{name:36s} {value:10.3f}"
    return f"{name:36s} {value:10.3f} {limit:18s} {verdict}"


if __name__ == "__main__":
    main()
