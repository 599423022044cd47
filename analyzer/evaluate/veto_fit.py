"""Fitting the sales veto: the labelled turns it learns from (the sales sets' hand labels and
the donation chats' tune half) and one tf-idf logistic regression per label, as
``models/language/veto/model.json`` stores them. ``train_veto`` writes the shipped model and
measures it held out by source; ``evaluate.sales --veto-held-out`` scores the test part with a
veto fitted here on the tune part alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.call.doubt import VETO_DIR, Veto, label_model, veto_of
from analyzer.call.linear import TextModel, plain_text
from analyzer.evaluate.sales_labels import (
    CONNECTION_PATH,
    LABELS_PATH,
    read_labels,
    with_connection,
)
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


def held_out_veto(folders: Iterable[Path], labels_path: Path = LABELS_PATH,
                  connection_path: Path = CONNECTION_PATH) -> Veto:
    """A veto trained afresh, with the shipped config, on the folders' labelled turns and
    the chats' tune half: what ``evaluate.sales --veto-held-out`` scores the test part with,
    so that no call it scores is one the veto learned from."""
    config = read_json(VETO_DIR / "config.json")
    turns = labelled_turns(folders, labels_path, connection_path)
    return veto_of(config, fit(turns + donation_turns(config), config))


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
