"""Score the sentence labeler on a coach's corrections: every correction is a test case.

    python -m analyzer.evaluate.corrections report/corrections.csv [more.csv ...]
    make eval CORRECTIONS=report/corrections.csv

A correction "wrong" passes when the labels no longer give the sentence that label; "missed"
passes when they do. The sentence labels (question, customer_question, self_promotion,
pushy_close) are decided on the sentence alone; the labels that need the call around the
sentence (follow-ups, acknowledgements, relating, the close) are decided by analyzing again,
without the corrections, the call as the run recorded it (its ``utterances.parquet``, in the
folder that holds the corrections file). Runs keep applying corrections whatever the labels
say: this measures how far the rules have come to agree with the coaches, and lists the cases
they still miss.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from analyzer.call.analysis import Models, analyze_call
from analyzer.call.corrections import MISSED, sentence_key
from analyzer.call.language import Labeler
from analyzer.call.roles import RoleEvidence
from analyzer.coach.tables import read_tables
from analyzer.errors import InputError
from analyzer.run.inputs import load_corrections
from analyzer.types import REP, CallSource, Correction, Flag, Segment, Transcript

RecordedCalls = Mapping[str, tuple[CallSource, Transcript, RoleEvidence]]


def agrees(labeler: Labeler, correction: Correction, calls: RecordedCalls | None = None
           ) -> bool | None:
    """True when the labels agree with the coach, False when not, None when the label needs
    its call and the call is not recorded in ``calls``."""
    if correction.label in labeler.labels:
        (sentences,) = labeler.label([correction.text], ["rep"])
        given = {label for s in sentences for label in s.labels}
    elif calls is not None and correction.call_id in calls:
        given = labels_in_call(labeler, calls[correction.call_id], correction.text)
    else:
        return None
    return (correction.label in given) == (correction.verdict == MISSED)


def labels_in_call(labeler: Labeler, call: tuple[CallSource, Transcript, RoleEvidence],
                   sentence: str) -> set[str]:
    """The labels the analysis, without any correction, gives a sentence of a recorded call."""
    result = analyze_call(*call, Models(labeler))
    wanted = sentence_key(sentence)
    return {f.label for f in result.flags if _holds(f, wanted)}


def _holds(flag: Flag, wanted: str) -> bool:
    said = sentence_key(flag.text)
    return bool(said) and (said == wanted or said in wanted or wanted in said)


def recorded_calls(folder: Path) -> dict[str, tuple[CallSource, Transcript, RoleEvidence]]:
    """Each call of the run in ``folder`` as its utterances recorded it, with the rep's
    speaker as the run decided; empty when the folder holds no utterances table.

    Raises InputError when the folder holds no run.
    """
    table = read_tables(folder).utterances
    return {str(call_id): _recorded(str(call_id), rows) for call_id, rows in
            table.groupby("call_id", sort=False)}


def _recorded(call_id: str, rows: pd.DataFrame) -> tuple[CallSource, Transcript, RoleEvidence]:
    rows = rows.sort_values("utterance")
    segments = tuple(Segment(str(speaker), float(start), float(end), str(text))
                     for speaker, start, end, text in zip(rows["speaker"], rows["start_s"],
                                                          rows["end_s"], rows["text"]))
    speakers = tuple(dict.fromkeys(s.speaker for s in segments))
    rep = next((str(s) for s, role in zip(rows["speaker"], rows["role"]) if role == REP), "")
    ends = [s.end for s in segments if s.end == s.end]
    transcript = Transcript(segments, speakers, max(ends, default=float("nan")), "recorded")
    source = CallSource(call_id, str(rows["rep"].iloc[0]), call_id, rep_speaker=rep)
    return source, transcript, RoleEvidence(rep_speaker=rep)


def score(labeler: Labeler, corrections: Sequence[Correction],
          calls: RecordedCalls | None = None) -> list[str]:
    """Lines of the report: per label and verdict, cases and agreements, then each miss (and
    each case of a label that needs its call when the call was not found)."""
    lines, misses = [], []
    groups: dict[tuple[str, str], list[bool]] = {}
    for correction in corrections:
        ok = agrees(labeler, correction, calls)
        if ok is None:
            misses.append(f"  not scored: {correction.label} needs its call, and "
                          f"{correction.call_id} is not in the run's utterances table")
            continue
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
    calls: dict[str, tuple[CallSource, Transcript, RoleEvidence]] = {}
    for path in paths:
        try:
            calls |= recorded_calls(path.parent)
        except (InputError, OSError, ValueError) as exc:
            print(f"{path.parent}: its calls cannot be read ({exc}); labels that need the call "
                  f"are not scored")
    print(f"Coach corrections ({len(corrections)} from {', '.join(map(str, paths))}):")
    print("\n".join(score(labeler, corrections, calls)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
