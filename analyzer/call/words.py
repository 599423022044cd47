"""The words of a text, as the turn and metric stages count them."""

from __future__ import annotations

import re

WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def words_in(text: str) -> list[str]:
    """The words of a text, lower case, punctuation dropped ("Mm-hmm." -> ["mm-hmm"])."""
    return WORD_RE.findall(text.lower())
