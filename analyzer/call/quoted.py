"""Quoted speech: the words a rep repeats from someone else ("they say, hey, what percentage
of your profit is on Amazon?") are not the rep's own act towards the customer.

The quote starts at an opener (``models/language/quoted.json``): a frame (a verb of saying
or thinking, or "like" as in "he was like"), an optional comma or colon, an optional opening
quotation mark and a greeting word ("hey"); or a frame, a comma or colon and an opening
quotation mark. A rep's ``customer_question``, ``follow_up_question`` or ``pushy_close``
whose words lie in the quote is dropped here; the close leaves out an ask cue in a quote
(``closing.cues``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from analyzer.call.language.rules import RULES_DIR
from analyzer.settings import read_json
from analyzer.types import REP, Flag


@dataclass(frozen=True)
class QuoteOptions:
    """``models/language/quoted.json``: the opener of a quote, and the labels a quote takes.

    Attributes:
        opener: A pattern whose match ends where the quote's words begin.
        labels: The labels of the rep's own acts, which a quote's words never carry.
    """

    opener: re.Pattern[str]
    labels: frozenset[str]


@lru_cache(maxsize=1)
def quote_options() -> QuoteOptions:
    """The options of ``quoted.json``."""
    raw = read_json(RULES_DIR / "quoted.json")
    words = {key: "|".join(re.escape(w) for w in raw[key])
             for key in ("frames", "objects", "greetings", "interjections")}
    marks = "".join(re.escape(m) for m in raw["quotation_marks"])
    opener = (rf"\b(?:{words['frames']})(?: (?:{words['objects']}))?\b"
              rf"(?:[,:] ?[{marks}]|(?<!like) [{marks}]|[,:]? (?=(?:{words['greetings']})[,!])"
              rf"|, (?=(?:{words['interjections']}),))")
    return QuoteOptions(re.compile(opener, re.IGNORECASE), frozenset(raw["labels"]))


def quote_start(text: str) -> int | None:
    """Where the quoted words of a sentence begin (a character offset), or None when the
    sentence quotes no one."""
    found = quote_options().opener.search(text)
    return found.end() if found else None


def in_quote(text: str, at: int) -> bool:
    """True when the character ``at`` of the sentence lies in quoted words."""
    start = quote_start(text)
    return start is not None and at >= start


def unquoted(flags: tuple[Flag, ...]) -> tuple[Flag, ...]:
    """The flags without the rep's own acts (``labels`` of ``quoted.json``) whose words lie
    in a quote; a flag a coach added stays."""
    labels = quote_options().labels
    return tuple(f for f in flags if f.label not in labels or f.role != REP
                 or f.coach == "added" or not in_quote(f.text, _span_at(f)))


def _span_at(flag: Flag) -> int:
    """Where the flag's words first occur in its sentence (0 when they are not found)."""
    return max(flag.text.lower().find(flag.span.lower()), 0) if flag.span else 0
