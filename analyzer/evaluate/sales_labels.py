"""The hand labels of the sales sets (``models/eval/sales/``): where they are, which flags
say each label, and how they are read; what the evaluations and the veto's trainer share."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from analyzer.evaluate.language_real import read_rows
from analyzer.settings import EVAL_DIR
from analyzer.types import CUSTOMER, REP

LABELS_PATH = EVAL_DIR / "sales" / "labels.csv"
# Where each labelled conversation comes from, its rep and its number of turns.
SOURCES_PATH = EVAL_DIR / "sales" / "sources.csv"
# The rep's connection labels (issue 19), labelled apart, on the same turns.
CONNECTION_PATH = EVAL_DIR / "sales" / "connection.csv"
# Hand label -> (the side that says it, the flag labels that should say it).
FLAGS = {"customer_question": (REP, {"customer_question"}),
         "self_promotion": (REP, {"self_promotion"}),
         "pushy": (REP, {"pushy_close"}),
         "ask": (REP, {"ask"}),
         "objection": (CUSTOMER, {"objection"}),
         "commitment": (CUSTOMER, {"commitment", "next_step"}),
         "follow_up_question": (REP, {"follow_up_question"}),
         "acknowledgement": (REP, {"acknowledgement"}),
         "relating": (REP, {"relating"})}
CONNECTION = ("follow_up_question", "acknowledgement", "relating")

Turn = tuple[str, int]  # (file, turn index)


def read_labels(path: Path = LABELS_PATH) -> dict[str, dict[Turn, set[str]]]:
    """The hand labels by set, then by turn ("objection:price" read as "objection" and its
    kind "objection:price")."""
    out: dict[str, dict[Turn, set[str]]] = defaultdict(dict)
    for row in read_rows(path):
        labels = {x.strip() for x in row["labels"].split(";") if x.strip()}
        out[row["set"]][(row["file"], int(row["n"]))] = labels | {x.split(":")[0] for x in labels}
    return dict(out)


def with_connection(labels: dict[str, dict[Turn, set[str]]], path: Path
                    ) -> tuple[dict[str, dict[Turn, set[str]]], dict[str, set[str]]]:
    """The labels with the connection labels of ``path`` added to the same turns, and the
    labels each set was labelled for (the connection ones only where ``path`` covers it)."""
    labelled = {name: set(FLAGS) - set(CONNECTION) for name in labels}
    if not path.is_file():
        return labels, labelled
    for name, turns in read_labels(path).items():
        labelled.setdefault(name, set()).update(CONNECTION)
        for turn, said in turns.items():
            labels.setdefault(name, {}).setdefault(turn, set()).update(said)
    return labels, labelled
