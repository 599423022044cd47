"""Text transcripts: WebVTT (Zoom, Teams), SubRip, Fathom notes exports, Fireflies' Markdown
exports and plain ``Name: text`` lines."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from analyzer.run.transcript_files.build import TAG_RE, FormatError, build, segment, text_lines
from analyzer.types import NAN, Segment, Transcript

_TIMESTAMP_RE = re.compile(r"^(?:(\d{1,5}):)?(\d{1,2}):(\d{2})[.,](\d{1,3})$")
_TIMING_RE = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)")
CUE_TIMING_RE = re.compile(r"^\s*(?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3}\s+-->",
                           re.MULTILINE)
# "[^<>]", not "[^>]": a tag never spans another "<", so a line of many "<v" is read in linear
# time instead of quadratic.
_VOICE_RE = re.compile(r"<v(?:\.[^\s<>]*)?(?:\s+([^<>]*))?>")
_MAX_NAME_CHARS = 60
_NOT_IN_NAMES = set('?!;"“”')
_MAX_NAME_WORDS = 5
# Fathom's export: a "0:26 - Yasen Kawan (emoneyreselling.com)" header ("@0:26 - ..." in some
# copies) before each turn's lines; the lines it inserts itself are no speech.
_FATHOM_HEAD_RE = re.compile(r"^@?(?:(\d{1,2}):)?(\d{1,3}):(\d{2}) - (\S.*?)\s*$")
_FATHOM_INSERTED = ("ACTION ITEM", "- WATCH", "WATCH:")
# Fireflies' Markdown export: the meeting's header ("**Date**: ...", "**Participants**: ...")
# and a "## Transcript" heading, then one "**Name**: sentence" line per sentence. Meeting notes
# made from Fireflies or Fathom write "**Name:** text" or "**Name (12:34):** text" under a
# "## Transcript" or "## Full Transcript" heading, after a summary (the time is not kept).
_FIREFLIES_LINE_RE = re.compile(
    r"^\*\*([^*]{1,60}?)(?: \((?:\d{1,2}:)?\d{1,2}:\d{2}\))?(?:\*\*:|:\*\*)[ \t]*(.*)$")
_TRANSCRIPT_HEADING_RE = re.compile(r"^#{1,3} +(?:full +)?transcript\s*$",
                                    re.IGNORECASE | re.MULTILINE)
_FIREFLIES_HEADER = ("meeting id", "date", "duration", "transcript", "participants", "title",
                     "organizer", "attendees", "time", "meeting link", "source")
# The last turn of a Fathom export has no end: it lasts as long as its words take at 150 words
# a minute.
_SECONDS_PER_WORD = 0.4


def read_vtt(text: str) -> Transcript:
    """WebVTT: the speaker from a ``<v Name>`` tag (Teams) or a ``Name:`` prefix (Zoom)."""
    lines = text_lines(text)
    if not lines[0].startswith("WEBVTT"):
        raise FormatError("line 1: a WebVTT file starts with 'WEBVTT' "
                          "(--format srt reads cues without it)")
    blocks = list(_blocks(lines))
    header_line, header = blocks[0]
    arrows = [i for i, line in enumerate(header) if "-->" in line]
    # A header glued to the first cue (no blank line between) still yields that cue.
    blocks[0] = (header_line + arrows[0], header[arrows[0]:]) if arrows else (0, [])
    skipped = ("NOTE", "STYLE", "REGION")
    cues = [(n, b) for n, b in blocks if b and not b[0].startswith(skipped)]
    return build((_cue(n, b, voice=True) for n, b in cues), "vtt")


def read_srt(text: str) -> Transcript:
    """SubRip: numbered cues with ``hh:mm:ss,mmm`` times, speakers as ``Name:`` prefixes."""
    blocks = list(_blocks(text_lines(text)))
    return build((_cue(n, b, voice=False) for n, b in blocks), "srt")


def read_txt(text: str) -> Transcript:
    """Plain text: ``Name: text`` lines; a line naming nobody continues the last speaker."""
    segments = []
    speaker = ""
    for line in text_lines(text):
        if not line.strip():
            continue
        named = _split_name(line)
        if named:
            speaker, line = named
        segments.append(segment(speaker, NAN, NAN, line, where=""))
    return build(segments, "txt", timed=False)


def read_fathom(text: str) -> Transcript:
    """Fathom's notes export: a ``m:ss - Name`` header, then the turn's lines. A turn ends
    where the next begins (the export gives starts only, to the second); the title, the
    recording link and Fathom's ``ACTION ITEM`` and ``WATCH`` lines are skipped."""
    turns: list[tuple[int, float, str, list[str]]] = []
    for number, line in enumerate(text_lines(text), 1):
        head = _FATHOM_HEAD_RE.match(line.strip())
        if head:
            hours, minutes, seconds, name = head.groups()
            start = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
            turns.append((number, float(start), name, []))
        elif turns and line.strip() and not line.strip().startswith(_FATHOM_INSERTED):
            turns[-1][3].append(line.strip())
    if not turns:
        raise FormatError("line 1: no 'm:ss - Name' turn header (Fathom puts one before "
                          "each turn)")
    ends = [t[1] for t in turns[1:]] + [turns[-1][1] + _SECONDS_PER_WORD * len(
        " ".join(turns[-1][3]).split())]
    return build((segment(name, start, max(end, start), " ".join(said), where=f"line {number}")
                  for (number, start, name, said), end in zip(turns, ends)), "fathom")


def looks_like_fathom(text: str) -> bool:
    """Two or more ``m:ss - Name`` turn headers near the top: a Fathom export."""
    return sum(bool(_FATHOM_HEAD_RE.match(line.strip()))
               for line in text_lines(text[:4000])) >= 2


def read_fireflies(text: str) -> Transcript:
    """Fireflies' Markdown export, and meeting notes in Markdown: ``**Name**: text``,
    ``**Name:** text`` or ``**Name (12:34):** text`` lines, without times. The title, the
    meeting's header (date, duration, participants, the link) and a notes summary are skipped:
    the lines after a ``## Transcript`` (or ``## Full Transcript``) heading when there is one;
    headings inside it are skipped; a line naming nobody continues the last speaker (before
    the first name, it is the header's)."""
    lines = text_lines(text)
    heading = next((i for i, line in enumerate(lines)
                    if _TRANSCRIPT_HEADING_RE.match(line.strip())), -1)
    segments = []
    speaker = ""
    for number, line in enumerate(lines[heading + 1:], heading + 2):
        named = _FIREFLIES_LINE_RE.match(line.strip())
        if named and named.group(1).strip().lower() in _FIREFLIES_HEADER and heading < 0:
            continue
        if named:
            speaker, line = named.group(1).strip(), named.group(2)
        if speaker and line.strip() and not line.lstrip().startswith("#"):
            segments.append(segment(speaker, NAN, NAN, line.strip(), where=f"line {number}"))
    if not segments:
        raise FormatError("line 1: no '**Name**: text' line (Fireflies writes one per sentence)")
    return build(segments, "fireflies", timed=False)


def looks_like_fireflies(text: str) -> bool:
    """Two or more ``**Name**: text`` lines that are no header's (``**Date**:``) near the top,
    or near a ``## Transcript`` heading."""
    heading = _TRANSCRIPT_HEADING_RE.search(text)
    start = heading.end() if heading else 0
    names = [m.group(1).strip().lower() for m in map(_FIREFLIES_LINE_RE.match,
                                                     text_lines(text[start:start + 4000]))
             if m]
    return sum(n not in _FIREFLIES_HEADER for n in names) >= 2


def _blocks(lines: Sequence[str]) -> Iterator[tuple[int, list[str]]]:
    """Groups of non-blank lines, each with the 1-based number of its first line."""
    block: list[str] = []
    first = 0
    for number, line in enumerate(lines, 1):
        if line.strip():
            first = first or number
            block.append(line)
        elif block:
            yield first, block
            block, first = [], 0
    if block:
        yield first, block


def _cue(first_line: int, block: list[str], voice: bool) -> Segment | None:
    """One cue: an optional identifier, the timing line, then the payload lines."""
    timing = next((i for i, line in enumerate(block[:2]) if "-->" in line), None)
    if timing is None:
        raise FormatError(f"line {first_line}: expected a cue timing 'start --> end', "
                          f"got {block[0][:60]!r}")
    line_no = first_line + timing
    match = _TIMING_RE.match(block[timing])
    if not match:
        raise FormatError(f"line {line_no}: bad cue timing {block[timing][:60]!r}")
    start, end = (_timestamp(t, line_no) for t in match.groups())
    payload = " ".join(line.strip() for line in block[timing + 1:])
    speaker, words = _payload_speaker(payload, voice)
    return segment(speaker, start, end, words, where=f"line {line_no}")


def _payload_speaker(payload: str, voice: bool) -> tuple[str, str]:
    """Split a cue's text into (speaker, text) from a ``<v Name>`` tag or a ``Name:`` prefix."""
    tag = _VOICE_RE.search(payload) if voice else None
    if tag:
        return (tag.group(1) or "").strip(), payload
    named = _split_name(TAG_RE.sub("", payload))
    return named if named else ("", payload)


def _split_name(line: str) -> tuple[str, str] | None:
    """``"Priya Shah: hello"`` -> ("Priya Shah", "hello"); None when the line names nobody.

    A name is what comes before the first colon (at most 60 characters and five words), and
    the colon is followed by a space or ends the line. Done without a regular expression,
    whose backtracking took minutes on a long line of spaces.
    """
    head, colon, rest = line.partition(":")
    name = head.strip()
    if not colon or (rest and not rest[0].isspace()) or len(name) > _MAX_NAME_CHARS:
        return None
    if (not name or name.isdigit() or _NOT_IN_NAMES & set(name)
            or len(name.split()) > _MAX_NAME_WORDS):
        return None
    return name, rest.lstrip()


def _timestamp(value: str, line_no: int) -> float:
    match = _TIMESTAMP_RE.match(value)
    if not match:
        raise FormatError(f"line {line_no}: bad timestamp {value!r} (expected hh:mm:ss.mmm)")
    hours, minutes, seconds, fraction = match.groups()
    return (int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
            + int(fraction) / 10 ** len(fraction))
