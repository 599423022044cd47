"""Redact: a call's private details replaced by typed placeholders (``--redact``).

E-mail addresses, phone numbers, payment card numbers (Luhn-checked), social security
numbers, street addresses and people's names become ``[EMAIL]``, ``[PHONE]``, ``[CARD]``,
``[SSN]``, ``[ADDRESS]`` and ``[PERSON]``; the rep's and the roster's names become the person's
id. The transcript's text and its timed words are both rewritten (a detail over several words
becomes one word over their time), so a bleeped copy of the recording can hide exactly the
redacted stretches. The pipeline redacts the text as the transcript is loaded, before anything
is cached, and the speaker labels once the roles are decided.

One module per step:

- ``patterns``: e-mail, digit runs (card, SSN, phone; written or spoken digit by digit) and
  addresses, from ``models/redaction/patterns.json``.
- ``names``: people's names (spaCy's recogniser, introducing phrases, speaker labels), and the
  team's names kept as ids (``People``).
- ``rewrite``: the spans applied to text and to timed words.
- ``speakers``: speaker labels that are names, renamed after the roles are decided.
- ``bleep``: the redacted copy of a recording's samples, with a tone over each redacted
  stretch (the run's job writes it).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from analyzer.call.redact.bleep import BleepSettings, bleep_spans, bleeped
from analyzer.call.redact.names import (
    People,
    cued_names,
    label_names,
    load_recogniser,
    name_spans,
    recognised_names,
)
from analyzer.call.redact.patterns import KINDS, Patterns, Span, find_patterns, load_patterns
from analyzer.call.redact.rewrite import apply_text, apply_words, joined, resolve
from analyzer.call.redact.speakers import rename_speakers, speaker_names
from analyzer.types import RoleAssignment, Segment, Transcript

__all__ = ["KINDS", "BleepSettings", "People", "Redactor", "bleep_spans", "bleeped",
           "placeholders", "redact_speakers", "scrub_reason"]

# A quoted value, not the apostrophes of "doesn't ... isn't".
_QUOTED_RE = re.compile(r"(?<!\w)'[^']*'(?!\w)|(?<!\w)\"[^\"]*\"(?!\w)")


class Redactor:
    """The patterns and the name recogniser, loaded once; redacts one call at a time."""

    def __init__(self, patterns: Patterns, nlp: Any = None) -> None:
        self.patterns = patterns
        self.nlp = nlp

    @classmethod
    def load(cls, recogniser: bool = True) -> Redactor:
        """Load the patterns and (unless ``recogniser`` is False) spaCy's entity recogniser."""
        patterns = load_patterns()
        return cls(patterns, load_recogniser(patterns.ner_model) if recogniser else None)

    def redact(self, transcript: Transcript, people: People | None = None) -> Transcript:
        """The transcript with every detail in its text and words replaced (labels untouched:
        see ``redact_speakers``)."""
        people = people or People()
        texts = [s.text for s in transcript.segments]
        word_texts = [joined(s.words)[0] for s in transcript.segments if s.words]
        names = (recognised_names(texts, self.nlp, self.patterns)
                 | cued_names([*texts, *word_texts], self.patterns)
                 | label_names(transcript.speakers, self.patterns))
        segments = tuple(self._segment(s, names, people) for s in transcript.segments)
        return replace(transcript, segments=segments)

    def redact_text(self, text: str, people: People | None = None) -> str:
        """One text with every detail replaced (names found in it alone)."""
        transcript = Transcript((Segment("", 0.0, 0.0, text),), ("",), 0.0, "text")
        return self.redact(transcript, people).segments[0].text

    def spans(self, text: str, names: set[str], people: People) -> list[Span]:
        """Every detail in ``text``, overlaps resolved."""
        return resolve([*find_patterns(text, self.patterns),
                        *name_spans(text, names, people, self.patterns)])

    def _segment(self, segment: Segment, names: set[str], people: People) -> Segment:
        text = apply_text(segment.text, self.spans(segment.text, names, people))
        words = segment.words
        if words:
            words = apply_words(words, self.spans(joined(words)[0], names, people))
        return replace(segment, text=text, words=words)


def redact_speakers(transcript: Transcript, roles: RoleAssignment, people: People,
                    patterns: Patterns | None = None) -> tuple[Transcript, RoleAssignment]:
    """Rename the speaker labels that are names (after the roles were decided on them)."""
    mapping = speaker_names(transcript, roles, people, patterns or load_patterns())
    return rename_speakers(transcript, roles, mapping)


def placeholders(patterns: Patterns | None = None) -> tuple[str, ...]:
    """The placeholder of every kind of detail ("[EMAIL]", ...)."""
    table = (patterns or load_patterns()).placeholders
    return tuple(table[k] for k in KINDS)


def scrub_reason(reason: str, patterns: Patterns | None = None) -> str:
    """An error message fit for a redacted folder: quoted values (a reader's quote of the bad
    line or field) become ``'…'`` and the patterns' details their placeholders."""
    patterns = patterns or load_patterns()
    reason = _QUOTED_RE.sub("'…'", reason)
    return apply_text(reason, resolve(find_patterns(reason, patterns)))
