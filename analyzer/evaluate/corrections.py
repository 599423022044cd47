"""Score the sentence labeler on a coach's corrections: every correction is a test case.

    python -m analyzer.evaluate.corrections report/corrections.csv [more.csv ...]
    make eval CORRECTIONS=report/corrections.csv

A correction "wrong" passes when the labeler no longer gives the sentence that label; "missed"
passes when it does. Runs keep applying corrections whatever the labeler says: this measures
how far the rules have come to agree with the coaches, and lists the cases they still miss.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from analyzer.call.language import Labeler
from analyzer.run.inputs import load_corrections
from analyzer.types import Correction


def agrees(labeler: Labeler, correction: Correction) -> bool:
    """True when the labeler, on the sentence alone (said by the rep), agrees with the coach."""
    (sentences,) = labeler.label([correction.text], ["rep"])
    given = {label for s in sentences for label in s.labels}
    return (correction.label in given) == (correction.verdict == "missed")


def score(labeler: Labeler, corrections: Sequence[Correction]) -> list[str]:
    """Lines of the report: per label and verdict, cases and agreements, then each miss."""
    lines, misses = [], []
    groups: dict[tuple[str, str], list[bool]] = {}
    for correction in corrections:
        ok = agrees(labeler, correction)
        groups.setdefault((correction.label, correction.verdict), []).append(ok)
        if not ok:
            misses.append(f"  still {correction.verdict}: {correction.label}: "
                          f"{correction.text!r} ({correction.call_id})")
    lines.append(f"{'label':<20}{'verdict':<9}{'cases':>6}{'agreed':>8}")
    for (label, verdict), results in sorted(groups.items()):
        lines.append(f"{label:<20}{verdict:<9}{len(results):>6}{sum(results):>8}")
    return lines + misses


def main(argv: Sequence[str] | None = None) -> int:
    """Score every corrections file named; 0 always (a report, not a gate)."""
    paths = [Path(a) for a in (sys.argv[1:] if argv is None else argv)]
    corrections = [c for p in paths for items in load_corrections(p).values() for c in items]
    if not corrections:
        print("no corrections to score")
        return 0
    labeler = Labeler.load()
    print(f"Coach corrections ({len(corrections)} from {', '.join(map(str, paths))}):")
    print("\n".join(score(labeler, corrections)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
