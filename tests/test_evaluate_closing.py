"""The closing evaluation's references: labelled before the rules, references only (no corpus
text in the repository), and consistent with the corpus they point into."""

from __future__ import annotations

from collections import Counter

import pytest

from analyzer.evaluate.closing import (
    PERSUASION,
    read_dialogues,
    read_reference,
    utterance_groups,
)

pytestmark = pytest.mark.skipif(not PERSUASION.exists(), reason="../shared/realdata is absent")


def test_evaluate_closing_references_match_the_corpus_utterances():
    dialogues = read_dialogues()
    phases = read_reference("persuasion_phases.csv")
    counts = Counter(r["dialogue"] for r in phases)
    for dialogue, n in counts.items():
        groups = utterance_groups(dialogues[dialogue])
        assert len(groups) == n
    for r in phases:
        group = utterance_groups(dialogues[r["dialogue"]])[int(r["utterance"])]
        assert (str(group[0].turn), group[0].role) == (
            r["turn"], "rep" if r["role"] == "persuader" else "customer")


def test_evaluate_closing_references_hold_no_corpus_text_and_split_in_halves():
    calls = read_reference("persuasion_calls.csv")
    assert set(calls[0]) == {"dialogue", "split", "next_step_agreed"}
    assert Counter(r["split"] for r in calls) == {"tune": 22, "test": 22}
    assert set(read_reference("persuasion_phases.csv")[0]) == {
        "dialogue", "split", "utterance", "turn", "role", "phase"}
