"""Coaching points: rules read from models/reports/coaching.json turn a rep's numbers into
sentences that point at a call and a moment."""

from __future__ import annotations

import json
import math

import pytest

from analyzer.coach.pages.coaching import Rule, apply_rule, coaching_points, load_rules
from analyzer.types import Flag


def call(call_id: str, **metrics) -> dict:
    return {"call_id": f"alice/{call_id}", "rep": "alice", "date": "", **metrics}


def test_report_coaching_talk_share_counts_calls_and_links_the_monologue():
    calls = [call("acme", rep_talk_share=0.71, longest_monologue_start_s=40.0),
             call("globex", rep_talk_share=0.8, longest_monologue_start_s=12.5),
             call("initech", rep_talk_share=0.4, longest_monologue_start_s=3.0)]
    rules, _ = load_rules()
    point = apply_rule(next(r for r in rules if r.id == "talk_share_high"), calls, {})
    assert point is not None
    assert point.text == ("You talked 76% of the time in 2 of 3 calls; top performers stay "
                          "near 43%.")
    assert (point.call_id, point.time) == ("alice/globex", 12.5)


def test_report_coaching_longest_monologue_names_the_call_in_minutes():
    calls = [call("acme", longest_monologue_s=250.0, longest_monologue_start_s=61.0),
             call("globex", longest_monologue_s=30.0, longest_monologue_start_s=5.0)]
    rules, _ = load_rules()
    point = apply_rule(next(r for r in rules if r.id == "longest_monologue"), calls, {})
    assert point is not None and point.text == "Your longest monologue was 4:10 in the acme call."
    assert point.time == 61.0


def test_report_coaching_no_next_step_says_none_was_found_not_that_none_was_agreed():
    """On real calls readers found an agreed step on 7 of the 10 test calls where the rules
    found none (stop 47): the point says what was found and sends the coach to the call's end."""
    calls = [call("acme", next_step_agreed=False), call("globex", next_step_agreed=True)]
    rules, _ = load_rules()
    point = apply_rule(next(r for r in rules if r.id == "no_next_step"), calls, {})
    assert point is not None
    assert point.text.startswith("No agreed next step was found in 1 of 2 calls, such as the "
                                 "acme call: listen to how it ends")
    assert "ended without" not in point.text


def test_report_coaching_no_acknowledgement_says_none_was_found():
    """On real calls the rules find about one acknowledgement in five (35 of 163 on the test
    part): the point says none was found, not that the rep never acknowledged (stop 47)."""
    calls = [call("acme", acknowledgements=0, longest_customer_story_start_s=30.0),
             call("globex", acknowledgements=2, longest_customer_story_start_s=5.0)]
    rules, _ = load_rules(section="connection_rules")
    point = apply_rule(next(r for r in rules if r.id == "no_acknowledgement"), calls, {})
    assert point is not None
    assert point.text.startswith("No acknowledgement of what the customer told you")
    assert "was found in 1 of 2 calls, such as the acme call" in point.text
    assert "never" not in point.text


def test_report_coaching_few_follow_ups_says_what_was_found():
    """On real calls the rules find fewer than half the follow-ups (114 of 262 on the test part):
    the point says how many were found (stop 47)."""
    calls = [call("acme", follow_up_share=0.1, rep_questions=10),
             call("globex", follow_up_share=0.5, rep_questions=4)]
    rules, _ = load_rules(section="connection_rules")
    point = apply_rule(next(r for r in rules if r.id == "few_follow_ups"), calls, {})
    assert point is not None
    assert "of your questions were found following up on what the customer" in point.text
    assert "(on real calls the rules find fewer than half)" in point.text


def test_report_coaching_flag_moment_is_the_reps_first_such_sentence():
    rule = Rule("p", "pushy_closing", "above", 0, "{n} calls", moment="flag:pushy_close")
    flags = {"alice/acme": [Flag("customer", 1.0, 2.0, "pushy_close", "", "r", "t"),
                            Flag("rep", 30.0, 31.0, "pushy_close", "", "r", "t"),
                            Flag("rep", 20.0, 21.0, "pushy_close", "", "r", "t")]}
    point = apply_rule(rule, [call("acme", pushy_closing=2)], flags)
    assert point is not None and point.time == 20.0


def test_report_coaching_rules_apply_in_order_up_to_max_points():
    rules = [Rule(f"r{i}", "pushy_closing", "above", -1, f"rule {i}") for i in range(5)]
    points = coaching_points([call("acme", pushy_closing=0)], {}, rules, max_points=3)
    assert [p.rule for p in points] == ["r0", "r1", "r2"]


def test_report_coaching_rule_without_its_numbers_does_not_apply():
    rule = Rule("m", "longest_monologue_s", "above", 0, "{worst:clock}")
    assert apply_rule(rule, [call("acme", longest_monologue_s=math.nan)], {}) is None
    unknown_band = Rule("b", "turns", "above", "band:good_high", "{n}")
    assert apply_rule(unknown_band, [call("acme", turns=3)], {}) is None


def test_report_coaching_min_fraction_of_calls():
    rule = Rule("m", "pushy_closing", "above", 0, "{n} of {total}", min_fraction=0.5)
    calls = [call("a", pushy_closing=1), call("b", pushy_closing=0), call("c", pushy_closing=0)]
    assert apply_rule(rule, calls, {}) is None
    assert apply_rule(rule, calls[:2], {}) is not None


def test_report_coaching_pitching_first_takes_a_pattern_not_one_call():
    """A call's phases are right about presenting first 3 times in 5 on real calls (stop 41):
    the point needs two calls and half the rep's calls."""
    rules, _ = load_rules()
    rule = next(r for r in rules if r.id == "pitched_before_discovery")
    calls = [call(name, presented_before_discovery=False) for name in ("a", "b", "c", "d")]
    calls[0]["presented_before_discovery"] = True
    assert apply_rule(rule, calls, {}) is None
    calls[1]["presented_before_discovery"] = True
    point = apply_rule(rule, calls, {})
    assert point is not None and point.text.startswith(
        "You presented before asking about the customer in 2 of 4 calls")


@pytest.mark.parametrize("share, questions, promo, pushy", [(0.82, 0, 3, 3), (0.44, 4, 0, 0)])
def test_report_coaching_default_rules_give_three_to_six_points(share, questions, promo, pushy):
    calls = [call(name, rep_talk_share=share + i / 100, customer_focused_questions=questions,
                  self_promotion=promo, pushy_closing=pushy, longest_monologue_s=20.0 + i,
                  longest_monologue_start_s=1.0, longest_customer_story_s=15.0,
                  longest_customer_story_start_s=4.0, rep_wpm=170.0,
                  self_focus_share=promo / (promo + questions))
             for i, name in enumerate(["acme", "globex", "initech"])]
    assert 3 <= len(coaching_points(calls, {})) <= 6


def test_report_coaching_bad_rule_names_the_file_and_the_rule(tmp_path):
    path = tmp_path / "coaching.json"
    path.write_text(json.dumps({"rules": [
        {"id": "oops", "metric": "rep_talk_share", "when": "sideways", "threshold": 1,
         "message": "x"}]}))
    with pytest.raises(ValueError, match=r"coaching.json: rule oops: when must be"):
        load_rules(path)
    path.write_text(json.dumps({"rules": [
        {"id": "typo", "metric": "rep_talk_share", "when": "above", "threshold": 1,
         "message": "{shrae:.0%}"}]}))
    with pytest.raises(ValueError, match=r"rule typo: message"):
        load_rules(path)
