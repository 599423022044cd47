"""A statistical check on the language rules: it may withdraw a rule's label, never add one.

Per label, a logistic regression over tf-idf word 1-3-grams and character 2-5-grams, trained
on the labelled corpora (``python -m analyzer.evaluate.train_textcat``) and stored as JSON in
``models/language/textcat/``. It reads one sentence at a time. A flag shown to a coach must
rest on a rule and the words it matched, so the model never adds a label (issue 17: on its
own it flagged "Good afternoon, everyone." as pushy); it may veto a rule's label whose
probability is below the label's ``veto`` threshold in ``config.json``. The measured effect
of a veto, and why none is set, is in ``models/language/README.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from analyzer.errors import InputError
from analyzer.settings import MODELS_DIR, read_json
from analyzer.types import SentenceLabels

TEXTCAT_DIR = MODELS_DIR / "language" / "textcat"


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
    """The fitted model: vectorizers, one weight vector per label, and the veto thresholds.

    Attributes:
        vectorizers: Fitted word and character tf-idf vectorizers.
        weights: Per label, a weight per feature (words then characters) and the intercept last.
        veto: Per label, the probability below which a rule's label is withdrawn (empty: the
            model changes nothing).
    """

    vectorizers: tuple[Any, ...]
    weights: dict[str, Any]
    veto: dict[str, float]

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
        return cls(tuple(fitted), weights, dict(config.get("veto", {})))

    def probabilities(self, texts: Sequence[str]) -> dict[str, Any]:
        """Per label, the probability of each text (an array in text order)."""
        import numpy as np
        from scipy.sparse import hstack

        if not texts:
            return {label: np.zeros(0) for label in self.weights}
        features = hstack([v.transform(texts) for v in self.vectorizers]).tocsr()
        return {label: 1 / (1 + np.exp(-(features @ w[:-1] + w[-1])))
                for label, w in self.weights.items()}

    def review(self, labelled: Sequence[tuple[SentenceLabels, ...]]
               ) -> list[tuple[SentenceLabels, ...]]:
        """Withdraw the rule labels the model vetoes; never add one.

        A withdrawn customer question stays a question (the question rules decided that).
        """
        if not self.veto:
            return list(labelled)
        flat = [s for sentences in labelled for s in sentences]
        probs = self.probabilities([s.text for s in flat])
        vetoed = iter([{label for label, th in self.veto.items()
                        if label in s.labels and probs[label][k] < th}
                       for k, s in enumerate(flat)])
        return [tuple(_without(s, next(vetoed)) for s in sentences) for sentences in labelled]


def _without(sentence: SentenceLabels, vetoed: set[str]) -> SentenceLabels:
    if not vetoed:
        return sentence
    return replace(sentence, labels=tuple(x for x in sentence.labels if x not in vetoed),
                   evidence=tuple(e for e in sentence.evidence if e.label not in vetoed))
