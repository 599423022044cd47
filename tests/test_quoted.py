"""Words the rep quotes from someone else are not the rep's own question, ask or pressure."""

from __future__ import annotations

import pytest
from conftest import analyze_lines

from analyzer.call.quoted import quote_start
from analyzer.types import REP


def rep_labels(result):
    return {f.label for f in result.flags if f.role == REP}


# (what the customer said, the rep's own words, the same words quoted, the labels they carry)
QUOTED = [
    ("We sell our supplements on Amazon and in our own store.",
     "What percentage of your profit is on Amazon?",
     "Other agencies ask the same thing. They say, well, what percentage of your profit is "
     "on Amazon?", {"customer_question", "follow_up_question"}),
    ("The videos go out of date so fast.",
     "Can we set up a pilot with your team next week?",
     "Our own team was just like, hey, can we set up a pilot with your team next week?",
     {"ask"}),
    ("I still have to think about the price.",
     "Offer ends Friday, so sign today before the price goes up.",
     "Then our system sends them a message that says, hey, offer ends Friday, so sign today "
     "before the price goes up.", {"pushy_close"}),
]


@pytest.mark.parametrize(("customer", "own", "quoted", "labels"), QUOTED)
def test_quoted_words_carry_none_of_the_reps_own_acts(session_labeler, customer, own, quoted,
                                                      labels):
    """Real calls (stop 46): "They say, well, what percentage ...?" and "a message that says,
    hey, we're going to try to close this thing" were flagged as the rep's own."""
    said = analyze_lines([("Cust", customer), ("Rep", own)], session_labeler)
    repeated = analyze_lines([("Cust", customer), ("Rep", quoted)], session_labeler)
    assert labels <= rep_labels(said)
    assert not labels & rep_labels(repeated)


def test_quoted_a_question_stays_a_question(session_labeler):
    result = analyze_lines([("Cust", QUOTED[0][0]), ("Rep", QUOTED[0][2])], session_labeler)
    assert "question" in rep_labels(result)


@pytest.mark.parametrize(("sentence", "quote"), [
    ("They say, well, what percentage of your profit is on Amazon?", "well, what"),
    ("We have to go back and say, \"Hey, we need more.", "Hey, we"),
    ("Do you ever tell them, hey, sign now?", "hey, sign"),
    # Words quoted to the customer still reach them (the donation chats' tune part).
    ("Did they tell you \"How much do you like to donate to the charity now?", None),
    ("So once you are done just unmute and say hi.", None),
    ("How do you say hello in French?", None),
    ("But like, look at this, like 1600 people a month search for it.", None),
])
def test_quoted_where_the_quote_starts(sentence, quote):
    start = quote_start(sentence)
    assert (None if start is None else sentence[start:start + len(quote)]) == quote
