"""Score the labels on sales conversations written by others, turn by turn.

    python -m analyzer.evaluate.sales DIR [DIR ...]            # the shipped veto
    python -m analyzer.evaluate.sales --veto-held-out DIR ...  # make eval-sales SALES="DIR ..."
    python -m analyzer.evaluate.sales DIR --errors             # also list every wrong turn
    python -m analyzer.evaluate.sales DIR --by-rule            # each rule's right and wrong
    python -m analyzer.evaluate.sales DIR --check              # a rebuilt folder matches?

Each DIR holds two-party transcripts (``Speaker: text`` lines) and a ``manifest.csv`` (columns
``file`` and ``rep_speaker``): public conversations written by other people, listed with their
repository and path in ``models/eval/sales/sources.csv``; their text is not in this repository.
A folder's name is its set (``sales1`` was read while tuning, ``sales2`` is reported). Each
conversation is analyzed as a call (``analyze_call``, the rep named by the manifest) and the
flags on each turn are compared with the hand labels of ``models/eval/sales/labels.csv``
(``set, file, n, role, labels``) and, for the rep's follow-up questions, acknowledgements
and relating, of ``connection.csv`` (same columns), written by readers who never saw the
rules or their output; and for each call whether it ends with an agreed next step, against
``next_steps.csv`` (``analyzer.evaluate.next_steps``); and each utterance's phase, against
``phases.csv`` (``analyzer.evaluate.sales_phases``).
A label counts on a turn when one of its flags sits in that turn. The shipped sales veto
(``models/language/veto/``) was trained on many of these same turns (six of the test part's
sets among them), so with it the figures are partly in-sample: ``--veto-held-out`` trains one
afresh on the tune part's folders given (the sets ``next_steps.csv`` marks ``tune``) and scores
every folder with it, ``--no-veto`` gives the rules alone, ``make eval-veto`` the veto held out
by source.

``--check`` scores nothing: it writes the folder's ``manifest.csv`` from ``sources.csv`` and
says whether each file, copied again from its source, reads as the turns that were labelled
(as many turns as ``sources.csv`` says, and the rep's turns where ``labels.csv`` has them).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from analyzer.call.analysis import Models, analyze_call
from analyzer.call.doubt import NO_VETO, Veto
from analyzer.call.language import Labeler
from analyzer.call.roles import RoleEvidence
from analyzer.errors import InputError
from analyzer.evaluate import next_steps, sales_phases
from analyzer.evaluate.language import Score
from analyzer.evaluate.language_real import read_rows
from analyzer.evaluate.sales_labels import (
    CONNECTION_PATH,
    FLAGS,
    LABELS_PATH,
    SOURCES_PATH,
    Turn,
    read_labels,
    with_connection,
)
from analyzer.types import REP, CallResult, CallSource


def analyzed_calls(folder: Path, labeler: Labeler, veto: Veto | None = None
                   ) -> list[tuple[str, CallResult]]:
    """Each conversation of the folder's manifest analyzed through the production path
    (``veto``: None for the production veto, ``NO_VETO`` for the rules alone), with its file
    name. A conversation the product refuses (mostly not in English) is left out, with a line
    on stderr, as a run leaves it out."""
    from analyzer.run.transcript_files import read_transcript

    out = []
    for row in read_rows(folder / "manifest.csv"):
        transcript = read_transcript(folder / row["file"])
        source = CallSource(row["file"], "rep", str(folder / row["file"]),
                            rep_speaker=row["rep_speaker"])
        try:
            out.append((row["file"], analyze_call(source, transcript,
                                                  RoleEvidence(rep_speaker=row["rep_speaker"]),
                                                  Models(labeler, veto=veto))))
        except InputError as exc:
            print(f"left out {exc}", file=sys.stderr)
    return out


def flagged_turns(results: Sequence[tuple[str, CallResult]]) -> dict[Turn, set[str]]:
    """Every flag label (and ``objection:<kind>``) and the role (``role:<role>``) on each turn
    of each analyzed conversation; a flag a coach marked wrong does not count."""
    out: dict[Turn, set[str]] = defaultdict(set)
    for file, result in results:
        for flag in result.flags:
            if flag.utterance >= 0 and flag.coach != "wrong":
                turn = out[(file, flag.utterance)]
                turn.add(flag.label)
                if flag.label == "objection":
                    turn.add(f"objection:{flag.subtype}")
        for index, utterance in enumerate(result.utterances):
            out[(file, index)].add(f"role:{utterance.role}")
    return out


def scores(gold: dict[Turn, set[str]], found: dict[Turn, set[str]],
           labelled: set[str] | None = None) -> list[Score]:
    """Turn-level precision and recall of each label (of ``labelled``, default all), on the
    turns of its side."""
    out = []
    for label, (side, names) in FLAGS.items():
        if labelled is not None and label not in labelled:
            continue
        turns = [t for t in gold if f"role:{side}" in found.get(t, set())]
        pairs = [(label in gold[t], bool(names & found[t])) for t in turns]
        out.append(Score(label, sum(g and p for g, p in pairs), sum(p and not g for g, p in pairs),
                         sum(g and not p for g, p in pairs)))
    return out


def rule_counts(gold: dict[Turn, set[str]], results: Sequence[tuple[str, CallResult]],
                labelled: set[str]) -> dict[tuple[str, str], tuple[int, int]]:
    """For each (hand label, rule): the turns a flag of that rule sits in whose hand labels
    include the label (right) and those whose do not (wrong), on the label's side; a flag a
    coach marked wrong does not count. What to read before changing a rule."""
    names = {name: label for label, (_, flags) in FLAGS.items() for name in flags}
    seen: dict[tuple[str, str], set[Turn]] = defaultdict(set)
    for file, result in results:
        for flag in result.flags:
            label = names.get(flag.label)
            turn = (file, flag.utterance)
            if (label in labelled and turn in gold and flag.coach != "wrong"
                    and flag.role == FLAGS[label][0]):
                seen[(label, flag.rule)].add(turn)
    return {key: (sum(key[0] in gold[t] for t in turns),
                  sum(key[0] not in gold[t] for t in turns))
            for key, turns in sorted(seen.items())}


def check_folder(folder: Path, sources: Path = SOURCES_PATH, labels: Path = LABELS_PATH
                 ) -> list[str]:
    """What keeps a folder rebuilt from ``sources`` from lining up with the labels (nothing
    when it does); its ``manifest.csv`` is written from ``sources`` first."""
    listed = [r for r in read_rows(sources) if r["set"] == folder.name]
    if not listed:
        return [f"{folder.name}: no conversation of this set in {sources.name}"]
    sides = {(r["file"], int(r["n"])): r["role"] for r in read_rows(labels)
             if r["set"] == folder.name}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.csv").write_text(
        "file,rep_speaker\n" + "".join(f"{r['file']},{r['rep_speaker']}\n" for r in listed),
        encoding="utf-8")
    return [problem for row in listed for problem in _file_problems(folder, row, sides)]


def _file_problems(folder: Path, row: dict[str, str], sides: dict[Turn, str]) -> list[str]:
    """A rebuilt file's count of turns and sides against ``sources.csv`` and the labels."""
    from analyzer.run.transcript_files import read_transcript

    path = folder / row["file"]
    if not path.is_file():
        return [f"{path}: missing"]
    segments = read_transcript(path).segments
    out = []
    if len(segments) != int(row["turns"]):
        out.append(f"{path}: {len(segments)} turns, sources.csv says {row['turns']}")
    wrong = [n for n, s in enumerate(segments) if (row["file"], n) in sides
             and (s.speaker == row["rep_speaker"]) != (sides[(row["file"], n)] == REP)]
    if wrong:
        out.append(f"{path}: {len(wrong)} turns on the other side than labelled, the first "
                   f"turn {wrong[0]}")
    return out


def kinds_right(gold: dict[Turn, set[str]], found: dict[Turn, set[str]]) -> tuple[int, int]:
    """Of the turns where both found an objection, how many share a kind."""
    both = [t for t in gold if "objection" in gold[t] and "objection" in found.get(t, set())]
    right = sum(bool({k for k in gold[t] if k.startswith("objection:")}
                     & {k for k in found[t] if k.startswith("objection:")}) for t in both)
    return right, len(both)


def errors(gold: dict[Turn, set[str]], found: dict[Turn, set[str]], folder: Path,
           labelled: set[str]) -> None:
    """Print each turn where a label and the flags disagree, with its words."""
    texts: dict[Turn, str] = {}
    for path in sorted(folder.glob("*.txt")):
        lines = [x for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        texts.update({(path.name, n): x for n, x in enumerate(lines)})
    for turn in sorted(gold):
        for label, (side, names) in FLAGS.items():
            if f"role:{side}" not in found.get(turn, set()) or label not in labelled:
                continue
            said, true = bool(names & found.get(turn, set())), label in gold[turn]
            if said != true:
                print(f"  {'missed' if true else 'wrong '} {label:<17} {turn[0][:24]} "
                      f"{turn[1]:>2}: {texts.get(turn, '')[:150]}")


def main(argv: Sequence[str] | None = None) -> int:
    """Score each folder named against its set's hand labels."""
    parser = argparse.ArgumentParser(prog="python -m analyzer.evaluate.sales",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", type=Path, nargs="*", help="transcripts and manifest.csv")
    parser.add_argument("--errors", action="store_true", help="list every wrong turn")
    parser.add_argument("--by-rule", action="store_true",
                        help="the turns each rule's flags got right and wrong")
    parser.add_argument("--no-veto", action="store_true",
                        help="the rules alone, without the sales veto (models/language/veto/)")
    parser.add_argument("--veto-held-out", action="store_true",
                        help="the sales veto trained afresh on the tune part's folders given "
                             "(next_steps.csv's split), so the test part is scored by a veto "
                             "that never learned from it")
    parser.add_argument("--labels", type=Path, default=LABELS_PATH, help="the hand labels")
    parser.add_argument("--connection", type=Path, default=CONNECTION_PATH,
                        help="the connection labels (follow-ups, acknowledgements, relating)")
    parser.add_argument("--next-steps", type=Path, default=next_steps.NEXT_STEPS_PATH,
                        help="each call's agreed next step, by hand")
    parser.add_argument("--phases", type=Path, default=sales_phases.PHASES_PATH,
                        help="each call cut into phases, by hand")
    parser.add_argument("--check", action="store_true",
                        help="check folders rebuilt from sources.csv against the labels")
    parser.add_argument("--sources", type=Path, default=SOURCES_PATH,
                        help="where each conversation comes from (for --check)")
    args = parser.parse_args(argv)
    if args.check:
        return check(args.folders, args.sources, args.labels)
    labels, labelled = with_connection(read_labels(args.labels), args.connection)
    steps = next_steps.read_references(args.next_steps)
    phases = sales_phases.read_references(args.phases) if args.phases.is_file() else {}
    labeler, veto = None, chosen_veto(args, steps)
    for folder in args.folders:
        if not (folder / "manifest.csv").is_file() or folder.name not in labels:
            print(f"{folder}: no manifest.csv or no labels for set {folder.name!r}, skipped")
            continue
        labeler = labeler or Labeler.load()
        results = analyzed_calls(folder, labeler, veto)
        found = flagged_turns(results)
        # A folder may hold part of a set (a tune or a test half): its files only.
        files = {f for f, _ in found}
        gold = {t: v for t, v in labels[folder.name].items() if t[0] in files}
        print(f"\n{folder.name}: {len(files)} conversations, {len(gold)} turns (turn by turn)")
        print(f"{'label':<20}{'precision':>10}{'recall':>8}{'gold':>6}{'tp':>5}{'fp':>5}{'fn':>5}")
        for s in scores(gold, found, labelled[folder.name]):
            print(f"{s.label:<20}{s.precision:>10.3f}{s.recall:>8.3f}{s.tp + s.fn:>6}{s.tp:>5}"
                  f"{s.fp:>5}{s.fn:>5}")
        right, both = kinds_right(gold, found)
        print(f"objection kind right where both found one: {right}/{both}")
        next_steps.report(folder.name, next_steps.verdicts(folder.name, results, steps),
                          args.errors)
        sales_phases.report(folder.name, sales_phases.verdicts(folder.name, results, phases),
                            args.errors)
        if args.by_rule:
            for (label, rule), (right, wrong) in rule_counts(
                    gold, results, labelled[folder.name]).items():
                print(f"  rule {label:<19}{rule:<42} right {right:>3} wrong {wrong:>3}")
        if args.errors:
            errors(gold, found, folder, labelled[folder.name])
    if not args.folders:
        print("no folder given: python -m analyzer.evaluate.sales DIR (see models/eval/sales/)")
    return 0


def chosen_veto(args: argparse.Namespace, steps: dict[tuple[str, str], next_steps.Reference]
                ) -> Veto | None:
    """The veto the folders are scored with: none (``--no-veto``), one trained on the tune
    part's folders given (``--veto-held-out``), else the shipped one (None)."""
    if args.no_veto:
        return NO_VETO
    if not args.veto_held_out:
        return None
    from analyzer.evaluate.veto_fit import held_out_veto

    tune = {name for (name, _), ref in steps.items() if ref.split == "tune"}
    folders = [f for f in args.folders if f.name in tune]
    print(f"sales veto trained afresh on the tune part: {' '.join(f.name for f in folders)}")
    return held_out_veto(folders, args.labels, args.connection)


def check(folders: Sequence[Path], sources: Path, labels: Path) -> int:
    """Print what is wrong with each rebuilt folder, or that it lines up; 1 when any is
    wrong."""
    bad = 0
    for folder in folders:
        problems = check_folder(folder, sources, labels)
        print("\n".join(problems) if problems else f"{folder}: every conversation lines up "
              "with its labels")
        bad += bool(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
