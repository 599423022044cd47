"""A tf-idf logistic regression over words, stored as plain data and scored without scikit-learn.

The roles word model (``models/roles/words.json``) and the sales veto
(``models/language/veto/``) are trained offline with scikit-learn's ``TfidfVectorizer``
(sublinear tf, l2 norm, smoothed idf, no lowercasing: the text is given plain) and
``LogisticRegression``; each is kept as its terms' idf and weights, and read here the same way
(``tests/test_roles_words.py`` checks the scores against scikit-learn's own).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_PUNCT_RE = re.compile(r"[^\w\s']")


@dataclass(frozen=True)
class TextModel:
    """A fitted model.

    Attributes:
        token_pattern: The regular expression a token matches (in the plain text).
        max_n: The longest n-gram (terms are 1- to ``max_n``-grams of tokens, space-joined).
        idf: Each term's inverse document frequency.
        weight: Each term's weight toward the label.
        intercept: The log-odds of a text with no known term.
    """

    token_pattern: re.Pattern[str]
    max_n: int
    idf: Mapping[str, float]
    weight: Mapping[str, float]
    intercept: float


def text_model(data: Mapping[str, Any], token_pattern: str = "", max_n: int = 0) -> TextModel:
    """The model of stored data: ``terms`` (term -> [idf, weight]) and ``intercept``, with the
    token pattern and n-gram length of the data or, when it has none, those given."""
    terms = data["terms"]
    return TextModel(re.compile(data.get("token_pattern", token_pattern)),
                     int(data.get("max_n", max_n)),
                     {t: float(v[0]) for t, v in terms.items()},
                     {t: float(v[1]) for t, v in terms.items()}, float(data["intercept"]))


def plain_text(text: str) -> str:
    """Text as the models read it: lowercased, punctuation as spaces, apostrophes kept (curly
    ones straightened)."""
    text = text.casefold().replace("\u2019", "'")
    return " ".join(_PUNCT_RE.sub(" ", text).split())


def terms(model: TextModel, text: str) -> Counter[str]:
    """How often each 1- to ``max_n``-gram of the text's tokens occurs."""
    tokens = model.token_pattern.findall(text)
    return Counter(" ".join(tokens[i:i + n]) for n in range(1, model.max_n + 1)
                   for i in range(len(tokens) - n + 1))


def contributions(model: TextModel, text: str) -> dict[str, float]:
    """Each known term's share of the text's score: sublinear tf times idf, the vector
    normalised to length 1, times the term's weight."""
    counts = {t: c for t, c in terms(model, text).items() if t in model.idf}
    values = {t: (1.0 + math.log(c)) * model.idf[t] for t, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in values.values()))
    if not norm:
        return {}
    return {t: v / norm * model.weight[t] for t, v in values.items()}


def score(model: TextModel, text: str) -> float:
    """The log-odds of the label for this (plain) text."""
    return model.intercept + sum(contributions(model, text).values())


def probability(model: TextModel, text: str) -> float:
    """The probability of the label for this (plain) text."""
    return 1.0 / (1.0 + math.exp(-score(model, text)))
