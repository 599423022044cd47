"""The phases' word model and decoder (``analyzer.call.phases``) and their trainer
(``analyzer.evaluate.train_phases``), on hand-worked scores and hand-built calls."""

from __future__ import annotations

import json

from analyzer.call.phases import (
    PHASE_MODEL_DIR,
    PHASES,
    best_phases,
    decode,
    phase_model,
    phase_text,
)
from analyzer.evaluate.sales_phases import read_references
from analyzer.evaluate.train_phases import CutCall, fit
from analyzer.settings import read_json
from analyzer.types import CUSTOMER, REP

LOW = -5.0  # a phase the utterance plainly is not


def row(**scores: float) -> list[float]:
    """An utterance's scores in ``PHASES`` order: those given, ``LOW`` for the others."""
    return [scores.get(p, LOW) for p in PHASES]


def test_phases_a_change_costs_the_switch_penalty() -> None:
    # Discovery, a line a little more like presentation, discovery again: staying scores
    # 1 + 0 + 1 = 2; moving there and back 1 + 1 + 1 - 2 * switch.
    rows = [row(discovery=1), row(discovery=0, presentation=1), row(discovery=1)]
    assert best_phases(rows, 2.0) == ("discovery",) * 3
    assert best_phases(rows, 0.4) == ("discovery", "presentation", "discovery")
    assert best_phases([], 2.0) == ()


def test_phases_the_opening_never_comes_back() -> None:
    # Opening, discovery, opening would score 1 + 3 + 3 - 2 * 0.5 = 6; it is not allowed.
    # Staying in the opening scores 1 + 0 + 3 = 4, moving on for good 1 + 3 + 0 - 0.5 = 3.5.
    rows = [row(opening=1, discovery=0), row(opening=0, discovery=3), row(opening=3, discovery=0)]
    assert best_phases(rows, 0.5) == ("opening",) * 3


def test_phases_what_the_word_model_reads() -> None:
    config = read_json(PHASE_MODEL_DIR / "config.json")
    # Three words (under the first length bin), the fourth tenth of ten utterances, its flags
    # among those the model reads (a phase flag is not).
    assert phase_text("What's the price?", REP, 3, 10, {"customer_question", "phase"},
                      config) == ("what's the price r_what's r_the r_price pos3 r_len0 "
                                  "flag_customer_question")
    # An utterance not in English is read as empty (analyze_call): its place and side only.
    assert phase_text("", CUSTOMER, 9, 10, set(), config) == "pos9 c_len0"


def test_phases_trained_model_decodes_a_call_like_its_training() -> None:
    config = {**read_json(PHASE_MODEL_DIR / "config.json"), "min_df": 1}
    greet, ask, price = "hi how are you", "what do you use today", "it costs forty dollars"

    def call(name: str) -> CutCall:
        return CutCall(name, ((greet, frozenset()), (ask, frozenset()), (ask, frozenset()),
                              (price, frozenset()), (price, frozenset())),
                       ("opening", "discovery", "discovery", "pricing", "pricing"))

    data = fit([call("a"), call("b")], config)
    assert set(data["phases"]) == set(PHASES) and len(data["terms"]) == len(data["idf"])
    model = phase_model(data, config)
    assert decode(model, call("c").inputs) == call("c").gold


def test_phases_shipped_model_never_saw_the_test_part() -> None:
    """The word model is trained on the tune part of the readers' cuts (and the donation
    chats' tune half) only: the test part's figures are held out."""
    trained_on = json.loads((PHASE_MODEL_DIR / "model.json").read_text(encoding="utf-8"))[
        "trained_on"]
    tune = {key[0] for key, ref in read_references().items() if ref.split == "tune"}
    test = {key[0] for key, ref in read_references().items() if ref.split == "test"}
    assert set(trained_on) <= tune | {"persuasion"} and not set(trained_on) & test


def test_phases_objection_cues_weigh_more() -> None:
    # No word model (every phase equally likely): the cues decide. Three objection lines
    # amid discovery: staying scores 2 + 0 + 3 = 5; an objection stretch 2 + 3 * w + 3 - 2 * 2
    # (ending in it, 2 + 3 * w - 2), which beats it only when an objection cue weighs w = 2.
    config = {**read_json(PHASE_MODEL_DIR / "config.json"), "cue_weight": 1.0}
    empty = {"terms": [], "idf": [], "phases": {p: {"intercept": 0.0, "weight": []}
                                                for p in PHASES}}
    cues = [{"discovery"}] * 2 + [{"objection"}] * 3 + [{"discovery"}] * 3
    inputs = [("", c) for c in cues]
    weighed = phase_model(empty, {**config, "cue_weights": {"objection": 2.0}})
    flat = phase_model(empty, {**config, "cue_weights": {}})
    assert decode(weighed, inputs) == ("discovery",) * 2 + ("objection",) * 3 + ("discovery",) * 3
    assert decode(flat, inputs) == ("discovery",) * 8


def test_phases_score_bias_makes_presentation_win_less_often() -> None:
    # No word model, no cues but one: four utterances the model calls presentation a little
    # more than discovery (intercepts 0.2 and 0). Unbiased, presentation wins every one; with
    # presentation's log-probability 0.3 lower, discovery does.
    config = {**read_json(PHASE_MODEL_DIR / "config.json"), "cue_weights": {}}
    leaning = {"terms": [], "idf": [], "phases": {
        p: {"intercept": {"presentation": 0.2, "discovery": 0.0}.get(p, -9.0), "weight": []}
        for p in PHASES}}
    inputs = [("", set())] * 4
    assert decode(phase_model(leaning, {**config, "score_bias": {}}), inputs) == (
        "presentation",) * 4
    assert decode(phase_model(leaning, {**config, "score_bias": {"presentation": 0.3}}),
                  inputs) == ("discovery",) * 4
    shipped = read_json(PHASE_MODEL_DIR / "config.json")["score_bias"]
    assert shipped == {"presentation": 0.3}
