"""Import transcripts: read a transcript made elsewhere into the Transcript the audio path makes.

Every reader takes the file's text and returns a ``Transcript`` whose segments are sorted by
start, each speaker named as the file names them (trimmed; "unknown" when a cue has none).
Overlapping cues are kept as they are; empty cues, and cues that are only non-speech tags such
as ``[noise]``, are skipped. Word-level formats are grouped into one segment per run of words by
the same speaker, keeping the words. Plain text has no times: ``timed`` is False and every time
is nan. The formats are listed in ``FORMATS_HELP``; the readers live in ``text`` (WebVTT,
SubRip, Fathom, Fireflies, plain text), ``services`` (speech-service JSON) and ``own``
(CallCoach JSON).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from analyzer.errors import InputError
from analyzer.run.files import TRANSCRIPT_SUFFIXES, linked_audio
from analyzer.run.transcript_files.build import UNKNOWN_SPEAKER, FormatError, parse_json
from analyzer.run.transcript_files.own import OWN_FORMAT, read_callcoach, write_transcript_json
from analyzer.run.transcript_files.services import (
    json_shape,
    read_assemblyai,
    read_aws,
    read_deepgram,
    read_gridspace,
    read_whisperx,
)
from analyzer.run.transcript_files.text import (
    CUE_TIMING_RE,
    looks_like_fathom,
    looks_like_fireflies,
    read_fathom,
    read_fireflies,
    read_srt,
    read_txt,
    read_vtt,
)
from analyzer.types import Transcript

__all__ = ["FORMATS", "FORMATS_HELP", "OWN_FORMAT", "READERS", "TRANSCRIPT_SUFFIXES",
           "UNKNOWN_SPEAKER", "TranscriptError", "detect_format", "format_name",
           "linked_audio", "read_transcript", "write_transcript_json"]

FORMATS_HELP = {
    "vtt": "WebVTT: Zoom (`Name: text`) and Teams (`<v Name>text</v>`) exports",
    "srt": "SubRip subtitles, the speaker as a `Name:` prefix",
    "txt": "plain text, one `Name: text` line per utterance, no times",
    "fathom": "Fathom's notes export: a `m:ss - Name` header before each turn's lines",
    "fireflies": "Markdown: Fireflies' export (`**Name**: text`) or meeting notes "
                 "(`**Name:** text` under `## Transcript`)",
    "whisperx": "WhisperX / Whisper JSON: `segments` with `speaker` and `words`",
    "assemblyai": "AssemblyAI JSON: `utterances` (times in ms), or `words` with `speaker`",
    "deepgram": "Deepgram JSON: `results.utterances`, or channel `words` with `speaker`",
    "aws": "AWS Transcribe JSON: `results.items` with `speaker_labels` or `channel_labels`",
    "gridspace": "Gridspace / Harper Valley JSON: a list of segments with `speaker_role`",
    "callcoach": "CallCoach's own transcript JSON (see write_transcript_json)",
}
FORMAT_ALIASES = {"webvtt": "vtt", "zoom": "vtt", "teams": "vtt", "text": "txt",
                  "whisper": "whisperx", "transcribe": "aws", "harpervalley": "gridspace",
                  "harper-valley": "gridspace", "own": "callcoach", "json": "callcoach",
                  "markdown": "fireflies", "md": "fireflies"}


class TranscriptError(InputError):
    """A transcript that cannot be read; the message names the line or field at fault."""


def read_transcript(path: str | Path, fmt: str | None = None) -> Transcript:
    """Read a transcript file in any supported format (detected unless ``fmt`` names one).

    Raises TranscriptError naming the file and the line or field at fault.
    """
    name = str(path)
    text = _read_text(Path(path))
    fmt = format_name(fmt, name) if fmt else detect_format(text, name)
    try:
        return READERS[fmt](text)
    except FormatError as exc:
        raise TranscriptError(name, f"{fmt}: {exc}") from None


def format_name(fmt: str, path: str = "") -> str:
    """The canonical name of a format (``"zoom"`` -> ``"vtt"``); TranscriptError if unknown."""
    key = fmt.strip().lower()
    key = FORMAT_ALIASES.get(key, key)
    if key not in READERS:
        raise TranscriptError(path, f"unknown transcript format {fmt!r} "
                                    f"(known: {', '.join(FORMATS)})")
    return key


def detect_format(text: str, path: str) -> str:
    """Name the format of a transcript from its content.

    JSON is told apart by its fields; text by a ``WEBVTT`` header or cue timings (SubRip,
    unless the file is named .vtt), by Fathom's ``m:ss - Name`` turn headers or by Fireflies'
    ``**Name**: text`` lines (a ``.md`` file without them is no transcript); anything else is
    plain text. Raises TranscriptError for
    JSON that is invalid or of no known shape.
    """
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("WEBVTT"):
        return "vtt"
    if stripped[:1] in ("{", "["):
        try:
            return json_shape(parse_json(text))
        except FormatError as exc:
            raise TranscriptError(path, str(exc)) from None
    if CUE_TIMING_RE.search(stripped[:2000]):
        return "vtt" if path.lower().endswith(".vtt") else "srt"
    if looks_like_fireflies(stripped):
        return "fireflies"
    if path.lower().endswith(".md"):
        raise TranscriptError(path, "a Markdown file without '**Name**: text' lines is no "
                                    "transcript (CallCoach reads Fireflies' export and notes "
                                    "with a '## Transcript' section)")
    return "fathom" if looks_like_fathom(stripped) else "txt"


def _read_text(path: Path) -> str:
    """The file's text: UTF-8, or UTF-16 with its byte-order mark (some Windows exports).

    Anything else is an error naming the line, rather than text guessed in another encoding
    in which speaker names would come out wrong.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TranscriptError(str(path), f"cannot read ({exc.strerror or exc})") from None
    encoding = "utf-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    if encoding != "utf-16" and b"\0" in raw:
        raise TranscriptError(str(path), "not a text file (it holds binary data)")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        name = "UTF-16" if encoding == "utf-16" else "UTF-8"
        raise TranscriptError(str(path), f"line {line}: not {name} text "
                                         f"(byte {raw[exc.start]:#04x}); save it as UTF-8"
                              ) from None
    if not text.strip("\ufeff \t\r\n"):
        raise TranscriptError(str(path), "empty file")
    return text


READERS: dict[str, Callable[[str], Transcript]] = {
    "vtt": read_vtt, "srt": read_srt, "txt": read_txt, "fathom": read_fathom,
    "fireflies": read_fireflies, "whisperx": read_whisperx,
    "assemblyai": read_assemblyai, "deepgram": read_deepgram, "aws": read_aws,
    "gridspace": read_gridspace, "callcoach": read_callcoach,
}
FORMATS: tuple[str, ...] = tuple(READERS)
