"""The words of a mono transcript to the diarized speakers who said them."""

from __future__ import annotations

from dataclasses import replace

from analyzer.types import Segment, SpeakerTurn, Transcript, Word


def attach_speakers(transcript: Transcript, turns: tuple[SpeakerTurn, ...]) -> Transcript:
    """Give each word of a mono transcript the diarized speaker it overlaps most.

    Segments are split where the speaker changes between words; a word no turn overlaps
    takes the speaker of the nearest turn. Segments without word timings are labelled
    as a whole. Returns a new transcript; speakers are listed in order of first appearance.
    """
    if not turns:
        return transcript
    segments: list[Segment] = []
    for segment in transcript.segments:
        segments.extend(_split_segment(segment, turns))
    segments.sort(key=lambda s: (s.start, s.end))
    speakers = tuple(dict.fromkeys(s.speaker for s in segments))
    return replace(transcript, segments=tuple(segments), speakers=speakers)


def _split_segment(segment: Segment, turns: tuple[SpeakerTurn, ...]) -> list[Segment]:
    if not segment.words:
        speaker = _speaker_at(segment.start, segment.end, turns)
        return [replace(segment, speaker=speaker,
                        words=tuple(replace(w, speaker=speaker) for w in segment.words))]
    words = [replace(w, speaker=_speaker_at(w.start, w.end, turns)) for w in segment.words]
    groups: list[list[Word]] = []
    for word in words:
        if groups and groups[-1][-1].speaker == word.speaker:
            groups[-1].append(word)
        else:
            groups.append([word])
    return [Segment(g[0].speaker, g[0].start, g[-1].end,
                    " ".join(w.text.strip() for w in g).strip(), tuple(g)) for g in groups]


def _speaker_at(start: float, end: float, turns: tuple[SpeakerTurn, ...]) -> str:
    overlap: dict[str, float] = {}
    for t in turns:
        shared = min(end, t.end) - max(start, t.start)
        if shared > 0:
            overlap[t.speaker] = overlap.get(t.speaker, 0.0) + shared
    if overlap:
        return max(overlap, key=lambda k: overlap[k])
    middle = (start + end) / 2
    nearest = min(turns, key=lambda t: max(t.start - middle, middle - t.end, 0.0))
    return nearest.speaker
