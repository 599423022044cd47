"""Kinds of input file: what is a recording, what is a transcript, and which recording goes
with a transcript. The input stage finds calls by these; the loaders read them."""

from __future__ import annotations

from pathlib import Path

AUDIO_SUFFIXES = (".wav", ".mp3", ".m4a", ".flac", ".ogg", ".opus", ".webm", ".mp4")
TRANSCRIPT_SUFFIXES = (".vtt", ".srt", ".json", ".txt", ".md")


def is_audio(path: str | Path) -> bool:
    """True when the file's suffix is one of a recording (compared case-insensitively)."""
    return Path(path).suffix.lower() in AUDIO_SUFFIXES


def linked_audio(path: str | Path) -> str:
    """The recording next to a transcript with the same stem ("" when there is none).

    ``call.vtt`` links ``call.wav`` (or .mp3, .m4a, ...); ``call.transcript.vtt`` links
    ``call.m4a`` too. Suffixes are compared case-insensitively.
    """
    path = Path(path)
    stems = {path.stem, path.stem.removesuffix(".transcript")}
    try:
        siblings = {p.suffix.lower(): p for p in path.parent.iterdir()
                    if p.is_file() and p.stem in stems and p.suffix.lower() in AUDIO_SUFFIXES}
    except OSError:
        return ""
    for suffix in AUDIO_SUFFIXES:
        if suffix in siblings:
            return str(siblings[suffix])
    return ""
