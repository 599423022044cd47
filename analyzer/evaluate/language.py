"""Score the sentence labeler on labelled utterances; benchmark it against bare spaCy.

    python -m analyzer.evaluate.language                 # eval corpus, held-out set, fresh batches
    python -m analyzer.evaluate.language other.jsonl     # any file in the same format
    python -m analyzer.evaluate.language --errors        # also list every wrong utterance
    python -m analyzer.evaluate.language --bench         # 10,000 utterances: labeler vs nlp.pipe

A corpus file has one JSON object per line: {"text", "labels": [...], "role"?: "customer",
"subtype"?: "..."}. Labels are scored per utterance (the union of its sentences' labels).
Exits 1 when any label's F1 on a gated file is below the threshold (0.90). By default the
gated files are the eval corpus and the held-out set; the fresh and blind batches (written
after the rules) are reported, not gated. Files named on the command line are all gated.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.call.language import DEFAULT_MODEL, Labeler
from analyzer.errors import InputError
from analyzer.settings import EVAL_DIR

LABELS = ("question", "customer_question", "self_promotion", "pushy_close")
CORPUS_DIR = EVAL_DIR / "language"
CORPUS = CORPUS_DIR / "eval_corpus.jsonl"
HELDOUT = CORPUS_DIR / "heldout.jsonl"
# Batches written after the rules, scored for information only: they estimate unseen speech.
REPORTED = tuple(CORPUS_DIR / name for name in (
    "fresh.jsonl", "fresh2.jsonl", "fresh3.jsonl", "blind.jsonl", "blind2.jsonl",
    "blind3.jsonl"))
THRESHOLD = 0.90


@dataclass(frozen=True)
class Item:
    """One labelled utterance of a corpus file."""

    text: str
    labels: frozenset[str]
    role: str = "rep"
    subtype: str = ""


@dataclass(frozen=True)
class Score:
    """Precision, recall and F1 of one label, with the counts behind them."""

    label: str
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        """Share of predicted labels that are right (1.0 when none predicted)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of true labels that were found (1.0 when none exist)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def read_corpus(path: Path) -> list[Item]:
    """Read a corpus file; raise InputError naming the line of a malformed item."""
    items: list[Item] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            unknown = set(raw["labels"]) - set(LABELS)
            if unknown:
                raise ValueError(f"unknown labels {sorted(unknown)}")
            items.append(Item(raw["text"], frozenset(raw["labels"]), raw.get("role", "rep"),
                              raw.get("subtype", "")))
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path}:{number}", f"bad corpus item: {exc}") from exc
    return items


def predict(labeler: Labeler, items: Sequence[Item]) -> list[tuple[frozenset[str], str]]:
    """Each item's predicted labels and the pushy_close subtype found first ("" if none)."""
    results = labeler.label([i.text for i in items], [i.role for i in items])
    out = []
    for sentences in results:
        labels = frozenset(label for s in sentences for label in s.labels)
        subtype = next((e.subtype for s in sentences for e in s.evidence
                        if e.label == "pushy_close"), "")
        out.append((labels, subtype))
    return out


def score(items: Sequence[Item], predicted: Sequence[frozenset[str]]) -> list[Score]:
    """Per-label counts of true positives, false positives and false negatives."""
    scores = []
    for label in LABELS:
        pairs = [(label in i.labels, label in p) for i, p in zip(items, predicted)]
        scores.append(Score(label, sum(t and p for t, p in pairs),
                            sum(p and not t for t, p in pairs), sum(t and not p for t, p in pairs)))
    return scores


def report(name: str, items: Sequence[Item], predicted: Sequence[tuple[frozenset[str], str]],
           errors: bool = False) -> list[Score]:
    """Print the per-label table of one corpus (and its mistakes when asked); return scores."""
    scores = score(items, [p for p, _ in predicted])
    print(f"\n{name}: {len(items)} utterances")
    print(f"{'label':<19}{'precision':>10}{'recall':>8}{'F1':>7}{'tp':>6}{'fp':>5}{'fn':>5}")
    for s in scores:
        print(f"{s.label:<19}{s.precision:>10.3f}{s.recall:>8.3f}{s.f1:>7.3f}"
              f"{s.tp:>6}{s.fp:>5}{s.fn:>5}")
    typed = [(i.subtype, sub) for i, (p, sub) in zip(items, predicted)
             if i.subtype and "pushy_close" in p]
    if typed:
        right = sum(a == b for a, b in typed)
        print(f"pushy_close subtype agreement (not gated): {right}/{len(typed)}")
    if errors:
        for item, (labels, _) in zip(items, predicted):
            if labels != item.labels:
                print(f"  want {sorted(item.labels)} got {sorted(labels)} "
                      f"[{item.role}] {item.text}")
    return scores


def bench_texts(n: int = 10_000) -> list[str]:
    """n utterances for the benchmark: the corpora's texts repeated, each made unique."""
    base = [i.text for path in (CORPUS, HELDOUT) for i in read_corpus(path)]
    return [f"{base[k % len(base)]} ({k})" if k >= len(base) else base[k] for k in range(n)]


def bench(model: str = DEFAULT_MODEL, n: int = 10_000) -> dict[str, Any]:
    """Time the labeler against bare spaCy over the same n texts; print and return the ratio.

    Bare side: ``spacy.load(model)`` with every component (tok2vec, tagger, parser,
    attribute_ruler, lemmatizer, ner), ``list(nlp.pipe(texts))``. Labeler side:
    ``Labeler.load(model).label(texts)`` — the same model without ner, plus the matchers and
    the rule logic. Both use batch_size 256 and one process. A third timing runs the labeler's
    own pipeline (no ner) bare, to show what the rules alone cost.
    """
    import spacy

    texts = bench_texts(n)
    nlp = spacy.load(model)
    labeler = Labeler.load(model)
    list(nlp.pipe(texts[:200], batch_size=256))
    labeler.label(texts[:200])
    start = time.perf_counter()
    list(nlp.pipe(texts, batch_size=256))
    bare = time.perf_counter() - start
    start = time.perf_counter()
    labeler.label(texts)
    labelled = time.perf_counter() - start
    start = time.perf_counter()
    list(labeler.nlp.pipe(texts, batch_size=256))
    same = time.perf_counter() - start
    result = {"utterances": n, "bare_s": bare, "labeler_s": labelled, "ratio": labelled / bare,
              "bare_without_ner_s": same, "rules_ratio": labelled / same}
    print(f"{n} utterances: bare nlp.pipe {bare:.1f} s, labeler {labelled:.1f} s, "
          f"ratio {labelled / bare:.2f} (target <= 1.5)")
    print(f"same components as the labeler (no ner): nlp.pipe {same:.1f} s, "
          f"ratio {labelled / same:.2f} (cost of the rules alone)")
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Score corpus files (default: gated sets, then reported batches); 1 if a gated F1 < 0.90."""
    parser = argparse.ArgumentParser(prog="python -m analyzer.evaluate.language",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="corpus JSONL files")
    parser.add_argument("--errors", action="store_true", help="list every wrong utterance")
    parser.add_argument("--bench", action="store_true", help="time 10,000 utterances instead")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="spaCy model name or path")
    args = parser.parse_args(argv)
    if args.bench:
        bench(args.model)
        return 0
    labeler = Labeler.load(args.model)
    gated = list(args.files) or [CORPUS, HELDOUT]
    reported = [] if args.files else [p for p in REPORTED if p.exists()]
    failed = False
    for path in gated + reported:
        items = read_corpus(path)
        name = str(path) if path in gated else f"{path} (reported, not gated)"
        scores = report(name, items, predict(labeler, items), args.errors)
        low = [s.label for s in scores if s.f1 < THRESHOLD]
        if low and path in gated:
            failed = True
            print(f"FAIL: F1 below {THRESHOLD} for {', '.join(low)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
