"""How much each speaker talks like the seller: a model of the words, learned from labelled calls.

The phrase cues (``cues.json``) were written from the calls they were read on and carry over
badly to a new source of calls (``models/roles/README.md``, stops 30 and 31). This is their
companion learned from every labelled call: a logistic regression over a speaker's whole
talk in a call (tf-idf word 1-2-grams), trained by ``python -m analyzer.evaluate.train_roles``
and stored as plain data in ``models/roles/words.json`` (each term's idf and weight, read by
``analyzer.call.linear``), so the per-call path needs neither scikit-learn nor the training
text.

A speaker's lean is the model's log-odds that their talk is the seller's, shrunk for a short
talk (``lean``); ``weigh`` in ``analyzer.call.roles`` uses each speaker's lean less the
speakers' mean, so only the difference between the speakers counts.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from analyzer.call.linear import TextModel, contributions, plain_text, score, text_model
from analyzer.settings import MODELS_DIR, read_json
from analyzer.types import Transcript

WORDS_PATH = MODELS_DIR / "roles" / "words.json"


@lru_cache(maxsize=4)
def load_words(path: Path = WORDS_PATH) -> TextModel | None:
    """Read the model; None when there is none (the cues then decide alone)."""
    try:
        return text_model(read_json(path))
    except FileNotFoundError:
        return None


def speaker_talk(transcript: Transcript) -> dict[str, str]:
    """Each speaker's whole talk in the call, their segments in order, as plain text."""
    talk: dict[str, list[str]] = {}
    for segment in transcript.segments:
        text = plain_text(segment.text)
        if text:
            talk.setdefault(segment.speaker, []).append(text)
    return {speaker: " ".join(parts) for speaker, parts in talk.items()}


def lean(model: TextModel, text: str, half: float) -> float:
    """How far the talk leans toward the seller, in log-odds, shrunk for short talk: the
    model reads the share of each term, so two words weigh as much as two thousand unless
    the lean is scaled by n / (n + ``half``) for a talk of n words."""
    n = len(model.token_pattern.findall(text))
    return (score(model, text) - model.intercept) * n / (n + half) if n else 0.0


def telling_terms(model: TextModel, text: str, toward: float, count: int = 3) -> tuple[str, ...]:
    """The terms that pushed the talk most toward the seller (``toward`` > 0) or the buyer."""
    ranked = sorted(((v * toward, t) for t, v in contributions(model, text).items()),
                    reverse=True)
    return tuple(t for v, t in ranked[:count] if v > 0)
