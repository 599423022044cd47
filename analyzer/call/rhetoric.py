"""Questions asked inside a monologue: a rep question followed by several more sentences of
the rep before the customer takes the floor is the rep's rhetoric ("Should you be looking at
one month of prep?" and its answer), a check ("Can you see this?") or a step of an
explanation; the customer is given no room to answer it. It stays a ``question`` but is no
``customer_question`` and no ``follow_up_question``. The number of sentences is
``after_sentences`` in ``models/language/rhetorical.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from analyzer.call.connection import blocks_of
from analyzer.call.language import sentences
from analyzer.call.language.rules import RULES_DIR
from analyzer.settings import read_json
from analyzer.types import REP, Flag, Utterance

ASKED_OF_THE_CUSTOMER = ("customer_question", "follow_up_question")


@lru_cache(maxsize=1)
def after_sentences() -> int:
    """How many of the rep's sentences after a question make it rhetorical."""
    return int(read_json(RULES_DIR / "rhetorical.json")["after_sentences"])


def rhetorical_questions(flags: tuple[Flag, ...], utterances: Sequence[Utterance],
                         docs: Sequence[Any]) -> tuple[Flag, ...]:
    """The flags without ``customer_question`` and ``follow_up_question`` on a rep sentence
    that ``after_sentences`` or more rep sentences follow in the same turn (a question a
    coach added stays)."""
    inside = monologue_sentences(utterances, docs, after_sentences())
    return tuple(f for f in flags if f.label not in ASKED_OF_THE_CUSTOMER
                 or f.coach == "added" or (f.utterance, f.text) not in inside)


def monologue_sentences(utterances: Sequence[Utterance], docs: Sequence[Any], after: int
                        ) -> set[tuple[int, str]]:
    """(utterance, sentence) of every rep sentence with ``after`` or more rep sentences after
    it before the customer takes the floor."""
    found: set[tuple[int, str]] = set()
    for block in blocks_of(utterances):
        if block.role != REP:
            continue
        said = [(i, s.text) for i in block.indices if utterances[i].role == REP
                for s in sentences(docs[i])]
        found.update(said[:max(len(said) - after, 0)])
    return found
