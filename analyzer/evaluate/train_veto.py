"""Train the sales veto (models/language/veto/model.json), or measure it held out by source.

    python -m analyzer.evaluate.train_veto --sales DIR ...             # make train-veto
    python -m analyzer.evaluate.train_veto --sales DIR ... --held-out  # make eval-veto

The labelled turns are those of ``models/eval/sales/labels.csv`` and ``connection.csv`` whose
folders are given (``--sales``, as for ``make eval-sales``: the text is not in this
repository), and the tune half of the donation chats of ``../shared/realdata/persuasion``
(when it is there) for the labels ``config.json``'s ``donation_chats`` maps its acts to: a
veto trained on sales calls alone withdrew right asks of the chats ("would you donate $1?")
that the rules find. Per label of ``config.json``, a logistic regression over the tf-idf of a turn's
words, trained on the turns of the label's side in the sets labelled for it; the fit is
deterministic.

``--held-out`` leaves one source out at a time (a set of calls), trains on the rest and the chats,
and withdraws the rules' flags (found with no veto, through ``analyze_call``) on the left-out
turns whose probability is under each threshold asked for; it prints, per label and
threshold, the turn-level precision and recall on each set and on all sets together.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from analyzer.call.doubt import NO_VETO, VETO_DIR
from analyzer.call.linear import probability
from analyzer.evaluate.train_roles import trainer_parser
from analyzer.evaluate.veto_fit import (
    Key,
    LabelledTurn,
    donation_turns,
    fit,
    labelled_turns,
    models,
)
from analyzer.settings import read_json

Counts = dict[str, dict[float, dict[str, list[int]]]]  # label -> threshold -> set -> tp fp fn


def held_out(turns: Sequence[LabelledTurn], found: dict[Key, set[str]],
             config: dict[str, Any], thresholds: Sequence[float],
             always: Sequence[LabelledTurn] = ()) -> Counts:
    """Per label and threshold, each set's true and false flags and misses when each source
    is decided by models trained without it (and with the ``always`` turns: the chats)."""
    counts: Counts = {name: defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
                      for name in config["labels"]}
    for source in sorted({t.source for t in turns}):
        trained = models(fit([t for t in turns if t.source != source] + list(always), config),
                         config)
        for turn in (t for t in turns if t.source == source):
            for name, label in config["labels"].items():
                if turn.role != label["side"] or name not in turn.labelled:
                    continue
                model = trained[name]
                short = len(model.token_pattern.findall(turn.text)) < config.get("min_words", 0)
                p = 1.0 if short else probability(model, turn.text)
                flagged = bool(set(label["flags"]) & found.get(turn.key, set()))
                for threshold in thresholds:
                    kept, right = flagged and p >= threshold, name in turn.gold
                    cell = counts[name][threshold][turn.key[0]]
                    cell[0] += right and kept
                    cell[1] += kept and not right
                    cell[2] += right and not kept
    return counts


def report(counts: Counts) -> str:
    """Per label and threshold: precision / recall (right flags of all) per set and over all."""
    lines = []
    for name, by_threshold in counts.items():
        lines.append(name)
        for threshold, by_set in by_threshold.items():
            cells = [f"{s} {_pr(c)}" for s, c in sorted(by_set.items())]
            total = [sum(c[i] for c in by_set.values()) for i in range(3)]
            lines.append(f"  {threshold:.1f}: all {_pr(total)} | " + "  ".join(cells))
    return "\n".join(lines)


def _pr(cell: Sequence[int]) -> str:
    tp, fp, fn = cell
    precision = f"{tp / (tp + fp):.2f}" if tp + fp else "-"
    recall = f"{tp / (tp + fn):.2f}" if tp + fn else "-"
    return f"{precision}/{recall} ({tp}/{tp + fp})"


def rules_alone(folders: Iterable[Path]) -> dict[Key, set[str]]:
    """The flags of every turn of the folders with no veto, through ``analyze_call``."""
    from analyzer.call.language import Labeler
    from analyzer.evaluate.sales import analyzed_calls, flagged_turns

    labeler = Labeler.load()
    return {(folder.name, file, n): labels for folder in folders
            for (file, n), labels
            in flagged_turns(analyzed_calls(folder, labeler, NO_VETO)).items()}


def main(argv: Sequence[str] | None = None) -> None:
    """Write models/language/veto/model.json, or with ``--held-out`` print the figures."""
    parser = trainer_parser("python -m analyzer.evaluate.train_veto", __doc__)
    parser.add_argument("--thresholds", default="0,0.1,0.2,0.3,0.4,0.5",
                        help="thresholds to compare with --held-out (comma-separated)")
    args = parser.parse_args(argv)
    config = read_json(VETO_DIR / "config.json")
    turns = labelled_turns(args.sales)
    if not turns:
        raise SystemExit("no labelled turns: give the labelled folders with --sales")
    chats = donation_turns(config)
    if args.held_out:
        thresholds = [float(t) for t in args.thresholds.split(",")]
        print(report(held_out(turns, rules_alone(args.sales), config, thresholds, chats)))
        return
    turns += chats
    sets = Counter(t.key[0] for t in turns)
    data = {"version": 1, "about": "Made by python -m analyzer.evaluate.train_veto from "
            "config.json; see ../README.md.", "trained_on": dict(sorted(sets.items())),
            **fit(turns, config)}
    (VETO_DIR / "model.json").write_text(json.dumps(data, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
    print(f"{VETO_DIR / 'model.json'}: {len(data['labels'])} labels from {len(turns)} turns")


if __name__ == "__main__":
    main()
