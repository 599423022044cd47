"""The connection evaluation: its hand-labelled references point at real questions, and its
counts are right."""

from __future__ import annotations

import csv

from conftest import realdata_path

from analyzer.evaluate.connection import (
    FOLLOW_UPS,
    RELATING_LABELS,
    count,
    mrda_lines,
    persuasion_rows,
)


def test_evaluate_connection_count_precision_and_recall():
    score = count("x", [(True, True), (True, False), (False, True), (False, False)])
    assert (score.tp, score.fp, score.fn, score.items) == (1, 1, 1, 4)
    assert (score.precision, score.recall) == (0.5, 0.5)


def test_evaluate_connection_references_point_at_real_questions():
    realdata_path("persuasion", "dialogues.csv")
    rows = list(csv.DictReader(FOLLOW_UPS.read_text(encoding="utf-8").splitlines()))
    assert len(rows) >= 150
    assert {r["split"] for r in rows} == {"tune", "test", "fresh"}
    dialogues = persuasion_rows()
    for row in rows:
        if row["corpus"] == "persuasion":
            sentence = next(r for r in dialogues[row["source"]] if r["item"] == row["item"])
            assert sentence["role"] == "persuader" and "?" in sentence["text"]
        else:
            line = mrda_lines(realdata_path("mrda", row["source"]))[int(row["item"]) - 1]
            assert line[2] == "Q"


def test_evaluate_connection_relating_references_point_at_persuader_statements():
    realdata_path("persuasion", "dialogues.csv")
    rows = list(csv.DictReader(RELATING_LABELS.read_text(encoding="utf-8").splitlines()))
    assert len(rows) >= 800 and {r["label"] for r in rows} == {"relating", "not_relating"}
    dialogues = persuasion_rows()
    for row in rows:
        sentence = next(r for r in dialogues[row["source"]] if r["item"] == row["item"])
        assert sentence["role"] == "persuader" and "?" not in sentence["text"]
        # Relating answers something personal of the customer's (how the labels were made).
        assert row["label"] == "not_relating" or row["customer_personal"] == "yes"


def test_evaluate_connection_acknowledgement_references_point_at_persuader_sentences():
    from analyzer.evaluate.connection import ACK_LABELS

    realdata_path("persuasion", "dialogues.csv")
    rows = list(csv.DictReader(ACK_LABELS.read_text(encoding="utf-8").splitlines()))
    assert set(rows[0]) == {"dialogue", "item", "label", "split"}
    dialogues = persuasion_rows()
    ids = sorted(dialogues)
    for row in rows:
        sentence = next(r for r in dialogues[row["dialogue"]] if r["item"] == row["item"])
        assert sentence["role"] == "persuader"
        assert row["split"] in (("tune",) if ids.index(row["dialogue"]) % 2 == 0 else
                                ("test", "fresh"))
        assert row["label"] in {"appreciation", "sympathy", "reformulation", "backchannel",
                                "none"}
