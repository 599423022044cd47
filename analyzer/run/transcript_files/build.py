"""Shared building blocks of the transcript readers: clean segments, checked fields, errors."""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from analyzer.types import NAN, Segment, Transcript, Word

UNKNOWN_SPEAKER = "unknown"
# A tag or a note never holds its own opening bracket: "[^<>]" keeps a text of many "<" (or
# "[") without a closing one linear to read, where "[^>]" made it quadratic.
TAG_RE = re.compile(r"<[^<>]*>")
# Terminal colour codes and other control characters are never speech (exports from tools
# that log to a terminal carry them); tabs and line breaks are whitespace and stay.
_LINE_END_RE = re.compile(r"\r\n|\r|\n")
_CONTROL_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Non-speech annotations ("[noise]", "[laughter]") are not talk: they are dropped from the text.
_NON_SPEECH_RE = re.compile(r"\[[^\[\]]*\]")


class FormatError(ValueError):
    """A reader's complaint about the content (line or field); read_transcript adds the path."""


def segment(speaker: str, start: float, end: float, text: str, words: Iterable[Word] = (),
             where: str = "") -> Segment | None:
    """A cleaned segment, or None when nothing was said in it."""
    speaker = clean_name(speaker) or UNKNOWN_SPEAKER
    if end < start:
        raise FormatError(f"{where}: ends ({end:.3f} s) before it starts ({start:.3f} s)")
    kept = tuple(Word(w.start, w.end, w.text, clean_name(w.speaker) or speaker, w.probability)
                 for w in words if clean(w.text))
    text = clean(text) or " ".join(w.text for w in kept)
    return Segment(speaker, start, end, text, kept) if text else None


def group_words(words: Sequence[Word]) -> list[Segment | None]:
    """One segment per run of consecutive words by the same speaker."""
    segments: list[Segment | None] = []
    run: list[Word] = []
    for word in [w for w in words if clean(w.text)]:
        if run and word.speaker != run[-1].speaker:
            segments.append(_run_segment(run))
            run = []
        run.append(word)
    if run:
        segments.append(_run_segment(run))
    return segments


def _run_segment(run: Sequence[Word]) -> Segment | None:
    speaker = clean_name(run[0].speaker) or UNKNOWN_SPEAKER
    words = [Word(w.start, w.end, w.text, speaker, w.probability) for w in run]
    return segment(speaker, min(w.start for w in run), max(w.end for w in run),
                    " ".join(w.text for w in run), words)


def build(segments: Iterable[Segment | None], source: str, *, timed: bool = True,
           duration: float = NAN) -> Transcript:
    """A Transcript from the non-empty segments, sorted by start (file order when untimed)."""
    kept = [s for s in segments if s is not None]
    if not kept:
        raise FormatError("no speech: the transcript has no cue with text")
    if timed:
        kept.sort(key=lambda s: s.start)
    ends = [s.end for s in kept if math.isfinite(s.end)]
    if ends:
        duration = max(ends) if math.isnan(duration) else max(duration, *ends)
    speakers = tuple(dict.fromkeys(s.speaker for s in kept))
    return Transcript(tuple(kept), speakers, duration if timed else NAN, source, timed)


def clean(text: str) -> str:
    """Text without markup, entities, control characters and non-speech tags, whitespace
    collapsed."""
    return " ".join(_NON_SPEECH_RE.sub(" ", clean_name(text)).split())


def text_lines(text: str) -> list[str]:
    """The lines of a text transcript, control characters blanked.

    Lines end at CR, LF or CRLF only (as WebVTT and SubRip define them): a stray form feed or
    NEL inside a cue neither splits it nor ends its block.
    """
    return _LINE_END_RE.split(_CONTROL_RE.sub(" ", text.lstrip("\ufeff")))


def clean_name(text: str) -> str:
    """A speaker name (or text) without markup, entities and control characters."""
    text = _CONTROL_RE.sub(" ", html.unescape(TAG_RE.sub(" ", _CONTROL_RE.sub(" ", text))))
    return " ".join(text.split())


def word_from(item: Any, speaker: str, where: str, text_key: str, unit: float = 1.0,
              optional_times: bool = False) -> Word:
    """A Word from a JSON object; times are divided by ``unit`` (1000 for milliseconds)."""
    default = NAN if optional_times else None
    score = number(item, "score", where, default=1.0)
    return Word(number(item, "start", where, unit, default),
                number(item, "end", where, unit, default),
                text_field(item, text_key, where), label(item, "speaker", speaker),
                number(item, "confidence", where, default=score))


def label(item: Any, key: str, default: str) -> str:
    """A speaker label from a field, as text ("0" for 0), or ``default`` when absent."""
    value = item.get(key) if isinstance(item, Mapping) else None
    return default if value is None or value == "" else str(value).strip()


def parse_json(text: str) -> Any:
    """Parse JSON, or FormatError naming the line where it breaks."""
    try:
        return json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise FormatError(f"line {exc.lineno}: invalid JSON ({exc.msg})") from None
    except RecursionError:
        raise FormatError("JSON nested too deeply to be a transcript") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise FormatError(f"invalid JSON ({exc})"[:200]) from None


def field(obj: Any, key: str, where: str) -> Any:
    """A required field of a JSON object."""
    if not isinstance(obj, Mapping) or obj.get(key) is None:
        raise FormatError(f"field {_path(where, key)}: missing")
    return obj[key]


def object_field(obj: Any, key: str, where: str) -> Mapping[str, Any]:
    """A required field of a JSON object that is itself an object."""
    value = field(obj, key, where)
    if not isinstance(value, Mapping):
        raise FormatError(f"field {_path(where, key)}: expected an object")
    return value


def list_field(obj: Any, key: str, where: str, required: bool = True) -> list[Any]:
    """A list field of a JSON object (empty when absent and not required)."""
    value = obj.get(key) if isinstance(obj, Mapping) else None
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise FormatError(f"field {_path(where, key)}: expected a list")
    return value


def text_field(obj: Any, key: str, where: str, required: bool = True) -> str:
    """A text field of a JSON object (numbers are turned into text)."""
    value = obj.get(key) if isinstance(obj, Mapping) else None
    if value is None and not required:
        return ""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise FormatError(f"field {_path(where, key)}: expected text, got {value!r}"[:120])
    return str(value)


def number(obj: Any, key: str, where: str, unit: float = 1.0,
           default: float | None = None) -> float:
    """A time (divided by ``unit`` into seconds) or a score; AWS writes numbers as strings.

    Negative and non-finite values are errors.
    """
    value = obj.get(key) if isinstance(obj, Mapping) else None
    if value is None:
        if default is None:
            raise FormatError(f"field {_path(where, key)}: missing")
        return default
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise FormatError(f"field {_path(where, key)}: expected a number, got {value!r}"[:120]
                          ) from None
    if not math.isfinite(result) or result < 0 or isinstance(value, bool):
        raise FormatError(f"field {_path(where, key)}: {value!r} is not a time or score")
    return result / unit


def _path(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
