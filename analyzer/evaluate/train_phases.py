"""Train the phase word model (models/closing/phase_model/model.json), or measure it held out.

    python -m analyzer.evaluate.train_phases --sales DIR ...             # make train-phases
    python -m analyzer.evaluate.train_phases --sales DIR ... --held-out  # make eval-phases

The calls are those of ``models/eval/sales/phases.csv`` in the folders given (``--sales``, as
for ``make eval-sales``: the text is not in this repository) and in its tune part only: the
test part is scored by ``python -m analyzer.evaluate.sales``, never trained on. Each call is
analyzed through the production path (``analyze_call``); each utterance's ``phase_text`` and
the readers' phase train one multinomial logistic regression over its tf-idf (config.json),
with the tune half of the donation chats of ``../shared/realdata/persuasion`` cut by hand
(``models/eval/closing/persuasion_phases.csv``) when it is there; the fit is deterministic.

``--held-out`` leaves one set out at a time, trains on the other tune sets, decodes the
left-out calls as a run does and prints the share of utterances in the readers' phase per set,
and over the real and the written sets.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.call.language import Labeler
from analyzer.call.language.foreign import english_texts
from analyzer.call.phases import PHASE_MODEL_DIR, PHASES, decode, phase_inputs, phase_model
from analyzer.evaluate import sales_phases
from analyzer.evaluate.sales import analyzed_calls
from analyzer.evaluate.train_roles import trainer_parser
from analyzer.settings import read_json
from analyzer.types import CallResult

# The written sets; the others are recorded calls (and e-GMAT's real chats).
WRITTEN = ("sales1", "sales2", "sales3", "sales4")

# The score of a phase no training call has: never chosen over one that was seen.
UNSEEN = -30.0


@dataclass(frozen=True)
class CutCall:
    """A call the readers cut into phases: its set, what each utterance's phase is decided
    from (``phase_inputs``), and the readers' phases."""

    name: str
    inputs: tuple[tuple[str, frozenset[str]], ...]
    gold: tuple[str, ...]


def cut_calls(folders: Iterable[Path], labeler: Labeler, config: dict[str, Any]
              ) -> list[CutCall]:
    """The tune part's calls of the folders, analyzed."""
    references = sales_phases.read_references()
    out = []
    for folder in folders:
        for file, result in analyzed_calls(folder, labeler):
            reference = references.get((folder.name, file))
            if reference is None or reference.split != "tune":
                continue
            docs = english_docs(labeler, result)
            flags = [f for f in result.flags if f.coach != "wrong"]
            inputs = phase_inputs(result.utterances, docs, flags, labeler.nlp, config)
            out.append(CutCall(folder.name, tuple((t, frozenset(c)) for t, c in inputs),
                               tuple(reference.phases(len(inputs)))))
    return out


def english_docs(labeler: Labeler, result: CallResult) -> list[Any]:
    """A call's utterances parsed as ``analyze_call`` parses them (one not in English empty)."""
    english, _ = english_texts([u.text for u in result.utterances])
    return list(labeler.nlp.pipe(english))


def donation_calls(labeler: Labeler, config: dict[str, Any]) -> list[CutCall]:
    """The tune half of the donation chats cut into phases by hand
    (``models/eval/closing/persuasion_phases.csv``), analyzed as ``make eval-closing`` does;
    none when ``../shared/realdata/persuasion`` is absent."""
    from analyzer.evaluate.closing import PERSUASION, analyze, read_dialogues, read_reference

    if not PERSUASION.is_file():
        return []
    dialogues = read_dialogues()
    gold: dict[str, dict[int, str]] = {}
    for row in read_reference("persuasion_phases.csv"):
        if row["split"] == "tune":
            gold.setdefault(row["dialogue"], {})[int(row["utterance"])] = row["phase"]
    out = []
    for dialogue, phases in sorted(gold.items()):
        result = analyze(labeler, dialogue, dialogues[dialogue])
        docs = english_docs(labeler, result)
        inputs = phase_inputs(result.utterances, docs, list(result.flags), labeler.nlp, config)
        out.append(CutCall("persuasion", tuple((t, frozenset(c)) for t, c in inputs),
                           tuple(phases[i] for i in range(len(inputs)))))
    return out


def fit(calls: Sequence[CutCall], config: dict[str, Any]) -> dict[str, Any]:
    """The model as ``model.json`` holds it: the terms and their idf, each phase's weights."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [text for call in calls for text, _ in call.inputs]
    gold = [phase for call in calls for phase in call.gold]
    weight = [float(config["donation_weight"]) if call.name == "persuasion" else 1.0
              for call in calls for _ in call.gold]
    tfidf = TfidfVectorizer(token_pattern=config["token_pattern"], lowercase=False,
                            ngram_range=(1, int(config["max_n"])), min_df=int(config["min_df"]),
                            sublinear_tf=True)
    regression = LogisticRegression(C=float(config["C"]), max_iter=5000)
    regression.fit(tfidf.fit_transform(texts), gold, sample_weight=weight)
    order = sorted(tfidf.vocabulary_.items())
    columns = [i for _, i in order]
    return {"terms": [t for t, _ in order],
            "idf": [round(float(tfidf.idf_[i]), 4) for i in columns],
            "phases": {phase: phase_weights(regression, phase, columns) for phase in PHASES}}


def phase_weights(regression: Any, phase: str, columns: Sequence[int]) -> dict[str, Any]:
    """One phase's intercept and weights (in the terms' order) of a fitted regression; a
    phase no training call has scores ``UNSEEN``."""
    classes = list(regression.classes_)
    if phase not in classes:
        return {"intercept": UNSEEN, "weight": [0.0] * len(columns)}
    row = classes.index(phase)
    return {"intercept": round(float(regression.intercept_[row]), 4),
            "weight": [round(float(regression.coef_[row][i]), 4) for i in columns]}


def held_out(calls: Sequence[CutCall], config: dict[str, Any]) -> list[str]:
    """Per left-out set (the donation chats are one), and over the real and the written
    sets, the utterances in the readers' phase."""
    hits: dict[str, list[int]] = {}
    for name in sorted({c.name for c in calls}):
        model = phase_model(fit([c for c in calls if c.name != name], config), config)
        for call in (c for c in calls if c.name == name):
            found = decode(model, call.inputs)
            cell = hits.setdefault(name, [0, 0])
            cell[0] += sum(a == b for a, b in zip(found, call.gold))
            cell[1] += len(call.gold)
    lines = [f"{name}: {right}/{total} = {right / total:.3f}"
             for name, (right, total) in hits.items()]
    for part, names in (("real", [n for n in hits if n not in (*WRITTEN, "persuasion")]),
                        ("written", [n for n in hits if n in WRITTEN])):
        right, total = (sum(hits[n][i] for n in names) for i in (0, 1))
        lines.append(f"{part} sales sets, each left out: {right}/{total} = "
                     f"{right / max(total, 1):.3f}")
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    """Write models/closing/phase_model/model.json, or with ``--held-out`` print the held-out
    figures."""
    args = trainer_parser("python -m analyzer.evaluate.train_phases", __doc__).parse_args(argv)
    config = dict(read_json(PHASE_MODEL_DIR / "config.json"))
    labeler = Labeler.load()
    calls = cut_calls(args.sales, labeler, config) + donation_calls(labeler, config)
    if not calls:
        raise SystemExit("no call of the tune part of models/eval/sales/phases.csv in the "
                         "folders given (--sales DIR)")
    if args.held_out:
        print("\n".join(held_out(calls, config)))
        return
    data = {"version": 1, "about": "Made by python -m analyzer.evaluate.train_phases from "
            "config.json; see ../README.md.",
            "trained_on": {name: sum(len(c.gold) for c in calls if c.name == name)
                           for name in sorted({c.name for c in calls})},
            **fit(calls, config)}
    path = PHASE_MODEL_DIR / "model.json"
    path.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {path}: {len(data['terms'])} terms from "
          f"{sum(data['trained_on'].values())} utterances of {len(calls)} calls")


if __name__ == "__main__":
    main()
