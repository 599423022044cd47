"""The sales veto: a rule's flag is withdrawn when a model of labelled sales calls doubts it.

The rules find their labels from phrases and the parse, and on the calls of a seller nobody
read they are right half the time or less (``models/eval/sales/README.md``). The veto is a
model per label (a tf-idf logistic regression over the turn's words, ``analyzer.call.linear``)
trained on the turns that readers labelled in real and written sales calls
(``python -m analyzer.evaluate.train_veto``, stored in ``models/language/veto/``). It only
ever withdraws: a flag a rule raised stays when the model gives its utterance a probability of
the label of at least the label's ``threshold`` (``config.json``), or when a coach added or
judged it; the model never adds a flag (issue 17: a flag shown to a coach rests on a rule and
its words).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from analyzer.call.closing.cues import Sentence
from analyzer.call.linear import TextModel, plain_text, probability
from analyzer.settings import MODELS_DIR, read_json
from analyzer.types import Flag, Utterance

VETO_DIR = MODELS_DIR / "language" / "veto"


@dataclass(frozen=True)
class Doubt:
    """One label's veto: the side whose flags it reads, its model and threshold."""

    side: str
    model: TextModel
    threshold: float


@dataclass(frozen=True)
class Veto:
    """The veto of each flag label it covers (none: nothing is withdrawn), and the shortest
    utterance it judges: trained on real turns, it misreads a short sentence ("We are the
    market leader." at 0.19), so a shorter one keeps the rule's word."""

    labels: Mapping[str, Doubt] = field(default_factory=dict)
    min_words: int = 0

    def doubts(self, label: str, role: str, text: str) -> bool:
        """Whether a flag of ``label`` said by ``role`` on this utterance is withdrawn."""
        doubt = self.labels.get(label)
        if doubt is None or doubt.side != role or doubt.threshold <= 0:
            return False
        plain = plain_text(text)
        if len(doubt.model.token_pattern.findall(plain)) < self.min_words:
            return False
        return probability(doubt.model, plain) < doubt.threshold


NO_VETO = Veto()


@lru_cache(maxsize=2)
def load_veto(folder: Path = VETO_DIR) -> Veto:
    """Read config.json and model.json; no veto when either is missing."""
    try:
        config, model = read_json(folder / "config.json"), read_json(folder / "model.json")
    except FileNotFoundError:
        return NO_VETO
    return veto_of(config, model)


def veto_of(config: Mapping[str, Any], model: Mapping[str, Any]) -> Veto:
    """The veto of a config (sides, flags, thresholds) and its fitted models."""
    doubts = {}
    for name, label in config["labels"].items():
        fitted = label_model(model, name, label["side"], config)
        for flag in label["flags"]:
            doubts[flag] = Doubt(label["side"], fitted, float(label["threshold"]))
    return Veto(doubts, int(config.get("min_words", 0)))


def label_model(data: Mapping[str, Any], name: str, side: str, config: Mapping[str, Any]
                ) -> TextModel:
    """One label's model from the stored data: its side's terms and idf, its weights."""
    terms = data["sides"][side]
    weights = data["labels"][name]
    return TextModel(re.compile(config["token_pattern"]), int(config["max_n"]),
                     dict(zip(terms["terms"], terms["idf"], strict=True)),
                     dict(zip(terms["terms"], weights["weight"], strict=True)),
                     float(weights["intercept"]))


def doubted_flags(flags: Sequence[Flag], utterances: Sequence[Utterance], veto: Veto
                  ) -> tuple[Flag, ...]:
    """The flags the veto keeps (a coach's flags are always kept)."""
    return tuple(f for f in flags if f.coach or f.utterance < 0
                 or not veto.doubts(f.label, f.role, utterances[f.utterance].text))


def doubted_sentences(call: Sequence[Sentence], utterances: Sequence[Utterance], veto: Veto
                      ) -> tuple[Sentence, ...]:
    """The closing stage's sentences without the cues the veto doubts, before any answer is
    read (a withdrawn ask would have no answer, a withdrawn objection no rep's answer)."""
    out = []
    for s in call:
        text = utterances[s.utterance].text
        cues = tuple(c for c in s.cues if not veto.doubts(c.label, s.role, text))
        out.append(s if cues == s.cues else replace(s, cues=cues))
    return tuple(out)
