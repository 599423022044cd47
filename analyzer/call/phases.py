"""The call's phases: opening, discovery, presentation, pricing, objection, next steps.

Each utterance gets the first phase of ``order`` (``models/closing/phases.json``) that one of
its flags or cue phrases names; an utterance with none continues the phase before it, except a
long rep statement, which is presentation. The phases become one ``phase`` flag per stretch
(the band on the call page's timeline) and the seconds in each per call.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from analyzer.settings import MODELS_DIR, read_json
from analyzer.types import REP, Flag, Utterance

PHASES_PATH = MODELS_DIR / "closing" / "phases.json"
PHASES = ("opening", "discovery", "presentation", "pricing", "objection", "next_steps")


@lru_cache(maxsize=1)
def load_phases() -> dict[str, Any]:
    """The phase cues of ``models/closing/phases.json``."""
    return dict(read_json(PHASES_PATH))


@lru_cache(maxsize=4)
def phrase_matcher(nlp: Any) -> Any:
    """A lower-case PhraseMatcher of every phase's cue phrases, keyed by the phase
    (``customer:<phase>`` for the phrases that count in the customer's words only)."""
    from spacy.matcher import PhraseMatcher

    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    settings = load_phases()
    for phase, phrases in settings["phrases"].items():
        matcher.add(phase, [nlp.make_doc(p) for p in phrases])
    for phase, phrases in settings["customer_phrases"].items():
        matcher.add(f"customer:{phase}", [nlp.make_doc(p) for p in phrases])
    return matcher


def cue_phases(utterance: Utterance, doc: Any, flags: Sequence[Flag], nlp: Any) -> set[str]:
    """The phases an utterance's flags and cue phrases point to ("long": a long rep
    statement, presentation unless the call has reached its next steps)."""
    settings = load_phases()
    by_rule = {rule: phase for phase, rules in settings["rules"].items() for rule in rules}
    labels = {f.label for f in flags if f.rule not in by_rule}
    found = {phase for phase, names in settings["flags"].items() if labels & set(names)}
    found |= {by_rule[f.rule] for f in flags if f.rule in by_rule}
    unless = settings["unless_next"]
    phrased = {nlp.vocab.strings[key] for key, start, end in phrase_matcher(nlp)(doc)
               if not (end < len(doc) and doc[end].lower_ in unless.get(
                   doc[start:end].text.lower(), ()))}
    if utterance.role == REP:
        phrased = {p for p in phrased if not p.startswith("customer:")}
    else:  # the customer's own phrases, and the others but those of the rep's phases
        phrased = {p.removeprefix("customer:") for p in phrased if p.startswith("customer:")} | (
            {p for p in phrased if not p.startswith("customer:")} - set(settings["rep_only"]))
    found |= phrased
    words = sum(1 for t in doc if not t.is_punct)
    if utterance.role == REP and words >= settings["presentation_min_words"]:
        found.add("long")
    return found


def utterance_phases(utterances: Sequence[Utterance], docs: Sequence[Any],
                     flags: Sequence[Flag], nlp: Any) -> tuple[str, ...]:
    """The phase of each utterance of a call."""
    order = load_phases()["order"]
    by_utterance: dict[int, list[Flag]] = {}
    for f in flags:
        # The statistical backstop's guesses are too loose to move the call to another phase.
        if not f.rule.startswith("textcat:"):
            by_utterance.setdefault(f.utterance, []).append(f)
    phases: list[str] = []
    current = before = "opening"
    for index, (utterance, doc) in enumerate(zip(utterances, docs, strict=True)):
        found = cue_phases(utterance, doc, by_utterance.get(index, ()), nlp)
        # A greeting keeps the call in its opening; after it, "hi" is no longer an opening.
        if current == "opening" and "opening" in found:
            found = {"opening"}
        found.discard("opening")
        if current == "next_steps" and utterance.role == REP:
            found.discard("long")
        found = {"presentation" if p == "long" else p for p in found}
        if current != "objection":
            before = current
        # An objection lasts while it is raised and answered; then the call goes back.
        fallback = before if current == "objection" else current
        current = next((p for p in order if p in found), fallback)
        phases.append(current)
    return tuple(phases)


def _stretch_ends(utterances: Sequence[Utterance]) -> list[float]:
    """Where each utterance's stretch ends: the next utterance's start, the last one's end."""
    starts = [u.start for u in utterances[1:]]
    return [max(s, u.start) for s, u in zip(starts, utterances)] + (
        [utterances[-1].end] if utterances else [])


def phase_flags(utterances: Sequence[Utterance], phases: Sequence[str]) -> tuple[Flag, ...]:
    """One ``phase`` flag per stretch of utterances in the same phase (subtype: the phase;
    text: the words that open the stretch, so that a flag's text is always its utterance's)."""
    flags: list[Flag] = []
    ends = _stretch_ends(utterances)
    for index, (utterance, phase) in enumerate(zip(utterances, phases)):
        if flags and flags[-1].subtype == phase:
            flags[-1] = Flag(flags[-1].role, flags[-1].start, ends[index], "phase", phase,
                             "phase", flags[-1].text, "", flags[-1].utterance)
        else:
            flags.append(Flag(utterance.role, utterance.start, ends[index], "phase", phase,
                              "phase", utterance.text, "", index))
    return tuple(flags)


def phase_metrics(utterances: Sequence[Utterance], phases: Sequence[str]) -> dict[str, Any]:
    """Seconds in each phase (nan when untimed) and whether the rep presented before
    discovering (a presentation stretch before the first discovery one, or none at all)."""
    ends = _stretch_ends(utterances)
    timed = all(math.isfinite(u.start) and math.isfinite(e) for u, e in zip(utterances, ends))
    seconds = {p: 0.0 if timed else math.nan for p in PHASES}
    if timed:
        for utterance, end, phase in zip(utterances, ends, phases):
            seconds[phase] += end - utterance.start
    first = {p: phases.index(p) for p in reversed(PHASES) if p in phases}
    before = "presentation" in first and first["presentation"] < first.get("discovery", 10**9)
    return {**{f"{p}_s": seconds[p] for p in PHASES}, "presented_before_discovery": before}
