"""Score the close (asks, commitments, objections), the agreed next step and the phases on real
conversations nobody wrote for this project.

    python -m analyzer.evaluate.closing              # persuasion and MRDA, tune and test
    python -m analyzer.evaluate.closing --errors     # also list the tune set's mistakes

* ``../shared/realdata/persuasion/``: each dialogue analyzed as a call (``analyze_call``; the
  persuader is the rep), every flag mapped to the corpus sentence it sits in. ask ~
  proposition-of-donation; commitment ~ agree-donation, provide-donation-amount (the
  persuadee's); objection ~ negative-reaction-to-donation, disagree-donation. Tune: dialogues
  at even positions of the sorted ids; test: odd.
* The 44 dialogues labelled by hand before the rules (``models/eval/closing/``): next step
  agreed per call, and the share of utterances in the right phase.
* ``../shared/realdata/mrda/``: each utterance's cues as the customer (commitment, next step)
  and as the rep (ask): commitment ~ cc, ask ~ cs (offer) and co (action directive).
  Tune on ``train/``, report ``test/``.
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzer.call.analysis import Models, analyze_call
from analyzer.call.closing import FLAG_LABELS, doc_hits, sentence_cues
from analyzer.call.language import Labeler, sentences
from analyzer.call.roles import RoleEvidence
from analyzer.call.words import one_space
from analyzer.evaluate.language import Score
from analyzer.evaluate.language_real import agreement, read_rows
from analyzer.evaluate.sales_phases import phases_of
from analyzer.settings import EVAL_DIR, REPO_DIR
from analyzer.types import CallResult, CallSource, Flag, Segment, Transcript

REALDATA = REPO_DIR.parent / "shared" / "realdata"
PERSUASION = REALDATA / "persuasion" / "dialogues.csv"
MRDA = REALDATA / "mrda"
MEETING = REALDATA / "zoom_vtt" / "meeting001_transcript.vtt"
LABELS_DIR = EVAL_DIR / "closing"
GOLD = {"ask": {"proposition-of-donation"},
        "ask or pushy_close": {"proposition-of-donation"},
        "ask (+amount, +more)": {"proposition-of-donation", "ask-donation-amount",
                                 "ask-donate-more"},
        "commitment": {"agree-donation", "provide-donation-amount"},
        "objection": {"negative-reaction-to-donation", "disagree-donation"}}
PREDICTED = {"ask": {"ask"}, "ask or pushy_close": {"ask", "pushy_close"},
             "ask (+amount, +more)": {"ask"},
             "commitment": {"commitment", "next_step"}, "objection": {"objection"}}
ROLE_OF = {"ask": "rep", "ask or pushy_close": "rep", "ask (+amount, +more)": "rep",
           "commitment": "customer", "objection": "customer"}


@dataclass(frozen=True)
class Row:
    """One sentence of a persuasion dialogue with its gold labels."""

    dialogue: str
    turn: int
    role: str
    text: str
    gold: frozenset[str]
    item: int = 0  # the record number in dialogues.csv (1-based, header not counted)


def read_dialogues(path: Path = PERSUASION) -> dict[str, list[Row]]:
    """The persuasion sentences, by dialogue, in file order."""
    out: dict[str, list[Row]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as handle:
        for item, r in enumerate(csv.DictReader(handle), 1):
            gold = frozenset(r[k] for k in ("persuader_label", "persuadee_label",
                                            "persuader_label_2", "persuadee_label_2") if r[k])
            role = "rep" if r["role"] == "persuader" else "customer"
            out[r["dialogue"]].append(Row(r["dialogue"], int(r["turn"]), role, r["text"], gold,
                                          item))
    return dict(out)


def utterance_groups(rows: Sequence[Row]) -> list[list[Row]]:
    """The dialogue's utterances: runs of sentences with the same turn and role."""
    groups: list[list[Row]] = []
    for row in rows:
        if groups and (groups[-1][0].turn, groups[-1][0].role) == (row.turn, row.role):
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups


def as_call(dialogue: str, groups: Sequence[Sequence[Row]]) -> tuple[CallSource, Transcript]:
    """A dialogue as a timed transcript (2.5 words a second, half a second between turns)."""
    segments, clock = [], 0.0
    for group in groups:
        text = " ".join(r.text.strip() for r in group)
        length = max(len(text.split()) / 2.5, 0.5)
        speaker = "Persuader" if group[0].role == "rep" else "Persuadee"
        segments.append(Segment(speaker, clock, clock + length, text))
        clock += length + 0.5
    transcript = Transcript(tuple(segments), ("Persuader", "Persuadee"), clock, "text")
    return CallSource(dialogue, "persuader", f"{dialogue}.txt", rep_speaker="Persuader"), \
        transcript


def analyze(labeler: Labeler, dialogue: str, rows: Sequence[Row]) -> CallResult:
    """One dialogue through the production path."""
    source, transcript = as_call(dialogue, utterance_groups(rows))
    return analyze_call(source, transcript, RoleEvidence(rep_speaker="Persuader"),
                        Models(labeler))


def flagged_rows(result: CallResult, groups: Sequence[Sequence[Row]]) -> list[set[str]]:
    """The flag labels on each corpus sentence of the call, in file order."""
    return [{f.label for f in flags} for flags in flags_by_row(result, groups)]


def flags_by_row(result: CallResult, groups: Sequence[Sequence[Row]]) -> list[list[Flag]]:
    """The flags on each corpus sentence of the call, in file order: a flag belongs to the
    sentence its matched words start in."""
    labels: list[list[Flag]] = []
    bounds: list[list[tuple[int, int]]] = []
    for group in groups:
        cursor, mine = 0, []
        for r in group:  # as the analysis reads it
            length = len(one_space(r.text))
            mine.append((cursor, cursor + length + 1))
            cursor += length + 1
            labels.append([])
        bounds.append(mine)
    first_row = [sum(len(g) for g in groups[:i]) for i in range(len(groups))]
    for f in result.flags:
        if f.utterance < 0 or f.label == "phase":
            continue
        text = result.utterances[f.utterance].text
        at = max(text.find(f.text), 0) + (max(f.text.find(f.span), 0) if f.span else 0)
        k = next((i for i, (a, b) in enumerate(bounds[f.utterance]) if a <= at < b),
                 len(bounds[f.utterance]) - 1)
        labels[first_row[f.utterance] + k].append(f)
    return labels


def count(pairs: Iterable[tuple[bool, bool]], label: str) -> Score:
    """A Score from (gold, predicted) pairs."""
    tally = Counter(pairs)
    return Score(label, tally[(True, True)], tally[(False, True)], tally[(True, False)])


def print_scores(title: str, scores: Sequence[Score], items: int) -> None:
    """One table of precision and recall with the counts behind them."""
    print(f"\n{title}: {items} sentences")
    print(f"{'label':<24}{'precision':>10}{'recall':>8}{'gold':>6}{'tp':>6}{'fp':>5}{'fn':>5}")
    for s in scores:
        print(f"{s.label:<24}{s.precision:>10.3f}{s.recall:>8.3f}{s.tp + s.fn:>6}{s.tp:>6}"
              f"{s.fp:>5}{s.fn:>5}")


def persuasion(labeler: Labeler, dialogues: dict[str, list[Row]], ids: Sequence[str],
               errors: bool = False) -> tuple[list[Score], dict[str, CallResult]]:
    """Sentence-level scores of the closing labels over some dialogues; and their results."""
    pairs: dict[str, list[tuple[bool, bool]]] = {k: [] for k in GOLD}
    results: dict[str, CallResult] = {}
    kinds: Counter[str] = Counter()
    for dialogue in ids:
        rows = dialogues[dialogue]
        groups = utterance_groups(rows)
        result = results[dialogue] = analyze(labeler, dialogue, rows)
        kinds.update(f.subtype for f in result.flags if f.label == "objection")
        for row, got in zip(rows, flagged_rows(result, groups)):
            for name, gold in GOLD.items():
                if row.role != ROLE_OF[name]:
                    continue
                truth, guess = bool(row.gold & gold), bool(got & PREDICTED[name])
                pairs[name].append((truth, guess))
                if errors and truth != guess and name in ("ask", "commitment", "objection"):
                    print(f"  {name}: {'missed' if truth else 'wrong'} [{row.role}] "
                          f"{row.text[:120]}")
    print(f"objection kinds found: {dict(kinds)} (the corpus labels no kind)")
    return [count(pairs[k], k) for k in GOLD], results


def read_reference(name: str) -> list[dict[str, str]]:
    """A hand-labelled reference file of models/eval/closing/."""
    return read_rows(LABELS_DIR / name)


def reference_scores(results: dict[str, CallResult], split: str, errors: bool = False) -> None:
    """Next step agreed per call and phase per utterance against the hand labels."""
    calls = [r for r in read_reference("persuasion_calls.csv") if r["split"] == split]
    right = [(r["next_step_agreed"] == "yes") == results[r["dialogue"]].metrics.next_step_agreed
             for r in calls]
    for call, ok in zip(calls, right):
        if errors and not ok:
            metrics = results[call["dialogue"]].metrics
            print(f"  next step wrong in {call['dialogue']}: hand label {call['next_step_agreed']}"
                  f", found {metrics.next_step_text!r}")
    print(f"next step agreed right ({split}): {sum(right)}/{len(right)} calls = "
          f"{sum(right) / len(right):.3f} (target 0.90)")
    phases = [r for r in read_reference("persuasion_phases.csv") if r["split"] == split]
    got = {d: phases_of(res) for d, res in results.items()}
    hits = [got[r["dialogue"]][int(r["utterance"])] == r["phase"] for r in phases]
    print(f"utterances in the right phase ({split}): {sum(hits)}/{len(hits)} = "
          f"{sum(hits) / len(hits):.3f} (target 0.80)")
    confusion = Counter((r["phase"], got[r["dialogue"]][int(r["utterance"])]) for r in phases)
    print("  gold -> found (most common mistakes):",
          ", ".join(f"{a}->{b} {n}" for (a, b), n in confusion.most_common(20) if a != b)[:400])


def mrda_lines(folder: Path) -> list[tuple[str, str]]:
    """Every (text, full tag) of a MRDA split."""
    out = []
    for path in sorted(folder.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("|")
            if len(parts) == 5 and parts[1].strip():
                out.append((parts[1].strip(), parts[4].strip()))
    return out


def mrda(labeler: Labeler, split: str, limit: int = 0) -> list[Score]:
    """Commitment ~ cc and ask ~ cs, co on a MRDA split (each utterance alone)."""
    lines = mrda_lines(MRDA / split)
    lines = lines[:limit] if limit else lines
    nlp = labeler.nlp
    pairs: dict[str, list[tuple[bool, bool]]] = {"commitment ~ cc": [], "ask ~ cs+co": [],
                                                  "ask ~ cs": [], "ask ~ co": []}
    for (_, tag), doc in zip(lines, nlp.pipe([t for t, _ in lines], batch_size=256)):
        hits = doc_hits(doc, nlp)
        said = {c.label for s in sentences(doc) for c in sentence_cues(doc, s, "customer", hits)}
        asked = {c.label for s in sentences(doc) for c in sentence_cues(doc, s, "rep", hits)}
        committed = bool(said & {"commitment", "next_step"})
        pairs["commitment ~ cc"].append((tag == "cc", committed))
        pairs["ask ~ cs+co"].append((tag in ("cs", "co"), "ask" in asked))
        pairs["ask ~ cs"].append((tag == "cs", "ask" in asked))
        pairs["ask ~ co"].append((tag == "co", "ask" in asked))
    scores = [count(v, k) for k, v in pairs.items()]
    print_scores(f"MRDA {split}/", scores, len(lines))
    return scores


# What a coach calls each hand label (models/eval/closing/persuasion_sentences.csv), against
# the flags that should say it.
ROLE_NAMES = {"rep": "persuader", "customer": "persuadee"}
HAND = {"ask": ("rep", {"ask"}, {"ask"}),
        "pushy_close": ("rep", {"pushy"}, {"pushy_close"}),
        "ask or pushy_close": ("rep", {"ask", "pushy"}, {"ask", "pushy_close"}),
        "commitment": ("customer", {"commitment"}, {"commitment", "next_step"}),
        "objection": ("customer", {"objection"}, {"objection"})}


def question_pairs(results: dict[str, CallResult], dialogues: dict[str, list[Row]], split: str
                   ) -> list[tuple[bool, bool]]:
    """(about the customer, flagged customer_question) for each persuader question labelled
    by hand (``models/eval/language/persuasion_questions.csv``), as the whole call reads it:
    a question the close reads as an ask is no question about the customer."""
    path = EVAL_DIR / "language" / "persuasion_questions.csv"
    labelled = {(r["dialogue"], int(r["item"])): r["label"] for r in csv.DictReader(
        path.read_text(encoding="utf-8").splitlines()) if r["split"] == split}
    pairs = []
    for dialogue in sorted({d for d, _ in labelled}):
        rows = dialogues[dialogue]
        for row, flags in zip(rows, flags_by_row(results[dialogue], utterance_groups(rows))):
            if (dialogue, row.item) in labelled:
                pairs.append((labelled[(dialogue, row.item)] == "about_customer",
                              any(f.label == "customer_question" for f in flags)))
    return pairs


def hand_scores(results: dict[str, CallResult], dialogues: dict[str, list[Row]], split: str,
                errors: bool = False) -> None:
    """The close's labels against the sentences labelled by hand for a coach's meaning of
    them (``models/eval/closing/persuasion_sentences.csv``), and the objection kinds."""
    path = LABELS_DIR / "persuasion_sentences.csv"
    labelled = {(r["dialogue"], int(r["item"])): r for r in read_reference(path.name)
                if r["split"] == split}
    chosen = sorted({d for d, _ in labelled})
    pairs: dict[str, list[tuple[bool, bool]]] = {k: [] for k in HAND}
    kinds: list[bool] = []
    for dialogue in chosen:
        rows = dialogues[dialogue]
        for row, flags in zip(rows, flags_by_row(results[dialogue],
                                                 utterance_groups(rows))):
            hand = labelled[(dialogue, row.item)]
            said = {f.label for f in flags}
            for name, (role, truth, guess) in HAND.items():
                if row.role == role:
                    pair = (hand["label"] in truth, bool(said & guess))
                    pairs[name].append(pair)
                    if errors and pair[0] != pair[1]:
                        print(f"  {name} (hand): {'missed' if pair[0] else 'wrong'} "
                              f"{row.text[:110]}")
            found = next((f.subtype for f in flags if f.label == "objection"), "")
            if hand["label"] == "objection" and found:
                kinds.append(found == hand["kind"])
    questions = question_pairs(results, dialogues, split)
    print_scores(f"labelled by hand for a coach ({split}, {len(chosen)} dialogues)",
                 [*(count(v, k) for k, v in pairs.items()),
                  count(questions, "customer_question")],
                 sum(len(dialogues[d]) for d in chosen))
    if kinds:
        print(f"objection kind right where both found an objection: {sum(kinds)}/{len(kinds)}")


def second_opinion() -> None:
    """How far a second labeller of the test part (``persuasion_sentences_second.csv``) agrees
    with the first, per label."""
    path = LABELS_DIR / "persuasion_sentences_second.csv"
    if not path.exists():
        return
    theirs = {r["item"]: r for r in read_reference(path.name)}
    first = [r for r in read_reference("persuasion_sentences.csv") if r["item"] in theirs]
    print(f"a second labeller of the test part ({len(first)} sentences):")
    for name, (role, truth, _) in HAND.items():
        pairs = [(r["label"] in truth, theirs[r["item"]]["label"] in truth)
                 for r in first if r["role"] == ROLE_NAMES[role]]
        print(f"  {name:<22} {agreement(pairs)}")


def meeting(labeler: Labeler, path: Path = MEETING) -> int:
    """The close's flags on a real 55-minute Zoom webinar, roles decided as ``analyze``
    decides them: nobody sells there, so every ask, pushy close, commitment, next step and
    objection is wrong. Prints each; returns how many."""
    from analyzer.run.transcript_files import read_transcript

    source = CallSource(path.stem, "host", str(path))
    result = analyze_call(source, read_transcript(path), RoleEvidence(), Models(labeler))
    wrong = [f for f in result.flags if f.label in (*FLAG_LABELS, "pushy_close")]
    print(f"{path.parent.name}/{path.name} (a webinar where nobody sells, so any would be "
          f"wrong): {len(wrong)} closing flags (target 0)")
    for f in wrong:
        print(f"    {f.label} ({f.role}, {f.rule}): {f.text[:100]}")
    return len(wrong)


def main(argv: Sequence[str] | None = None) -> int:
    """Print every table; 0 always (the figures are reported, not gated)."""
    parser = argparse.ArgumentParser(prog="python -m analyzer.evaluate.closing",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--errors", action="store_true", help="list the tune set's mistakes")
    parser.add_argument("--skip-mrda", action="store_true", help="persuasion only (faster)")
    parser.add_argument("--tune-only", action="store_true", help="the tune sets only")
    args = parser.parse_args(argv)
    if not PERSUASION.exists():
        print(f"{REALDATA} is absent: nothing to score")
        return 0
    labeler = Labeler.load()
    dialogues = read_dialogues()
    ids = sorted(dialogues)
    splits = [("tune", ids[0::2])] + ([] if args.tune_only else [("test", ids[1::2])])
    for split, chosen in splits:
        scores, results = persuasion(labeler, dialogues, chosen, args.errors and split == "tune")
        print_scores(f"persuasion {split} ({len(chosen)} dialogues)", scores,
                     sum(len(dialogues[d]) for d in chosen))
        reference_scores(results, split, args.errors and split == "tune")
        hand_scores(results, dialogues, split, args.errors and split == "tune")
        if split == "test":
            second_opinion()
            hand_scores(results, dialogues, "fresh")
    if MEETING.exists():
        meeting(labeler)
    if not args.skip_mrda and MRDA.exists():
        mrda(labeler, "train" if args.tune_only else "test")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
