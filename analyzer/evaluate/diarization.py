"""Diarization error rate on the real mono material, and what diarizing costs.

    python -m analyzer.evaluate.diarization

Scores each clip with pyannote.metrics (collar 0.25 s, overlap scored) against its
reference RTTM: the pyannote sample, AMI dev00 and the SpokenWOZ calls mixed down to mono.
Clips that are missing are skipped. The time ratio divides diarization time by the time the
bundled tiny.en model takes to transcribe the same mono audio, both warmed up first (the
diarizer's warm-up is part of its load time, printed first).
"""

from __future__ import annotations

import time
from pathlib import Path

from analyzer.run.audio import load_audio, mixdown
from analyzer.run.diarize import Diarizer, read_rttm
from analyzer.settings import REPO_DIR

REALDATA = REPO_DIR.parent / "shared" / "realdata"


def clips(root: Path = REALDATA) -> list[tuple[str, Path, Path]]:
    """(name, audio, reference RTTM) of every evaluation clip present under ``root``."""
    found = [("pyannote_sample", root / "pyannote_sample" / "sample.wav",
              root / "pyannote_sample" / "sample.rttm"),
             ("ami_dev00", root / "ami_dev00" / "dev00.wav", root / "ami_dev00" / "dev00.rttm")]
    for audio in sorted((root / "spokenwoz" / "audio").glob("*.wav")):
        found.append((f"spokenwoz_{audio.stem}", audio,
                      root / "spokenwoz" / "rttm" / f"{audio.stem}.rttm"))
    return [c for c in found if c[1].is_file() and c[2].is_file()]


def der(reference: tuple, hypothesis: tuple) -> dict[str, float]:
    """DER and its parts (as shares of reference speech), collar 0.25 s, overlap scored."""
    from pyannote.core import Annotation, Segment, Timeline
    from pyannote.metrics.diarization import DiarizationErrorRate

    def annotation(turns: tuple) -> Annotation:
        result = Annotation()
        for i, t in enumerate(turns):
            result[Segment(t.start, t.end), i] = t.speaker
        return result

    end = max(t.end for t in (*reference, *hypothesis)) if reference or hypothesis else 0.0
    detail = DiarizationErrorRate(collar=0.25, skip_overlap=False)(
        annotation(reference), annotation(hypothesis), uem=Timeline([Segment(0.0, end)]),
        detailed=True)
    total = max(detail["total"], 1e-9)
    return {"der": detail["diarization error rate"], "missed": detail["missed detection"] / total,
            "false_alarm": detail["false alarm"] / total, "confusion": detail["confusion"] / total}


def main() -> None:
    """Print DER per clip, then diarization time over transcription time."""
    start = time.perf_counter()
    diarizer = Diarizer.load()
    print(f"diarizer load and warm-up: {time.perf_counter() - start:.2f} s")
    stt = _transcriber()
    found = clips()
    if found:
        _time_transcription(stt, mixdown(load_audio(found[0][1]))[:5 * 16000])
    diar_s = stt_s = 0.0
    print(f"{'clip':24} {'DER':>6} {'miss':>6} {'FA':>6} {'conf':>6} {'spk':>4} {'diar s':>7} "
          f"{'stt s':>6}")
    for name, audio_path, rttm in found:
        samples = mixdown(load_audio(audio_path))
        start = time.perf_counter()
        turns = diarizer.diarize(samples, 16000)
        d = time.perf_counter() - start
        s = _time_transcription(stt, samples)
        diar_s, stt_s = diar_s + d, stt_s + s
        r = der(read_rttm(rttm), turns)
        print(f"{name:24} {r['der']:6.3f} {r['missed']:6.3f} {r['false_alarm']:6.3f} "
              f"{r['confusion']:6.3f} {len({t.speaker for t in turns}):4d} {d:7.2f} {s:6.2f}")
    if stt_s:
        print(f"diarization_over_transcription: {diar_s / stt_s:.2f}")


def _transcriber() -> object | None:
    try:
        from analyzer.run.speech_to_text import WhisperTranscriber

        return WhisperTranscriber.load()
    except Exception:  # noqa: BLE001 - the ratio is optional; DER is the point
        return None


def _time_transcription(stt: object | None, samples: object) -> float:
    if stt is None:
        return 0.0
    start = time.perf_counter()
    stt.transcribe(samples, "mono")  # type: ignore[attr-defined]
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
