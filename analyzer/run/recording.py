"""Separate speakers: a recording's audio becomes a transcript whose words know their speaker.

Stereo calls are separated by channel (each channel transcribed on its own); a mono call is
transcribed once and split by the diarizer when the diarization extra is installed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.call.voice import VoiceSettings
from analyzer.run.activity import channel_activity
from analyzer.run.audio import SAMPLE_RATE, audio_windows, is_dual_mono, mixdown
from analyzer.run.speech_to_text import SpeechToText
from analyzer.settings import MODELS_DIR, read_json
from analyzer.types import Audio, Segment, SpeakerTurn, Transcript

CHANNELS = ("left", "right")
MONO = "mono"


def utterance_gap_s(path: Path = MODELS_DIR / "transcription.json") -> float:
    """Pause (seconds) within one speaker's speech that starts a new utterance."""
    return float(read_json(path)["utterance_gap_s"])


def window_settings(path: Path = MODELS_DIR / "transcription.json") -> tuple[float, float]:
    """Longest stretch of a call decoded and transcribed at once, and the stretch at its end
    searched for a quiet moment to cut it at (seconds)."""
    data = read_json(path)
    return float(data["window_s"]), float(data["window_search_s"])


def is_stereo(audio: Audio) -> bool:
    """True when the two channels carry different speakers (not a mono call saved twice)."""
    return len(audio.channels) == 2 and not is_dual_mono(audio)


def open_recording(path: str | Path) -> tuple[bool, Iterator[Audio]]:
    """Whether a recording holds two voices on two channels, and its audio a window at a time
    (``window_settings``), so that a two-hour call is never held in memory whole.

    Raises InputError naming the file when it cannot be decoded.
    """
    windows = audio_windows(path, *window_settings())
    first = next(windows)
    return is_stereo(first), chain([first], windows)


def transcribe_windows(windows: Iterable[Audio], stt: SpeechToText, diarizer: Any = None,
                       voice_of: Sequence[str] = CHANNELS) -> Transcript:
    """Transcribe a call given a window at a time, each window's times shifted by its offset:
    per channel when stereo (decided on the first window), else once, then diarized when a
    diarizer is given (the whole mono mix is kept for it: it clusters voices over the call).

    With a diarizer, the transcript also carries a voice print per speaker (of a stereo
    call: of the channels in ``voice_of``, from their first minute), so the rep of a mono call
    can be recognised by the voice learned from their other calls.

    A stereo call's voice prints and speech activity (onnxruntime networks) are worked out
    in a thread beside the transcription, on the core the transcriber leaves idle: the
    transcriber runs outside Python's lock, and neither waits for the other.
    """
    gap = utterance_gap_s()
    segments: list[Segment] = []
    activity: list[SpeakerTurn] = []
    mono: list[np.ndarray] = []
    stereo, voices, end, rate = None, None, 0.0, SAMPLE_RATE
    with ThreadPoolExecutor(max_workers=1) as aside:
        for window in windows:
            if stereo is None:
                stereo, rate = is_stereo(window), window.sample_rate
                if stereo:
                    voices = aside.submit(_channel_voices, window, diarizer, voice_of)
            if stereo:
                heard = aside.submit(channel_activity, window.channels, CHANNELS,
                                     window.sample_rate)
                found = [s for channel, speaker in zip(window.channels, CHANNELS)
                         for s in split_at_pauses(stt.transcribe(channel, speaker), gap)]
                activity.extend(_later(heard.result(), window.offset_s))
            else:
                samples = mixdown(window)
                found = list(split_at_pauses(stt.transcribe(samples, MONO), gap))
                mono.extend([samples] if diarizer is not None else [])
            segments.extend(_later(found, window.offset_s))
            end = window.offset_s + window.duration_s
    if stereo:
        prints = voices.result() if voices is not None else {}
        return replace(_transcript(segments, end, tuple(activity)), voices=prints)
    return _diarized(_transcript(segments, end, ()), mono, rate, diarizer)


def _diarized(transcript: Transcript, mono: list[np.ndarray], rate: int,
              diarizer: Any) -> Transcript:
    """Split a mono call's transcript into speakers. The diarizer clusters voices over the
    whole call, so it is given the whole mono mix (the one part held in memory whole)."""
    if diarizer is None:
        return transcript
    samples = mono[0] if len(mono) == 1 else np.concatenate(mono)
    mono.clear()
    turns, voices = diarizer.diarize_with_voices(samples, rate)
    from analyzer.run.diarize import attach_speakers

    return replace(attach_speakers(transcript, turns), activity=tuple(turns),
                   voices=_plain(voices))


def _later(items: Sequence[Any], offset_s: float) -> list[Any]:
    """Segments (with their words) or speaker turns moved ``offset_s`` seconds later."""
    if not offset_s:
        return list(items)
    return [_moved(item, offset_s) for item in items]


def _moved(item: Any, offset_s: float) -> Any:
    if isinstance(item, Segment):
        words = tuple(replace(w, start=w.start + offset_s, end=w.end + offset_s)
                      for w in item.words)
        return replace(item, start=item.start + offset_s, end=item.end + offset_s, words=words)
    return replace(item, start=item.start + offset_s, end=item.end + offset_s)


def _channel_voices(audio: Audio, diarizer: Any, voice_of: Sequence[str]
                    ) -> dict[str, tuple[float, ...]]:
    """The main voice of the channels ``voice_of`` (the rep's: only the rep's voice is ever
    learned), from their first minute (a clean sample of one person)."""
    if diarizer is None or not voice_of:
        return {}
    head = int(audio.sample_rate * VoiceSettings.from_file().sample_s)
    return _plain({speaker: diarizer.voice(channel[:head], audio.sample_rate)
                   for channel, speaker in zip(audio.channels, CHANNELS)
                   if speaker in voice_of})


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
