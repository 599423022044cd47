"""How often the rep is found on real calls, and whether the confidence says when it is not.

    python -m analyzer.evaluate.roles                  # make eval-roles
    python -m analyzer.evaluate.roles --sales DIR      # also the transcripts in DIR

``--sales DIR`` (repeatable) adds a folder of two-party transcripts with a ``manifest.csv``
(columns ``file`` and ``rep_speaker``, the seller's speaker name): the sales conversations
written by others that ``models/roles/README.md`` lists by repository and path (the text is
not in this repository). They are decided with the speaker names as given, as a user meets
them, and with neutral names and those swapped.

Runs the production decision (``pipeline.decide_roles``) on the real material in
``../shared/realdata``, with and without hints, and on synthetic swaps of it:

- the SpokenWOZ stereo calls (agent on the right channel), transcribed as ``analyze`` does
  (bundled tiny.en; transcripts cached under ``.cache/eval-roles/``, so a second run takes
  seconds), the same calls with their channels swapped, and mixed down to mono (diarized);
- transcripts: the SpokenWOZ reference words, the Harper Valley call and the 161
  PersuasionForGood conversations (the persuader pitches: the "rep"), with neutral speaker
  names ("Speaker 1", "Speaker 2" in order of appearance) and with those names swapped.

Prints, per set and condition, the share of calls with the right rep, the error rate above
and below the banner threshold, the wrong calls at confidence 0.9 or more, how right the
calls are per confidence band, and the cue scale that best fits the transcripts.
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from analyzer.run import store
from analyzer.run.audio import file_digest
from analyzer.settings import REPO_DIR
from analyzer.types import NAN, Options, Segment, SpeakerTurn, Transcript

REALDATA = REPO_DIR.parent / "shared" / "realdata"
CACHE = REPO_DIR / ".cache" / "eval-roles"
BANDS = (0.0, 0.7, 0.9, 1.01)


@dataclass(frozen=True)
class Case:
    """One call to decide: its set, name, transcript, the rep's true speaker, and the hint a
    user would give (``--rep-channel`` for stereo calls, ``--rep-name`` for transcripts)."""

    corpus: str
    name: str
    transcript: Transcript
    truth: str
    stereo: bool


@dataclass(frozen=True)
class Outcome:
    """The decision on one case under one condition."""

    case: Case
    condition: str
    speaker: str
    confidence: float
    reason: str

    @property
    def right(self) -> bool:
        """True when the rep found is the true rep."""
        return self.speaker == self.case.truth


def transcribed(path: Path, cache: Path = CACHE) -> Transcript:
    """A stereo recording transcribed as ``analyze`` does (bundled tiny.en, both channels'
    voice prints), cached by the file's content so a second run takes seconds."""
    from analyzer.run.engines import Engines
    from analyzer.run.recording import CHANNELS, open_recording, transcribe_windows

    target = cache / f"{path.stem}-{file_digest(path)[:16]}.json"
    cached = store.read_json(target)
    if cached is not None:
        return store.to_dataclass(Transcript, cached)
    engines = Engines(Options())
    _stereo, windows = open_recording(path)
    transcript = transcribe_windows(windows, engines.stt, engines.diarizer, CHANNELS)
    store.write_json(target, transcript)
    return transcript


def transcribed_mono(path: Path, cache: Path = CACHE) -> Transcript:
    """A stereo recording mixed down to mono, transcribed and diarized as ``analyze`` does a
    mono call (speakers SPEAKER_00, ...), cached like ``transcribed``."""
    from analyzer.run.audio import load_audio, mixdown
    from analyzer.run.engines import Engines
    from analyzer.run.recording import transcribe_windows
    from analyzer.types import Audio

    target = cache / f"{path.stem}-mono-{file_digest(path)[:16]}.json"
    cached = store.read_json(target)
    if cached is not None:
        return store.to_dataclass(Transcript, cached)
    audio = load_audio(path)
    mono = Audio((mixdown(audio),), audio.sample_rate, audio.duration_s, audio.digest)
    engines = Engines(Options())
    transcript = transcribe_windows([mono], engines.stt, engines.diarizer)
    store.write_json(target, transcript)
    return transcript


def agent_of(transcript: Transcript, reference: Sequence[SpeakerTurn], agent: str) -> str:
    """The diarized speaker whose turns overlap the reference agent's turns the most."""
    def overlap(speaker: str) -> float:
        return sum(max(0.0, min(t.end, r.end) - max(t.start, r.start))
                   for t in transcript.activity if t.speaker == speaker
                   for r in reference if r.speaker == agent)

    return max(transcript.speakers, key=overlap, default="")


def relabelled(transcript: Transcript, names: dict[str, str]) -> Transcript:
    """The transcript with speakers renamed (a swap when ``names`` maps both ways)."""
    def name(speaker: str) -> str:
        return names.get(speaker, speaker)

    segments = tuple(replace(s, speaker=name(s.speaker),
                             words=tuple(replace(w, speaker=name(w.speaker)) for w in s.words))
                     for s in transcript.segments)
    return replace(transcript, segments=segments,
                   speakers=tuple(name(s) for s in transcript.speakers),
                   activity=tuple(replace(t, speaker=name(t.speaker))
                                  for t in transcript.activity),
                   voices={name(s): v for s, v in transcript.voices.items()})


def neutral(transcript: Transcript, truth: str) -> tuple[Transcript, str]:
    """Speakers renamed "Speaker 1", "Speaker 2", ... in order of appearance (a name such as
    "agent" would give the answer away), and the true rep's new name."""
    names = {s: f"Speaker {i}" for i, s in enumerate(transcript.speakers, 1)}
    return relabelled(transcript, names), names[truth]


def stereo_cases(root: Path = REALDATA) -> list[Case]:
    """The SpokenWOZ calls as transcribed (agent on the right) and with channels swapped."""
    cases = []
    for wav in sorted((root / "spokenwoz" / "audio").glob("*.wav")):
        transcript = transcribed(wav)
        cases.append(Case("spokenwoz stereo", wav.stem, transcript, "right", True))
        cases.append(Case("spokenwoz stereo, channels swapped", wav.stem,
                          relabelled(transcript, {"left": "right", "right": "left"}),
                          "left", True))
    return cases


def mono_cases(root: Path = REALDATA) -> list[Case]:
    """The SpokenWOZ calls mixed down to mono and diarized (the agent found by overlap with
    the reference turns); skipped when diarization is not installed."""
    try:
        from analyzer.diarize import read_rttm
    except ImportError:
        return []
    cases = []
    for wav in sorted((root / "spokenwoz" / "audio").glob("*.wav")):
        transcript = transcribed_mono(wav)
        if not transcript.activity:  # not diarized
            continue
        reference = read_rttm(root / "spokenwoz" / "rttm" / f"{wav.stem}.rttm")
        truth = agent_of(transcript, reference, "B")
        if truth:
            cases.append(Case("spokenwoz mono mix", wav.stem, transcript, truth, False))
    return cases


def transcript_cases(root: Path = REALDATA) -> list[Case]:
    """Real transcripts with neutral speaker names, and the same with the names swapped."""
    return [c for corpus, name, transcript, truth in _transcripts(root)
            for c in _renamed_cases(corpus, name, transcript, truth)]


def _renamed_cases(corpus: str, name: str, transcript: Transcript, truth: str) -> list[Case]:
    """A transcript with neutral speaker names and, with two speakers, the names swapped."""
    plain, rep = neutral(transcript, truth)
    cases = [Case(corpus, name, plain, rep, False)]
    if len(plain.speakers) == 2:
        swap = dict(zip(plain.speakers, reversed(plain.speakers)))
        cases.append(Case(f"{corpus}, names swapped", name, relabelled(plain, swap),
                          swap[rep], False))
    return cases


def sales_cases(folder: Path) -> list[Case]:
    """A folder of transcripts named in its manifest.csv: with the names as given, then as
    ``transcript_cases`` gives them (neutral names, and swapped)."""
    from analyzer.evaluate.language_real import read_rows
    from analyzer.run.transcript_files import read_transcript

    cases = []
    for row in read_rows(folder / "manifest.csv"):
        transcript, truth = read_transcript(folder / row["file"]), row["rep_speaker"]
        cases.append(Case(f"{folder.name}, names as given", row["file"], transcript, truth,
                          False))
        cases += _renamed_cases(folder.name, row["file"], transcript, truth)
    return cases


def _transcripts(root: Path) -> Iterable[tuple[str, str, Transcript, str]]:
    from analyzer.run.transcript_files import read_transcript

    for path in sorted((root / "spokenwoz" / "text").glob("*.json")):
        yield "spokenwoz words", path.stem, _spokenwoz_words(path), "B"
    for path in sorted((root / "harper_valley").glob("*.json")):
        yield "harper_valley", path.stem, read_transcript(path), "agent"
    persuasion = root / "persuasion" / "dialogues.csv"
    if persuasion.is_file():
        for name, transcript in _persuasion(persuasion):
            yield "persuasion", name, transcript, "persuader"


def _spokenwoz_words(path: Path) -> Transcript:
    """A SpokenWOZ reference word list as a transcript: a segment per run of one speaker's
    words (speaker A the customer, B the agent)."""
    words = sorted(json.loads(path.read_text(encoding="utf-8")), key=lambda w: w["start"])
    runs: list[list[dict]] = []
    for word in words:
        if runs and runs[-1][-1]["speaker"] == word["speaker"]:
            runs[-1].append(word)
        else:
            runs.append([word])
    segments = tuple(Segment(r[0]["speaker"], r[0]["start"], r[-1]["end"],
                             " ".join(w["word"] for w in r)) for r in runs)
    return Transcript(segments, tuple(dict.fromkeys(s.speaker for s in segments)),
                      segments[-1].end if segments else 0.0, "json")


def _persuasion(path: Path) -> Iterable[tuple[str, Transcript]]:
    """Each PersuasionForGood conversation as an untimed transcript, one segment a sentence."""
    rows: dict[str, list[Segment]] = defaultdict(list)
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[row["dialogue"]].append(Segment(row["role"], NAN, NAN, row["text"]))
    for name, segments in rows.items():
        speakers = tuple(dict.fromkeys(s.speaker for s in segments))
        yield name, Transcript(tuple(segments), speakers, NAN, "text", False)


def decide(case: Case, hint: bool) -> Outcome:
    """The production decision on one case, with or without the user's hint."""
    from analyzer.call.roles import RoleEvidence, decide_roles

    rep_channel = case.truth if hint and case.stereo else ""
    rep_name = case.truth if hint and not case.stereo else ""
    roles = decide_roles(case.transcript, "eval", RoleEvidence(rep_channel, rep_name))
    speaker = roles.rep_speakers[0] if roles.rep_speakers else ""
    return Outcome(case, "hint" if hint else "no hint", speaker, roles.confidence, roles.reason)


def summary_rows(outcomes: Sequence[Outcome], low: float) -> list[list[str]]:
    """One row per set and condition: calls, right share, error rate at or above and under
    ``low``, wrong calls at 0.9 or more, the highest confidence of a wrong call."""
    groups: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[(o.case.corpus, o.condition)].append(o)
    rows = []
    for (corpus, condition), group in groups.items():
        wrong = [o for o in group if not o.right]
        high = [o for o in group if o.confidence >= low]
        under = [o for o in group if o.confidence < low]
        rows.append([corpus, condition, str(len(group)),
                     f"{1 - len(wrong) / len(group):.0%}", _rate(high), _rate(under),
                     str(sum(o.confidence >= 0.9 for o in wrong)),
                     f"{max((o.confidence for o in wrong), default=math.nan):.2f}"])
    return rows


def band_rows(outcomes: Sequence[Outcome]) -> list[list[str]]:
    """How many calls fall in each confidence band, and the share of them that is right."""
    rows = []
    for lo, hi in zip(BANDS, BANDS[1:]):
        inside = [o for o in outcomes if lo <= o.confidence < hi]
        right = sum(o.right for o in inside)
        rows.append([f"{lo:.1f}-{min(hi, 1.0):.1f}", str(len(inside)),
                     f"{right / len(inside):.0%}" if inside else "-"])
    return rows


def scale_sweep(cases: Sequence[Case], scales: Iterable[float]
                ) -> list[tuple[float, float, int]]:
    """Per cue scale: the log loss of the unhinted decisions and how many wrong calls reach
    0.9, to compare with the scale in models/roles/calibration.json."""
    from analyzer.call import roles

    book, base, words = roles.load_cues(), roles.load_calibration(), roles.load_words()
    rows = []
    for scale in scales:
        cal = replace(base, cue_scale=scale)
        loss, sure_wrong = 0.0, 0
        for case in cases:
            prior = {cal.default_channel: cal.channel_prior} if case.stereo else {}
            candidates = roles.CHANNELS if case.stereo else case.transcript.speakers
            got = roles.weigh(case.transcript, candidates, prior, None, book, cal, words)
            right = got.rep_speakers == (case.truth,)
            loss -= math.log(max(got.confidence if right else 1 - got.confidence, 1e-6))
            sure_wrong += not right and got.confidence >= 0.9
        rows.append((scale, loss / len(cases), sure_wrong))
    return rows


def _rate(group: Sequence[Outcome]) -> str:
    if not group:
        return "- (0)"
    wrong = sum(not o.right for o in group)
    return f"{wrong / len(group):.0%} ({wrong}/{len(group)})"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(r, widths)) for r in [header, *rows]]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Print the share of calls with the right rep and how well the confidence separates
    right from wrong, per set, with and without hints."""
    import argparse

    from analyzer.call.roles import load_calibration

    parser = argparse.ArgumentParser(prog="python -m analyzer.evaluate.roles",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--sales", type=Path, action="append", default=[],
                        help="a folder of transcripts with a manifest.csv (file, rep_speaker)")
    parser.add_argument("--only-sales", action="store_true",
                        help="score only the --sales folders")
    args = parser.parse_args(argv)
    low = load_calibration().low_confidence
    cases = [] if args.only_sales else stereo_cases() + mono_cases() + transcript_cases()
    cases += [c for folder in args.sales for c in sales_cases(folder)]
    if not cases:
        print(f"no real data under {REALDATA}")
        return
    outcomes = [decide(c, hint) for hint in (False, True) for c in cases]
    print(f"Rep found by `decide_roles` on the real material ({len(cases)} calls; "
          f"banner under {low}):\n")
    print(_table(["set", "hint", "calls", "right", f"wrong at >= {low}", f"wrong under {low}",
                  "wrong >= 0.9", "top wrong conf."], summary_rows(outcomes, low)))
    unhinted = [o for o in outcomes if o.condition == "no hint"]
    print("\nWithout hints, right share per confidence band:\n")
    print(_table(["confidence", "calls", "right"], band_rows(unhinted)))
    sales = {f.name for f in args.sales}
    real_calls = [o for o in unhinted if o.case.corpus != "persuasion"
                  and not o.case.corpus.startswith("persuasion,")
                  and (not o.right or o.case.corpus.split(",")[0] not in sales)]
    print("\nEvery call but the persuasion chats (of --sales folders, the wrong ones), "
          "without hints:\n")
    print(_table(["set", "call", "right", "conf.", "reason"],
                 [[o.case.corpus, o.case.name, "yes" if o.right else "NO",
                   f"{o.confidence:.2f}", o.reason[:90]] for o in real_calls]))
    sweep = scale_sweep(cases, [x / 20 for x in range(2, 41)])
    fit = min(sweep, key=lambda r: r[1])
    safe = max((r for r in sweep if r[2] == 0), key=lambda r: r[0], default=None)
    print(f"\nCue scale with the lowest log loss: {fit[0]:.2f} (log loss {fit[1]:.3f}, "
          f"{fit[2]} wrong at >= 0.9)")
    if safe is not None:
        print(f"Largest cue scale with no wrong call at >= 0.9: {safe[0]:.2f} "
              f"(log loss {safe[1]:.3f})")
    print(f"models/roles/calibration.json has {load_calibration().cue_scale}.")


if __name__ == "__main__":
    main()
