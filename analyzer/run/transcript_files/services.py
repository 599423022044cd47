"""JSON transcripts from speech services: WhisperX, AssemblyAI, Deepgram, AWS Transcribe and
Gridspace (the Harper Valley corpus). Field names follow each service's documented output."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from analyzer.run.transcript_files.build import (
    FormatError,
    build,
    group_words,
    label,
    list_field,
    number,
    object_field,
    parse_json,
    segment,
    text_field,
    word_from,
)
from analyzer.run.transcript_files.own import OWN_FORMAT
from analyzer.types import NAN, Segment, Transcript, Word


def json_shape(data: Any) -> str:
    """Name the JSON format from its fields."""
    if isinstance(data, Mapping):
        results = data.get("results")
        if data.get("format") == OWN_FORMAT:
            return "callcoach"
        if isinstance(results, Mapping) and "channels" in results:
            return "deepgram"
        if isinstance(results, Mapping) and ("items" in results or "speaker_labels" in results):
            return "aws"
        if "utterances" in data or "audio_duration" in data:
            return "assemblyai"
        if "segments" in data:
            return "whisperx"
    if (isinstance(data, list) and data and isinstance(data[0], Mapping)
            and "speaker_role" in data[0]):
        return "gridspace"
    keys = ", ".join(list(data)[:6]) if isinstance(data, Mapping) else type(data).__name__
    raise FormatError(f"JSON of no known transcript shape (top level: {keys}); "
                      "name the format with --format")


def read_whisperx(text: str) -> Transcript:
    """WhisperX (or Whisper) JSON: ``segments`` with optional ``speaker`` and ``words``."""
    data = parse_json(text)
    segments = []
    for i, seg in enumerate(list_field(data, "segments", "")):
        where = f"segments[{i}]"
        speaker = str(seg.get("speaker") or "") if isinstance(seg, Mapping) else ""
        words = [word_from(w, speaker, f"{where}.words[{j}]", "word", optional_times=True)
                 for j, w in enumerate(list_field(seg, "words", where, required=False))]
        segments.append(segment(speaker, number(seg, "start", where), number(seg, "end", where),
                                 text_field(seg, "text", where), words, where))
    return build(segments, "whisperx", duration=number(data, "duration", "", default=NAN))


def read_assemblyai(text: str) -> Transcript:
    """AssemblyAI JSON: ``utterances`` (ms), else ``words`` grouped by ``speaker``."""
    data = parse_json(text)
    duration = number(data, "audio_duration", "", default=NAN)
    utterances = data.get("utterances") if isinstance(data, Mapping) else None
    if not utterances:
        words = [word_from(w, "", f"words[{j}]", "text", unit=1000)
                 for j, w in enumerate(list_field(data, "words", ""))]
        return build(group_words(words), "assemblyai", duration=duration)
    segments = []
    for i, utt in enumerate(list_field(data, "utterances", "")):
        where = f"utterances[{i}]"
        speaker = text_field(utt, "speaker", where, required=False)
        words = [word_from(w, speaker, f"{where}.words[{j}]", "text", unit=1000)
                 for j, w in enumerate(list_field(utt, "words", where, required=False))]
        segments.append(segment(speaker, number(utt, "start", where, 1000),
                                 number(utt, "end", where, 1000), text_field(utt, "text", where),
                                 words, where))
    return build(segments, "assemblyai", duration=duration)


def read_deepgram(text: str) -> Transcript:
    """Deepgram JSON: ``results.utterances``, else the channels' words by speaker."""
    data = parse_json(text)
    results = object_field(data, "results", "")
    duration = number(data.get("metadata"), "duration", "metadata", default=NAN)
    if results.get("utterances"):
        segments = [_deepgram_utterance(u, f"results.utterances[{i}]")
                    for i, u in enumerate(list_field(results, "utterances", "results"))]
        return build(segments, "deepgram", duration=duration)
    channels = list_field(results, "channels", "results")
    words = []
    for c, channel in enumerate(channels):
        where = f"results.channels[{c}].alternatives[0]"
        best = list_field(channel, "alternatives", f"results.channels[{c}]")[:1]
        fallback = f"channel {c}" if len(channels) > 1 else ""
        words += [_deepgram_word(w, fallback, f"{where}.words[{j}]")
                  for alt in best for j, w in enumerate(list_field(alt, "words", where))]
    return build(group_words(sorted(words, key=lambda w: w.start)), "deepgram",
                  duration=duration)


def _deepgram_utterance(utt: Any, where: str) -> Segment | None:
    speaker = label(utt, "speaker", f"channel {utt.get('channel', 0)}"
                     if isinstance(utt, Mapping) else "")
    words = [_deepgram_word(w, speaker, f"{where}.words[{j}]")
             for j, w in enumerate(list_field(utt, "words", where, required=False))]
    return segment(speaker, number(utt, "start", where), number(utt, "end", where),
                    text_field(utt, "transcript", where), words, where)


def _deepgram_word(item: Any, speaker: str, where: str) -> Word:
    text_key = "punctuated_word" if isinstance(item, Mapping) and "punctuated_word" in item \
        else "word"
    return word_from(item, speaker, where, text_key)


def read_aws(text: str) -> Transcript:
    """AWS Transcribe JSON: ``results.items`` by ``speaker_label`` (or channel)."""
    data = parse_json(text)
    results = object_field(data, "results", "")
    speakers = _aws_speaker_map(results)
    words: list[Word] = []
    for i, item in enumerate(list_field(results, "items", "results")):
        where = f"results.items[{i}]"
        best = (list_field(item, "alternatives", where) or [None])[0]
        content = text_field(best, "content", f"{where}.alternatives[0]")
        if item.get("type") == "punctuation":
            if words:
                last = words[-1]
                words[-1] = Word(last.start, last.end, last.text + content, last.speaker,
                                 last.probability)
            continue
        start = number(item, "start_time", where)
        speaker = str(item.get("speaker_label") or item.get("channel_label")
                      or speakers.get(round(start, 3), ""))
        confidence = number(best, "confidence", f"{where}.alternatives[0]", default=1.0)
        words.append(Word(start, number(item, "end_time", where), content, speaker, confidence))
    return build(group_words(words), "aws")


def _aws_speaker_map(results: Mapping[str, Any]) -> dict[float, str]:
    """Start time -> speaker from ``speaker_labels`` or ``channel_labels`` (older outputs)."""
    found: dict[float, str] = {}
    where = "results.speaker_labels"
    for i, seg in enumerate(list_field(results.get("speaker_labels"), "segments", where,
                                       required=False)):
        for j, item in enumerate(list_field(seg, "items", f"{where}.segments[{i}]")):
            at = number(item, "start_time", f"{where}.segments[{i}].items[{j}]")
            found[round(at, 3)] = label(item, "speaker_label", "")
    where = "results.channel_labels"
    for c, channel in enumerate(list_field(results.get("channel_labels"), "channels", where,
                                           required=False)):
        items = list_field(channel, "items", f"{where}.channels[{c}]", required=False)
        for j, item in enumerate(items):
            if isinstance(item, Mapping) and "start_time" in item:
                at = number(item, "start_time", f"{where}.channels[{c}].items[{j}]")
                found.setdefault(round(at, 3), label(channel, "channel_label", ""))
    return found


def read_gridspace(text: str) -> Transcript:
    """Gridspace / Harper Valley JSON: a list of segments, ``speaker_role`` the speaker."""
    data = parse_json(text)
    if not isinstance(data, list):
        raise FormatError("expected a JSON list of segments")
    segments = []
    for i, seg in enumerate(data):
        where = f"[{i}]"
        start_ms = number(seg, "start_ms", where)
        text_key = "human_transcript" if "human_transcript" in seg else "transcript"
        segments.append(segment(text_field(seg, "speaker_role", where), start_ms / 1000,
                                 (start_ms + number(seg, "duration_ms", where)) / 1000,
                                 text_field(seg, text_key, where), where=where))
    return build(segments, "gridspace")
