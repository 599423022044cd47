"""People's names: the team's names become their ids, everyone else's become ``[PERSON]``.

Names are found by spaCy's entity recogniser (``PERSON``), by the phrases that introduce a
name ("my name is", "Mrs."), and by the speaker labels of the call that are names. A name
found once is redacted wherever it recurs in the call, whole or by its parts ("John Smith",
later "John"). The rep's and the roster's names are replaced by the person's id, so a report
still reads "priya said", not "[PERSON] said".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from analyzer.call.redact.patterns import Patterns, Span
from analyzer.call.roles import Roster, name_tokens, names_match

UNKNOWN_REP = "unknown"
COLLEAGUE = "colleague"


@dataclass(frozen=True)
class People:
    """Whose names are kept as an id: the call's rep and the roster's people.

    Attributes:
        rep: The call's rep id (what their names become); "" when the rep is unknown.
        names: (name, id) pairs: each name a team member appears under, and their id
            (a colleague's id is "colleague").
    """

    rep: str = ""
    names: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of_call(cls, rep: str, rep_speaker: str = "", roster: Roster | None = None) -> People:
        """The call's rep (their id, the manifest's ``rep_speaker`` or ``--rep-name``, their
        roster names) and every other roster name (other reps by id, colleagues)."""
        pairs = [(rep, rep)] if rep and rep != UNKNOWN_REP else []
        if rep_speaker:
            pairs.append((rep_speaker, rep))
        for entry in roster.entries if roster else ():
            pairs.append((entry.name, entry.rep if entry.role == "rep" else COLLEAGUE))
        return cls(rep if rep != UNKNOWN_REP else "", tuple(pairs))

    def id_of(self, name: str) -> str:
        """The id a team member's name becomes, or "" when the name is nobody on the team."""
        return next((who for known, who in self.names if names_match(name, known)), "")

    def key(self) -> list[list[str]]:
        """What the redaction of a call depends on, for its cache key."""
        return [[self.rep]] + [list(pair) for pair in self.names]


def load_recogniser(model: str) -> Any:
    """spaCy's pipeline with only its entity recogniser on (the small model's ``ner`` carries
    its own token vectors, so tagger and parser are not run)."""
    import spacy

    return spacy.load(model, enable=["ner"])


def recognised_names(texts: Sequence[str], nlp: Any, patterns: Patterns) -> set[str]:
    """People's names the entity recogniser finds in any of ``texts``."""
    if nlp is None:
        return set()
    found: set[str] = set()
    for doc in nlp.pipe(texts, batch_size=64):
        found.update(e.text.strip(" .,'") for e in doc.ents if e.label_ in patterns.ner_labels)
    return {n for n in found if n and n.casefold() not in patterns.not_names}


def cued_names(texts: Iterable[str], patterns: Patterns) -> set[str]:
    """Names introduced by a phrase: "my name is Olivia Bennett", "ask for Mr. Okafor"."""
    found = set()
    for text in texts:
        for match in patterns.person_cues.finditer(text):
            words = [w for w in match.group(1).split() if w.casefold() not in patterns.not_names]
            if words and match.group(1).split()[0] == words[0]:
                found.add(" ".join(words))
    return found


def label_names(speakers: Iterable[str], patterns: Patterns) -> set[str]:
    """Speaker labels that are people's names ("John Smith"), not labels ("SPEAKER_01")."""
    return {s for s in speakers if is_name_label(s, patterns)}


def is_name_label(label: str, patterns: Patterns) -> bool:
    """True when a speaker label names someone (it is not "A", "spk_1", "left", ...)."""
    return bool(name_tokens(label)) and not patterns.generic_speakers.match(label.strip())


def name_spans(text: str, names: Iterable[str], people: People,
               patterns: Patterns) -> list[Span]:
    """Where the call's names (found anywhere in it) and the team's names occur in ``text``."""
    terms = _terms(names, people, patterns)
    spans = []
    for term, (replacement, exact) in terms.items():
        flags = 0 if exact else re.IGNORECASE
        for m in re.finditer(rf"(?<![\w@.]){re.escape(term)}(?![\w@]|\.\w)", text, flags):
            spans.append(Span(m.start(), m.end(), "PERSON", replacement))
    return spans


def _terms(names: Iterable[str], people: People,
           patterns: Patterns) -> dict[str, tuple[str, bool]]:
    """Each name with what replaces it and whether its case must match: a name of several
    words in any case; one word, and the parts of a name, only as written or capitalised
    (to spare "will" and "mark"). The team's names win over a stranger's."""
    placeholder = patterns.placeholders["PERSON"]
    terms: dict[str, tuple[str, bool]] = {}
    strangers = [(n, people.id_of(n) or placeholder) for n in sorted(names)]
    for name, replacement in [*strangers, *people.names]:
        whole = name.strip()
        if len(name_tokens(whole)) > 1:
            terms[whole] = (replacement, False)
        elif name_tokens(whole):
            terms.update({w: (replacement, True) for w in (whole, whole[:1].upper() + whole[1:])})
        for part in re.split(r"[\s,]+", whole.split("@")[0]):
            if (len(part) >= patterns.spread_min_letters and part[:1].isupper()
                    and part.casefold() not in patterns.not_names and name_tokens(part)):
                terms[part] = (replacement, True)
    return terms
