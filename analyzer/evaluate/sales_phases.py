"""Score the call's phases on sales conversations nobody on the team wrote.

Called by ``python -m analyzer.evaluate.sales`` for each folder whose set has rows in
``models/eval/sales/phases.csv`` (``set, file, split, turn, phase``): each row starts a stretch
of the call that lasts until the next row of the same call (the last to the call's end), cut by
readers who never saw the rules or their output (``models/eval/sales/phase_brief.md``).

Per split: the utterances whose phase (``analyzer.call.phases``) is the readers', each phase's
precision and recall over utterances, the commonest confusions, the calls whose
``presented_before_discovery`` is the readers' and the share of the calls' words in each phase
(the transcripts are untimed: words stand for the seconds of the ``*_s`` columns).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzer.call.phases import PHASES, presented_first
from analyzer.call.words import words_in
from analyzer.evaluate.language_real import kappa, read_rows
from analyzer.settings import EVAL_DIR
from analyzer.types import CallResult

PHASES_PATH = EVAL_DIR / "sales" / "phases.csv"
# The same calls cut again by other readers, blind, from the same brief.
SECOND_PHASES_PATH = EVAL_DIR / "sales" / "second_phases.csv"


@dataclass(frozen=True)
class Reference:
    """A reader's cut of one call: the turn each stretch starts on and its phase."""

    split: str
    starts: tuple[tuple[int, str], ...]

    def phases(self, turns: int) -> list[str]:
        """The readers' phase of each of a call's ``turns`` turns."""
        out = [""] * turns
        for (start, phase), after in zip(self.starts, [*self.starts[1:], (turns, "")]):
            out[start:after[0]] = [phase] * (after[0] - start)
        return out[:turns]


@dataclass(frozen=True)
class Verdict:
    """The product's phase of each utterance of one call against the readers'."""

    file: str
    split: str
    gold: tuple[str, ...]
    found: tuple[str, ...]
    words: tuple[int, ...] = ()  # each utterance's words, for the time in each phase


def read_references(path: Path = PHASES_PATH) -> dict[tuple[str, str], Reference]:
    """The readers' cuts by (set, file)."""
    rows: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in read_rows(path):
        rows[(row["set"], row["file"])].append(row)
    return {key: Reference(group[0]["split"], tuple(sorted((int(r["turn"]), r["phase"])
                                                           for r in group)))
            for key, group in rows.items()}


def phases_of(result: CallResult) -> list[str]:
    """The phase of each utterance, read back from the call's phase flags."""
    out = [""] * len(result.utterances)
    stretches = [f for f in result.flags if f.label == "phase"]
    for f, after in zip(stretches, [*stretches[1:], None]):
        end = after.utterance if after else len(out)
        out[f.utterance:end] = [f.subtype] * (end - f.utterance)
    return out


def verdicts(name: str, results: Sequence[tuple[str, CallResult]],
             references: dict[tuple[str, str], Reference]) -> list[Verdict]:
    """The product's phases on each labelled call of set ``name``."""
    out = []
    for file, result in results:
        if (name, file) in references:
            reference = references[(name, file)]
            found = phases_of(result)
            out.append(Verdict(file, reference.split, tuple(reference.phases(len(found))),
                               tuple(found),
                               tuple(len(words_in(u.text)) for u in result.utterances)))
    return out


def report(name: str, found: Sequence[Verdict], errors: bool = False) -> None:
    """Print the set's phase figures per split (and with ``errors`` each call's share)."""
    for split in sorted({v.split for v in found}):
        pairs = [(g, f) for v in found if v.split == split for g, f in zip(v.gold, v.found)]
        right = sum(g == f for g, f in pairs)
        print(f"utterances in the right phase ({split}): {right}/{len(pairs)} = "
              f"{right / max(len(pairs), 1):.3f} (target 0.80)")
        print("  per phase (precision, recall): " + per_phase(pairs))
        confusion = Counter(p for p in pairs if p[0] != p[1])
        print("  readers -> found (commonest mistakes): "
              + ", ".join(f"{g}->{f} {n}" for (g, f), n in confusion.most_common(8)))
        calls = [v for v in found if v.split == split]
        print("  " + pitched_first(calls))
        print("  " + word_shares(calls))
    for v in found if errors else ():
        right = sum(g == f for g, f in zip(v.gold, v.found))
        print(f"  phases {name}/{v.file}: {right}/{len(v.gold)}; readers "
              f"{_runs(v.gold)}; found {_runs(v.found)}")


def pitched_first(calls: Sequence[Verdict]) -> str:
    """How many calls' ``presented_before_discovery`` is the readers' (from the same function
    the product uses, on the readers' phases)."""
    said = [(presented_first(v.gold), presented_first(v.found)) for v in calls]
    right = sum(g == f for g, f in said)
    return (f"presented before discovery: right on {right}/{len(said)} calls (readers say yes "
            f"on {sum(g for g, _ in said)}, found yes on {sum(f for _, f in said)}, "
            f"{sum(g and f for g, f in said)} of them right)")


def word_shares(calls: Sequence[Verdict]) -> str:
    """The share of the calls' words in each phase, the readers' against the product's."""
    total = max(sum(sum(v.words) for v in calls), 1)

    def share(phase: str, which: str) -> float:
        return sum(n for v in calls for n, p in zip(v.words, getattr(v, which))
                   if p == phase) / total
    return "share of the words in each phase (readers/found): " + ", ".join(
        f"{p} {share(p, 'gold'):.2f}/{share(p, 'found'):.2f}" for p in PHASES)


def per_phase(pairs: Sequence[tuple[str, str]]) -> str:
    """Each phase's precision and recall over utterances, with the readers' count."""
    parts = []
    for phase in sorted({g for g, _ in pairs}):
        tp = sum(g == f == phase for g, f in pairs)
        gold, said = sum(g == phase for g, _ in pairs), sum(f == phase for _, f in pairs)
        parts.append(f"{phase} {tp / max(said, 1):.2f}/{tp / max(gold, 1):.2f} (n={gold})")
    return ", ".join(parts)


def _runs(phases: Sequence[str]) -> str:
    """A call's phases as stretches: ``opening@0 discovery@4 ...``."""
    return " ".join(f"{p}@{i}" for i, p in enumerate(phases) if i == 0 or phases[i - 1] != p)


def readers_agreement(turns: dict[tuple[str, str], int], first: Path = PHASES_PATH,
                      second: Path = SECOND_PHASES_PATH) -> list[str]:
    """How far two readings agree, as lines: the share of turns both put in the same phase,
    and Cohen's kappa over the six phases, per split; ``turns`` is each call's number of
    turns by (set, file). Empty when either file is absent."""
    if not (first.is_file() and second.is_file()):
        return []
    one, two = read_references(first), read_references(second)
    calls = sorted(set(one) & set(two) & set(turns))
    lines = []
    for part in ("tune", "test", "all"):
        pairs = []
        for c in (c for c in calls if part in ("all", one[c].split)):
            pairs += list(zip(one[c].phases(turns[c]), two[c].phases(turns[c])))
        if pairs:
            same = sum(a == b for a, b in pairs)
            lines.append(f"phases, two readings ({part}): {same}/{len(pairs)} turns the same "
                         f"({same / len(pairs):.2f}), kappa {kappa(pairs):.2f}")
    return lines

