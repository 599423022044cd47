"""Tests for the statistical backstop (analyzer.textcat) and its training script."""

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
                for label in self.thresholds}


def fake(*given: tuple[str, str, float]) -> FakeBackstop:
    thresholds = {"customer_question": 0.8, "self_promotion": 0.7, "pushy_close": 0.65}
    return FakeBackstop((), {}, thresholds, given=given)


def test_textcat_adds_missed_label_with_sentence_evidence() -> None:
    sentence = SentenceLabels("Sign today and it's yours.", ())
    [[out]] = fake((sentence.text, "pushy_close", 0.9)).add_labels([(sentence,)], ["rep"], LABELS)
    assert out.labels == ("pushy_close",)
    assert out.evidence == (Evidence("pushy_close", "unspecified", "textcat:pushy_close",
                                     sentence.text),)


def test_textcat_below_threshold_changes_nothing() -> None:
    sentence = SentenceLabels("The invoice is attached.", ())
    [[out]] = fake((sentence.text, "self_promotion", 0.69)).add_labels([(sentence,)], ["rep"],
                                                                       LABELS)
    assert out is sentence


def test_textcat_customer_speech_gets_no_phrase_label() -> None:
    sentence = SentenceLabels("We are the market leader in our region.", ())
    [[out]] = fake((sentence.text, "self_promotion", 0.99)).add_labels([(sentence,)],
                                                                       ["customer"], LABELS)
    assert out.labels == ()


def test_textcat_customer_question_implies_question_in_label_order() -> None:
    sentence = SentenceLabels("so how are the kids finding it", ())
    [[out]] = fake((sentence.text, "customer_question", 0.95)).add_labels([(sentence,)], ["rep"],
                                                                          LABELS)
    assert out.labels == ("question", "customer_question")
    assert [e.rule for e in out.evidence] == ["textcat:customer_question", "textcat:question"]


def test_textcat_keeps_rule_labels_and_evidence() -> None:
    rule = Evidence("pushy_close", "urgency", "pc_offer_expires", "ends Friday")
    sentence = SentenceLabels("The offer ends Friday.", ("pushy_close",), (rule,))
    [[out]] = fake((sentence.text, "pushy_close", 0.99)).add_labels([(sentence,)], ["rep"], LABELS)
    assert out == sentence


def test_textcat_model_flags_single_sentences() -> None:
    backstop = Backstop.load()
    probs = backstop.probabilities(["We're rated the number one payroll provider three years "
                                    "running.", "The invoice is attached."])
    assert probs["self_promotion"][0] >= backstop.thresholds["self_promotion"]
    assert all(probs[label][1] < th for label, th in backstop.thresholds.items())


def test_textcat_stored_model_matches_retraining() -> None:
    config = json.loads((TEXTCAT_DIR / "config.json").read_text(encoding="utf-8"))
    stored = json.loads((TEXTCAT_DIR / "model.json").read_text(encoding="utf-8"))
    assert json.loads(json.dumps(train(config), sort_keys=True)) == stored


def test_textcat_adds_no_pushy_close_to_negated_sentence() -> None:
    sentence = SentenceLabels("I won't pressure you to sign today.", ())
    backstop = FakeBackstop((), {}, {"pushy_close": 0.65}, frozenset({"pushy_close"}),
                            frozenset({"not"}), ((sentence.text, "pushy_close", 0.9),))
    [[out]] = backstop.add_labels([(sentence,)], ["rep"], LABELS)
    assert out is sentence
