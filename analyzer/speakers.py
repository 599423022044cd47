"""Separate speakers: a recording's audio becomes a transcript whose words know their speaker.

Stereo calls are separated by channel (each channel transcribed on its own); a mono call is
transcribed once and split by the diarizer when the diarization extra is installed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from analyzer.activity import channel_activity
from analyzer.audio import is_dual_mono, mixdown
from analyzer.settings import MODELS_DIR
from analyzer.transcribe import SpeechToText
from analyzer.types import Audio, Segment, SpeakerTurn, Transcript

CHANNELS = ("left", "right")
MONO = "mono"


def utterance_gap_s(path: Path = MODELS_DIR / "transcription.json") -> float:
    """Pause (seconds) within one speaker's speech that starts a new utterance."""
    return float(json.loads(path.read_text(encoding="utf-8"))["utterance_gap_s"])


def is_stereo(audio: Audio) -> bool:
    """True when the two channels carry different speakers (not a mono call saved twice)."""
    return len(audio.channels) == 2 and not is_dual_mono(audio)


VOICE_SAMPLE_S = 60


def transcribe_call(audio: Audio, stt: SpeechToText, diarizer: Any = None) -> Transcript:
    """Transcribe a call: per channel when stereo, else once, then diarize if possible.

    With a diarizer, the transcript also carries a voice print per speaker, so the rep of a
    mono call can be recognised by the voice learned from their other calls.
    """
    gap = utterance_gap_s()
    if is_stereo(audio):
        segments = [s for channel, speaker in zip(audio.channels, CHANNELS)
                    for s in split_at_pauses(stt.transcribe(channel, speaker), gap)]
        activity = channel_activity(audio.channels, CHANNELS, audio.sample_rate)
        transcript = _transcript(segments, audio.duration_s, activity)
        return replace(transcript, voices=_channel_voices(audio, diarizer))
    samples = mixdown(audio)
    mono = _transcript(split_at_pauses(stt.transcribe(samples, MONO), gap), audio.duration_s, ())
    if diarizer is None:
        return mono
    turns, voices = diarizer.diarize_with_voices(samples, audio.sample_rate)
    from analyzer.diarize import attach_speakers

    return replace(attach_speakers(mono, turns), activity=tuple(turns), voices=_plain(voices))


def _channel_voices(audio: Audio, diarizer: Any) -> dict[str, tuple[float, ...]]:
    """Each channel's main voice, from its first minute (a clean sample of one person)."""
    if diarizer is None:
        return {}
    head = audio.sample_rate * VOICE_SAMPLE_S
    return _plain({speaker: diarizer.voice(channel[:head], audio.sample_rate)
                   for channel, speaker in zip(audio.channels, CHANNELS)})


def _plain(voices: dict[str, Any]) -> dict[str, tuple[float, ...]]:
    return {s: tuple(round(float(x), 6) for x in v) for s, v in voices.items() if v is not None}


def split_at_pauses(segments: Sequence[Segment], gap_s: float) -> tuple[Segment, ...]:
    """Split segments where the speaker pauses for ``gap_s`` or more between two words.

    The batched transcriber returns chunks of up to 30 s; utterances are what a reader of
    the transcript expects to see, and what sentence labels are located by.
    """
    pieces: list[Segment] = []
    for segment in segments:
        if not segment.words:
            pieces.append(segment)
            continue
        run = [segment.words[0]]
        for word in segment.words[1:]:
            if word.start - run[-1].end >= gap_s:
                pieces.append(_from_words(segment.speaker, run))
                run = []
            run.append(word)
        pieces.append(_from_words(segment.speaker, run))
    return tuple(pieces)


def _from_words(speaker: str, words: list) -> Segment:
    text = " ".join(w.text for w in words)
    return Segment(speaker, words[0].start, words[-1].end, text, tuple(words))


def _transcript(segments: Sequence[Segment], duration: float,
                activity: tuple[SpeakerTurn, ...]) -> Transcript:
    ordered = tuple(sorted(segments, key=lambda s: (s.start, s.end)))
    speakers = tuple(dict.fromkeys(s.speaker for s in ordered))
    if not speakers and activity:
        speakers = tuple(dict.fromkeys(t.speaker for t in activity))
    return Transcript(ordered, speakers, duration, "whisper", True, activity)
