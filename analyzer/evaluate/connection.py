"""Score follow-up questions, acknowledgements and stretch kinds on real dialogues.

    python -m analyzer.evaluate.connection           # test parts, as `make eval` prints them
    python -m analyzer.evaluate.connection --tune    # the tune parts instead (rule writing)
    python -m analyzer.evaluate.connection --errors  # also list the mistakes

Every figure goes through the production path: each dialogue (or labelled question with the
talk before it) becomes a transcript whose rep is one speaker, analyzed by
``call.analysis.analyze_call`` with the real labeler. Sets (never copied into the repository,
read from ``../shared/realdata``):

* follow-ups: the questions labelled by hand in ``models/eval/connection/follow_up.csv``;
* relating: the persuader sentences labelled by hand in ``models/eval/connection/relating.csv``
  (every first-person statement right after a persuadee turn);
* acknowledgement for a coach: the first two persuader sentences after each persuadee turn of
  99 dialogues, labelled by hand in ``models/eval/connection/acknowledgement.csv`` (parts:
  the closing evaluation's split of sorted ids);
* acknowledgement: PersuasionForGood persuader sentences labelled acknowledgement or
  praise-user; ICSI MRDA utterances labelled ba (appreciation), by (sympathy), bs
  (reformulation), each said right after another speaker's utterance;
* stretch kinds: PersuasionForGood sentences labelled personal-related-inquiry or
  personal-story (personal), greeting or off-task (small talk), or one of the task labels
  (business).

Persuasion dialogues are split tune/test by the parity of the MD5 of their id, MRDA by the
corpus's own train/test split.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.call.analysis import Models, analyze_call
from analyzer.call.connection import ACKNOWLEDGEMENT, FOLLOW_UP, RELATING
from analyzer.call.roles import RoleEvidence
from analyzer.call.stretches import STRETCH
from analyzer.settings import EVAL_DIR, REPO_DIR
from analyzer.types import CallResult, CallSource, Segment, Transcript

REALDATA = REPO_DIR.parent / "shared" / "realdata"
PERSUASION = REALDATA / "persuasion" / "dialogues.csv"
MRDA = REALDATA / "mrda"
FOLLOW_UPS = EVAL_DIR / "connection" / "follow_up.csv"
RELATING_LABELS = EVAL_DIR / "connection" / "relating.csv"
ACK_LABELS = EVAL_DIR / "connection" / "acknowledgement.csv"
ACK_KINDS = ("appreciation", "sympathy", "reformulation")
REP, OTHER = "REP", "OTHER"
MRDA_WINDOW = 20  # lines of meeting before a labelled question given as its call
ACK_PERSUASION = frozenset({"acknowledgement", "praise-user"})
ACK_MRDA = {"ba": "appreciation", "by": "sympathy", "bs": "reformulation"}
PERSONAL = frozenset({"personal-related-inquiry", "personal-story"})
SMALL_TALK = frozenset({"greeting", "off-task"})
BUSINESS = frozenset({
    "credibility-appeal", "logical-appeal", "emotion-appeal", "task-related-inquiry",
    "source-related-inquiry", "donation-information", "proposition-of-donation",
    "ask-donation-amount", "ask-donate-more", "ask-not-donate-reason", "confirm-donation",
    "foot-in-the-door", "self-modeling", "ask-org-info", "ask-donation-procedure",
    "ask-persuader-donation-intention", "positive-reaction-to-donation",
    "neutral-reaction-to-donation", "negative-reaction-to-donation", "agree-donation",
    "disagree-donation", "disagree-donation-more", "provide-donation-amount"})


@dataclass(frozen=True)
class Count:
    """Predictions against truth for one label on one set."""

    name: str
    items: int
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        """Share of predicted positives that are right (nan when none predicted)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def recall(self) -> float:
        """Share of true positives found (nan when there are none)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    def line(self) -> str:
        """One printed row: set, items, positives, predicted, precision, recall."""
        return (f"{self.name:<52} {self.items:>6} {self.tp + self.fn:>6} "
                f"{self.tp + self.fp:>6} {self.precision:>6.2f} {self.recall:>6.2f}")


def count(name: str, pairs: Iterable[tuple[bool, bool]]) -> Count:
    """A Count from (truth, predicted) pairs."""
    pairs = list(pairs)
    return Count(name, len(pairs), sum(t and p for t, p in pairs),
                 sum(p and not t for t, p in pairs), sum(t and not p for t, p in pairs))


def split_of(dialogue: str) -> str:
    """The tune/test part of a persuasion dialogue."""
    return "test" if int(hashlib.md5(dialogue.encode()).hexdigest(), 16) % 2 else "tune"


def analyze(segments: Sequence[tuple[str, str]], labeler: Any, name: str) -> CallResult:
    """One untimed call of (speaker, text) lines whose rep is the speaker ``REP``."""
    segs = tuple(Segment(speaker, float("nan"), float("nan"), text)
                 for speaker, text in segments)
    speakers = tuple(dict.fromkeys(s for s, _ in segments))
    transcript = Transcript(segs, speakers, float("nan"), "eval", timed=False)
    call = CallSource(name, "eval", name, rep_speaker=REP)
    return analyze_call(call, transcript, RoleEvidence(rep_speaker=REP), Models(labeler))


def labels_at(result: CallResult, label: str) -> dict[int, str]:
    """Utterance index -> subtype of the first flag with the label there."""
    out: dict[int, str] = {}
    for flag in result.flags:
        if flag.label == label and flag.utterance not in out:
            out[flag.utterance] = flag.subtype
    return out


def kind_of_utterances(result: CallResult) -> list[str]:
    """The stretch kind each utterance of a call falls in."""
    kinds = [""] * len(result.utterances)
    for flag in sorted((f for f in result.flags if f.label == STRETCH),
                       key=lambda f: f.utterance):
        for index in range(flag.utterance, len(kinds)):
            kinds[index] = flag.subtype
    return kinds


# ---- persuasion ------------------------------------------------------------------------


def persuasion_rows() -> dict[str, list[dict[str, str]]]:
    """The sentences of every dialogue, in order, each with its record number."""
    dialogues: dict[str, list[dict[str, str]]] = {}
    with PERSUASION.open(encoding="utf-8", newline="") as f:
        for number, row in enumerate(csv.DictReader(f), 1):
            dialogues.setdefault(row["dialogue"], []).append({**row, "item": str(number)})
    return dialogues


def persuasion_labels(row: dict[str, str]) -> set[str]:
    """Every label the annotators gave a sentence (both columns, both roles)."""
    keys = ("persuader_label", "persuadee_label", "persuader_label_2", "persuadee_label_2")
    return {row[k] for k in keys if row.get(k)}


def persuasion_calls(labeler: Any, part: str) -> list[tuple[list[dict[str, str]], CallResult]]:
    """Each dialogue of the part analyzed as a call, one utterance per sentence."""
    out = []
    for dialogue, rows in persuasion_rows().items():
        if split_of(dialogue) != part:
            continue
        lines = [(REP if r["role"] == "persuader" else OTHER, r["text"]) for r in rows]
        out.append((rows, analyze(lines, labeler, dialogue)))
    return out


def relating_scores(calls: Sequence[tuple[list[dict[str, str]], CallResult]], part: str,
                    errors: bool) -> list[Count]:
    """Relating on the hand-labelled persuader sentences of the part's dialogues; and, apart,
    on those that follow a customer turn the labeller found personal."""
    rows = [r for r in csv.DictReader(RELATING_LABELS.read_text(encoding="utf-8").splitlines())
            if r["split"] == part]
    truth = {(r["source"], r["item"]): r for r in rows}
    pairs: list[tuple[bool, bool]] = []
    after_personal: list[tuple[bool, bool]] = []
    unlabelled = 0
    for dialogue_rows, result in calls:
        said = labels_at(result, RELATING)
        for index, row in enumerate(dialogue_rows):
            gold = truth.get((row["dialogue"], row["item"]))
            if gold is None:
                unlabelled += index in said
                continue
            pair = (gold["label"] == "relating", index in said)
            pairs.append(pair)
            if gold["customer_personal"] == "yes":
                after_personal.append(pair)
            _show(errors, "relating", *pair, row["text"])
    print(f"  relating flags on sentences outside the labelled set: {unlabelled}")
    return [count(f"persuasion {part}: relating (labelled sentences)", pairs),
            count(f"persuasion {part}: relating, after personal talk", after_personal)]


def hand_ack_scores(labeler: Any, part: str, errors: bool) -> list[Count]:
    """Acknowledgement on the persuader sentences labelled by hand for a coach's meaning
    (``models/eval/connection/acknowledgement.csv``; parts: the closing evaluation's split), and
    on those of its dialogues the MD5 split also leaves out of tuning."""
    rows = [r for r in csv.DictReader(ACK_LABELS.read_text(encoding="utf-8").splitlines())
            if r["split"] == part]
    labelled = {(r["dialogue"], r["item"]): r["label"] for r in rows}
    dialogues = persuasion_rows()
    pairs: list[tuple[bool, bool]] = []
    clean: list[tuple[bool, bool]] = []
    kinds: dict[str, list[tuple[bool, bool]]] = {k: [] for k in ACK_KINDS}
    for dialogue in sorted({d for d, _ in labelled}):
        found = dialogues[dialogue]
        lines = [(REP if r["role"] == "persuader" else OTHER, r["text"]) for r in found]
        acks = labels_at(analyze(lines, labeler, dialogue), ACKNOWLEDGEMENT)
        for index, row in enumerate(found):
            gold = labelled.get((dialogue, row["item"]))
            if gold is None:
                continue
            pair = (gold in ACK_KINDS, index in acks)
            pairs.append(pair)
            if split_of(dialogue) == "test":
                clean.append(pair)
            for kind, kind_pairs in kinds.items():
                kind_pairs.append((gold == kind, acks.get(index) == kind))
            _show(errors, f"acknowledgement ({gold})", *pair, row["text"])
    return [count(f"persuasion {part}: acknowledgement, labelled for a coach", pairs),
            count("... in dialogues of the MD5 test part too", clean),
            *[count(f"... {kind}", kind_pairs) for kind, kind_pairs in kinds.items()]]


def persuasion_scores(calls: Sequence[tuple[list[dict[str, str]], CallResult]], part: str,
                      errors: bool) -> list[Count]:
    """Acknowledgement and stretch kinds on the part's dialogues."""
    from analyzer.call.turns import says_only_backchannels

    ack: list[tuple[bool, bool]] = []
    ack_not_bare: list[tuple[bool, bool]] = []
    ack_comment: list[tuple[bool, bool]] = []
    kinds: dict[str, list[tuple[bool, bool]]] = {k: [] for k in ("business", "personal",
                                                                 "small_talk")}
    for rows, result in calls:
        acks = labels_at(result, ACKNOWLEDGEMENT)
        predicted_kinds = kind_of_utterances(result)
        for index, row in enumerate(rows):
            labels = persuasion_labels(row)
            if row["role"] == "persuader":
                truth, said = bool(labels & ACK_PERSUASION), index in acks
                ack.append((truth, said))
                ack_comment.append((bool(labels & (ACK_PERSUASION | {"comment-partner"})), said))
                if not says_only_backchannels(row["text"]):
                    ack_not_bare.append((truth, said))
                _show(errors, "acknowledgement", truth, said, row["text"])
            gold = _gold_kind(labels)
            if gold:
                for kind, pairs in kinds.items():
                    pairs.append((gold == kind, predicted_kinds[index] == kind))
                _show(errors, f"kind {gold}->{predicted_kinds[index]}",
                      True, gold == predicted_kinds[index], row["text"])
    out = [count(f"persuasion {part}: acknowledgement+praise-user", ack),
           count(f"persuasion {part}: same, bare backchannels left out", ack_not_bare),
           count(f"persuasion {part}: same, comment-partner counted too", ack_comment)]
    out += [count(f"persuasion {part}: stretch kind {k}", pairs) for k, pairs in kinds.items()]
    return out


def _gold_kind(labels: set[str]) -> str:
    if labels & PERSONAL:
        return "personal"
    if labels & SMALL_TALK:
        return "small_talk"
    return "business" if labels & BUSINESS else ""


# ---- mrda ------------------------------------------------------------------------------


def mrda_lines(path: Path) -> list[list[str]]:
    """A meeting's lines: speaker, text, basic, general, full."""
    return [line.split("|") for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def mrda_scores(labeler: Any, part: str, errors: bool, limit: int = 0) -> list[Count]:
    """Acknowledgement on each utterance said right after another speaker's, meeting by
    meeting: the call pairs each such utterance (rep) with the one before it (customer)."""
    folder = MRDA / ("test" if part == "test" else "train")
    pairs: list[tuple[bool, bool]] = []
    by_kind: dict[str, list[tuple[bool, bool]]] = {k: [] for k in ACK_MRDA.values()}
    # MRDA's understanding check (bu: "you mean the training?") restates as bs does.
    checks: list[tuple[bool, bool]] = []
    for path in sorted(folder.glob("*.txt"))[:limit or None]:
        lines = mrda_lines(path)
        chosen = [i for i in range(1, len(lines)) if lines[i - 1][0] != lines[i][0]]
        segments = [(s, t) for i in chosen for s, t in
                    ((OTHER, lines[i - 1][1]), (REP, lines[i][1]))]
        acks = labels_at(analyze(segments, labeler, path.stem), ACKNOWLEDGEMENT)
        for number, i in enumerate(chosen):
            truth_kind = ACK_MRDA.get(lines[i][4], "")
            said = acks.get(2 * number + 1, "")
            pairs.append((bool(truth_kind), bool(said)))
            for kind, kind_pairs in by_kind.items():
                kind_pairs.append((truth_kind == kind, said == kind))
            checks.append((lines[i][4] in ("bs", "bu"), said == "reformulation"))
            _show(errors, "acknowledgement", bool(truth_kind), bool(said), lines[i][1])
    return [count(f"mrda {part}: acknowledgement (ba+by+bs)", pairs),
            *[count(f"mrda {part}: {kind} ({code})", by_kind[kind])
              for code, kind in ACK_MRDA.items()],
            count(f"mrda {part}: reformulation against bs + bu", checks)]


# ---- follow-ups ------------------------------------------------------------------------


def follow_up_scores(labeler: Any, part: str, errors: bool) -> list[Count]:
    """Follow-up questions on the hand-labelled questions of the part, by corpus."""
    rows = [r for r in csv.DictReader(FOLLOW_UPS.read_text(encoding="utf-8").splitlines())
            if r["split"] == part and r["label"] != "not_a_question"]
    dialogues = persuasion_rows() if any(r["corpus"] == "persuasion" for r in rows) else {}
    by_corpus: dict[str, list[tuple[bool, bool]]] = {}
    for row in rows:
        lines = (_persuasion_context(dialogues[row["source"]], int(row["item"]))
                 if row["corpus"] == "persuasion" else _mrda_context(row))
        result = analyze(lines, labeler, f"{row['source']}:{row['item']}")
        said = len(lines) - 1 in labels_at(result, FOLLOW_UP)
        truth = row["label"] == "follow_up"
        by_corpus.setdefault(row["corpus"], []).append((truth, said))
        _show(errors, f"follow-up ({row['corpus']} {row['source']} {row['item']})", truth, said,
              lines[-1][1])
    every = [p for pairs in by_corpus.values() for p in pairs]
    return [count(f"follow-up {part}: all labelled questions", every),
            *[count(f"follow-up {part}: {name}", pairs) for name, pairs in by_corpus.items()]]


def _persuasion_context(rows: list[dict[str, str]], item: int) -> list[tuple[str, str]]:
    """The dialogue up to a question: earlier sentences, then the question on its own."""
    before = [r for r in rows if int(r["item"]) < item]
    question = next(r for r in rows if int(r["item"]) == item)
    return [*((REP if r["role"] == "persuader" else OTHER, r["text"]) for r in before),
            (REP, question["text"])]


def _mrda_context(row: dict[str, str]) -> list[tuple[str, str]]:
    """The meeting's lines before a question (the asker as the rep), then the question."""
    lines = mrda_lines(MRDA / row["source"])
    at = int(row["item"]) - 1
    asker = lines[at][0]
    return [(REP if s == asker else OTHER, text)
            for s, text, *_ in lines[max(0, at - MRDA_WINDOW):at + 1]]


def _show(errors: bool, what: str, truth: bool, said: bool, text: str) -> None:
    if errors and truth != said:
        print(f"  {'missed' if truth else 'wrong '} {what}: {text[:120]}")


def main(argv: Sequence[str] | None = None) -> int:
    """Print precision and recall of every set of the part (test unless --tune)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true", help="score the tune parts")
    parser.add_argument("--errors", action="store_true", help="list the mistakes")
    parser.add_argument("--meetings", type=int, default=0,
                        help="score only the first N MRDA meetings (0: all)")
    parser.add_argument("--only", choices=("follow_up", "persuasion", "mrda"), default=None)
    args = parser.parse_args(argv)
    if not PERSUASION.exists() or not MRDA.exists():
        print(f"real data not found under {REALDATA}: nothing to score")
        return 0
    from analyzer.call.language import Labeler

    labeler = Labeler.load()
    part = "tune" if args.tune else "test"
    print(f"Connection labels on real dialogues ({part} parts); targets P >= 0.85, R >= 0.75")
    print(f"{'set':<52} {'items':>6} {'true':>6} {'said':>6} {'P':>6} {'R':>6}")
    scores: list[Count] = []
    # The fresh part (labelled in stop 25, never read while tuning) is reported with the test.
    parts = (part,) if args.tune else (part, "fresh")
    if args.only in (None, "follow_up"):
        scores += [s for p in parts for s in follow_up_scores(labeler, p, args.errors)]
    if args.only in (None, "persuasion"):
        calls = persuasion_calls(labeler, part)
        scores += persuasion_scores(calls, part, args.errors)
        scores += relating_scores(calls, part, args.errors)
        scores += [s for p in parts for s in hand_ack_scores(labeler, p, args.errors)]
    if args.only in (None, "mrda"):
        scores += mrda_scores(labeler, part, args.errors, args.meetings)
    for score in scores:
        print(score.line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
