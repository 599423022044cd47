"""CallCoach's own transcript JSON: what ``write_transcript_json`` writes and its reader reads."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from analyzer.run.transcript_files.build import (
    FormatError,
    field,
    list_field,
    number,
    parse_json,
    text_field,
)
from analyzer.types import NAN, Segment, SpeakerTurn, Transcript, Word

OWN_FORMAT = "callcoach-transcript"
OWN_VERSION = 1


def write_transcript_json(transcript: Transcript, path: str | Path) -> None:
    """Write a transcript in CallCoach's own JSON format, which ``read_transcript`` reads back.

    Layout: ``{"format": "callcoach-transcript", "version": 1, "source", "timed",
    "duration_s", "speakers": [...], "segments": [{"speaker", "start", "end", "text",
    "words": [{"start", "end", "text", "probability"[, "speaker"]}]}], "activity":
    [{"speaker", "start", "end"}]}``. Unknown times are null; a word names its speaker only
    when it differs from its segment's.
    """
    payload = {
        "format": OWN_FORMAT, "version": OWN_VERSION, "source": transcript.source,
        "timed": transcript.timed, "duration_s": _json_time(transcript.duration_s),
        "speakers": list(transcript.speakers),
        "segments": [_segment_json(s) for s in transcript.segments],
        "activity": [{"speaker": t.speaker, "start": t.start, "end": t.end}
                     for t in transcript.activity],
    }
    Path(path).write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")


def read_callcoach(text: str) -> Transcript:
    """Read what write_transcript_json wrote, exactly (no cleaning, no re-sorting)."""
    data = parse_json(text)
    version = field(data, "version", "")
    if not isinstance(version, int) or version > OWN_VERSION:
        raise FormatError(f"field version: {version!r} is not a version this CallCoach reads "
                          f"(up to {OWN_VERSION})")
    segments = tuple(_segment(seg, f"segments[{i}]")
                     for i, seg in enumerate(list_field(data, "segments", "")))
    if not segments:
        raise FormatError("field segments: no speech")
    activity = tuple(SpeakerTurn(text_field(t, "speaker", f"activity[{i}]"),
                                 number(t, "start", f"activity[{i}]"),
                                 number(t, "end", f"activity[{i}]"))
                     for i, t in enumerate(list_field(data, "activity", "", required=False)))
    found = tuple(dict.fromkeys(s.speaker for s in segments))
    declared = tuple(str(s) for s in list_field(data, "speakers", "", required=False))
    return Transcript(segments, declared + tuple(s for s in found if s not in declared),
                      number(data, "duration_s", "", default=NAN),
                      str(data.get("source") or "callcoach"), bool(data.get("timed", True)),
                      activity)


def _segment(seg: Any, where: str) -> Segment:
    speaker = text_field(seg, "speaker", where)
    start, end = (number(seg, key, where, default=NAN) for key in ("start", "end"))
    if end < start:
        raise FormatError(f"{where}: ends ({end:.3f} s) before it starts ({start:.3f} s)")
    words = tuple(
        Word(number(w, "start", f"{where}.words[{j}]", default=NAN),
             number(w, "end", f"{where}.words[{j}]", default=NAN),
             text_field(w, "text", f"{where}.words[{j}]"),
             text_field(w, "speaker", f"{where}.words[{j}]", required=False) or speaker,
             number(w, "probability", f"{where}.words[{j}]", default=1.0))
        for j, w in enumerate(list_field(seg, "words", where, required=False)))
    return Segment(speaker, start, end, text_field(seg, "text", where), words)


def _json_time(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _segment_json(seg: Segment) -> dict[str, Any]:
    words = []
    for w in seg.words:
        word = {"start": _json_time(w.start), "end": _json_time(w.end), "text": w.text,
                "probability": w.probability}
        if w.speaker != seg.speaker:
            word["speaker"] = w.speaker
        words.append(word)
    return {"speaker": seg.speaker, "start": _json_time(seg.start),
            "end": _json_time(seg.end), "text": seg.text, "words": words}
