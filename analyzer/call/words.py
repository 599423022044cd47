"""The words of a text, as the turn and metric stages count them."""

from __future__ import annotations

import re

WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def one_space(text: str) -> str:
    """The text with every run of white space one space, none at either end, and typographic
    apostrophes straight: how the analysis reads an utterance (spaCy makes a second space a
    token of its own, which breaks every phrase rule across it: "how are  you"; and the rules
    are written with "'": "I’ll take fifty", typed in a word processor, is "I'll take
    fifty")."""
    return " ".join(text.translate(APOSTROPHES).split())


def words_in(text: str) -> list[str]:
    """The words of a text, lower case, punctuation dropped ("Mm-hmm." -> ["mm-hmm"])."""
    return WORD_RE.findall(text.lower())
