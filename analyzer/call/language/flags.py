"""Flags: each labelled sentence of a call located in time, and the rep's language counts."""

from __future__ import annotations

import math
from collections.abc import Sequence

from analyzer.types import CUSTOMER, REP, Flag, SentenceLabels, Utterance


def sentence_spans(text: str, sentences: Sequence[SentenceLabels]) -> list[tuple[int, int]]:
    """Character span of each sentence in the utterance text (searched in order)."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for sentence in sentences:
        found = text.find(sentence.text, cursor)
        start = found if found >= 0 else cursor
        end = start + len(sentence.text)
        spans.append((start, end))
        cursor = end
    return spans


def _word_offsets(utterance: Utterance) -> list[tuple[int, int]]:
    """Where each word of the utterance sits in its text (best effort, in order)."""
    offsets: list[tuple[int, int]] = []
    cursor = 0
    for word in utterance.words:
        token = word.text.strip()
        found = utterance.text.find(token, cursor) if token else -1
        start = found if found >= 0 else cursor
        offsets.append((start, start + len(token)))
        cursor = start + len(token)
    return offsets


def sentence_times(utterance: Utterance, span: tuple[int, int]) -> tuple[float, float]:
    """Start and end time of a character span, from the words when they are timed."""
    offsets = _word_offsets(utterance)
    inside = [w for w, (a, b) in zip(utterance.words, offsets) if b > span[0] and a < span[1]]
    timed = [w for w in inside if not (math.isnan(w.start) or math.isnan(w.end))]
    if not timed:
        return utterance.start, utterance.end
    return timed[0].start, timed[-1].end


def call_flags(utterances: Sequence[Utterance],
               labels: Sequence[tuple[SentenceLabels, ...]]) -> tuple[Flag, ...]:
    """One Flag per (sentence, label) of a call, timed from the words when they are known."""
    flags: list[Flag] = []
    for index, (utterance, sentences) in enumerate(zip(utterances, labels, strict=True)):
        spans = sentence_spans(utterance.text, sentences)
        for sentence, span in zip(sentences, spans):
            if not sentence.labels:
                continue
            start, end = sentence_times(utterance, span)
            for label in sentence.labels:
                evidence = next((e for e in sentence.evidence if e.label == label), None)
                flags.append(Flag(utterance.role, start, end, label,
                                  evidence.subtype if evidence else "",
                                  evidence.rule if evidence else "", sentence.text,
                                  evidence.span if evidence else "", index))
    return tuple(flags)


def language_metrics(flags: Sequence[Flag]) -> dict[str, float | bool]:
    """The questions each side asked, and the rep's customer-focused questions,
    self-promotion and pushy closing.

    self_focus_share = self_promotion / (self_promotion + customer_focused_questions), nan when
    both are 0; egomaniac is true when self-promotion outnumbers customer-focused questions.
    ``flags`` are the counted ones (``call.metrics.measure`` leaves out what a coach marked
    wrong).
    """
    rep = [f for f in flags if f.role == REP]

    def count(label: str) -> int:
        return sum(1 for f in rep if f.label == label)

    promo, focused = count("self_promotion"), count("customer_question")
    both = promo + focused
    customer_questions = sum(1 for f in flags if f.role == CUSTOMER and f.label == "question")
    return {"rep_questions": count("question"), "customer_questions": customer_questions,
            "customer_focused_questions": focused,
            "self_promotion": promo, "pushy_closing": count("pushy_close"),
            "self_focus_share": promo / both if both else math.nan,
            "egomaniac": promo > focused}
