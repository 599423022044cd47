"""Corrections: a coach's verdicts on a call's labels applied to its flags.

A flag a coach marked wrong stays in the flags (``coach="wrong"``), so the page can say a coach
corrected it, but no count, coaching point or search reads it; a sentence a coach marked missed
becomes a flag (``coach="added"``, rule ``coach``). Sentences are matched on their words, case
and spacing aside, so a re-transcribed or re-punctuated sentence is still found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from analyzer.call.language.flags import sentence_times
from analyzer.call.words import words_in
from analyzer.types import Correction, Flag, Utterance

WRONG, MISSED = "wrong", "missed"
VERDICTS = (WRONG, MISSED)
COACH_RULE = "coach"


def apply_corrections(utterances: Sequence[Utterance], flags: Sequence[Flag],
                      corrections: Sequence[Correction]) -> tuple[Flag, ...]:
    """The call's flags with the coach's verdicts applied (in utterance order)."""
    if not corrections:
        return tuple(flags)
    wrong = {(c.label, sentence_key(c.text)) for c in corrections if c.verdict == WRONG}
    out = [replace(f, coach=WRONG) if (f.label, sentence_key(f.text)) in wrong else f
           for f in flags]
    have = {(f.label, sentence_key(f.text)) for f in out}
    for correction in corrections:
        said = (correction.label, sentence_key(correction.text))
        if correction.verdict == MISSED and said not in have:
            added = _added(utterances, correction)
            if added is not None:
                out.append(added)
    return tuple(sorted(out, key=lambda f: f.utterance))


def _added(utterances: Sequence[Utterance], correction: Correction) -> Flag | None:
    """The flag of a missed sentence, in the first utterance whose words hold it."""
    wanted = sentence_key(correction.text)
    for index, utterance in enumerate(utterances):
        at = _find(utterance.text, correction.text)
        if at >= 0 or (wanted and wanted in sentence_key(utterance.text)):
            span = (at, at + len(correction.text)) if at >= 0 else (0, len(utterance.text))
            start, end = sentence_times(utterance, span)
            text = utterance.text[span[0]:span[1]]
            return Flag(utterance.role, start, end, correction.label, "", COACH_RULE, text,
                        text, index, "added")
    return None


def _find(text: str, sentence: str) -> int:
    return text.lower().find(sentence.strip().lower()) if sentence.strip() else -1


def sentence_key(text: str) -> str:
    """A sentence's words, lower case, one space apart: what a correction is matched on."""
    return " ".join(words_in(text))
