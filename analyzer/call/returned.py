"""Questions that only ask back ("You?", "How about you?"): their meaning is what they return.

A returned question is about the customer unless what it returns is small talk (a greeting,
"I'm good.", the weather) or the rep's pledge ("I will donate $5. And you?", an ask). The
phrases are ``returned_question_phrases`` in ``models/language/lexicon.json``; the topic
words are the stretches' (``models/connection/topics.json``), the deal verbs the close's.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from analyzer.call.closing import load_rules
from analyzer.call.language import load_lexicon, sentences
from analyzer.call.stretches import sentence_kind
from analyzer.types import Flag

LOOK_BACK = 3  # sentences: "Good." returns "How are you?" before it


def returned_questions(flags: tuple[Flag, ...], docs: Sequence[Any]) -> tuple[Flag, ...]:
    """The flags without ``customer_question`` on a returned question whose sentences before
    it are small talk or a pledge (``docs``: the call's parsed utterances)."""
    return tuple(f for f in flags if f.label != "customer_question" or not returned(f.text)
                 or not small_talk_or_pledge(earlier(f, docs)))


def returned(text: str) -> bool:
    """True when the sentence only asks back: "And you?", "what about yourself?"."""
    words = text.lower().translate(str.maketrans("", "", string.punctuation)).split()
    return " ".join(words) in _returned_phrases()


def earlier(f: Flag, docs: Sequence[Any]) -> list[Any]:
    """The call's sentences before the flagged one, the nearest first (``LOOK_BACK`` at most)."""
    found: list[Any] = []
    for index in range(f.utterance, max(f.utterance - LOOK_BACK, -1), -1):
        sents = sentences(docs[index])
        if index == f.utterance:
            sents = sents[:next((i for i, s in enumerate(sents) if s.text == f.text), 0)]
        found += reversed(sents)
    return found[:LOOK_BACK]


def small_talk_or_pledge(before: Sequence[Any]) -> bool:
    """Whether the nearest sentence with a topic is small talk, or a pledge comes first; a
    sentence with no topic ("Good.") returns the one before it ("How are you?")."""
    for sent in before:
        if pledge(sent):
            return True
        kind = sentence_kind(sent)
        if kind is not None:
            return kind.kind == "small_talk"
    return False


def pledge(sent: Any) -> bool:
    """Giving or buying to come, or with an amount: "I will donate $5", "I willing to donate
    5" (not a habit: "I give to charity now and then")."""
    return any(t.lemma_.lower() in _deal_verbs() for t in sent) and any(
        t.tag_ == "MD" or t.lower_ in ("going", "willing", "gonna") or t.like_num for t in sent)


@lru_cache(maxsize=1)
def _returned_phrases() -> frozenset[str]:
    return frozenset(load_lexicon()["returned_question_phrases"])


@lru_cache(maxsize=1)
def _deal_verbs() -> frozenset[str]:
    return frozenset(load_rules()[0]["lists"]["deal_verbs"])
