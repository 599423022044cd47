"""Names: who is who on the team (the roster) and when two speaker names are one person's."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ROSTER_ROLES = ("rep", "colleague")
UNKNOWN_SPEAKER = "unknown"


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


def matching_speakers(speakers: Iterable[str], names: Sequence[str]) -> tuple[str, ...]:
    return tuple(s for s in speakers
                 if s != UNKNOWN_SPEAKER and any(names_match(s, n) for n in names))


def colleague_speakers(speakers: Sequence[str], names: Sequence[str],
                reps: Sequence[str]) -> tuple[str, ...]:
    return tuple(s for s in matching_speakers(speakers, names) if s not in reps)


def _same(a: str, b: str) -> bool:
    return name_tokens(a) == name_tokens(b)


def name_parts(name: str) -> tuple[tuple[str, ...], ...]:
    """A speaker name's parts outside parentheses and inside each, numbers left out:
    ``"Alex (Sales Rep)"`` -> ``(("alex",), ("sales", "rep"))``; what a side label is
    matched against."""
    inside = tuple(name_tokens(x) for x in re.findall(r"\(([^)]*)\)", name))
    return tuple(tuple(p for p in parts if not p.isdigit())
                 for parts in (name_tokens(name), *inside))
