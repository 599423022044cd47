"""Tests for the statistical check (analyzer.call.language.textcat) and its training script."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from analyzer.call.language.textcat import TEXTCAT_DIR, Backstop
from analyzer.evaluate.train_textcat import train
from analyzer.types import Evidence, SentenceLabels

LABELS = {"question": {"not_roles": []}, "pushy_close": {"not_roles": ["customer"]},
          "self_promotion": {"not_roles": ["customer"]},
          "customer_question": {"not_roles": ["customer"]}}


@dataclass(frozen=True)
class FakeBackstop(Backstop):
    """Probabilities given by hand per sentence text instead of a model."""

    given: tuple[tuple[str, str, float], ...] = ()

    def probabilities(self, texts: Sequence[str]) -> dict[str, Any]:
        table = {(t, label): p for t, label, p in self.given}
        return {label: np.array([table.get((t, label), 0.0) for t in texts])
                for label in LABELS}


def fake(veto: dict[str, float], *given: tuple[str, str, float]) -> FakeBackstop:
    return FakeBackstop((), {}, veto, given=given)


def test_textcat_greeting_sure_to_be_pushy_gets_no_flag() -> None:
    # Issue 17: the backstop alone flagged "Good afternoon, everyone." as pushy (unspecified).
    sentence = SentenceLabels("Good afternoon, everyone.", ())
    [[out]] = fake({"pushy_close": 0.5}, (sentence.text, "pushy_close", 0.99)).review(
        [(sentence,)])
    assert out is sentence


def test_textcat_vetoes_a_rule_label_below_its_threshold() -> None:
    evidence = Evidence("self_promotion", "", "sp_praise_word", "excellent")
    sentence = SentenceLabels("Excellent, see you then.", ("self_promotion",), (evidence,))
    [[out]] = fake({"self_promotion": 0.3}, (sentence.text, "self_promotion", 0.1)).review(
        [(sentence,)])
    assert out.labels == () and out.evidence == ()


def test_textcat_keeps_a_rule_label_above_its_threshold() -> None:
    evidence = Evidence("self_promotion", "", "sp_leader", "market leader")
    sentence = SentenceLabels("We're the market leader.", ("self_promotion",), (evidence,))
    [[out]] = fake({"self_promotion": 0.3}, (sentence.text, "self_promotion", 0.9)).review(
        [(sentence,)])
    assert out is sentence


def test_textcat_vetoed_customer_question_stays_a_question() -> None:
    evidence = (Evidence("question", "", "q_mark", "?"),
                Evidence("customer_question", "", "cq_second_person", "you"))
    sentence = SentenceLabels("Would you like a demo?", ("question", "customer_question"),
                              evidence)
    [[out]] = fake({"customer_question": 0.5}).review([(sentence,)])
    assert out.labels == ("question",) and [e.rule for e in out.evidence] == ["q_mark"]


def test_textcat_without_veto_changes_nothing() -> None:
    sentence = SentenceLabels("Sign today and it's yours.", ())
    assert fake({}).review([(sentence,)]) == [(sentence,)]


def test_textcat_model_scores_single_sentences() -> None:
    backstop = Backstop.load()
    probs = backstop.probabilities(["We're rated the number one payroll provider three years "
                                    "running.", "The invoice is attached."])
    assert probs["self_promotion"][0] >= 0.5
    assert all(probs[label][1] < 0.5 for label in probs)


def test_textcat_stored_model_matches_retraining() -> None:
    config = json.loads((TEXTCAT_DIR / "config.json").read_text(encoding="utf-8"))
    stored = json.loads((TEXTCAT_DIR / "model.json").read_text(encoding="utf-8"))
    assert json.loads(json.dumps(train(config), sort_keys=True)) == stored
