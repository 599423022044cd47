"""How far two readers agree on the sales sets' labels, and how far the flags agree with each.

    python -m analyzer.evaluate.readers                 # the two readers against each other
    python -m analyzer.evaluate.readers DIR [DIR ...]   # and the flags against each reader

Some real sets were labelled twice, blind, from the same briefs: the first reading is
``models/eval/sales/labels.csv`` and ``connection.csv`` (what every score is measured
against), the second ``second_labels.csv`` and ``second_connection.csv`` (the same columns).
The second reader's precision and recall against the first say how far careful people agree
on a label, and so how far any labeler can be scored against one of them. With the sets'
folders (their text is not in the repository: ``models/eval/sales/README.md``) the flags are
scored the same way against the first reader, the second, and on the turns both agree on.
Each call's agreed next step was read twice too (``next_steps.csv``, ``second_next_steps.csv``):
their agreement per call follows the table.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from analyzer.call.language import Labeler
from analyzer.evaluate import next_steps, sales_phases
from analyzer.evaluate.language import Score
from analyzer.evaluate.language_real import agreement, count, read_rows
from analyzer.evaluate.sales import (
    CONNECTION_PATH,
    FLAGS,
    LABELS_PATH,
    SOURCES_PATH,
    analyzed_calls,
    flagged_turns,
    read_labels,
    with_connection,
)
from analyzer.settings import EVAL_DIR

SECOND_LABELS = EVAL_DIR / "sales" / "second_labels.csv"
SECOND_CONNECTION = EVAL_DIR / "sales" / "second_connection.csv"

Key = tuple[str, str, int]  # (set, file, turn index)
Reading = dict[Key, set[str]]
Read = set[tuple[str, str]]  # (set, label) pairs a reader labelled


def reading(labels: Path, connection: Path) -> tuple[Reading, dict[Key, str], Read]:
    """One reader's labels by turn, each turn's side, and the (set, label) pairs read."""
    by_set, labelled = with_connection(read_labels(labels), connection)
    said = {(name, *turn): v for name, turns in by_set.items() for turn, v in turns.items()}
    sides = {(r["set"], r["file"], int(r["n"])): r["role"] for r in read_rows(labels)}
    return said, sides, {(name, label) for name, names in labelled.items() for label in names}


def pairs(first: Reading, second: Reading, sides: dict[Key, str], read: Read,
          label: str) -> list[tuple[Key, bool, bool]]:
    """Each turn of the label's side both read for the label: (turn, first, second)."""
    side = FLAGS[label][0]
    return [(key, label in first[key], label in second[key]) for key in sorted(second)
            if key in first and sides.get(key) == side and (key[0], label) in read]


def _pr(s: Score) -> str:
    return f"{s.precision:.2f} / {s.recall:.2f}" if s.tp + s.fp + s.fn else "-"


def readers_table(first: Reading, second: Reading, sides: dict[Key, str], read: Read,
                  flags: Reading | None = None) -> list[str]:
    """A line per label: the two readers' counts and agreement, and with ``flags`` (the flag
    labels on each turn) the flags against the first reader, the second, and both."""
    lines = []
    for label, (_, names) in FLAGS.items():
        rows = pairs(first, second, sides, read, label)
        if not rows:
            continue
        a, b = [r[1] for r in rows], [r[2] for r in rows]
        line = (f"{label:<20}{agreement([(x, y) for _, x, y in rows]):<48}"
                f"{_pr(count(a, b, label)):>14}")
        if flags is not None:
            said = [bool(names & flags.get(key, set())) for key, _, _ in rows]
            agreed = [(x, s) for (_, x, y), s in zip(rows, said, strict=True) if x == y]
            line += (f"{_pr(count(a, said, label)):>14}{_pr(count(b, said, label)):>14}"
                     f"{_pr(count([x for x, _ in agreed], [s for _, s in agreed], label)):>14}")
        lines.append(line)
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Print the two readings' agreement, and with folders the flags against each."""
    parser = argparse.ArgumentParser(prog="python -m analyzer.evaluate.readers",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", type=Path, nargs="*",
                        help="the sets' transcripts and manifest.csv, to score the flags too")
    parser.add_argument("--first", type=Path, nargs=2, default=[LABELS_PATH, CONNECTION_PATH],
                        metavar=("LABELS", "CONNECTION"), help="the first reading")
    parser.add_argument("--second", type=Path, nargs=2, metavar=("LABELS", "CONNECTION"),
                        default=[SECOND_LABELS, SECOND_CONNECTION], help="the second reading")
    parser.add_argument("--next-steps", type=Path, nargs=2, metavar=("FIRST", "SECOND"),
                        default=[next_steps.NEXT_STEPS_PATH, next_steps.SECOND_NEXT_STEPS_PATH],
                        help="two readings of each call's agreed next step")
    parser.add_argument("--phases", type=Path, nargs=2, metavar=("FIRST", "SECOND"),
                        default=[sales_phases.PHASES_PATH, sales_phases.SECOND_PHASES_PATH],
                        help="two readings of each call's phases")
    args = parser.parse_args(argv)
    first, sides, _ = reading(*args.first)
    second, _, read = reading(*args.second)
    flags: Reading | None = None
    if args.folders:
        folders = [f for f in args.folders if (f / "manifest.csv").is_file()]
        for folder in set(args.folders) - set(folders):
            print(f"{folder}: no manifest.csv, skipped")
        labeler = Labeler.load()
        flags = {(f.name, *turn): v for f in folders
                 for turn, v in flagged_turns(analyzed_calls(f, labeler)).items()}
        read = {x for x in read if x[0] in {f.name for f in folders}}
    sets = sorted({name for name, _ in read})
    print(f"Two blind readings of {', '.join(sets)}, turn by turn; P / R of the second reader "
          "against the first" + (", of the flags against the first, the second, and on the "
                                 "turns both readers agree on" if flags is not None else ""))
    header = f"{'label':<20}{'turns, yes first / second, both, kappa':<48}{'2nd vs 1st':>14}"
    if flags is not None:
        header += f"{'flags v 1st':>14}{'flags v 2nd':>14}{'flags, agreed':>14}"
    print(header)
    print("\n".join(readers_table(first, second, sides, read, flags)))
    print("\n".join(next_steps.readers_agreement(*args.next_steps)))
    turns = {(r["set"], r["file"]): int(r["turns"]) for r in read_rows(SOURCES_PATH)}
    print("\n".join(sales_phases.readers_agreement(turns, *args.phases)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
