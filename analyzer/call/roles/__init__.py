"""Assign roles: decide which speaker of a call is the rep, and how sure we are.

A person's word is a verdict: the stereo channel given by ``--rep-channel`` or the manifest
(``channel_roles``), the rep's speaker named by the manifest's ``rep_speaker`` column or
``--rep-name``, the roster's names for the call's rep (or the rep's own name). Otherwise the
evidence decides (``weigh``): the phrases each speaker uses (models/roles/cues.json), the
rep's known voice, and for a stereo call the default channel as a prior the words can
overturn; the confidence is the probability that the rep is right, calibrated on real calls
(models/roles/calibration.json). Every other speaker is on the customer side, except the
roster's colleagues. Names match loosely ("Priya Shah" is "priya.shah@acme.com").
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from analyzer.call.linear import TextModel, plain_text
from analyzer.call.roles.names import (
    ROSTER_ROLES,
    UNKNOWN_SPEAKER,
    Roster,
    RosterEntry,
    colleague_speakers,
    matching_speakers,
    name_parts,
    name_tokens,
    names_match,
)
from analyzer.call.roles.words import (
    lean,
    load_words,
    speaker_talk,
    telling_terms,
)
from analyzer.call.voice import VoiceProfiles, voice_prints
from analyzer.settings import MODELS_DIR, load_settings, read_json
from analyzer.types import CUSTOMER, REP, RoleAssignment, Transcript

__all__ = ["ROSTER_ROLES", "UNKNOWN_SPEAKER", "Roster", "RosterEntry", "name_tokens",
           "names_match"]

CUES_PATH = MODELS_DIR / "roles" / "cues.json"
CALIBRATION_PATH = MODELS_DIR / "roles" / "calibration.json"
CHANNELS = ("left", "right")


@dataclass(frozen=True)
class Cue:
    """A phrase pattern, how much one hit counts, and what it shows (for the reason)."""

    pattern: re.Pattern[str]
    weight: float
    why: str = ""


@dataclass(frozen=True)
class CueBook:
    """The cue data: rep-side and customer-side phrases, read from models/roles/cues.json.

    Attributes:
        rep: Phrases the rep (agent, seller) says.
        customer: Phrases the customer says.
        greetings: Segments that are only a greeting ("hello?") do not count as speaking first.
        first_speaker_weight: Weight of a rep cue credited to the first speaker after greetings.
        labels: Speaker names that say the side ("Sales Rep", "Customer 2"), as name parts.
        label_weight: Weight of a cue for a speaker whose name says their side.
    """

    rep: tuple[Cue, ...]
    customer: tuple[Cue, ...]
    greetings: frozenset[str]
    first_speaker_weight: float
    labels: Mapping[str, frozenset[tuple[str, ...]]] = field(default_factory=dict)
    label_weight: float = 0.0


@dataclass(frozen=True)
class Calibration:
    """How evidence turns into a decision and a confidence, from models/roles/calibration.json.

    A speaker's evidence, in log-odds: ``cue_scale`` times the signed square root of their
    cue lead (rep-cue weight minus customer-cue weight, less the speakers' mean), plus
    ``voice_scale`` times the voice match's confidence for the speaker whose voice is the
    rep's, plus ``channel_prior`` for a stereo call's default channel. The confidence is the
    chosen speaker's softmax share: the probability that the rep is right.

    Attributes:
        default_channel: The rep's channel of a stereo call nobody named one for (a prior).
        channel_prior: Log-odds the default channel starts with.
        cue_scale: Log-odds per unit of cue weight.
        word_scale: Log-odds per unit of the word model's lean (``words.py``).
        word_half_words: The length of talk, in words, at which the lean counts half.
        voice_scale: Log-odds of a voice match of confidence 1.
        max_confidence: Evidence never makes the roles surer than this (a person's word: 1).
        low_confidence: Under it, the pages and ``audit`` warn that the rep may be the other
            speaker.
    """

    default_channel: str = "left"
    channel_prior: float = 0.7
    cue_scale: float = 0.6
    word_scale: float = 0.0
    word_half_words: float = 100.0
    voice_scale: float = 3.0
    max_confidence: float = 0.99
    low_confidence: float = 0.7


@dataclass(frozen=True)
class Hit:
    """One cue heard in one segment: who said it, for which side (REP or CUSTOMER), its
    weight, what it shows and the words."""

    speaker: str
    side: str
    weight: float
    why: str
    said: str


@lru_cache(maxsize=4)
def load_cues(path: Path = CUES_PATH) -> CueBook:
    """Read the cue file (models/roles/cues.json)."""
    data = read_json(path)

    def cues(side: str) -> tuple[Cue, ...]:
        return tuple(Cue(re.compile(c["pattern"]), float(c["weight"]), c.get("why", ""))
                     for c in data[side])

    labels = {side: frozenset(name_tokens(n) for n in names)
              for side, names in data["labels"].items()}
    return CueBook(cues("rep"), cues("customer"), frozenset(data["greetings"]),
                   float(data["first_speaker_weight"]), labels, float(data["label_weight"]))


@lru_cache(maxsize=4)
def load_calibration(path: Path = CALIBRATION_PATH) -> Calibration:
    """Read the calibration (models/roles/calibration.json)."""
    return load_settings(Calibration, path)


def decide(transcript: Transcript, *, rep_channel: str = "", rep_speaker: str = "",
           roster: Roster | None = None, rep: str = "",
           voice: RoleAssignment | None = None) -> RoleAssignment:
    """Who is the rep of one call: a person's word (channel, name, roster) or else the
    evidence (module docstring); ``voice`` is the match of the rep's known voice, if any."""
    if is_channel_split(transcript):
        if rep_channel:
            return channel_roles(rep_channel)
        return stereo_roles(transcript, voice=voice)
    return assign_roles(transcript, rep_speaker=rep_speaker, roster=roster, rep=rep,
                        voice=voice)


def is_channel_split(transcript: Transcript) -> bool:
    """True for a transcribed stereo call, whose speakers are its two channels."""
    speakers = set(transcript.speakers)
    return transcript.source == "whisper" and bool(speakers) and speakers <= set(CHANNELS)


def assign_roles(transcript: Transcript, *, rep_speaker: str = "", roster: Roster | None = None,
                 rep: str = "", voice: RoleAssignment | None = None) -> RoleAssignment:
    """Decide who the rep is: the named speaker, else the roster's names, else the evidence
    (cues and voice).

    Args:
        transcript: The call.
        rep_speaker: The rep's speaker name or label (manifest column or ``--rep-name``).
        roster: The team's names; its other people become colleagues, not customers.
        rep: The call's rep (their id in folders, manifest and roster).
        voice: The speaker whose voice matches the rep's known voice print, if any.
    """
    colleague_names = roster.colleagues(rep) if roster else ()
    speakers = transcript.speakers
    steps = [((rep_speaker,), "name", 1.0, "named by the manifest or --rep-name"),
             (roster.aliases(rep) if roster else (), "roster", 1.0, "named in the roster"),
             ((rep,), "name", 0.9, "speaker named like the rep")]
    for names, method, confidence, reason in steps:
        found = matching_speakers(speakers, [n for n in names if n])
        if found:
            return RoleAssignment(found, method, confidence,
                                  colleague_speakers(speakers, colleague_names, found), reason)
    colleagues = colleague_speakers(speakers, colleague_names, ())
    return replace(assign_by_cues(transcript, exclude=colleagues, voice=voice),
                   colleagues=colleagues)


def assign_by_cues(transcript: Transcript, *, exclude: Sequence[str] = (),
                   cues: CueBook | None = None, voice: RoleAssignment | None = None,
                   calibration: Calibration | None = None) -> RoleAssignment:
    """Pick the rep from the phrases each speaker uses (and the rep's voice, when known).

    Each speaker's evidence is their rep-cue weight minus their customer-cue weight (the
    first speaker after any bare greeting gets a weak rep cue), in log-odds; the confidence
    is the probability of the chosen speaker (``Calibration``). A lone speaker is the rep
    only if rep cues outweigh customer cues.
    """
    candidates = [s for s in transcript.speakers if s not in exclude and s != UNKNOWN_SPEAKER]
    return weigh(transcript, tuple(candidates), {}, voice, cues or load_cues(),
                 calibration or load_calibration(), load_words())


def stereo_roles(transcript: Transcript, *, voice: RoleAssignment | None = None,
                 cues: CueBook | None = None,
                 calibration: Calibration | None = None) -> RoleAssignment:
    """Roles of a stereo call nobody named the rep's channel for: the default channel is a
    prior, and the words (and the rep's voice) can overturn it."""
    cal = calibration or load_calibration()
    prior = {cal.default_channel: cal.channel_prior}
    return weigh(transcript, CHANNELS, prior, voice, cues or load_cues(), cal, load_words())


@dataclass(frozen=True)
class RoleEvidence:
    """What says who the rep is, besides the words of the call.

    Attributes:
        rep_channel: The rep's channel of a stereo call when a person gave it (the
            manifest's, else ``--rep-channel``); "" lets the evidence decide.
        rep_speaker: The rep's speaker name or label (manifest ``rep_speaker``, else
            ``--rep-name``; "" when nobody said).
        roster: The team's names (``Roster``), or None.
        voices: The reps' voice prints learned so far (``VoiceProfiles``), or None.
    """

    rep_channel: str = ""
    rep_speaker: str = ""
    roster: Roster | None = None
    voices: VoiceProfiles | None = None


def decide_roles(transcript: Transcript, rep: str, evidence: RoleEvidence) -> RoleAssignment:
    """Who is the rep: a person's word (channel, name, roster), else the evidence: the cues
    in the words, the rep's known voice and, for a stereo call, the default channel."""
    voice = None
    if evidence.voices is not None and transcript.voices:
        voice = evidence.voices.match(rep, voice_prints(transcript))
    return decide(transcript, rep_channel=evidence.rep_channel,
                  rep_speaker=evidence.rep_speaker, roster=evidence.roster, rep=rep,
                  voice=voice)


def channel_roles(rep_channel: str) -> RoleAssignment:
    """Roles of a stereo call whose speakers are its channels: the rep is on ``rep_channel``."""
    if rep_channel not in CHANNELS:
        raise ValueError(f"the rep's channel must be 'left' or 'right', not {rep_channel!r}")
    return RoleAssignment((rep_channel,), "channel", 1.0, reason=f"{rep_channel} channel, as told")


def weigh(transcript: Transcript, candidates: Sequence[str], prior: Mapping[str, float],
          voice: RoleAssignment | None, book: CueBook, cal: Calibration,
          words: TextModel | None = None) -> RoleAssignment:
    """The candidate with the most evidence of being the rep, with the probability that it is
    (see ``Calibration``) and a reason a coach can read."""
    if not candidates:
        return RoleAssignment((), "cues", 0.0, reason="no speaker who could be the rep")
    hits = cue_hits(transcript, book)
    if len(candidates) == 1:
        return _lone_speaker(candidates[0], hits, cal)
    leads = {s: _lead(hits, s) for s in candidates}
    mean = sum(leads.values()) / len(leads)
    talk = speaker_talk(transcript)
    said = _centred({s: lean(words, talk.get(s, ""), cal.word_half_words) for s in candidates}
                    if words else {})
    parts = {s: {"default": prior.get(s, 0.0), "cues": cal.cue_scale * _root(leads[s] - mean),
                 "words": cal.word_scale * said.get(s, 0.0),
                 "voice": _voice_lead(voice, s, cal)} for s in candidates}
    logit = {s: sum(p.values()) for s, p in parts.items()}
    ranked = sorted(candidates, key=lambda s: -logit[s])
    best, second = ranked[0], ranked[1]
    top = max(logit.values())
    odds = sum(math.exp(v - top) for v in logit.values())
    confidence = min(cal.max_confidence, 1.0 / odds)
    method = max(("cues", "words", "voice", "default"),
                 key=lambda k: parts[best][k] - parts[second][k])
    reason = _reason(best, second, hits, voice, cal.default_channel if prior else "")
    if words and parts[best]["words"] > parts[second]["words"]:
        reason = _with_words(reason, best, telling_terms(words, talk.get(best, ""), 1.0))
    return RoleAssignment((best,), method, round(confidence, 3), reason=reason)


def _centred(scores: Mapping[str, float]) -> dict[str, float]:
    """Each speaker's score less the speakers' mean: only the difference counts."""
    mean = sum(scores.values()) / len(scores) if scores else 0.0
    return {s: v - mean for s, v in scores.items()}


def _with_words(reason: str, speaker: str, terms: Sequence[str]) -> str:
    """The reason, with the words that made the speaker sound like the seller."""
    if not terms:
        return reason
    quoted = ", ".join(f'"{t}"' for t in terms)
    said = f"{speaker} talks like the seller ({quoted})"
    return said if reason in ("", "no cue either way") else f"{reason}; {said}"


def cue_hits(transcript: Transcript, book: CueBook) -> tuple[Hit, ...]:
    """Every cue heard, at most once per cue and segment, plus the weak cue of speaking first
    after any bare greeting."""
    hits: list[Hit] = []
    first = _first_speaker(transcript, book.greetings)
    if first:
        hits.append(Hit(first, REP, book.first_speaker_weight, "speaks first", ""))
    for speaker in transcript.speakers:
        parts = name_parts(speaker)
        for side, names in book.labels.items():
            if names.intersection(parts):
                hits.append(Hit(speaker, side, book.label_weight, f"is named as the {side}", ""))
    for segment in transcript.segments:
        text = plain_text(segment.text)
        for side, cues in ((REP, book.rep), (CUSTOMER, book.customer)):
            for cue in cues:
                found = cue.pattern.search(text)
                if found:
                    hits.append(Hit(segment.speaker, side, cue.weight, cue.why, found.group(0)))
    return tuple(hits)


def _first_speaker(transcript: Transcript, greetings: frozenset[str]) -> str:
    """Who speaks first after any segment that is only a greeting ("Hello?")."""
    for segment in transcript.segments:
        if plain_text(segment.text) not in greetings:
            return segment.speaker
    return ""


def _lone_speaker(speaker: str, hits: Sequence[Hit], cal: Calibration) -> RoleAssignment:
    """A lone speaker (a voicemail) is the rep only when rep cues outweigh customer cues."""
    lead = _lead((h for h in hits if h.said), speaker)  # speaking first: nobody else spoke
    p_rep = 1.0 / (1.0 + math.exp(-cal.cue_scale * _root(lead)))
    confidence = round(min(cal.max_confidence, max(p_rep, 1.0 - p_rep)), 3)
    if lead > 0:
        return RoleAssignment((speaker,), "cues", confidence,
                              reason=f"the only speaker, and {_strongest(hits, speaker, REP)}")
    return RoleAssignment((), "cues", confidence,
                          reason="the only speaker, with no more rep cues than customer cues")


def _lead(hits: Iterable[Hit], speaker: str) -> float:
    """Rep-cue weight minus customer-cue weight of one speaker."""
    return sum(h.weight if h.side == REP else -h.weight for h in hits if h.speaker == speaker)


def _root(lead: float) -> float:
    """A cue lead's evidence in log-odds units: repeated cues of one speaker are not
    independent, so evidence grows as the square root of the lead (fits the real calls
    better than a straight sum, see models/roles/README.md)."""
    return math.copysign(math.sqrt(abs(lead)), lead)


def _voice_lead(voice: RoleAssignment | None, speaker: str, cal: Calibration) -> float:
    matched = voice is not None and speaker in voice.rep_speakers
    return cal.voice_scale * voice.confidence if voice is not None and matched else 0.0


def _reason(best: str, other: str, hits: Sequence[Hit], voice: RoleAssignment | None,
            default: str) -> str:
    """Why ``best`` is the rep, in a line: the strongest cues on each side, the voice, and
    whether a stereo call's default channel was overturned."""
    said = [_strongest(hits, best, REP), _strongest(hits, other, CUSTOMER)]
    if voice is not None and best in voice.rep_speakers:
        said.append(f"{best}'s voice matches the rep's")
    evidence = "; ".join(s for s in said if s)
    if not default:
        return evidence or "no cue either way"
    if best != default:
        return f"{best} channel, not the default {default}: {evidence}"
    return f"default {default} channel" + (f": {evidence}" if evidence else ", no cue either way")


def _strongest(hits: Iterable[Hit], speaker: str, side: str) -> str:
    """The heaviest cue of one side a speaker gave, as 'speaker why ("words")'."""
    mine = [h for h in hits if h.speaker == speaker and h.side == side]
    if not mine:
        return ""
    hit = max(mine, key=lambda h: h.weight)
    return f'{speaker} {hit.why}' + (f' ("{hit.said}")' if hit.said else "")
