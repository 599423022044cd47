"""Which utterances are not in English: CallCoach reads English only, so their words get no
label (settings and word lists in ``models/language/foreign.json``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from analyzer.errors import InputError
from analyzer.settings import MODELS_DIR, read_json

FOREIGN_PATH = MODELS_DIR / "language" / "foreign.json"
_WORD_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


@dataclass(frozen=True)
class ForeignWords:
    """Function words of other languages and of English, and how many it takes."""

    foreign: frozenset[str]
    english: frozenset[str]
    min_words: int
    min_foreign: int
    ratio: float
    max_share: float


@lru_cache(maxsize=4)
def load_foreign(path: Path = FOREIGN_PATH) -> ForeignWords:
    """The word lists and thresholds of ``foreign.json``."""
    d = read_json(path)
    return ForeignWords(frozenset(d["foreign"]), frozenset(d["english"]), int(d["min_words"]),
                        int(d["min_foreign"]), float(d["ratio"]), float(d["max_share"]))


def is_english(text: str, words: ForeignWords | None = None) -> bool:
    """False when ``text`` is long enough and its function words are another language's
    ("Ik ga een korte voorstelling doen."); a short or telegraphic line stays English."""
    words = words or load_foreign()
    tokens = _WORD_RE.findall(text.casefold().replace("\u2019", "'"))
    foreign = len(set(tokens) & words.foreign)  # distinct: a stutter ("je-je-je") is one
    english = sum(t in words.english for t in tokens)
    return not (len(tokens) >= words.min_words and foreign >= words.min_foreign
                and foreign > words.ratio * english)


def english_texts(texts: Sequence[str], path: str = "") -> tuple[list[str], int]:
    """The texts as the labels read them (one not in English is read as empty), and how many
    were not in English.

    Raises InputError naming ``path`` when more than ``max_share`` of them are not in English:
    no verdict should rest on words nobody read.
    """
    words = load_foreign()
    english = [t if is_english(t, words) else "" for t in texts]
    foreign = sum(1 for t, e in zip(texts, english, strict=True) if t != e)
    if texts and foreign > words.max_share * len(texts):
        raise InputError(path, f"not in English: {foreign} of {len(texts)} utterances "
                               "(CallCoach reads English only)")
    return english, foreign
