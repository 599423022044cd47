"""A statistical backstop to the language rules: it adds a label the rules missed.

Per label, a logistic regression over tf-idf word 1-3-grams and character 2-5-grams, trained
on the labelled corpora (``python -m analyzer.evaluate.train_textcat``) and stored as JSON in
``models/language/textcat/``. It reads one sentence at a time and only ever adds a label: what
the rules found stays. Which labels it may add, and at what probability, is data in
``config.json``; the measured gain is in ``models/language/README.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from analyzer.errors import InputError
from analyzer.settings import MODELS_DIR, read_json
from analyzer.types import Evidence, SentenceLabels

TEXTCAT_DIR = MODELS_DIR / "language" / "textcat"
IMPLIED = {"customer_question": "question"}


def vectorizers(config: dict[str, Any]) -> tuple[Any, Any]:
    """The word and character tf-idf vectorizers the config describes (unfitted)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    words = TfidfVectorizer(ngram_range=tuple(config["words"]["ngram_range"]),
                            min_df=config["words"]["min_df"], sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(config["chars"]["ngram_range"]),
                            min_df=config["chars"]["min_df"], sublinear_tf=True)
    return words, chars


@dataclass(frozen=True)
class Backstop:
    """The fitted model: vectorizers, one weight vector per label, and the thresholds.

    Attributes:
        vectorizers: Fitted word and character tf-idf vectorizers.
        weights: Per label, a weight per feature (words then characters) and the intercept last.
        thresholds: Per label the model may add, the probability it must reach.
        negated_labels: Labels never added to a sentence holding one of negation_words.
        negation_words: Lower-case words that make a sentence negated.
    """

    vectorizers: tuple[Any, ...]
    weights: dict[str, Any]
    thresholds: dict[str, float]
    negated_labels: frozenset[str] = frozenset()
    negation_words: frozenset[str] = frozenset()

    @classmethod
    def load(cls, path: Path = TEXTCAT_DIR) -> Backstop:
        """Read config.json and model.json; raise InputError when the model is missing."""
        import numpy as np

        config = read_json(path / "config.json")
        model_path = path / "model.json"
        try:
            model = read_json(model_path)
        except FileNotFoundError:
            raise InputError(str(model_path), "no backstop model: run python -m "
                                              "analyzer.evaluate.train_textcat") from None
        fitted = []
        for vec, part in zip(vectorizers(config), ("words", "chars")):
            vec.set_params(vocabulary=model[part]["vocabulary"])
            vec.idf_ = np.asarray(model[part]["idf"])
            fitted.append(vec)
        weights = {k: np.asarray(v) for k, v in model["weights"].items()}
        negated = config.get("not_when_negated", {})
        return cls(tuple(fitted), weights, dict(config["labels"]),
                   frozenset(negated.get("labels", ())), frozenset(negated.get("words", ())))

    def probabilities(self, texts: Sequence[str]) -> dict[str, Any]:
        """Per label, the probability of each text (an array in text order)."""
        import numpy as np
        from scipy.sparse import hstack

        if not texts:
            return {label: np.zeros(0) for label in self.weights}
        features = hstack([v.transform(texts) for v in self.vectorizers]).tocsr()
        return {label: 1 / (1 + np.exp(-(features @ w[:-1] + w[-1])))
                for label, w in self.weights.items()}

    def add_labels(self, labelled: Sequence[tuple[SentenceLabels, ...]], roles: Sequence[str],
                   labels: dict[str, dict[str, Any]]) -> list[tuple[SentenceLabels, ...]]:
        """Add the labels the model is sure of to sentences whose rules missed them.

        A label a role may not get (labels.json) is never added; a customer question also
        makes the sentence a question. Evidence rule: "textcat:<label>", span: the sentence.
        """
        flat = [(i, s) for i, sentences in enumerate(labelled) for s in sentences]
        probs = self.probabilities([s.text for _, s in flat])
        added: list[list[SentenceLabels]] = [[] for _ in labelled]
        for k, (i, sentence) in enumerate(flat):
            negated = self._negated(sentence.text)
            sure = [label for label, th in self.thresholds.items()
                    if probs[label][k] >= th and roles[i] not in labels[label].get("not_roles", ())
                    and not (negated and label in self.negated_labels)]
            added[i].append(_with_labels(sentence, sure, list(labels)))
        return [tuple(sentences) for sentences in added]

    def _negated(self, text: str) -> bool:
        words = text.lower().replace("’", "'").replace(",", " ").replace(".", " ").split()
        return any(w in self.negation_words or w.endswith("n't") for w in words)


def _with_labels(sentence: SentenceLabels, new: list[str], order: list[str]) -> SentenceLabels:
    new += [IMPLIED[label] for label in new if label in IMPLIED]
    new = [label for label in dict.fromkeys(new) if label not in sentence.labels]
    if not new:
        return sentence
    evidence = sentence.evidence + tuple(
        Evidence(label, "unspecified" if label == "pushy_close" else "", f"textcat:{label}",
                 sentence.text) for label in new)
    labels = tuple(label for label in order if label in sentence.labels or label in new)
    return replace(sentence, labels=labels, evidence=evidence)
