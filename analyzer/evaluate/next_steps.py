"""Score the call's agreed next step on sales conversations nobody on the team wrote.

Called by ``python -m analyzer.evaluate.sales`` for each folder whose set has rows in
``models/eval/sales/next_steps.csv`` (``set, file, split, next_step_agreed, has_time,
step_turn, agree_turn``): hand labels of whether each call ends with an agreed next step, and
on which turns it is stated and agreed, labelled by readers who never saw the rules or their
output (``models/eval/sales/README.md``).

Per split: calls whose ``next_step_agreed`` is right, the calls wrongly said to end agreed and
wrongly said not to, and where both say agreed, how often the step the page shows sits on the
turn the readers chose (the step or the customer's agreement), or within two turns of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzer.call.closing import agreed_next_step
from analyzer.evaluate.language_real import agreement, read_rows
from analyzer.settings import EVAL_DIR
from analyzer.types import CallResult

NEXT_STEPS_PATH = EVAL_DIR / "sales" / "next_steps.csv"
# The same calls read again by other readers, blind, from the same brief.
SECOND_NEXT_STEPS_PATH = EVAL_DIR / "sales" / "second_next_steps.csv"
NEAR = 2  # turns either side of the readers' step that are still the same exchange


@dataclass(frozen=True)
class Reference:
    """A reader's verdict on one call: agreed or not, and the turns that say so."""

    split: str
    agreed: bool
    turns: frozenset[int]


@dataclass(frozen=True)
class Verdict:
    """The product's next step on one call against the reader's."""

    file: str
    reference: Reference
    agreed: bool
    turn: int
    text: str

    @property
    def right(self) -> bool:
        """Whether the product says agreed exactly when the reader does."""
        return self.agreed == self.reference.agreed

    @property
    def on_turn(self) -> bool:
        """Whether the step shown sits on a turn the reader named."""
        return self.turn in self.reference.turns

    @property
    def near_turn(self) -> bool:
        """Whether the step shown sits within ``NEAR`` turns of one the reader named (the
        same exchange: the rep's step, the customer's yes, the rep's confirmation)."""
        return any(abs(self.turn - t) <= NEAR for t in self.reference.turns)


def read_references(path: Path = NEXT_STEPS_PATH) -> dict[tuple[str, str], Reference]:
    """The hand labels by (set, file)."""
    return {(r["set"], r["file"]): Reference(
        r["split"], r["next_step_agreed"] == "yes",
        frozenset(int(r[k]) for k in ("step_turn", "agree_turn") if r[k]))
        for r in read_rows(path)}


def verdicts(name: str, results: Sequence[tuple[str, CallResult]],
             references: dict[tuple[str, str], Reference]) -> list[Verdict]:
    """The product's next step on each labelled call of set ``name``."""
    out = []
    for file, result in results:
        if (name, file) in references:
            step = agreed_next_step(result.flags)
            out.append(Verdict(file, references[(name, file)], step is not None,
                               step.utterance if step else -1, step.text if step else ""))
    return out


def report(name: str, found: Sequence[Verdict], errors: bool = False) -> None:
    """Print the set's next-step figures per split (and with ``errors`` every wrong call)."""
    for split in sorted({v.reference.split for v in found}):
        part = [v for v in found if v.reference.split == split]
        both = [v for v in part if v.agreed and v.reference.agreed]
        print(f"next step agreed right ({split}): {sum(v.right for v in part)}/{len(part)} calls"
              f" ({sum(v.reference.agreed for v in part)} agreed by hand); said agreed wrongly "
              f"{sum(v.agreed and not v.right for v in part)}, missed "
              f"{sum(v.reference.agreed and not v.right for v in part)}; the step shown on the "
              f"readers' turn {sum(v.on_turn for v in both)}/{len(both)}, within {NEAR} turns "
              f"{sum(v.near_turn for v in both)}/{len(both)}")
    for v in found if errors else ():
        if not v.right or (v.agreed and not v.on_turn):
            turns = ",".join(map(str, sorted(v.reference.turns))) or "-"
            print(f"  next step {name}/{v.file}: hand {'yes' if v.reference.agreed else 'no'} "
                  f"(turns {turns}), found {v.turn}: {v.text[:120]!r}")


def readers_agreement(first: Path = NEXT_STEPS_PATH, second: Path = SECOND_NEXT_STEPS_PATH
                      ) -> list[str]:
    """How far two readings agree per call, as lines: agreed or not (Cohen's kappa), per
    split and in all, and where both say agreed, how often their steps lie within ``NEAR``
    turns of each other. Empty when either file is absent."""
    if not (first.is_file() and second.is_file()):
        return []
    one, two = read_references(first), read_references(second)
    calls = sorted(set(one) & set(two))
    lines = []
    for part in ("tune", "test", "all"):
        mine = [c for c in calls if part in ("all", one[c].split)]
        if mine:
            lines.append(f"next step agreed, two readings ({part}): "
                         + agreement([(one[c].agreed, two[c].agreed) for c in mine]))
    both = [c for c in calls if one[c].agreed and two[c].agreed]
    near = sum(any(abs(a - b) <= NEAR for a in one[c].turns for b in two[c].turns)
               for c in both)
    lines.append(f"where both say agreed, their steps within {NEAR} turns: {near}/{len(both)}")
    return lines
