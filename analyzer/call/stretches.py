"""Stretches: what each part of a call is about (business, personal talk or small talk).

A sentence's kind comes from the topic words and phrases in ``models/connection/topics.json``;
an utterance takes its sentences' most common kind, an utterance with none continues the
stretch before it, and consecutive utterances of one kind make a stretch. Each stretch becomes
a ``Flag`` labelled ``stretch`` (subtype the kind, role who opened it, evidence the words that
decided it), so the tables and the call page carry it like any other flag.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from analyzer.call.language import sentences
from analyzer.settings import MODELS_DIR, read_json
from analyzer.types import NAN, Flag, Utterance

CONNECTION_DIR = MODELS_DIR / "connection"
KINDS = ("business", "personal", "small_talk")
STRETCH = "stretch"


@dataclass(frozen=True)
class Topic:
    """The words (lemmas) and phrases (regular expressions) of one kind of talk."""

    kind: str
    words: frozenset[str]
    phrases: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Topics:
    """Every kind's words, the words personal talk keeps from business, the opening kind."""

    kinds: tuple[Topic, ...]
    not_business: frozenset[str]
    opening_kind: str
    nouns_only: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Kind:
    """The kind of one sentence or utterance and the words that decided it."""

    kind: str
    words: tuple[str, ...] = ()


@lru_cache(maxsize=4)
def load_topics(path: Path = CONNECTION_DIR / "topics.json") -> Topics:
    """The topic words of each kind of talk."""
    data = read_json(path)
    kinds = tuple(Topic(name, frozenset(w.lower() for w in spec["words"]),
                        tuple(re.compile(p) for p in spec.get("phrases", ())))
                  for name, spec in data["kinds"].items())
    personal = data["kinds"].get("personal", {})
    return Topics(kinds, frozenset(personal.get("not_business", ())), data["opening_kind"],
                  frozenset(data.get("nouns_only", ())))


def sentence_kind(sent: Any, topics: Topics | None = None) -> Kind | None:
    """The kind of one parsed sentence; None when it names no topic word of any kind.

    Business wins over personal, personal over small talk: "my wife runs the pilot" is
    business. A personal word that is also a business word ("team", "move") counts as
    personal only when no business word is there.
    """
    topics = topics or load_topics()
    lower = sent.text.lower()
    # A word that is a topic only as a noun ("a show", not "I'll show you") counts only so.
    lemmas = [(t.lemma_.lower(), t.text) for t in sent if not t.is_punct and (
        t.pos_ in ("NOUN", "PROPN") or t.lemma_.lower() not in topics.nouns_only)]
    found: dict[str, list[str]] = {}
    for topic in topics.kinds:
        words = [text for lemma, text in lemmas
                 if lemma in topic.words or text.lower() in topic.words]
        words += [m.group() for p in topic.phrases for m in [p.search(lower)] if m]
        if words:
            found[topic.kind] = words
    # A business word inside a personal phrase ("money troubles") is part of the person's life.
    inside = " ".join(w.lower() for w in found.get("personal", ()) if " " in w)
    business = [w for w in found.get("business", ())
                if w.lower() not in topics.not_business and w.lower() not in inside.split()]
    if business:
        return Kind("business", tuple(business))
    for kind in ("personal", "small_talk"):
        if kind in found:
            return Kind(kind, tuple(found[kind]))
    return None


def utterance_kinds(docs: Sequence[Any], topics: Topics | None = None
                    ) -> list[Kind | None]:
    """Each parsed utterance's kind: its sentences' most common one (business first on a
    tie), None when no sentence names a topic."""
    topics = topics or load_topics()
    out: list[Kind | None] = []
    for doc in docs:
        kinds = [k for k in (sentence_kind(s, topics) for s in sentences(doc)) if k]
        if not kinds:
            out.append(None)
            continue
        counts = Counter(k.kind for k in kinds)
        best = max(KINDS, key=lambda kind: (counts[kind], -KINDS.index(kind)))
        out.append(Kind(best, tuple(w for k in kinds if k.kind == best for w in k.words)))
    return out


def call_stretches(utterances: Sequence[Utterance], kinds: Sequence[Kind | None],
                   topics: Topics | None = None) -> tuple[Flag, ...]:
    """The call cut into stretches of one kind, as ``stretch`` flags in time order.

    The utterances before the first one with a kind belong to the opening kind (small talk:
    "hi", "can you hear me"). A stretch lasts from its first utterance's start to the next
    stretch's start (the last one to the end of its last utterance).
    """
    topics = topics or load_topics()
    runs: list[tuple[str, int, int, tuple[str, ...]]] = []  # kind, first, last, words
    current = topics.opening_kind
    for index, found in enumerate(kinds):
        kind = found.kind if found else current
        if runs and runs[-1][0] == kind:
            runs[-1] = (kind, runs[-1][1], index, runs[-1][3])
        else:
            runs.append((kind, index, index, found.words if found else ()))
        current = kind
    flags = []
    for number, (kind, first, last, words) in enumerate(runs):
        end = (utterances[runs[number + 1][1]].start if number + 1 < len(runs)
               else utterances[last].end)
        opener = utterances[first]
        flags.append(Flag(opener.role, opener.start, end, STRETCH, kind, f"stretch.{kind}",
                          opener.text, ", ".join(dict.fromkeys(words)), first))
    return tuple(flags)


def stretch_metrics(stretches: Sequence[Flag], call_start: float) -> dict[str, Any]:
    """Seconds of personal talk and small talk, who opened the first personal stretch and
    how long the call took to reach business (nan when it never did, or untimed)."""
    def seconds(kind: str) -> float:
        spans = [f.end - f.start for f in stretches if f.subtype == kind]
        return sum(spans) if all(_finite(s) for s in spans) else NAN

    personal = [f for f in stretches if f.subtype == "personal"]
    business = [f for f in stretches if f.subtype == "business"]
    to_business = business[0].start - call_start if business else NAN
    return {"personal_s": seconds("personal"), "small_talk_s": seconds("small_talk"),
            "business_s": seconds("business"),
            "time_to_business_s": max(0.0, to_business) if _finite(to_business) else NAN,
            "personal_started_by": personal[0].role if personal else ""}


def _finite(value: float) -> bool:
    return isinstance(value, float | int) and math.isfinite(value)
