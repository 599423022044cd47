"""Turns: hand-built calls with known turns, and invariants on random calls."""

from __future__ import annotations

import math

import pytest
from conftest import random_calls, utt
from hypothesis import given, settings

from analyzer.call.turns import build_turns, floor_turns, words_in
from analyzer.types import Utterance, Word

NAN = math.nan


def spans(turns):
    return [(t.speaker, t.start, t.end, t.backchannel) for t in turns]


def test_turns_pause_of_same_speaker_does_not_end_turn():
    turns = build_turns([utt("R", (0, 1, "hello")), utt("R", (5, 6, "again"))])
    assert spans(turns) == [("R", 0, 6, False)]
    assert turns[0].text == "hello again" and turns[0].word_count == 2


def test_turns_other_speaker_ends_turn():
    turns = build_turns([utt("R", (0, 1, "hello")), utt("C", (1.5, 2, "hi")),
                         utt("R", (3, 4, "so"))])
    assert spans(turns) == [("R", 0, 1, False), ("C", 1.5, 2, False), ("R", 3, 4, False)]


def test_turns_backchannel_between_does_not_interrupt_monologue():
    turns = build_turns([utt("R", (0, 5, "first")), utt("C", (5.5, 5.9, "Mm-hmm.")),
                         utt("R", (6.5, 10, "second"))])
    assert spans(turns) == [("R", 0, 10, False), ("C", 5.5, 5.9, True)]
    assert spans(floor_turns(turns)) == [("R", 0, 10, False)]


def test_turns_backchannel_phrase_inside_overlap_is_flagged():
    words = [(i, i + 1, "word") for i in range(10)]
    turns = build_turns([utt("R", *words), utt("C", (3.2, 3.5, "got"), (3.5, 3.9, "it"))])
    assert spans(turns) == [("R", 0, 10, False), ("C", 3.2, 3.9, True)]


def test_turns_long_acknowledgement_takes_floor():
    turns = build_turns([utt("R", (0, 5, "first")), utt("C", (5.5, 7.0, "okay")),
                         utt("R", (7.5, 10, "second"))])
    assert [t.backchannel for t in turns] == [False, False, False]


def test_turns_short_real_reply_takes_floor():
    turns = build_turns([utt("R", (0, 5, "first")), utt("C", (5.5, 5.9, "wait")),
                         utt("R", (6.5, 10, "second"))])
    assert len(floor_turns(turns)) == 3


def test_turns_last_word_acknowledgement_takes_floor():
    turns = build_turns([utt("R", (0, 5, "deal?")), utt("C", (5.5, 5.9, "okay"))])
    assert spans(turns) == [("R", 0, 5, False), ("C", 5.5, 5.9, False)]


def test_turns_overlap_is_kept_in_both_turns():
    rep = utt("R", *[(i, i + 1, "word") for i in range(10)])
    customer = utt("C", *[(8 + i, 9 + i, "word") for i in range(4)])
    turns = build_turns([rep, customer])
    assert spans(turns) == [("R", 0, 10, False), ("C", 8, 12, False)]


def test_turns_pause_during_overlap_hands_over_floor():
    turns = build_turns([utt("R", (0, 5, "a")), utt("C", (4, 9, "b")), utt("R", (7, 8, "c"))])
    assert spans(turns) == [("R", 0, 5, False), ("C", 4, 9, False), ("R", 7, 8, False)]


def test_turns_utterance_without_words_is_one_unit():
    plain = Utterance("C", "customer", 2.0, 4.0, "We use three tools.")
    turns = build_turns([utt("R", (0, 1, "hi")), plain])
    assert spans(turns) == [("R", 0, 1, False), ("C", 2, 4, False)]
    assert turns[1].word_count == 4 and turns[1].words == ()


def test_turns_untimed_transcript_keeps_input_order():
    lines = [Utterance("R", "rep", NAN, NAN, "Hi there."),
             Utterance("R", "rep", NAN, NAN, "How are you?"),
             Utterance("C", "customer", NAN, NAN, "Yeah."),
             Utterance("R", "rep", NAN, NAN, "Great."),
             Utterance("C", "customer", NAN, NAN, "We need help.")]
    turns = build_turns(lines)
    assert [(t.speaker, t.text, t.backchannel) for t in turns] == [
        ("R", "Hi there. How are you? Great.", False), ("C", "Yeah.", True),
        ("C", "We need help.", False)]


def test_turns_acknowledging_a_backchannel_keeps_the_floor():
    turns = build_turns([utt("R", (0, 5, "pitch")), utt("C", (5.2, 5.5, "yeah")),
                         utt("R", (5.7, 6.0, "great")), utt("C", (6.5, 8, "we need help"))])
    assert spans(turns) == [("R", 0, 6.0, False), ("C", 5.2, 5.5, True), ("C", 6.5, 8, False)]


def test_turns_empty_call_has_no_turns():
    assert build_turns([]) == ()


def test_turns_words_in_keeps_hyphens_and_apostrophes():
    assert words_in("Mm-hmm. I don't, uh-huh!") == ["mm-hmm", "i", "don't", "uh-huh"]


@settings(max_examples=150, deadline=None)
@given(random_calls())
def test_turns_sorted_and_a_speakers_turns_never_overlap(call):
    turns = build_turns(call)
    assert [t.start for t in turns] == sorted(t.start for t in turns)
    for speaker in ("R", "C"):
        mine = [t for t in turns if t.speaker == speaker]
        assert all(a.end < b.start for a, b in zip(mine, mine[1:], strict=False))


@settings(max_examples=150, deadline=None)
@given(random_calls())
def test_turns_keep_every_word_once(call):
    turns = build_turns(call)

    def key(w: Word) -> tuple:
        return (w.start, w.end, w.text, w.speaker)

    assert sorted((w for t in turns for w in t.words), key=key) == sorted(
        (w for u in call for w in u.words), key=key)
    assert sum(t.word_count for t in turns) == sum(len(u.words) for u in call)


def test_turns_own_backchannel_inside_own_floor_turn_joins_it():
    # Found by hypothesis: once the customer's backchannels are set aside, the rep's two runs
    # join into one floor turn (0-25.6 s) that spanned the rep's own "yeah" at 24.75 s.
    call = [utt("R", (24.75, 24.875, "yeah"), (25.25, 25.375, "yeah"), (25.375, 25.5, "yeah"),
                (25.5, 25.625, "yeah")),
            utt("R", (0.0, 0.125, "yeah")),
            utt("C", (23.0, 24.0, "yeah"), (24.75, 24.875, "yeah"))]
    rep = [t for t in build_turns(call) if t.speaker == "R"]
    assert [(t.start, t.end, t.backchannel) for t in rep] == [(0.0, 25.625, False)]
    assert sum(t.word_count for t in rep) == 5


def test_turns_long_silence_ends_the_monologue():
    # threshold: silence_ends_turn_s in models/metrics/thresholds.json (5 s)
    turns = build_turns([utt("R", (0, 10, "first")), utt("R", (16, 20, "again")),
                         utt("R", (24, 30, "still"))])
    assert spans(turns) == [("R", 0, 10, False), ("R", 16, 30, False)]


def test_turns_backchannel_in_a_long_pause_is_not_silence():
    turns = build_turns([utt("R", (0, 10, "first")), utt("C", (13, 13.5, "mm-hmm")),
                         utt("R", (16.5, 20, "again"))])
    assert spans(floor_turns(turns)) == [("R", 0, 20, False)]


def test_turns_cough_does_not_end_the_monologue():
    for noise in ("[cough]", "(coughs)", "*sneezes*"):
        turns = build_turns([utt("R", (0, 5, "first")), utt("C", (5.5, 5.9, noise)),
                             utt("R", (6.5, 10, "second"))])
        assert spans(turns) == [("R", 0, 10, False), ("C", 5.5, 5.9, True)], noise


def test_turns_short_interjection_that_is_a_word_takes_the_floor():
    # "Sorry?" is the customer speaking (a question, an objection): it ends the monologue.
    turns = build_turns([utt("R", (0, 5, "first")), utt("C", (5.5, 5.9, "Sorry?")),
                         utt("R", (6.5, 10, "second"))])
    assert spans(turns) == [("R", 0, 5, False), ("C", 5.5, 5.9, False), ("R", 6.5, 10, False)]


def test_turns_real_zoom_meeting_monologue_ends_at_the_443_second_gap(tmp_path, cli_fake_stt):
    import pandas as pd
    from click.testing import CliRunner
    from conftest import realdata_path

    from analyzer.cli import cli

    vtt = realdata_path("zoom_vtt", "meeting001_transcript.vtt")
    result = CliRunner().invoke(cli, ["analyze", str(vtt), "--rep-name", "Andrew Knight",
                                      "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 0, result.output
    (call,) = pd.read_parquet(tmp_path / "calls.parquet").to_dict("records")
    # 665.07 s (11:05) across the gap before silence_ends_turn_s; see models/metrics/README.md
    assert call["longest_monologue_s"] == pytest.approx(220.53)
    assert call["longest_monologue_start_s"] == pytest.approx(615.21)
