"""Score the language labels on real conversations nobody on the team wrote (issue 17).

    python -m analyzer.evaluate.language_real            # the parts never tuned on (make eval)
    python -m analyzer.evaluate.language_real --tune     # the parts rules may be tuned on
    python -m analyzer.evaluate.language_real --errors   # also list wrong sentences

Two labelled sets in ``../shared/realdata`` (beside the repository; a set that is absent is
skipped with one line saying so):

* ``mrda/``: real meeting speech, one utterance a line, with dialogue acts. Questions are the
  utterances whose basic act is Q, statements those whose basic act is S; scored on the
  transcribers' punctuated text and on the same text lower-cased without punctuation, as bare
  ASR text. Declarative questions (full tag ``d``) and tag questions (``g``) are scored apart.
  ``train/`` may be tuned on; ``test/`` is reported.
* ``zoom_vtt/``: a real 55-minute Zoom meeting, unlabelled. Every cue is labelled as if the
  rep said it (the worst case) and every pushy flag is printed for a reader to judge; none
  is right (nobody in the meeting sells anything).
* ``persuasion/``: real typed persuasion dialogues labelled sentence by sentence. The
  persuader is the rep, the persuadee the customer. Personal and task inquiries stand for
  questions about the customer, credibility appeals for self-promotion, the proposition of a
  donation for asking for the commitment; greetings, thanks, closings and acknowledgements
  must never be pushy. Dialogues are split in halves by id (sorted, alternating): the first
  half may be tuned on, the second is reported. The persuader's questions of 99 of those
  dialogues were also labelled by hand for what a coach means by a question about the
  customer (``models/eval/language/persuasion_questions.csv``), same halves.
"""

from __future__ import annotations

import argparse
import csv
import string
import sys
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzer.call.doubt import load_veto
from analyzer.call.language import DEFAULT_MODEL, Labeler
from analyzer.evaluate.language import Score
from analyzer.settings import EVAL_DIR, REPO_DIR
from analyzer.types import REP

REALDATA = REPO_DIR.parent / "shared" / "realdata"
CUSTOMER_INQUIRIES = frozenset({"personal-related-inquiry", "task-related-inquiry"})
CREDIBILITY = frozenset({"credibility-appeal"})
THE_ASK = frozenset({"proposition-of-donation"})
# Every way of asking for the commitment, for a second, looser reading of pushy_close precision.
ANY_ASK = frozenset({"proposition-of-donation", "ask-donation-amount", "ask-donate-more",
                     "confirm-donation"})
NEVER_PUSHY = frozenset({"greeting", "thank", "closing", "acknowledgement"})
# Persuader questions labelled by hand for a coach's meaning of customer_question.
HAND_QUESTIONS = EVAL_DIR / "language" / "persuasion_questions.csv"
SECOND_QUESTIONS = EVAL_DIR / "language" / "persuasion_questions_second.csv"
# Punctuation ASR output does not have; apostrophes stay ("you're").
BARE_DROP = str.maketrans("", "", string.punctuation.replace("'", ""))


@dataclass(frozen=True)
class Utterance:
    """One MRDA utterance: its text and its basic and full dialogue-act tags."""

    text: str
    basic: str
    full: str


@dataclass(frozen=True)
class Sentence:
    """One PersuasionForGood sentence: its text, the speaker's role and its labels."""

    dialogue: str
    role: str
    text: str
    labels: frozenset[str]


def read_mrda(folder: Path) -> list[Utterance]:
    """The questions (Q) and statements (S) of every meeting file in folder, in file order."""
    found: list[Utterance] = []
    for path in sorted(folder.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("|")
            if len(parts) == 5 and parts[2] in ("Q", "S") and parts[1].strip():
                found.append(Utterance(parts[1].strip(), parts[2], parts[4]))
    return found


def bare(text: str) -> str:
    """The text as bare ASR gives it: lower case, no punctuation, single spaces."""
    return " ".join(text.lower().translate(BARE_DROP).split())


def read_persuasion(path: Path) -> list[Sentence]:
    """Every sentence of dialogues.csv, persuader as rep and persuadee as customer."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    found = []
    for row in rows:
        labels = frozenset(row[k] for k in ("persuader_label", "persuadee_label",
                                            "persuader_label_2", "persuadee_label_2") if row[k])
        role = REP if row["role"] == "persuader" else "customer"
        found.append(Sentence(row["dialogue"], role, row["text"].strip(), labels))
    return [s for s in found if s.text]


def persuasion_half(sentences: Sequence[Sentence], tune: bool) -> list[Sentence]:
    """The tune half (dialogue ids at even places when sorted) or the test half (odd)."""
    ids = sorted({s.dialogue for s in sentences})
    keep = set(ids[0 if tune else 1::2])
    return [s for s in sentences if s.dialogue in keep]


def flagged(labeler: Labeler, texts: Sequence[str], roles: Sequence[str]) -> list[frozenset[str]]:
    """The union of the labels of each text's sentences, without those the sales veto doubts
    (as ``analyze_call`` withdraws them)."""
    veto = load_veto()
    return [frozenset(label for s in sentences for label in s.labels
                      if not veto.doubts(label, role, text))
            for text, role, sentences in zip(texts, roles, labeler.label(list(texts),
                                                                          list(roles)))]


def count(gold: Sequence[bool], predicted: Sequence[bool], label: str) -> Score:
    """True positives, false positives and false negatives of one label."""
    pairs = list(zip(gold, predicted, strict=True))
    return Score(label, sum(g and p for g, p in pairs), sum(p and not g for g, p in pairs),
                 sum(g and not p for g, p in pairs))


def line(name: str, s: Score, target: str = "") -> str:
    """One printed row: precision, recall, and the set sizes behind them."""
    return (f"  {name:<42}P {s.precision:.3f} ({s.tp}/{s.tp + s.fp} flagged)  "
            f"R {s.recall:.3f} ({s.tp}/{s.tp + s.fn})  {target}")


def score_questions(labeler: Labeler, utterances: Sequence[Utterance], name: str,
                    errors: bool) -> dict[str, float]:
    """Print question recall and precision, declarative and tag recall, and the statement
    false-positive rate, punctuated then bare; return the figures by name."""
    figures: dict[str, float] = {}
    for form, texts in (("punctuated", [u.text for u in utterances]),
                        ("bare", [bare(u.text) for u in utterances])):
        asked = ["question" in p for p in flagged(labeler, texts, [REP] * len(texts))]
        gold = [u.basic == "Q" for u in utterances]
        statements = [a for a, u in zip(asked, utterances) if u.basic == "S"]
        rate = sum(statements) / len(statements) if statements else 0.0
        print(f"{name}, {form}: {sum(gold)} questions, {len(statements)} statements")
        overall = count(gold, asked, "question")
        print(line("question", overall, "(target R >= 0.95 punctuated, >= 0.85 bare)"))
        for tag, kind, target in (("d", "declarative question (d)", "(target R >= 0.60)"),
                                  ("g", "tag question (g)", "")):
            picked = [(a, u) for a, u in zip(asked, utterances) if u.full == tag and u.basic == "Q"]
            found = sum(a for a, _ in picked)
            recall = found / len(picked) if picked else 1.0
            print(f"  {kind:<42}R {recall:.3f} ({found}/{len(picked)})  {target}")
            figures[f"{form}_{tag}_recall"] = recall
        print(f"  {'statements flagged as questions':<42}{rate:.3f} ({sum(statements)}/"
              f"{len(statements)})  (target <= 0.03)")
        figures.update({f"{form}_recall": overall.recall, f"{form}_precision": overall.precision,
                        f"{form}_fp_rate": rate})
        if errors:
            for a, g, u, t in zip(asked, gold, utterances, texts):
                if a != g:
                    print(f"    {'missed' if g else 'false'} [{u.basic} {u.full}] {t}")
    return figures


def score_persuasion(labeler: Labeler, sentences: Sequence[Sentence], name: str,
                     errors: bool) -> dict[str, float]:
    """Print precision and recall of the three rep labels against the annotators' labels,
    and the pushy flags on greetings, thanks, closings and acknowledgements."""
    predicted = flagged(labeler, [s.text for s in sentences], [s.role for s in sentences])
    rep = [(s, p) for s, p in zip(sentences, predicted) if s.role == REP]
    print(f"{name}: {len({s.dialogue for s in sentences})} dialogues, {len(rep)} persuader "
          f"sentences")
    figures: dict[str, float] = {}
    for label, gold_labels, what in (
            ("customer_question", CUSTOMER_INQUIRIES, "personal/task inquiry"),
            ("self_promotion", CREDIBILITY, "credibility appeal"),
            ("pushy_close", THE_ASK, "proposition of donation")):
        gold = [bool(s.labels & gold_labels) for s, _ in rep]
        found = [label in p for _, p in rep]
        result = count(gold, found, label)
        print(line(f"{label} ~ {what}", result, "(target P >= 0.90, R >= 0.80)"))
        wrong = Counter(sorted(s.labels)[0] for (s, p), g in zip(rep, gold) if label in p and not g)
        if wrong:
            print("    false flags on: " + ", ".join(f"{k} {v}" for k, v in wrong.most_common(5)))
        figures.update({f"{label}_precision": result.precision, f"{label}_recall": result.recall})
        if errors:
            for (s, p), g in zip(rep, gold):
                if g != (label in p):
                    kind = "missed" if g else "false"
                    print(f"    {kind} {label} [{','.join(sorted(s.labels))}] {s.text}")
    pushy = [s for s, p in rep if "pushy_close" in p]
    asks = sum(bool(s.labels & ANY_ASK) for s in pushy)
    print(f"  {'pushy_close on any ask for the commitment':<42}P {asks / max(len(pushy), 1):.3f} "
          f"({asks}/{len(pushy)} flagged; proposition, amount, more, confirmation)")
    figures["pushy_close_any_ask_precision"] = asks / max(len(pushy), 1)
    # A greeting that is also an ask ("Hi, how much would you like to donate now") is an ask.
    polite = [(s, p) for s, p in zip(sentences, predicted)
              if s.labels & NEVER_PUSHY and not s.labels & ANY_ASK]
    pushy = [s for s, p in polite if "pushy_close" in p]
    print(f"  {'greeting/thank/closing/ack pushy':<42}{len(pushy)} of {len(polite)} "
          f"(target 0)")
    for s in pushy:
        print(f"    pushy: {s.text}")
    figures["polite_pushy"] = float(len(pushy))
    return figures


def list_meeting_flags(labeler: Labeler, path: Path) -> dict[str, float]:
    """Label every cue of a real meeting as the rep's; print the flag counts and every
    pushy flag (a meeting where nobody sells: each one is wrong)."""
    from analyzer.run.transcript_files import read_transcript

    texts = [s.text for s in read_transcript(path).segments]
    predicted = [label for sentences in labeler.label(texts) for s in sentences
                 for label in s.labels]
    counts = Counter(predicted)
    print(f"{path.parent.name}/{path.name}: {len(texts)} cues labelled as the rep's")
    print("  flags: " + ", ".join(f"{k} {counts[k]}" for k in
                                  ("question", "customer_question", "self_promotion",
                                   "pushy_close")))
    for sentences in labeler.label(texts):
        for s in sentences:
            if "pushy_close" in s.labels:
                print(f"    pushy: {s.text}")
    return {f"{k}_flags": float(counts[k]) for k in ("self_promotion", "pushy_close")}


def score_hand_questions(labeler: Labeler, path: Path, tune: bool, errors: bool
                         ) -> dict[str, float]:
    """Print precision and recall of customer_question on the persuader questions labelled by
    hand for what a coach means (``models/eval/language/persuasion_questions.csv``): the tune
    part, or the test part (tuned on since stop 25) and the fresh part (never read), with how
    far a second labeller agrees on the test part."""
    with path.open(encoding="utf-8", newline="") as handle:
        texts = [row["text"].strip() for row in csv.DictReader(handle)]
    result: dict[str, float] = {}
    for part in ("tune",) if tune else ("test", "fresh"):
        rows = [r for r in read_rows(HAND_QUESTIONS) if r["split"] == part]
        said = flagged(labeler, [texts[int(r["item"]) - 1] for r in rows], [REP] * len(rows))
        gold = [r["label"] == "about_customer" for r in rows]
        score = count(gold, ["customer_question" in p for p in said], "customer_question")
        print(f"persuasion ({part}), persuader questions labelled for a coach: {len(rows)} "
              f"sentences of {len({r['dialogue'] for r in rows})} dialogues")
        print(line("customer_question ~ about the customer", score,
                   "(target P >= 0.90, R >= 0.80)"))
        for r, g, p in zip(rows, gold, said):
            if errors and g != ("customer_question" in p):
                print(f"    {'missed' if g else 'false'} customer_question: "
                      f"{texts[int(r['item']) - 1]}")
        result = {"precision": score.precision, "recall": score.recall}
    if not tune:
        print_agreement(read_rows(HAND_QUESTIONS), read_rows(SECOND_QUESTIONS), "test")
    return result


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a labelled CSV file under ``models/eval/``."""
    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


def print_agreement(first: Sequence[dict[str, str]], second: Sequence[dict[str, str]],
                    part: str, positive: str = "about_customer") -> None:
    """How far two labellers agree on one label (Cohen's kappa) where both labelled."""
    theirs = {(r["dialogue"], r["item"]): r["label"] == positive for r in second}
    pairs = [(r["label"] == positive, theirs[(r["dialogue"], r["item"])]) for r in first
             if r["split"] == part and (r["dialogue"], r["item"]) in theirs]
    if pairs:
        print(f"  a second labeller, {part} part: {agreement(pairs)}")


def agreement(pairs: Sequence[tuple[bool, bool]]) -> str:
    """Agreement of two labellers on a yes/no label, as a line: the counts and Cohen's kappa."""
    n = len(pairs)
    first, second = sum(a for a, _ in pairs), sum(b for _, b in pairs)
    return (f"{n} items, yes {first} / {second}, both {sum(a and b for a, b in pairs)}, "
            f"kappa {kappa(pairs):.2f}")


def kappa(pairs: Sequence[tuple[Hashable, Hashable]]) -> float:
    """Cohen's kappa of two readings over any number of classes."""
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[k] * second[k] for k in first) / n ** 2
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def run(labeler: Labeler, root: Path = REALDATA, tune: bool = False,
        errors: bool = False) -> dict[str, dict[str, float]]:
    """Score every real set present under root; print a line for each one absent."""
    results: dict[str, dict[str, float]] = {}
    split = "train" if tune else "test"
    mrda = root / "mrda" / split
    if mrda.is_dir():
        print()
        results["mrda"] = score_questions(labeler, read_mrda(mrda), f"mrda/{split}", errors)
    else:
        print(f"\n{mrda}: absent, skipped")
    meeting = root / "zoom_vtt" / "meeting001_transcript.vtt"
    if meeting.is_file():
        print()
        results["zoom_vtt"] = list_meeting_flags(labeler, meeting)
    else:
        print(f"\n{meeting}: absent, skipped")
    persuasion = root / "persuasion" / "dialogues.csv"
    if persuasion.is_file():
        half = "tune half" if tune else "test half"
        print()
        results["persuasion"] = score_persuasion(
            labeler, persuasion_half(read_persuasion(persuasion), tune),
            f"persuasion ({half})", errors)
        print()
        results["persuasion_hand"] = score_hand_questions(labeler, persuasion, tune, errors)
    else:
        print(f"\n{persuasion}: absent, skipped")
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Score the real sets (the reported parts, or with --tune the tuning parts)."""
    parser = argparse.ArgumentParser(prog="python -m analyzer.evaluate.language_real",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--tune", action="store_true",
                        help="score mrda/train and the persuasion tune half instead")
    parser.add_argument("--errors", action="store_true", help="list every wrong sentence")
    parser.add_argument("--root", type=Path, default=REALDATA, help="the realdata folder")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="spaCy model name or path")
    args = parser.parse_args(argv)
    run(Labeler.load(args.model), args.root, args.tune, args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
