"""A question inside the rep's monologue is rhetoric, not a question to the customer."""

from __future__ import annotations

from conftest import analyze_lines

EXPLAINING = ("Should you be looking at one month of prep? It depends on your score. "
              "Most students need two months. The first month is verbal. The second is quant. "
              "Then you take a mock.")


def about_them(result):
    return [f.text for f in result.flags if f.label == "customer_question"]


def test_rhetoric_a_question_the_rep_goes_on_to_answer_is_no_customer_question(
        session_labeler):
    result = analyze_lines([("Cust", "I have about two months before my deadline."),
                            ("Rep", EXPLAINING)], session_labeler)
    assert about_them(result) == []
    assert any(f.label == "question" and f.text.startswith("Should you")
               for f in result.flags)


def test_rhetoric_the_same_question_left_for_the_customer_is_one(session_labeler):
    result = analyze_lines([("Cust", "I have about two months before my deadline."),
                            ("Rep", "It depends on your score. Should you be looking at one "
                                    "month of prep?")], session_labeler)
    assert about_them(result) == ["Should you be looking at one month of prep?"]


def test_rhetoric_a_customer_backchannel_does_not_end_the_monologue(session_labeler):
    """"Mm-hmm." does not take the floor: the rep's sentences after it still follow the
    question in the same turn."""
    first, rest = EXPLAINING.split("? ", 1)
    result = analyze_lines([("Cust", "I have about two months before my deadline."),
                            ("Rep", first + "?"), ("Cust", "Mm-hmm."), ("Rep", rest)],
                           session_labeler)
    assert about_them(result) == []


def test_rhetoric_a_tag_the_rep_talks_past_is_no_customer_question(session_labeler):
    """Real calls (stop 30): "..., right?" said on the way through a pitch checks the rep's
    own statement; the same tag left for the customer to answer asks them."""
    checked = "But then you're doing one a day or five a day eventually, right?"
    talked_past = analyze_lines([("Cust", "We publish once a week."),
                                 ("Rep", checked + " We add screenshots to every post.")],
                                session_labeler)
    left = analyze_lines([("Cust", "We publish once a week."), ("Rep", checked)], session_labeler)
    assert about_them(talked_past) == []
    assert about_them(left) == [checked]
