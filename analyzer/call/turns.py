"""Build turns: who holds the floor when, from the utterances of a call.

Consecutive words of one speaker form a turn. The speaker's own pauses do not end it, unless
nobody at all speaks for longer than ``silence_ends_turn_s`` (a lull in a meeting is not part
of anyone's monologue); another speaker taking the floor does. A short backchannel from the
other side ("mm-hmm", "right") or a short noise with no word in it ("[cough]", "(laughs)")
does not take the floor: it is kept as a turn flagged ``backchannel`` and the turn it
interrupted goes on. Overlapping speech is kept: a speaker who keeps talking (pauses under
``bridge_gap_s``) while the other starts keeps their turn, so both turns overlap.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from analyzer.call.words import words_in
from analyzer.settings import METRICS_DIR, read_json, read_list
from analyzer.types import EPSILON_S, Turn, Utterance, Word

# A transcriber's or a transcript's note of a sound that is not speech: "[cough]",
# "(laughs)", "*sneezes*". A run made only of these is a noise, not a reply.
NOISE_RE = re.compile(r"\[[^\[\]]*\]|\([^()]*\)|\*[^*]*\*")


@dataclass(frozen=True)
class TurnOptions:
    """How turns are built, read from models/metrics/.

    Attributes:
        bridge_gap_s: A speaker's pause up to this long is still speech; a speaker who resumes
            within it keeps their turn even while someone else has started talking.
        backchannel_max_s: Longest duration of a backchannel turn.
        backchannels: Words and phrases (tuples of lower-case words) a backchannel is made of.
        silence_ends_turn_s: A stretch longer than this in which nobody speaks ends the turn
            of whoever spoke before it, even when they speak again next.
    """

    bridge_gap_s: float = 0.3
    backchannel_max_s: float = 1.0
    backchannels: tuple[tuple[str, ...], ...] = ()
    silence_ends_turn_s: float = math.inf


@dataclass(frozen=True)
class _Unit:
    """A timed word, or a whole utterance that has no word times."""

    index: int
    speaker: str
    role: str
    start: float
    end: float
    text: str
    words: tuple[Word, ...]
    count: int
    after_silence: bool = False


@lru_cache(maxsize=4)
def load_turn_options(folder: Path = METRICS_DIR) -> TurnOptions:
    """Read the turn thresholds and the backchannel list from their data files."""
    data = read_json(folder / "thresholds.json")
    phrases = tuple(tuple(words_in(p)) for p in read_list(folder / "backchannels.txt"))
    return TurnOptions(float(data["bridge_gap_s"]), float(data["backchannel_max_s"]),
                       tuple(sorted(set(phrases), key=len, reverse=True)),
                       float(data["silence_ends_turn_s"]))


def build_turns(utterances: Sequence[Utterance], options: TurnOptions | None = None
                ) -> tuple[Turn, ...]:
    """Group the words of a call into turns, sorted by start (input order when untimed).

    Backchannel turns are included, flagged; filter them out to get who held the floor.
    """
    options = options or load_turn_options()
    units = _units(utterances, options.silence_ends_turn_s)
    raw = _group(units, options.bridge_gap_s)
    short = _backchannels(raw, options)
    while True:
        dropped = {u.index for g in short for u in g}
        floor = _group([u for u in units if u.index not in dropped], options.bridge_gap_s)
        # Without the other side's backchannels, a speaker's runs can join into one floor turn
        # that spans their own "backchannel": they held the floor then, so it is part of it.
        held = [g for g in short if _spanned_by_own_turn(g, floor)]
        if not held:
            break
        short = [g for g in short if g not in held]
    groups = sorted([(g, False) for g in floor] + [(g, True) for g in short],
                    key=lambda item: item[0][0].index)
    return tuple(_turn(g, flag) for g, flag in groups)


def floor_turns(turns: Sequence[Turn]) -> tuple[Turn, ...]:
    """The turns that hold the floor (every turn but the backchannels)."""
    return tuple(t for t in turns if not t.backchannel)


def _units(utterances: Sequence[Utterance], silence_s: float) -> list[_Unit]:
    pieces: list[tuple[str, str, float, float, str, tuple[Word, ...], int]] = []
    for u in utterances:
        if u.words and all(_finite(w.start, w.end) for w in u.words):
            pieces.extend((u.speaker, u.role, w.start, w.end, w.text.strip(), (w,), 1)
                          for w in u.words)
        else:
            pieces.append((u.speaker, u.role, u.start, u.end, u.text.strip(), (),
                           len(words_in(u.text))))
    if not all(_finite(p[2], p[3]) for p in pieces):
        return [_Unit(i, *p) for i, p in enumerate(pieces)]
    pieces.sort(key=lambda p: (p[2], p[3]))
    units, heard_until = [], -math.inf
    for i, p in enumerate(pieces):
        units.append(_Unit(i, *p, after_silence=p[2] - heard_until > silence_s + EPSILON_S))
        heard_until = max(heard_until, p[3])
    return units


def _group(units: Sequence[_Unit], bridge_gap_s: float) -> list[list[_Unit]]:
    """Runs of one speaker: a unit joins its speaker's last run when nobody else spoke since,
    or when it starts within ``bridge_gap_s`` of that run's end (talking through overlap);
    never across a long silence."""
    groups: list[list[_Unit]] = []
    ends: list[float] = []
    last: dict[str, int] = {}
    previous = None
    for unit in units:
        k = last.get(unit.speaker)
        if k is not None and not unit.after_silence and (
                previous == unit.speaker or unit.start - ends[k] <= bridge_gap_s + EPSILON_S):
            groups[k].append(unit)
            ends[k] = max(ends[k], unit.end)
        else:
            last[unit.speaker] = len(groups)
            groups.append([unit])
            ends.append(unit.end)
        previous = unit.speaker
    return groups


def _backchannels(groups: Sequence[Sequence[_Unit]], options: TurnOptions) -> list[list[_Unit]]:
    """Runs that do not take the floor: short, made only of backchannel words, and said while
    another speaker holds it, either inside one of their runs in time or between the run of
    the last floor holder and that speaker's next run."""
    found: list[list[_Unit]] = []
    holder = None
    for k, group in enumerate(groups):
        speaker = group[0].speaker
        after = groups[k + 1][0].speaker if k + 1 < len(groups) else None
        between = holder is not None and holder == after != speaker
        if _is_short_backchannel(group, options) and (between or _inside(groups, group)):
            found.append(list(group))
        else:
            holder = speaker
    return found


def _spanned_by_own_turn(group: Sequence[_Unit], floor: Sequence[Sequence[_Unit]]) -> bool:
    start, end = group[0].start, max(u.end for u in group)
    return any(g[0].speaker == group[0].speaker and g[0].start <= end
               and max(u.end for u in g) >= start for g in floor)


def _is_short_backchannel(group: Sequence[_Unit], options: TurnOptions) -> bool:
    """Short, and only backchannel words or a noise with no word at all ("[cough]")."""
    if max(u.end for u in group) - group[0].start > options.backchannel_max_s + EPSILON_S:
        return False
    text = " ".join(u.text for u in group)
    if not words_in(NOISE_RE.sub(" ", text)):
        return True
    return _only_backchannel_words(words_in(text), options)


def _inside(groups: Sequence[Sequence[_Unit]], group: Sequence[_Unit]) -> bool:
    start, end = group[0].start, max(u.end for u in group)
    return any(g[0].speaker != group[0].speaker and g[0].start <= start
               and max(u.end for u in g) >= end for g in groups)


def says_only_backchannels(text: str) -> bool:
    """Whether a text says nothing but backchannels ("Okay, cool.", "Is it?"; the words and
    phrases of ``models/metrics/backchannels.txt``), or no word at all."""
    words = words_in(text)
    return not words or _only_backchannel_words(words, load_turn_options())


def _only_backchannel_words(tokens: list[str], options: TurnOptions) -> bool:
    at = 0
    while at < len(tokens):
        match = next((p for p in options.backchannels if tuple(tokens[at:at + len(p)]) == p),
                     None)
        if match is None:
            return False
        at += len(match)
    return bool(tokens)


def _turn(group: Sequence[_Unit], backchannel: bool) -> Turn:
    first = group[0]
    words = tuple(w for u in group for w in u.words)
    text = " ".join(u.text for u in group if u.text)
    return Turn(first.speaker, first.role, first.start, max(u.end for u in group), text, words,
                sum(u.count for u in group), backchannel)


def _finite(*values: float) -> bool:
    return all(math.isfinite(v) for v in values)
