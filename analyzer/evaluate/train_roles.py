"""Train the roles word model (models/roles/words.json), or measure it held out by source.

    python -m analyzer.evaluate.train_roles --sales DIR ...             # make train-roles
    python -m analyzer.evaluate.train_roles --sales DIR ... --held-out  # make eval-roles-words

The labelled calls are the transcripts of ``../shared/realdata`` that ``make eval-roles``
decides (SpokenWOZ reference words, the Harper Valley call, the PersuasionForGood chats) and
each ``--sales`` folder's transcripts with a ``manifest.csv`` naming the seller
(``rep_speaker``) and the call's source repository (``repo``). Features, regularisation and
weights are in models/roles/words_config.json; the fit is deterministic.

``--held-out`` leaves one source out at a time (a repository of ``--sales`` calls, or a
corpus of ``../shared/realdata``), trains on the rest and decides the left-out calls with
``analyzer.call.roles.weigh`` (neutral speaker names, no hint), for each word scale asked
for; 0 is the cues alone. It prints, per set, the calls right and the wrong ones above the
banner and at 0.9 or more, and the log loss averaged over four kinds of call (real recorded
sales calls, written sales conversations, contact-centre calls, donation chats).
"""

from __future__ import annotations

import argparse
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from analyzer.call.linear import text_model
from analyzer.call.roles.words import WORDS_PATH, speaker_talk
from analyzer.evaluate.roles import BANDS, REALDATA, _transcripts, neutral
from analyzer.settings import MODELS_DIR, read_json
from analyzer.types import Transcript

CONFIG_PATH = MODELS_DIR / "roles" / "words_config.json"


@dataclass(frozen=True)
class Labelled:
    """A call whose seller is known: its set (folder or corpus), source (repository or
    corpus, the unit held out), name, transcript and the seller's speaker."""

    set: str
    source: str
    name: str
    transcript: Transcript
    truth: str


def labelled_calls(sales: Sequence[Path], root: Path = REALDATA) -> list[Labelled]:
    """The calls of ``../shared/realdata`` and of the ``--sales`` folders, names neutral."""
    from analyzer.evaluate.language_real import read_rows
    from analyzer.run.transcript_files import read_transcript

    found = [(corpus, corpus, name, t, truth) for corpus, name, t, truth in _transcripts(root)]
    for folder in sales:
        for row in read_rows(folder / "manifest.csv"):
            found.append((folder.name, row.get("repo") or folder.name, row["file"],
                          read_transcript(folder / row["file"]), row["rep_speaker"]))
    return [Labelled(s, source, name, *neutral(t, truth)) for s, source, name, t, truth in found]


@dataclass(frozen=True)
class Documents:
    """One document per speaker and call (their whole talk), labelled 1 for the seller, with
    its weight (``sample_weight`` of its set, else 1) and its call's source."""

    texts: list[str]
    labels: list[int]
    weights: list[float]
    sources: list[str]


def documents(calls: Iterable[Labelled], config: dict[str, Any]) -> Documents:
    """Every speaker's talk in every call, as ``Documents``."""
    docs = Documents([], [], [], [])
    for call in calls:
        weight = float(config.get("sample_weight", {}).get(call.set, 1.0))
        for speaker, talk in speaker_talk(call.transcript).items():
            docs.texts.append(talk)
            docs.labels.append(int(speaker == call.truth))
            docs.weights.append(weight)
            docs.sources.append(call.source)
    return docs


def vocabulary(docs: Documents, config: dict[str, Any]) -> list[str]:
    """The terms said in ``min_df`` documents or more, from ``min_sources`` sources or more
    (a name or product said only in one seller's calls teaches nothing about the next)."""
    from sklearn.feature_extraction.text import CountVectorizer

    counter = CountVectorizer(token_pattern=config["token_pattern"], lowercase=False,
                              ngram_range=(1, int(config["max_n"])),
                              min_df=int(config["min_df"]), binary=True)
    counts = counter.fit_transform(docs.texts).tocsc()
    names = counter.get_feature_names_out()
    return [str(names[j]) for j in range(counts.shape[1])
            if len({docs.sources[i] for i in counts[:, j].indices})
            >= int(config.get("min_sources", 1))]


def fit(calls: Sequence[Labelled], config: dict[str, Any]) -> dict[str, Any]:
    """The fitted model as the data ``models/roles/words.json`` holds."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    docs = documents(calls, config)
    vectorizer = TfidfVectorizer(token_pattern=config["token_pattern"], lowercase=False,
                                 ngram_range=(1, int(config["max_n"])),
                                 vocabulary=vocabulary(docs, config), sublinear_tf=True)
    features = vectorizer.fit_transform(docs.texts)
    model = LogisticRegression(C=float(config["C"]), class_weight="balanced", max_iter=5000)
    model.fit(features, docs.labels, sample_weight=np.asarray(docs.weights))
    coef = model.coef_[0]
    terms = {term: [round(float(vectorizer.idf_[i]), 5), round(float(coef[i]), 5)]
             for term, i in sorted(vectorizer.vocabulary_.items())}
    return {"token_pattern": config["token_pattern"], "max_n": int(config["max_n"]),
            "intercept": round(float(model.intercept_[0]), 5), "terms": terms}


def as_json(data: dict[str, Any]) -> str:
    """The model as JSON with one term a line (readable, and a retrained model diffs well)."""
    head = json.dumps({k: v for k, v in data.items() if k != "terms"}, indent=2,
                      ensure_ascii=False)
    terms = ",\n".join(f"    {json.dumps(t, ensure_ascii=False)}: {json.dumps(v)}"
                        for t, v in data["terms"].items())
    return f'{head[:-2]},\n  "terms": {{\n{terms}\n  }}\n}}\n'


def kind(call: Labelled) -> str:
    """The kind of call a set holds, for the balanced log loss."""
    if call.set == "persuasion":
        return "donation chats"
    if call.set in ("spokenwoz words", "harper_valley"):
        return "contact centre"
    return "real sales calls" if call.set.startswith(("real", "egmat")) else "written sales"


Decided = dict[tuple[float, float], list[tuple[Labelled, bool, float]]]


def held_out(calls: Sequence[Labelled], config: dict[str, Any],
             settings: Sequence[tuple[float, float]]) -> Decided:
    """Per word scale and half length, each call decided by a model trained without its
    source."""
    from analyzer.call.roles import load_calibration, load_cues, weigh

    book, cal = load_cues(), load_calibration()
    decided: Decided = defaultdict(list)
    for source in sorted({c.source for c in calls}):
        words = text_model(fit([c for c in calls if c.source != source], config))
        for call in (c for c in calls if c.source == source):
            for scale, half in settings:
                got = weigh(call.transcript, call.transcript.speakers, {}, None, book,
                            replace(cal, word_scale=scale, word_half_words=half), words)
                decided[scale, half].append((call, got.rep_speakers == (call.truth,),
                                             got.confidence))
    return decided


def report(decided: Decided, low: float) -> str:
    """Per word scale and set: calls right, wrong above the banner and at 0.9 or more; and
    the log loss averaged over the kinds of call."""
    lines = []
    for (scale, half), outcomes in decided.items():
        by_set: dict[str, list[tuple[bool, float]]] = defaultdict(list)
        loss: dict[str, list[float]] = defaultdict(list)
        for call, right, conf in outcomes:
            by_set[call.set].append((right, conf))
            loss[kind(call)].append(-math.log(max(conf if right else 1 - conf, 1e-6)))
        balanced = sum(sum(v) / len(v) for v in loss.values()) / len(loss)
        lines.append(f"word scale {scale}, half at {half} words: log loss {balanced:.3f} "
                     "(mean over kinds of call)")
        for name, got in sorted(by_set.items()):
            wrong = [c for r, c in got if not r]
            lines.append(f"  {name:<16} right {len(got) - len(wrong):>3} of {len(got):<3}  "
                         f"wrong >= {low}: {sum(c >= low for c in wrong)}  "
                         f"wrong >= 0.9: {sum(c >= 0.9 for c in wrong)}")
        lines.append("  per confidence band: " + ", ".join(_bands(outcomes)))
    return "\n".join(lines)


def _bands(outcomes: Sequence[tuple[Labelled, bool, float]]) -> list[str]:
    """How many calls fall in each confidence band, and the share right."""
    shown = []
    for lo, hi in zip(BANDS, BANDS[1:]):
        inside = [right for _call, right, conf in outcomes if lo <= conf < hi]
        share = f"{sum(inside) / len(inside):.0%} right" if inside else "-"
        shown.append(f"{lo:.1f}-{min(hi, 1.0):.1f}: {len(inside)} calls {share}")
    return shown


def trainer_parser(prog: str, doc: str) -> argparse.ArgumentParser:
    """The options both trainers take (this one and ``train_veto``): the labelled folders
    and ``--held-out``."""
    parser = argparse.ArgumentParser(prog=prog, description=doc.split("\n\n")[0])
    parser.add_argument("--sales", type=Path, action="append", default=[],
                        help="a labelled folder of transcripts with a manifest.csv "
                             "(file, rep_speaker, repo)")
    parser.add_argument("--held-out", action="store_true",
                        help="measure with each source left out instead of writing the model")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Write models/roles/words.json, or with ``--held-out`` print the held-out figures."""
    from analyzer.call.roles import load_calibration

    parser = trainer_parser("python -m analyzer.evaluate.train_roles", __doc__)
    parser.add_argument("--scales", default="0,2,3",
                        help="word scales to compare with --held-out (comma-separated)")
    parser.add_argument("--halves", default="100",
                        help="talk lengths at which the lean counts half, to compare")
    args = parser.parse_args(argv)
    if not args.sales and not args.held_out:
        # Trained on ../shared/realdata alone the model would know no sales call: never
        # overwrite the shipped one with it.
        raise SystemExit("train_roles: give the labelled sales folders (--sales DIR, make "
                         "train-roles SALES=...; models/eval/sales/sources.csv says where "
                         "they come from); models/roles/words.json is left as it is")
    config = read_json(CONFIG_PATH)
    calls = labelled_calls(args.sales)
    if not calls:
        raise SystemExit(f"no labelled calls: no real data under {REALDATA} and no --sales")
    if args.held_out:
        settings = [(float(s), float(h)) for s in args.scales.split(",")
                    for h in args.halves.split(",")]
        print(report(held_out(calls, config, settings), load_calibration().low_confidence))
        return
    data = fit(calls, config)
    data = {"version": 1, "about": "Made by python -m analyzer.evaluate.train_roles from "
            "words_config.json; see README.md.",
            "trained_on": dict(sorted(Counter(c.set for c in calls).items())), **data}
    WORDS_PATH.write_text(as_json(data), encoding="utf-8")
    print(f"{WORDS_PATH}: {len(data['terms'])} terms from {len(calls)} calls")


if __name__ == "__main__":
    main()
