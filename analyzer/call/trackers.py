"""Trackers: the competitors and products a coach lists in ``models/trackers/trackers.csv``
(name, kind, aliases separated by "|"), found in what each side said.

Each mention is a ``tracker`` flag: subtype the tracker's name, rule ``tracker:<kind>`` with
``:question`` added when it was said in a question, span the words that named it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from analyzer.call.language import sentence_spans, sentence_times, sentences
from analyzer.call.language.rules import load_trackers
from analyzer.types import Flag, Utterance


@lru_cache(maxsize=4)
def tracker_matcher(nlp: Any) -> Any:
    """A lower-case PhraseMatcher of every alias, keyed by the tracker's index."""
    from spacy.matcher import PhraseMatcher

    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for index, (_, _, aliases) in enumerate(load_trackers()):
        matcher.add(str(index), [nlp.make_doc(a) for a in aliases])
    return matcher


def tracker_flags(utterances: Sequence[Utterance], docs: Sequence[Any],
                  nlp: Any) -> tuple[Flag, ...]:
    """One ``tracker`` flag per mention of a listed name, with who said it and when."""
    trackers = load_trackers()
    matcher = tracker_matcher(nlp)
    flags: list[Flag] = []
    for index, (utterance, doc) in enumerate(zip(utterances, docs, strict=True)):
        sents = sentences(doc)
        spans = sentence_spans(utterance.text, sents)
        for key, start, end in matcher(doc):
            k = next(i for i, s in enumerate(sents) if s.start <= start < s.end)
            name, kind, _ = trackers[int(nlp.vocab.strings[key])]
            asked = ":question" if sents[k].text.rstrip().endswith("?") else ""
            begin, finish = sentence_times(utterance, spans[k])
            flags.append(Flag(utterance.role, begin, finish, "tracker", name,
                              f"tracker:{kind}{asked}", sents[k].text, doc[start:end].text,
                              index))
    return tuple(flags)


def tracker_metrics(flags: Sequence[Flag]) -> dict[str, Any]:
    """Mentions per call: all trackers, and competitors alone."""
    mentions = [f for f in flags if f.label == "tracker"]
    return {"tracker_mentions": len(mentions),
            "competitor_mentions": sum(1 for f in mentions
                                       if f.rule.startswith("tracker:competitor"))}
