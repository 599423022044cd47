"""Assign roles: decide which speaker of a call is the rep, and how sure we are.

The first rule that finds the rep wins: a stereo call's channel (``channel_roles``); the
rep's speaker named by the manifest's ``rep_speaker`` column or ``--rep-name``; the roster's
names for the call's rep (or the rep's own name); and last the phrases each speaker uses
(``assign_by_cues``, with the cue list in models/roles/cues.json). Every other speaker is on the
customer side, except the roster's colleagues. Names match loosely: "Priya Shah",
"priya shah", "priya.shah@acme.com" and "Priya S" are one person.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from analyzer.call.voice import VoiceProfiles, voice_prints
from analyzer.settings import MODELS_DIR, read_json
from analyzer.types import RoleAssignment, Transcript

CUES_PATH = MODELS_DIR / "roles" / "cues.json"
CHANNELS = ("left", "right")
ROSTER_ROLES = ("rep", "colleague")
UNKNOWN_SPEAKER = "unknown"
_PUNCT_RE = re.compile(r"[^\w\s']")


@dataclass(frozen=True)
class RosterEntry:
    """One roster row: a name a person appears under, and whose name it is."""

    rep: str
    name: str
    role: str = "rep"


@dataclass(frozen=True)
class Roster:
    """Who is who on the team: each rep's (and colleague's) names in call transcripts."""

    entries: tuple[RosterEntry, ...]

    def aliases(self, rep: str) -> tuple[str, ...]:
        """The names ``rep`` appears under."""
        return tuple(e.name for e in self.entries if e.role == "rep" and _same(e.rep, rep))

    def colleagues(self, rep: str) -> tuple[str, ...]:
        """Names of everyone else on the team (other reps, colleagues) for a call of ``rep``."""
        return tuple(e.name for e in self.entries if e.role == "colleague" or not _same(e.rep, rep))


@dataclass(frozen=True)
class Cue:
    """A phrase pattern and how much one hit counts."""

    pattern: re.Pattern[str]
    weight: float


@dataclass(frozen=True)
class CueBook:
    """The cue data: rep-side and customer-side phrases, and how evidence turns into confidence.

    Attributes:
        rep: Phrases the rep (agent, seller) says.
        customer: Phrases the customer says.
        greetings: Segments that are only a greeting ("hello?") do not count as speaking first.
        first_speaker_weight: Weight of a rep cue credited to the first speaker after greetings.
        evidence_half: Total cue weight at which the confidence is half the score margin.
    """

    rep: tuple[Cue, ...]
    customer: tuple[Cue, ...]
    greetings: frozenset[str]
    first_speaker_weight: float
    evidence_half: float


@lru_cache(maxsize=4)
def load_cues(path: Path = CUES_PATH) -> CueBook:
    """Read the cue file (models/roles/cues.json)."""
    data = read_json(path)

    def cues(side: str) -> tuple[Cue, ...]:
        return tuple(Cue(re.compile(c["pattern"]), float(c["weight"])) for c in data[side])

    return CueBook(cues("rep"), cues("customer"), frozenset(data["greetings"]),
                   float(data["first_speaker_weight"]), float(data["evidence_half"]))


def assign_roles(transcript: Transcript, *, rep_speaker: str = "", roster: Roster | None = None,
                 rep: str = "") -> RoleAssignment:
    """Decide who the rep is: the named speaker, else the roster's names, else the cues.

    Args:
        transcript: The call.
        rep_speaker: The rep's speaker name or label (manifest column or ``--rep-name``).
        roster: The team's names; its other people become colleagues, not customers.
        rep: The call's rep (their id in folders, manifest and roster).
    """
    colleague_names = roster.colleagues(rep) if roster else ()
    speakers = transcript.speakers
    steps = [((rep_speaker,), "name", 1.0), (roster.aliases(rep) if roster else (), "roster", 1.0),
             ((rep,), "name", 0.9)]
    for names, method, confidence in steps:
        found = _matching(speakers, [n for n in names if n])
        if found:
            return RoleAssignment(found, method, confidence,
                                  _colleagues(speakers, colleague_names, found))
    colleagues = _colleagues(speakers, colleague_names, ())
    by_cues = assign_by_cues(transcript, exclude=colleagues)
    return RoleAssignment(by_cues.rep_speakers, by_cues.method, by_cues.confidence, colleagues)


def assign_by_cues(transcript: Transcript, *, exclude: Sequence[str] = (),
                   cues: CueBook | None = None) -> RoleAssignment:
    """Pick the rep from the phrases each speaker uses; confidence in 0..1 from the margin.

    Each speaker's score is their share of all rep-cue weight minus their share of all
    customer-cue weight (so it does not grow with talk time); the first speaker after any bare
    greeting gets a weak rep cue. Confidence is half the margin between the best two scores,
    scaled down when there is little evidence. A lone speaker is the rep only if rep cues
    outweigh customer cues.
    """
    book = cues or load_cues()
    candidates = [s for s in transcript.speakers if s not in exclude and s != UNKNOWN_SPEAKER]
    if not candidates:
        return RoleAssignment((), "cues", 0.0)
    rep_w, cust_w = _cue_weights(transcript, book)
    if len(candidates) == 1:
        return _lone_speaker(candidates[0], rep_w, cust_w, book)
    first = _first_speaker(transcript, book.greetings)
    if first in candidates:
        rep_w[first] = rep_w.get(first, 0.0) + book.first_speaker_weight
    total_r = sum(rep_w.get(s, 0.0) for s in candidates)
    total_c = sum(cust_w.get(s, 0.0) for s in candidates)
    score = {s: _share(rep_w.get(s, 0.0), total_r) - _share(cust_w.get(s, 0.0), total_c)
             for s in candidates}
    best, second = sorted(candidates, key=lambda s: -score[s])[:2]
    margin = (score[best] - score[second]) / 2
    return RoleAssignment((best,), "cues", _confidence(margin, total_r + total_c, book))


@dataclass(frozen=True)
class RoleEvidence:
    """What says who the rep is, besides the words of the call.

    Attributes:
        rep_channel: The rep's channel of a stereo call (the manifest's, else the run's).
        rep_speaker: The rep's speaker name or label (manifest ``rep_speaker``, else
            ``--rep-name``; "" when nobody said).
        roster: The team's names (``Roster``), or None.
        voices: The reps' voice prints learned so far (``VoiceProfiles``), or None.
    """

    rep_channel: str = "left"
    rep_speaker: str = ""
    roster: Roster | None = None
    voices: VoiceProfiles | None = None


def decide_roles(transcript: Transcript, rep: str, evidence: RoleEvidence) -> RoleAssignment:
    """Who is the rep: the channel for stereo calls; else a name (manifest, option, roster),
    else the rep's known voice or the cues in the words, whichever is surer."""
    if set(transcript.speakers) <= set(CHANNELS) and transcript.source == "whisper":
        return channel_roles(evidence.rep_channel)
    decided = assign_roles(transcript, rep_speaker=evidence.rep_speaker, roster=evidence.roster,
                           rep=rep)
    if decided.method != "cues" or evidence.voices is None or not transcript.voices:
        return decided
    by_voice = evidence.voices.match(rep, voice_prints(transcript))
    if by_voice is None or by_voice.confidence <= decided.confidence:
        return decided
    return replace(by_voice, colleagues=decided.colleagues)


def channel_roles(rep_channel: str) -> RoleAssignment:
    """Roles of a stereo call whose speakers are its channels: the rep is on ``rep_channel``."""
    if rep_channel not in CHANNELS:
        raise ValueError(f"the rep's channel must be 'left' or 'right', not {rep_channel!r}")
    return RoleAssignment((rep_channel,), "channel", 1.0)


def names_match(a: str, b: str) -> bool:
    """True when two names are the same person's, loosely.

    Case, accents, e-mail domains, dots and parentheses are ignored ("priya.shah@acme.com" is
    "Priya Shah"), and later name parts may be abbreviated ("Priya S"); first names must agree.
    """
    x, y = name_tokens(a), name_tokens(b)
    if not x or not y:
        return False
    if x == y:
        return True
    if len(x) != len(y) or len(x) < 2 or x[0] != y[0]:
        return False
    return all(p.startswith(q) or q.startswith(p) for p, q in zip(x[1:], y[1:]))


def name_tokens(name: str) -> tuple[str, ...]:
    """A name as comparable parts: ``"Shah, Priya (Acme)"`` -> ``("priya", "shah")``."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"\([^)]*\)", " ", text.split("@")[0])
    if text.count(",") == 1:
        last, first = text.split(",")
        text = f"{first} {last}"
    return tuple(re.findall(r"[^\W_]+", text))


def _matching(speakers: Iterable[str], names: Sequence[str]) -> tuple[str, ...]:
    return tuple(s for s in speakers
                 if s != UNKNOWN_SPEAKER and any(names_match(s, n) for n in names))


def _colleagues(speakers: Sequence[str], names: Sequence[str],
                reps: Sequence[str]) -> tuple[str, ...]:
    return tuple(s for s in _matching(speakers, names) if s not in reps)


def _same(a: str, b: str) -> bool:
    return name_tokens(a) == name_tokens(b)


def _cue_text(text: str) -> str:
    text = text.casefold().replace("\u2019", "'")
    return " ".join(_PUNCT_RE.sub(" ", text).split())


def _cue_weights(transcript: Transcript, book: CueBook
                 ) -> tuple[dict[str, float], dict[str, float]]:
    """Weighted cue hits per speaker (each cue at most once per segment)."""
    rep_w: dict[str, float] = {}
    cust_w: dict[str, float] = {}
    for segment in transcript.segments:
        text = _cue_text(segment.text)
        for cues, weights in ((book.rep, rep_w), (book.customer, cust_w)):
            hit = sum(c.weight for c in cues if c.pattern.search(text))
            if hit:
                weights[segment.speaker] = weights.get(segment.speaker, 0.0) + hit
    return rep_w, cust_w


def _first_speaker(transcript: Transcript, greetings: frozenset[str]) -> str:
    """Who speaks first after any segment that is only a greeting ("Hello?")."""
    for segment in transcript.segments:
        if _cue_text(segment.text) not in greetings:
            return segment.speaker
    return ""


def _lone_speaker(speaker: str, rep_w: dict[str, float], cust_w: dict[str, float],
                  book: CueBook) -> RoleAssignment:
    r, c = rep_w.get(speaker, 0.0), cust_w.get(speaker, 0.0)
    margin = abs(r - c) / (r + c) if r + c else 0.0
    return RoleAssignment((speaker,) if r > c else (), "cues", _confidence(margin, r + c, book))


def _share(part: float, total: float) -> float:
    return part / total if total else 0.0


def _confidence(margin: float, evidence: float, book: CueBook) -> float:
    return round(max(0.0, min(1.0, margin * evidence / (evidence + book.evidence_half))), 3)
