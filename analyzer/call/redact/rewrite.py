"""Rewrite text and timed words with the spans found in them, keeping the words' times.

A detail that covers several words ("five five five one two three four") becomes one word
that spans their time, so a bleeped copy of the recording can hide exactly that stretch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from analyzer.call.redact.patterns import KINDS, Span
from analyzer.types import Word


def resolve(spans: Sequence[Span]) -> list[Span]:
    """Non-overlapping spans in text order; where two overlap, the kind earlier in ``KINDS``
    wins (an e-mail over the name inside it), then the longer one."""
    ranked = sorted(spans, key=lambda s: (KINDS.index(s.kind), -(s.end - s.start), s.start))
    kept: list[Span] = []
    for span in ranked:
        if span.end > span.start and all(span.end <= k.start or span.start >= k.end
                                         for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def apply_text(text: str, spans: Sequence[Span]) -> str:
    """``text`` with every span (resolved, in order) replaced."""
    out, cursor = [], 0
    for span in spans:
        out.append(text[cursor:span.start] + span.replacement)
        cursor = span.end
    return "".join(out) + text[cursor:]


def joined(words: Sequence[Word]) -> tuple[str, list[int]]:
    """The words joined by single spaces, and where each word starts in that text."""
    offsets, cursor = [], 0
    for word in words:
        offsets.append(cursor)
        cursor += len(word.text) + 1
    return " ".join(w.text for w in words), offsets


def apply_words(words: Sequence[Word], spans: Sequence[Span]) -> tuple[Word, ...]:
    """The words with each span (over ``joined(words)``, resolved) replaced; the words a span
    touches become one word from the first one's start to the last one's end."""
    text, offsets = joined(words)
    ends = [o + len(w.text) for o, w in zip(offsets, words)]
    out: list[Word] = []
    i = 0
    for first, last, group in _clusters(spans, offsets, ends):
        out.extend(words[i:first])
        chunk = [Span(s.start - offsets[first], s.end - offsets[first], s.kind, s.replacement)
                 for s in group]
        out.append(_merged(words[first:last + 1],
                           apply_text(text[offsets[first]:ends[last]], chunk)))
        i = last + 1
    out.extend(words[i:])
    return tuple(out)


def _clusters(spans: Sequence[Span], offsets: list[int],
              ends: list[int]) -> list[tuple[int, int, list[Span]]]:
    """Runs of words touched by the spans: (first word, last word, the spans inside)."""
    clusters: list[tuple[int, int, list[Span]]] = []
    for span in spans:
        first = next(i for i, e in enumerate(ends) if e > span.start)
        last = max(i for i, o in enumerate(offsets) if o < span.end)
        if clusters and first <= clusters[-1][1]:
            a, b, group = clusters[-1]
            clusters[-1] = (a, max(b, last), [*group, span])
        else:
            clusters.append((first, last, [span]))
    return clusters


def _merged(words: Sequence[Word], text: str) -> Word:
    starts = [w.start for w in words if not math.isnan(w.start)]
    ends = [w.end for w in words if not math.isnan(w.end)]
    return Word(min(starts) if starts else math.nan, max(ends) if ends else math.nan,
                " ".join(text.split()), words[0].speaker, min(w.probability for w in words))
