"""Does the pitch at the end of an utterance tell a question from a statement? (issue 17)

    python -m analyzer.evaluate.pitch              # make eval (needs ../shared/realdata)
    python -m analyzer.evaluate.pitch --list       # also print every labelled utterance

Material: the real recordings in ``../shared/realdata`` that have words with times, the three
SpokenWOZ phone calls (stereo 8 kHz, customer A on channel 0, agent B on channel 1) and the
pyannote sample (mono, words per turn). Utterances are a speaker's words until a gap of more
than ``GAP_S`` or the other speaker's turn. Which of them are questions (and declarative
questions) was labelled by the team before any pitch was computed, in
``models/eval/pitch/labels.csv`` (references only: the text is rebuilt from the real data).

Measured:

* the rise at the end of each utterance (``end_rise``: median log-F0 of the last ``TAIL_S`` of
  voiced speech minus the utterance's median, in semitones; F0 by a YIN-style difference
  function written here in numpy) as a score for "question": AUC over every utterance and
  over those the product's Labeler does not call a question on their bare words, and
  precision / recall at a threshold chosen on the pyannote sample and one call and reported
  on the other calls;
* what the product already hears: faster-whisper tiny.en (the bundled model) transcribes each
  channel; an utterance is "?" when the last Whisper word ending inside it ends with "?".
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analyzer.settings import EVAL_DIR, REPO_DIR

REALDATA = REPO_DIR.parent / "shared" / "realdata"
LABELS = EVAL_DIR / "pitch" / "labels.csv"
# A pause longer than this ends an utterance (the brief's "~0.5 s").
GAP_S = 0.5
SPOKENWOZ = ("SNG0072", "SNG0480", "MUL1423")
SPOKENWOZ_CHANNEL = {"A": 0, "B": 1}


@dataclass(frozen=True)
class TimedWord:
    """One reference word of a real recording: who said it and when."""

    speaker: str
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Spoken:
    """One utterance of a real recording: a speaker's words until a pause or the other's turn.

    Attributes:
        clip: The recording's name (``SNG0072``, ``sample``).
        speaker: The speaker's label in the reference (``A``/``B``, ``Diane``/``Sheila``).
        start: Start of the first word, in seconds.
        end: End of the last word, in seconds.
        text: The reference words, joined by spaces.
        channel: The channel the speaker is on (0 for a mono recording).
    """

    clip: str
    speaker: str
    start: float
    end: float
    text: str
    channel: int


def utterances(words: Sequence[TimedWord], clip: str, channels: dict[str, int],
               gap_s: float = GAP_S) -> list[Spoken]:
    """The words grouped into utterances: a new one at each change of speaker or longer pause."""
    found: list[Spoken] = []
    group: list[TimedWord] = []
    for word in sorted(words, key=lambda w: w.start):
        if group and (word.speaker != group[-1].speaker or word.start - group[-1].end > gap_s):
            found.append(_spoken(group, clip, channels))
            group = []
        group.append(word)
    if group:
        found.append(_spoken(group, clip, channels))
    return found


def _spoken(group: Sequence[TimedWord], clip: str, channels: dict[str, int]) -> Spoken:
    speaker = group[0].speaker
    return Spoken(clip, speaker, round(group[0].start, 3), round(group[-1].end, 3),
                  " ".join(w.text for w in group), channels.get(speaker, 0))


def spokenwoz_words(path: Path) -> list[TimedWord]:
    """The words of a SpokenWOZ ``text/*.json`` file."""
    return [TimedWord(w["speaker"], w["word"], float(w["start"]), float(w["end"]))
            for w in json.loads(path.read_text(encoding="utf-8"))]


def stm_words(path: Path) -> list[TimedWord]:
    """The turns of an STM file as timed word groups (one per line, its time the line's)."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split(maxsplit=5)
        if len(parts) == 6 and not line.startswith(";;"):
            found.append(TimedWord(parts[2], parts[5].strip(), float(parts[3]), float(parts[4])))
    return found


def real_utterances(root: Path = REALDATA) -> list[Spoken]:
    """Every utterance of the recordings with timed words present under root, clip by clip."""
    found: list[Spoken] = []
    sample = root / "pyannote_sample" / "sample.stm"
    if sample.is_file():
        found.extend(utterances(stm_words(sample), "sample", {}))
    for clip in SPOKENWOZ:
        path = root / "spokenwoz" / "text" / f"{clip}.json"
        if path.is_file():
            found.extend(utterances(spokenwoz_words(path), clip, SPOKENWOZ_CHANNEL))
    return found
