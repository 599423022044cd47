"""Metrics on three real SpokenWOZ phone calls: reference words versus the transcriber.

Speaker A (left channel) is the customer, B (right channel) the agent, who plays the rep.
The reference metrics come from the human word timings; the transcribed ones from the
product's own path (bundled tiny.en per channel, with the measured speech activity).
"""

from __future__ import annotations

import json
from dataclasses import replace
from itertools import groupby
from pathlib import Path

import pytest
from conftest import dynamics, realdata_path

from analyzer.call.metrics import talk_time
from analyzer.types import CUSTOMER, REP, Utterance, Word

CALLS = ("SNG0072", "SNG0480", "MUL1423")
ROLE = {"A": CUSTOMER, "B": REP, "left": CUSTOMER, "right": REP}
SHARE_TOLERANCE = 0.05  # absolute, on rep_talk_share
INTERACTIVITY_TOLERANCE = 0.20  # relative, on speaker switches per minute


def reference_utterances(path: Path) -> tuple[Utterance, ...]:
    """The reference words of a call, each run of one speaker's words one utterance."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for speaker, run in groupby(rows, key=lambda r: r["speaker"]):
        words = tuple(Word(r["start"], r["end"], r["word"], speaker) for r in run)
        out.append(Utterance(speaker, ROLE[speaker], words[0].start, words[-1].end,
                             " ".join(w.text for w in words), words))
    return tuple(out)


def rttm_talk(path: Path) -> dict[str, float]:
    """Talk time per speaker of an RTTM file (union of its turns)."""
    spans: dict[str, list[tuple[float, float]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        f = line.split()
        spans.setdefault(f[7], []).append((float(f[3]), float(f[3]) + float(f[4])))
    return {speaker: talk_time(s) for speaker, s in spans.items()}


@pytest.mark.parametrize("call", CALLS)
def test_metrics_realdata_reference_talk_time_matches_rttm(call):
    words = realdata_path("spokenwoz", "text", f"{call}.json")
    rttm = rttm_talk(realdata_path("spokenwoz", "rttm", f"{call}.rttm"))
    m = dynamics(reference_utterances(words), float("nan"))
    assert m["customer_talk_s"] == pytest.approx(rttm["A"], abs=0.01)
    assert m["rep_talk_s"] == pytest.approx(rttm["B"], abs=0.01)


@pytest.fixture(scope="module")
def measured(whisper) -> dict[str, tuple[dict, dict]]:
    """(reference, transcribed) metrics of every call, transcribed once per module."""
    from analyzer.run.audio import load_audio
    from analyzer.run.recording import transcribe_windows

    out = {}
    for call in CALLS:
        audio = load_audio(realdata_path("spokenwoz", "audio", f"{call}.wav"))
        transcript = transcribe_windows([audio], whisper)
        utterances = tuple(Utterance(s.speaker, ROLE[s.speaker], s.start, s.end, s.text, s.words)
                           for s in transcript.segments)
        activity = tuple(replace(t, speaker=ROLE[t.speaker]) for t in transcript.activity)
        reference = reference_utterances(realdata_path("spokenwoz", "text", f"{call}.json"))
        out[call] = (dynamics(reference, audio.duration_s),
                     dynamics(utterances, audio.duration_s, activity=activity))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("call", CALLS)
def test_metrics_realdata_talk_share_agrees_with_reference(measured, call):
    reference, transcribed = measured[call]
    assert transcribed["rep_talk_share"] == pytest.approx(
        reference["rep_talk_share"], abs=SHARE_TOLERANCE)


@pytest.mark.slow
@pytest.mark.parametrize("call", CALLS)
def test_metrics_realdata_interactivity_agrees_with_reference(measured, call):
    reference, transcribed = measured[call]
    assert transcribed["interactivity"] == pytest.approx(
        reference["interactivity"], rel=INTERACTIVITY_TOLERANCE)
