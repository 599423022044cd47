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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.call.doubt import NO_VETO, VETO_DIR, label_model
from analyzer.call.linear import TextModel, plain_text, probability
from analyzer.evaluate.sales import CONNECTION_PATH, LABELS_PATH, read_labels, with_connection
from analyzer.evaluate.train_roles import trainer_parser
from analyzer.settings import read_json
from analyzer.types import CUSTOMER, REP

Key = tuple[str, str, int]  # (set, file, turn)


@dataclass(frozen=True)
class LabelledTurn:
    """A turn a reader labelled: where it is, its source repository, who said it, its words,
    its hand labels and the labels its set was labelled for."""

    key: Key
    source: str
    role: str
    text: str
    gold: frozenset[str]
    labelled: frozenset[str]


def labelled_turns(folders: Iterable[Path], labels_path: Path = LABELS_PATH,
                   connection_path: Path = CONNECTION_PATH) -> list[LabelledTurn]:
    """Every labelled turn of the folders' conversations."""
    from analyzer.evaluate.language_real import read_rows
    from analyzer.run.transcript_files import read_transcript

    labels, labelled = with_connection(read_labels(labels_path), connection_path)
    out = []
    for folder in folders:
        gold = labels.get(folder.name, {})
        for row in read_rows(folder / "manifest.csv"):
            transcript = read_transcript(folder / row["file"])
            for n, segment in enumerate(transcript.segments):
                said = gold.get((row["file"], n))
                if said is None:
                    continue
                role = REP if segment.speaker == row["rep_speaker"] else CUSTOMER
                source = row.get("repo") or folder.name  # as train_roles: the folder
                out.append(LabelledTurn((folder.name, row["file"], n), source, role,
                                        plain_text(segment.text), frozenset(said),
                                        frozenset(labelled.get(folder.name, ()))))
    return out


def donation_turns(config: dict[str, Any]) -> list[LabelledTurn]:
    """The persuader's and persuadee's utterances of the chats' tune half (sorted ids, every
    other one, as ``evaluate.closing`` splits them), labelled by the acts ``config`` maps to
    each label; none when the chats are absent."""
    from analyzer.evaluate.closing import PERSUASION, read_dialogues, utterance_groups

    acts = {name: frozenset(tags) for name, tags in config.get("donation_chats", {}).items()
            if not name.startswith("_")}
    if not acts or not PERSUASION.exists():
        return []
    dialogues = read_dialogues()
    out = []
    for dialogue in sorted(dialogues)[0::2]:
        for n, group in enumerate(utterance_groups(dialogues[dialogue])):
            said = frozenset().union(*(row.gold for row in group))
            gold = frozenset(name for name, tags in acts.items() if said & tags)
            text = plain_text(" ".join(row.text.strip() for row in group))
            out.append(LabelledTurn(("persuasion", dialogue, n), "persuasion", group[0].role,
                                    text, gold, frozenset(acts)))
    return out


def pool(turns: Iterable[LabelledTurn], name: str, side: str) -> list[LabelledTurn]:
    """The turns a label's model learns from: its side's, in the sets labelled for it."""
    return [t for t in turns if t.role == side and name in t.labelled]


def vectorizer(turns: Sequence[LabelledTurn], config: dict[str, Any]) -> Any:
    """The tf-idf of one side's turns (every label of that side shares it)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    fitted = TfidfVectorizer(token_pattern=config["token_pattern"], lowercase=False,
                             ngram_range=(1, int(config["max_n"])),
                             min_df=int(config["min_df"]), sublinear_tf=True)
    return fitted.fit([t.text for t in turns])


def fit_label(turns: Sequence[LabelledTurn], name: str, tfidf: Any, config: dict[str, Any]
              ) -> dict[str, Any]:
    """One label's fitted weights (in the order of the side's terms) and intercept."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=float(config["C"]), class_weight="balanced", max_iter=5000)
    model.fit(tfidf.transform([t.text for t in turns]), [int(name in t.gold) for t in turns])
    order = sorted(tfidf.vocabulary_.items())
    return {"intercept": round(float(model.intercept_[0]), 4),
            "weight": [round(float(model.coef_[0][i]), 4) for _term, i in order]}


def side_terms(tfidf: Any) -> dict[str, list[Any]]:
    """A side's terms and their idf, in order."""
    order = sorted(tfidf.vocabulary_.items())
    return {"terms": [t for t, _i in order],
            "idf": [round(float(tfidf.idf_[i]), 4) for _t, i in order]}


def fit(turns: Sequence[LabelledTurn], config: dict[str, Any]) -> dict[str, Any]:
    """Every label's model, as ``model.json`` holds them: each side's terms and idf, each
    label's weights."""
    sides = {label["side"] for label in config["labels"].values()}
    tfidf = {side: vectorizer([t for t in turns if t.role == side], config) for side in sides}
    return {"sides": {side: side_terms(v) for side, v in sorted(tfidf.items())},
            "labels": {name: fit_label(pool(turns, name, label["side"]), name,
                                       tfidf[label["side"]], config)
                       for name, label in config["labels"].items()}}


def models(data: dict[str, Any], config: dict[str, Any]) -> dict[str, TextModel]:
    """Each label's model of fitted data (as ``call.doubt.load_veto`` reads the file)."""
    return {name: label_model(data, name, label["side"], config)
            for name, label in config["labels"].items()}


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
