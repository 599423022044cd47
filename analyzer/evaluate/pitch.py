"""Does the pitch at the end of an utterance tell a question from a statement? (issue 17)

    python -m analyzer.evaluate.pitch              # make eval (needs ../shared/realdata)
    python -m analyzer.evaluate.pitch --list       # also print every labelled utterance

Material: the real recordings in ``../shared/realdata`` that have words with times, the three
SpokenWOZ phone calls (stereo 8 kHz, customer A on channel 0, agent B on channel 1) and the
pyannote sample (mono, words per turn). Utterances are a speaker's words until a gap of more
than ``GAP_S`` or the other speaker's turn. Which of them are questions (and declarative
questions) was labelled by the team before any pitch was computed, in
``models/eval/pitch/labels.csv`` (references only: the text is rebuilt from the real data).

Measured: the rise at the end of each utterance (``f0.end_rise``) as a score for "question",
over every utterance and over those the product's Labeler does not call a question on their
bare words (AUC, and precision / recall at a threshold fitted on the ``TUNE`` clips and
reported on the other calls); and what the product already hears: an utterance is "?" when
the last word faster-whisper (the bundled tiny.en) hears in it on its channel ends with "?".
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

from analyzer.call.language import DEFAULT_MODEL, Labeler
from analyzer.evaluate.f0 import end_rise
from analyzer.evaluate.language_real import bare, flagged
from analyzer.run import store
from analyzer.run.audio import file_digest, load_audio
from analyzer.settings import EVAL_DIR, REPO_DIR
from analyzer.types import REP, Word

REALDATA = REPO_DIR.parent / "shared" / "realdata"
LABELS = EVAL_DIR / "pitch" / "labels.csv"
CACHE = REPO_DIR / ".cache" / "eval-pitch"
# The threshold is chosen on these clips and the figures reported on the other calls.
TUNE = ("sample", "SNG0072")
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
        start, end: Start of the first word and end of the last, in seconds.
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


@dataclass(frozen=True)
class Labelled:
    """One utterance with its team label and what was measured on it.

    Attributes:
        spoken: The utterance.
        question: The team's label: the utterance ends in a question.
        kind: ``wh``, ``yes-no``, ``elliptical``, ``rhetorical``, ... ('' for statements).
        rise, slope: ``f0.end_rise`` (semitones; semitones a second; NaN: too little voice).
        worded: The product's Labeler calls the bare words a question.
        whisper: Whisper's last word in it ends with "?" (None: no word there, or not run).
    """

    spoken: Spoken
    question: bool
    kind: str
    rise: float = float("nan")
    slope: float = float("nan")
    worded: bool = False
    whisper: bool | None = None


def read_labels(spoken: Sequence[Spoken], path: Path = LABELS) -> list[Labelled]:
    """The team's labels joined to the rebuilt utterances by clip and start; raise ValueError
    when an utterance is missing or its word count differs (the utterances drifted)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = {(r["clip"], float(r["start"])): r for r in csv.DictReader(handle)}
    found = []
    for s in spoken:
        row = rows.get((s.clip, s.start))
        if row is None or int(row["words"]) != len(s.text.split()):
            raise ValueError(f"{path}: no label for {s.clip} {s.start} {s.text!r}")
        found.append(Labelled(s, row["question"] == "1", row["kind"]))
    return found


def with_pitch(items: Sequence[Labelled], audio: Sequence[np.ndarray], rate: int
               ) -> list[Labelled]:
    """Each utterance with its end rise and slope, read on its speaker's channel."""
    found = []
    for item in items:
        s = item.spoken
        channel = audio[min(s.channel, len(audio) - 1)]
        rise, slope = end_rise(channel[int(s.start * rate):int(s.end * rate)], rate)
        found.append(Labelled(s, item.question, item.kind, rise, slope, item.worded,
                              item.whisper))
    return found


def with_words(items: Sequence[Labelled], labeler: Labeler) -> list[Labelled]:
    """Each utterance with whether the product's Labeler calls its bare words a question."""
    texts = [bare(i.spoken.text) for i in items]
    asked = ["question" in p for p in flagged(labeler, texts, [REP] * len(texts))]
    return [Labelled(i.spoken, i.question, i.kind, i.rise, i.slope, a, i.whisper)
            for i, a in zip(items, asked, strict=True)]


def ends_with_question_mark(item: Spoken, words: Sequence[Word], before_s: float = 0.1,
                            after_s: float = 0.3) -> bool | None:
    """Whether the last Whisper word ending within the utterance (a little slack each side)
    ends with "?"; None when Whisper heard no word there."""
    inside = [w for w in words if item.start - before_s <= (w.start + w.end) / 2
              and w.end <= item.end + after_s]
    return inside[-1].text.rstrip().endswith("?") if inside else None


def whisper_words(path: Path, cache: Path = CACHE) -> list[list[Word]]:
    """The words faster-whisper (the bundled tiny.en, as ``analyze`` runs it) hears on each
    channel of a recording, punctuation attached; cached by the file's content."""
    target = cache / f"{path.stem}-{file_digest(path)[:16]}.json"
    cached = store.read_json(target)
    if cached is None:
        from analyzer.run.speech_to_text import WhisperTranscriber

        audio, stt = load_audio(path), WhisperTranscriber.load()
        cached = [[[w.start, w.end, w.text] for seg in stt.transcribe(channel, str(k))
                   for w in seg.words] for k, channel in enumerate(audio.channels)]
        store.write_json(target, cached)
    return [[Word(float(a), float(b), str(t), str(k)) for a, b, t in channel]
            for k, channel in enumerate(cached)]


def with_whisper(items: Sequence[Labelled], words: Sequence[Sequence[Word]]) -> list[Labelled]:
    """Each utterance with whether Whisper's text on its speaker's channel ends it with "?"."""
    return [Labelled(i.spoken, i.question, i.kind, i.rise, i.slope, i.worded,
                     ends_with_question_mark(i.spoken, words[min(i.spoken.channel,
                                                                 len(words) - 1)]))
            for i in items]


def auc(scores: Sequence[float], gold: Sequence[bool]) -> float:
    """The chance a random question scores above a random statement (ties count half); NaN
    without both."""
    pos = np.array([s for s, g in zip(scores, gold, strict=True) if g])
    neg = np.array([s for s, g in zip(scores, gold, strict=True) if not g])
    if not pos.size or not neg.size:
        return float("nan")
    above = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(above / (pos.size * neg.size))


def auc_interval(scores: Sequence[float], gold: Sequence[bool], rounds: int = 2000,
                 seed: int = 0) -> tuple[float, float]:
    """A 95% bootstrap interval of the AUC (utterances resampled with replacement)."""
    rng = np.random.default_rng(seed)
    values, labels = np.asarray(scores), np.asarray(gold)
    draws = [auc(values[pick].tolist(), labels[pick].tolist())
             for pick in rng.integers(0, len(values), (rounds, len(values)))]
    kept = [d for d in draws if not np.isnan(d)]
    if not kept:
        return float("nan"), float("nan")
    return float(np.percentile(kept, 2.5)), float(np.percentile(kept, 97.5))


def best_threshold(scores: Sequence[float], gold: Sequence[bool]) -> float:
    """The cut (midway between neighbouring scores) that maximises recall minus false-positive
    rate (Youden's J) on these utterances; +inf when they hold no question."""
    values = sorted(set(scores))
    cuts = [(a + b) / 2 for a, b in zip(values, values[1:])] or values
    pos, neg = max(sum(gold), 1), max(len(gold) - sum(gold), 1)

    def youden(cut: float) -> float:
        hits = sum(s > cut and g for s, g in zip(scores, gold, strict=True))
        false = sum(s > cut and not g for s, g in zip(scores, gold, strict=True))
        return hits / pos - false / neg

    return max(cuts, key=youden) if any(gold) and cuts else float("inf")


def precision_recall(flags: Sequence[bool], gold: Sequence[bool]) -> str:
    """Precision and recall with their counts, as printed."""
    hits = sum(f and g for f, g in zip(flags, gold, strict=True))
    flagged_n, true_n = sum(flags), sum(gold)
    p = hits / flagged_n if flagged_n else float("nan")
    r = hits / true_n if true_n else float("nan")
    return f"P {p:.2f} ({hits}/{flagged_n}) R {r:.2f} ({hits}/{true_n})"


def audio_path(clip: str, root: Path) -> Path:
    """The recording of a clip under root."""
    return (root / "pyannote_sample" / "sample.wav" if clip == "sample"
            else root / "spokenwoz" / "audio" / f"{clip}.wav")


def measured(root: Path, labeler: Labeler, whisper: bool = True) -> list[Labelled]:
    """Every labelled utterance under root with its pitch, its words' verdict and Whisper's
    question mark, clip by clip."""
    items = with_words(read_labels(real_utterances(root)), labeler)
    found: list[Labelled] = []
    for clip in dict.fromkeys(i.spoken.clip for i in items):
        path = audio_path(clip, root)
        audio = load_audio(path)
        part = with_pitch([i for i in items if i.spoken.clip == clip], audio.channels,
                          audio.sample_rate)
        found.extend(with_whisper(part, whisper_words(path)) if whisper else part)
    return found


def separation(items: Sequence[Labelled], name: str) -> dict[str, float]:
    """Print and return how well the end rise and the slope rank questions above statements."""
    read = [i for i in items if not np.isnan(i.rise)]
    gold = [i.question for i in read]
    figures = {}
    print(f"  {name}: {len(items)} utterances ({sum(i.question for i in items)} questions), "
          f"pitch read on {len(read)} ({sum(gold)} questions, {len(gold) - sum(gold)} "
          f"statements)")
    for feature in ("rise", "slope"):
        scores = [getattr(i, feature) for i in read]
        value, (low, high) = auc(scores, gold), auc_interval(scores, gold)
        print(f"    AUC of end {feature:<6}{value:.2f} (95% bootstrap {low:.2f}-{high:.2f})")
        figures[f"{name}_{feature}_auc"] = value
    return figures


def held_out(items: Sequence[Labelled], tune: Sequence[str]) -> dict[str, float]:
    """Print precision and recall on the test clips of the rise above a cut fitted on the tune
    clips and of fixed cuts, alone and beside the Labeler's words and Whisper's "?"."""
    figures = {}
    for name, pool in (("every utterance", list(items)),
                       ("words not a question", [i for i in items if not i.worded])):
        fit = [i for i in pool if i.spoken.clip in tune and not np.isnan(i.rise)]
        cut = best_threshold([i.rise for i in fit], [i.question for i in fit])
        test = [i for i in pool if i.spoken.clip not in tune]
        print(f"  {name}: {len(test)} test utterances, {sum(i.question for i in test)} "
              f"questions; threshold fitted on {len(fit)} tune utterances "
              f"({sum(i.question for i in fit)} questions)")
        for label, feature, at in ((f"rise > {cut:.2f} st (fitted)", "rise", cut),
                                   ("rise > 0 st (fixed)", "rise", 0.0),
                                   ("slope > 0 st/s (fixed)", "slope", 0.0)):
            rising = [bool(getattr(i, feature) > at) for i in test]
            print(f"    {label:<28}{precision_recall(rising, [i.question for i in test])}")
        figures[f"{name}_cut"] = cut
    test = [i for i in items if i.spoken.clip not in tune]
    gold = [i.question for i in test]
    cut = figures["words not a question_cut"]
    print(f"  test questions ({len(test)} utterances, {sum(gold)} questions):")
    for label, flags in (
            ("Labeler on bare words", [i.worded for i in test]),
            (f"words or rise > {cut:.2f} st", [i.worded or bool(i.rise > cut) for i in test]),
            ("words or rise > 0 st", [i.worded or bool(i.rise > 0) for i in test]),
            ("words or Whisper '?'", [i.worded or bool(i.whisper) for i in test]),
            ("words, Whisper '?' or rise > 0", [i.worded or bool(i.whisper) or bool(i.rise > 0)
                                                 for i in test])):
        print(f"    {label:<32}{precision_recall(flags, gold)}")
    return figures


def whisper_marks(items: Sequence[Labelled]) -> dict[str, float]:
    """Print how many questions and statements Whisper's text ends with "?"."""
    heard = [i for i in items if i.whisper is not None]
    figures = {}
    print(f"  Whisper heard words in {len(heard)} of {len(items)} utterances")
    for name, group in (("questions", [i for i in heard if i.question]),
                        ("questions the words miss", [i for i in heard
                                                      if i.question and not i.worded]),
                        ("statements", [i for i in heard if not i.question])):
        marked = sum(bool(i.whisper) for i in group)
        share = marked / len(group) if group else float("nan")
        print(f"    {name:<26} ending with '?': {share:.2f} ({marked}/{len(group)})")
        figures[f"whisper_{name}"] = share
    return figures


def listing(items: Sequence[Labelled]) -> None:
    """Print every utterance with its label and what was measured."""
    for i in items:
        s = i.spoken
        mark = {None: "-", True: "?", False: "."}[i.whisper]
        print(f"    {s.clip:<7} {s.speaker:<6} {s.start:7.2f} {'Q' if i.question else 'S'} "
              f"{i.kind:<10} words:{'Q' if i.worded else '-'} whisper:{mark} "
              f"rise {i.rise:+6.2f} slope {i.slope:+7.1f}  {s.text}")


def run(root: Path = REALDATA, labeler: Labeler | None = None, whisper: bool = True,
        show: bool = False) -> dict[str, float]:
    """Measure everything on the recordings under root; print one line and return {} when
    they are absent."""
    if not (root / "spokenwoz" / "text").is_dir():
        print(f"\n{root / 'spokenwoz'}: absent, pitch measurement skipped")
        return {}
    items = measured(root, labeler or Labeler.load(DEFAULT_MODEL), whisper)
    print(f"\npitch at the end of an utterance ({root}): tune clips {', '.join(TUNE)}, "
          f"test clips the rest")
    figures = separation(items, "every utterance")
    figures |= separation([i for i in items if not i.worded], "words not a question")
    test = [i for i in items if i.spoken.clip not in TUNE]
    figures |= separation(test, "test clips")
    figures |= separation([i for i in test if not i.worded], "test clips, words not a question")
    figures |= held_out(items, TUNE)
    if whisper:
        figures |= whisper_marks(items)
    if show:
        listing(items)
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Measure the end-of-utterance pitch and Whisper's question marks on the real calls."""
    parser = argparse.ArgumentParser(prog="python -m analyzer.evaluate.pitch",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="print every utterance")
    parser.add_argument("--no-whisper", action="store_true", help="skip the transcription")
    parser.add_argument("--root", type=Path, default=REALDATA, help="the realdata folder")
    args = parser.parse_args(argv)
    run(args.root, whisper=not args.no_whisper, show=args.list)
    return 0


if __name__ == "__main__":
    sys.exit(main())
