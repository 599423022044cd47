"""Questions asked inside a monologue: a rep question followed by several more sentences of
the rep before the customer takes the floor is the rep's rhetoric ("Should you be looking at
one month of prep?" and its answer), a check ("Can you see this?") or a step of an
explanation; the customer is given no room to answer it. It stays a ``question`` but is no
``customer_question`` and no ``follow_up_question``. The number of sentences is
``after_sentences`` in ``models/language/rhetorical.json``. A statement closed by a tag
("..., right?") needs fewer (``tag_after_sentences``): the rep checks their own statement on
the way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from analyzer.call.connection import blocks_of
from analyzer.call.language import sentences
from analyzer.call.language.rules import RULES_DIR
from analyzer.settings import read_json
from analyzer.types import REP, Flag, Utterance

ASKED_OF_THE_CUSTOMER = ("customer_question", "follow_up_question")


@dataclass(frozen=True)
class RhetoricOptions:
    """``models/language/rhetorical.json``: how many of the rep's sentences after a question
    make it rhetorical, the tag words that close a statement, and how many sentences after
    such a tag question make it the rep's check on the way."""

    after_sentences: int
    tag_words: tuple[str, ...]
    tag_after_sentences: int


@lru_cache(maxsize=1)
def rhetoric_options() -> RhetoricOptions:
    """The options of ``rhetorical.json``."""
    raw = read_json(RULES_DIR / "rhetorical.json")
    return RhetoricOptions(int(raw["after_sentences"]), tuple(raw["tag_words"]),
                           int(raw["tag_after_sentences"]))


def rhetorical_questions(flags: tuple[Flag, ...], utterances: Sequence[Utterance],
                         docs: Sequence[Any]) -> tuple[Flag, ...]:
    """The flags without ``customer_question`` and ``follow_up_question`` on a rep sentence
    that ``after_sentences`` or more rep sentences follow in the same turn, or a statement
    closed by a tag that ``tag_after_sentences`` or more follow (a question a coach added
    stays)."""
    options = rhetoric_options()
    inside = {key for key, after in sentences_after(utterances, docs).items()
              if after >= options.after_sentences or (
                  after >= options.tag_after_sentences
                  and closed_by_tag(key[1], options.tag_words))}
    return tuple(f for f in flags if f.label not in ASKED_OF_THE_CUSTOMER
                 or f.coach == "added" or (f.utterance, f.text) not in inside)


def closed_by_tag(text: str, words: Sequence[str]) -> bool:
    """True when a sentence is a statement closed by a tag word and a question mark, after a
    comma: "we're going to go to town on it, right?", "it can be done, you know?"."""
    body = text.rstrip().rstrip("?").rstrip().lower()
    return text.rstrip().endswith("?") and any(
        body.endswith(", " + word) or body == word for word in words)


def sentences_after(utterances: Sequence[Utterance], docs: Sequence[Any]
                    ) -> dict[tuple[int, str], int]:
    """For every rep sentence, (utterance, sentence): how many rep sentences follow it before
    the customer takes the floor."""
    found: dict[tuple[int, str], int] = {}
    for block in blocks_of(utterances):
        if block.role != REP:
            continue
        said = [(i, s.text) for i in block.indices if utterances[i].role == REP
                for s in sentences(docs[i])]
        for k, key in enumerate(said):
            found.setdefault(key, len(said) - 1 - k)
    return found
