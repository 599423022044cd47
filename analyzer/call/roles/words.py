"""How much each speaker talks like the seller: a model of the words, learned from labelled calls.

The phrase cues (``cues.json``) were written from the calls they were read on and carry over
badly to a new source of calls (``models/roles/README.md``, stops 30 and 31). This is their
companion learned from every labelled call: a logistic regression over a speaker's whole
talk in a call (tf-idf word 1-2-grams), trained by ``python -m analyzer.evaluate.train_roles``
and stored as plain data in ``models/roles/words.json`` (each term's idf and weight), so the
per-call path needs neither scikit-learn nor the training text.

A speaker's lean is the model's log-odds that their talk is the seller's, shrunk for a short
talk (``lean``); ``weigh`` in ``analyzer.call.roles`` uses each speaker's lean less the
speakers' mean, so only the difference between the speakers counts.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from analyzer.settings import MODELS_DIR, read_json
from analyzer.types import Transcript

WORDS_PATH = MODELS_DIR / "roles" / "words.json"
_PUNCT_RE = re.compile(r"[^\w\s']")


@dataclass(frozen=True)
class WordModel:
    """The fitted model, as ``models/roles/words.json`` stores it.

    Attributes:
        token_pattern: The regular expression a token matches (in text lowercased, with
            punctuation turned into spaces and curly apostrophes straightened).
        max_n: The longest n-gram (terms are 1- to ``max_n``-grams of tokens, space-joined).
        idf: Each term's inverse document frequency.
        weight: Each term's weight toward the seller.
        intercept: The log-odds of a talk with no known term.
    """

    token_pattern: re.Pattern[str]
    max_n: int
    idf: Mapping[str, float]
    weight: Mapping[str, float]
    intercept: float


@lru_cache(maxsize=4)
def load_words(path: Path = WORDS_PATH) -> WordModel | None:
    """Read the model; None when there is none (the cues then decide alone)."""
    try:
        data = read_json(path)
    except FileNotFoundError:
        return None
    terms = data["terms"]
    return WordModel(re.compile(data["token_pattern"]), int(data["max_n"]),
                     {t: float(v[0]) for t, v in terms.items()},
                     {t: float(v[1]) for t, v in terms.items()}, float(data["intercept"]))


def plain_text(text: str) -> str:
    """Text as the model and the cues read it: lowercased, punctuation as spaces, apostrophes
    kept (curly ones straightened)."""
    text = text.casefold().replace("\u2019", "'")
    return " ".join(_PUNCT_RE.sub(" ", text).split())


def speaker_talk(transcript: Transcript) -> dict[str, str]:
    """Each speaker's whole talk in the call, their segments in order, as plain text."""
    talk: dict[str, list[str]] = {}
    for segment in transcript.segments:
        text = plain_text(segment.text)
        if text:
            talk.setdefault(segment.speaker, []).append(text)
    return {speaker: " ".join(parts) for speaker, parts in talk.items()}


def terms(model: WordModel, text: str) -> Counter[str]:
    """How often each 1- to ``max_n``-gram of the text's tokens occurs."""
    tokens = model.token_pattern.findall(text)
    return Counter(" ".join(tokens[i:i + n]) for n in range(1, model.max_n + 1)
                   for i in range(len(tokens) - n + 1))


def contributions(model: WordModel, text: str) -> dict[str, float]:
    """Each known term's share of the text's score: sublinear tf times idf, the vector
    normalised to length 1, times the term's weight."""
    counts = {t: c for t, c in terms(model, text).items() if t in model.idf}
    values = {t: (1.0 + math.log(c)) * model.idf[t] for t, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in values.values()))
    if not norm:
        return {}
    return {t: v / norm * model.weight[t] for t, v in values.items()}


def score(model: WordModel, text: str) -> float:
    """The log-odds that this talk is the seller's (the fitted model's own output)."""
    return model.intercept + sum(contributions(model, text).values())


def lean(model: WordModel, text: str, half: float) -> float:
    """How far the talk leans toward the seller, in log-odds, shrunk for short talk: the
    model reads the share of each term, so two words weigh as much as two thousand unless
    the lean is scaled by n / (n + ``half``) for a talk of n words."""
    n = len(model.token_pattern.findall(text))
    return (score(model, text) - model.intercept) * n / (n + half) if n else 0.0


def telling_terms(model: WordModel, text: str, toward: float, count: int = 3) -> tuple[str, ...]:
    """The terms that pushed the talk most toward the seller (``toward`` > 0) or the buyer."""
    ranked = sorted(((v * toward, t) for t, v in contributions(model, text).items()),
                    reverse=True)
    return tuple(t for v, t in ranked[:count] if v > 0)
