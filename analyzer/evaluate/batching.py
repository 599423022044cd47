"""Batched against sequential transcription: speed and agreement of the words and their
timestamps, on the same channels with the same options. The measurement behind the
"batched" choice in models/transcription.json.

    python -m analyzer.evaluate.batching [AUDIO...]   (default: the bench archive's first
                                                       four calls and the demo archive)
"""

from __future__ import annotations

import difflib
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

from analyzer.evaluate.archive_bench import build_archive
from analyzer.run.audio import load_audio
from analyzer.run.recording import CHANNELS
from analyzer.run.speech_to_text import WhisperOptions, WhisperTranscriber
from analyzer.settings import REPO_DIR
from analyzer.types import Word

SPOKENWOZ = REPO_DIR.parent / "shared" / "realdata" / "spokenwoz" / "audio"


def compare(paths: list[Path], rounds: int = 3) -> dict[str, float]:
    """Seconds per mode (best of ``rounds``, alternating) and how far the words agree."""
    channels = [(c, s) for p in paths for c, s in zip(load_audio(p).channels, CHANNELS)]
    modes = {"batched": WhisperTranscriber.load(WhisperOptions(batched=True)),
             "sequential": WhisperTranscriber.load(WhisperOptions(batched=False))}
    seconds = {mode: float("inf") for mode in modes}
    words: dict[str, list[list[Word]]] = {}
    for _ in range(rounds):
        for mode, stt in modes.items():
            start = time.perf_counter()
            out = [[w for seg in stt.transcribe(c, s) for w in seg.words] for c, s in channels]
            seconds[mode] = min(seconds[mode], time.perf_counter() - start)
            words[mode] = out
    audio_s = sum(c.size for c, _ in channels) / 16000
    figures = {"channel_audio_s": audio_s, "batched_s": seconds["batched"],
               "sequential_s": seconds["sequential"],
               "batched_over_sequential": seconds["batched"] / seconds["sequential"]}
    figures.update(_agreement(words["sequential"], words["batched"]))
    return figures


def _agreement(reference: list[list[Word]], other: list[list[Word]]) -> dict[str, float]:
    """Share of the reference words found (in order) in the other, and how far apart the
    timestamps of those words are."""
    matched, shifts = 0, []
    for ref, oth in zip(reference, other):
        match = difflib.SequenceMatcher(a=[w.text.lower() for w in ref],
                                        b=[w.text.lower() for w in oth], autojunk=False)
        for block in match.get_matching_blocks():
            for k in range(block.size):
                a, b = ref[block.a + k], oth[block.b + k]
                shifts += [abs(a.start - b.start), abs(a.end - b.end)]
            matched += block.size
    total = sum(len(r) for r in reference)
    return {"sequential_words": total, "batched_words": sum(len(o) for o in other),
            "words_in_common": matched / max(1, total),
            "timestamp_shift_median_s": float(np.median(shifts)) if shifts else 0.0,
            "timestamp_shift_p90_s": float(np.percentile(shifts, 90)) if shifts else 0.0}


def word_error_rates(calls: list[Path]) -> dict[str, float]:
    """Word error rate of each mode against the SpokenWOZ reference words (speaker A on
    the left channel, B on the right), over every channel of ``calls``."""
    errors = {"batched": 0, "sequential": 0}
    total = 0
    for path in calls:
        reference = json.loads((path.parent.parent / "text" / f"{path.stem}.json").read_text())
        audio = load_audio(path)
        for channel, speaker, side in zip(audio.channels, CHANNELS, "AB"):
            truth = _normal(" ".join(w["word"] for w in reference if w["speaker"] == side))
            total += len(truth)
            for mode in errors:
                stt = WhisperTranscriber.load(WhisperOptions(batched=mode == "batched"))
                heard = _normal(" ".join(s.text for s in stt.transcribe(channel, speaker)))
                errors[mode] += _edits(truth, heard)
    return {f"{mode}_wer": count / max(1, total) for mode, count in errors.items()}


def _normal(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]", " ", text.lower()).split()


def _edits(a: list[str], b: list[str]) -> int:
    """Word-level Levenshtein distance."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def main() -> None:
    """Compare the modes on the files given, or on the default set (and their word error
    rates on the SpokenWOZ calls when ../shared/realdata is there)."""
    paths = [Path(p) for p in sys.argv[1:]] or [
        *sorted(build_archive().rglob("call-00[0-3].opus")),
        *sorted((REPO_DIR / "demo" / "archive").rglob("*.opus"))]
    figures = compare(paths)
    if SPOKENWOZ.is_dir() and not sys.argv[1:]:
        figures.update(word_error_rates(sorted(SPOKENWOZ.glob("*.wav"))))
    for name, value in figures.items():
        print(f"{name:28s} {value:10.3f}")


if __name__ == "__main__":
    main()
