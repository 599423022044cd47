"""One call's analysis, a pure function: its transcript, the evidence of who the rep is and the
loaded models in, its ``CallResult`` out.

transcript -> roles -> (speaker names redacted) -> utterances -> turns (built once) -> sentence
labels -> flags -> connection (follow-ups, acknowledgements, relating) and stretches ->
metrics (each status decided once). Nothing here reads a call's files,
writes anything or changes shared state: the run's per-call job (``run.job``) reads or
transcribes the call, caches its transcript, learns the rep's voice and writes the bleeped copy
of the recording around this function.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from analyzer.call.connection import connection_flags
from analyzer.call.language import call_flags
from analyzer.call.metrics import measure
from analyzer.call.redact import People, redact_speakers
from analyzer.call.roles import RoleEvidence, decide_roles
from analyzer.call.stretches import call_stretches, utterance_kinds
from analyzer.call.turns import build_turns
from analyzer.errors import InputError
from analyzer.types import CallResult, CallSource, Flag, RoleAssignment, Transcript, Utterance


@dataclass(frozen=True)
class Models:
    """The loaded models one call's analysis uses.

    Attributes:
        labeler: The spaCy sentence labeler (``call.language.Labeler``).
        redactor: The redactor (``call.redact.Redactor``) when the run redacts, else None: its
            patterns rename the speaker labels that are names once the roles are decided.
    """

    labeler: Any
    redactor: Any = None


def analyze_call(call: CallSource, transcript: Transcript, evidence: RoleEvidence,
                 models: Models) -> CallResult:
    """Every stage of one call's analysis, from its transcript to its result.

    Raises InputError when the transcript holds not one word.
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
    labels = models.labeler.label([u.text for u in utterances], [u.role for u in utterances])
    flags = call_flags(utterances, labels)
    # In the order of the utterances, as the pages read them.
    flags = tuple(sorted(flags + connection_of(utterances, flags, models.labeler.nlp),
                         key=lambda f: f.utterance))
    metrics = measure(transcript, roles, utterances, turns, flags, redacted)
    return CallResult(call, roles, utterances, metrics, flags)


def connection_of(utterances: tuple[Utterance, ...], flags: tuple[Flag, ...], nlp: Any
                  ) -> tuple[Flag, ...]:
    """The call's follow-up, acknowledgement and relating flags, then its stretches of
    business, personal talk and small talk (``connection``, ``stretches``)."""
    docs = list(nlp.pipe([u.text for u in utterances]))
    kinds = utterance_kinds(docs)
    return connection_flags(utterances, docs, flags, kinds) + call_stretches(utterances, kinds)


def has_words(transcript: Transcript) -> bool:
    """True when some segment holds a word (letters or digits, not only punctuation or a
    music sign the transcriber wrote for a jingle)."""
    return any(ch.isalnum() for s in transcript.segments for ch in s.text)


def utterances_of(transcript: Transcript, roles: RoleAssignment) -> tuple[Utterance, ...]:
    """The transcript's segments, each with its speaker's role."""
    return tuple(Utterance(s.speaker, roles.role_of(s.speaker), s.start, s.end, s.text, s.words)
                 for s in transcript.segments)


def people_of(call: CallSource, evidence: RoleEvidence) -> People:
    """The names a redacted call keeps as ids: its rep's and the roster's."""
    return People.of_call(call.rep, evidence.rep_speaker, evidence.roster)
