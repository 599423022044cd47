"""One call's analysis, a pure function: its transcript, the evidence of who the rep is and the
loaded models in, its ``CallResult`` out.

transcript -> roles -> (speaker names redacted) -> utterances -> turns (built once) -> sentence
labels -> flags (the sales veto withdrawing those it doubts; a coach's corrections) ->
connection (follow-ups, acknowledgements, relating) and stretches -> no question asked in a
monologue, no act in a quote -> the close, trackers and phases -> metrics (each status decided
once). Nothing here reads a call's files, writes anything or changes shared state: the run's
per-call job (``run.job``) reads or transcribes the call, caches its transcript, learns the
rep's voice and writes the bleeped copy of the recording around this function.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from analyzer.call.closing import (
    FLAG_LABELS,
    call_sentences,
    closing_metrics,
    corrected_close,
    followed_through,
    nothing_at_stake,
)
from analyzer.call.connection import connection_flags
from analyzer.call.corrections import apply_corrections
from analyzer.call.doubt import Veto, doubted_flags, doubted_sentences, load_veto
from analyzer.call.language import call_flags
from analyzer.call.language.foreign import english_texts
from analyzer.call.metrics import measure
from analyzer.call.phases import phase_flags, phase_metrics, utterance_phases
from analyzer.call.quoted import unquoted
from analyzer.call.redact import People, redact_speakers
from analyzer.call.returned import returned_questions
from analyzer.call.rhetoric import rhetorical_questions
from analyzer.call.roles import RoleEvidence, decide_roles
from analyzer.call.stretches import call_stretches, utterance_kinds
from analyzer.call.trackers import tracker_flags, tracker_metrics
from analyzer.call.turns import build_turns
from analyzer.call.words import one_space
from analyzer.errors import InputError
from analyzer.types import (
    CallResult,
    CallSource,
    Correction,
    Flag,
    RoleAssignment,
    Transcript,
    Utterance,
)


@dataclass(frozen=True)
class Models:
    """The loaded models one call's analysis uses.

    Attributes:
        labeler: The spaCy sentence labeler (``call.language.Labeler``).
        redactor: The redactor (``call.redact.Redactor``) when the run redacts, else None: its
            patterns rename the speaker labels that are names once the roles are decided.
        veto: The sales veto (``call.doubt.Veto``); None reads ``models/language/veto/``,
            ``call.doubt.NO_VETO`` withdraws nothing.
    """

    labeler: Any
    redactor: Any = None
    veto: Veto | None = None


def analyze_call(call: CallSource, transcript: Transcript, evidence: RoleEvidence,
                 models: Models, corrections: Sequence[Correction] = ()) -> CallResult:
    """Every stage of one call's analysis, from its transcript to its result; ``corrections``
    are a coach's verdicts on this call's labels.

    Raises InputError when the transcript holds not one word, or is mostly not in English.
    """
    if not has_words(transcript):
        raise InputError(call.path, "no speech found: not one word in the call "
                                    "(silence, music or noise only?)")
    roles = decide_roles(transcript, call.rep, evidence)
    redacted = models.redactor is not None
    if redacted:
        people = people_of(call, evidence)
        transcript, roles = redact_speakers(transcript, roles, people, models.redactor.patterns)
        # The rep's speaker name is a name: a redacted result records the rep's id instead.
        call = replace(call, rep_speaker=call.rep if call.rep_speaker else "")
    utterances = utterances_of(transcript, roles)
    turns = build_turns(utterances)
    # Parsed once for every stage; an utterance not in English is read as empty: no label.
    english, not_english = english_texts([u.text for u in utterances], call.path)
    docs = models.labeler.parse(english)
    labels = models.labeler.label_parsed(docs, [u.role for u in utterances])
    # The closing labels' corrections are applied in the close, before the answers are read.
    others = tuple(c for c in corrections if c.label not in FLAG_LABELS)
    veto = models.veto if models.veto is not None else load_veto()
    flags = returned_questions(call_flags(utterances, labels), docs)
    flags = apply_corrections(utterances, doubted_flags(flags, utterances, veto), others)
    kept = tuple(f for f in flags if f.coach != "wrong")  # what a coach marked wrong is not read
    flags += doubted_flags(connection_of(utterances, docs, kept), utterances, veto)
    flags = unquoted(rhetorical_questions(flags, utterances, docs))
    flags, closing = the_close(utterances, docs, flags, models.labeler.nlp, corrections, veto)
    # Corrections once more, for the labels of the later stages; in the utterances' order.
    flags = tuple(sorted(apply_corrections(utterances, flags, others),
                         key=lambda f: f.utterance))
    metrics = measure(transcript, roles, utterances, turns, flags, redacted,
                      {**closing, "not_english": not_english})
    return CallResult(call, roles, utterances, metrics, flags)


def connection_of(utterances: tuple[Utterance, ...], docs: list[Any], flags: tuple[Flag, ...]
                  ) -> tuple[Flag, ...]:
    """The call's follow-up, acknowledgement and relating flags, then its stretches of
    business, personal talk and small talk (``connection``, ``stretches``)."""
    kinds = utterance_kinds(docs)
    return connection_flags(utterances, docs, flags, kinds) + call_stretches(utterances, kinds)


def the_close(utterances: tuple[Utterance, ...], docs: list[Any], flags: tuple[Flag, ...],
              nlp: Any, corrections: Sequence[Correction] = (), veto: Veto | None = None
              ) -> tuple[tuple[Flag, ...], dict[str, Any]]:
    """The closing, tracker and phase flags added to the call's flags, and their columns
    (a flag a coach marked wrong is not read; the cues the veto doubts are withdrawn and the
    coach's verdicts on the closing labels applied before the answers to them are read)."""
    kept = tuple(f for f in flags if f.coach != "wrong")
    said, presumed = followed_through(call_sentences(utterances, docs, kept, nlp), kept)
    said, idle = nothing_at_stake(said, kept)
    presumed |= idle
    said = doubted_sentences(said, utterances, veto) if veto is not None else said
    flags = tuple(f for f in flags if f not in presumed)
    kept = tuple(f for f in kept if f not in presumed)
    closing = corrected_close(said, corrections)
    closing_kept = tuple(f for f in closing if f.coach != "wrong")
    flags = not_asks(flags, closing_kept)
    kept = not_asks(kept, closing_kept)
    tracked = tracker_flags(utterances, docs, nlp)
    phases = utterance_phases(utterances, docs, kept + closing_kept, nlp)
    counted = kept + closing_kept + tracked
    return flags + closing + tracked + phase_flags(utterances, phases), {
        **closing_metrics(counted), **tracker_metrics(counted),
        **phase_metrics(utterances, phases)}


def not_asks(flags: tuple[Flag, ...], closing: tuple[Flag, ...]) -> tuple[Flag, ...]:
    """The flags without ``customer_question`` and ``follow_up_question`` on a sentence the
    close reads as an ask or a pushy close: a question asking for the commitment is not one
    about the customer, even when it says "you" ("Would you like to donate today?"), and it
    serves the rep's agenda, not the customer's words, even when it takes them up. A question
    a coach added stays."""
    asking = {(f.utterance, f.text) for f in closing if f.label in ("ask", "pushy_close")}
    return tuple(f for f in flags if f.label not in ("customer_question", "follow_up_question")
                 or f.coach == "added" or (f.utterance, f.text) not in asking)


def has_words(transcript: Transcript) -> bool:
    """True when some segment holds a word (letters or digits, not only punctuation or a
    music sign the transcriber wrote for a jingle)."""
    return any(ch.isalnum() for s in transcript.segments for ch in s.text)


def utterances_of(transcript: Transcript, roles: RoleAssignment) -> tuple[Utterance, ...]:
    """The transcript's segments, each with its speaker's role; runs of white space in the
    text are one space (as the labeler parses it, so that its sentences are found in it)."""
    return tuple(Utterance(s.speaker, roles.role_of(s.speaker), s.start, s.end,
                           one_space(s.text), s.words)
                 for s in transcript.segments)


def people_of(call: CallSource, evidence: RoleEvidence) -> People:
    """The names a redacted call keeps as ids: its rep's and the roster's."""
    return People.of_call(call.rep, evidence.rep_speaker, evidence.roster)
