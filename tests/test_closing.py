"""The close through the production path: asks and their answers, commitments, dated next
steps, objections and the rep's answer, trackers and phases (``analyze_call`` on hand-built
transcripts, and the command line on a transcript file)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from click.testing import CliRunner

from analyzer.call.analysis import Models, analyze_call
from analyzer.call.roles import RoleEvidence
from analyzer.types import CUSTOMER, REP, CallSource, Correction, Segment, Transcript, Utterance


def call_of(labeler, *lines: tuple[str, str], corrections=()):
    """A call from (speaker, text) lines, four seconds each; "Rep" is the rep."""
    segments = tuple(Segment(who, 4.0 * i, 4.0 * i + 3.5, text)
                     for i, (who, text) in enumerate(lines))
    speakers = tuple(dict.fromkeys(who for who, _ in lines))
    transcript = Transcript(segments, speakers, 4.0 * len(lines), "text")
    source = CallSource("c1", "alice", "c1.txt", rep_speaker="Rep")
    return analyze_call(source, transcript, RoleEvidence(rep_speaker="Rep"), Models(labeler),
                        corrections)


def flags_of(result, label: str):
    return [f for f in result.flags if f.label == label]


def test_closing_healthy_ask_agreed_is_the_next_step(session_labeler):
    result = call_of(session_labeler,
                     ("Rep", "Hi Dana, how are you today?"),
                     ("Cust", "Good thanks."),
                     ("Rep", "Would it make sense to set up a pilot with your team?"),
                     ("Cust", "Yes, absolutely. We will start the pilot on Monday."))
    m = result.metrics
    assert (m.asks, m.asks_agreed, m.asks_declined) == (1, 1, 0)
    assert m.next_step_agreed and "pilot on Monday" in m.next_step_text
    assert m.next_step_s == 12.0
    assert m.healthy_ask_share == 1.0
    ask = flags_of(result, "ask")[0]
    assert (ask.subtype, ask.rule) == ("agreed", "ask_count_in")


def test_closing_next_step_is_the_dated_one_not_a_later_undated_promise(session_labeler):
    # Who does what by when: the rep's dated step the customer agreed to, not the customer's
    # undated promise after it.
    result = call_of(session_labeler,
                     ("Rep", "I'll send the proposal by Friday."),
                     ("Cust", "Sure, that works."),
                     ("Rep", "Great."),
                     ("Cust", "And I will sign the order form."))
    m = result.metrics
    assert m.next_step_agreed and "proposal by Friday" in m.next_step_text
    assert m.next_step_s == 0.0
    assert {f.label for f in result.flags if f.role == "customer"} >= {"commitment"}


def test_closing_next_step_is_the_last_one_agreed_not_an_early_dated_one(session_labeler):
    # Readers of real calls chose the step the call ends on (models/eval/sales/next_steps.csv,
    # stop 38): an early "I'll send you the deck today." is no longer the call's next step
    # once the customer commits to the pilot, and a question of what the customer does now
    # ("How do you run onboarding now?") names no step at all.
    result = call_of(session_labeler,
                     ("Rep", "I'll send you the deck today."),
                     ("Cust", "Sure."),
                     ("Rep", "How do you run onboarding now?"),
                     ("Cust", "Mostly by hand, with spreadsheets."),
                     ("Rep", "That is where most teams lose time."),
                     ("Cust", "Yes, it is."),
                     ("Rep", "What would a good first month look like?"),
                     ("Cust", "Fewer manual steps."),
                     ("Rep", "Would it make sense to set up a pilot?"),
                     ("Cust", "Yes. We'll start the pilot on the first."))
    m = result.metrics
    assert m.next_step_agreed and m.next_step_text == "We'll start the pilot on the first."
    assert [f.utterance for f in flags_of(result, "next_step")] == [0]


@pytest.mark.parametrize("said", [
    "Good morning Sarah, thank you for taking the time to meet with us today.",
    "So you can just share your screen right now.",
    "Um you do get a lower month or hourly price for that."])
def test_closing_a_greeting_a_chore_or_a_price_is_no_agreed_next_step(session_labeler, said):
    # Three calls of the tune part said to end agreed on such a sentence (stop 38).
    result = call_of(session_labeler, ("Rep", said), ("Cust", "Sure."))
    assert not result.metrics.next_step_agreed and not flags_of(result, "next_step")


def test_closing_rep_dated_step_agreed_with_a_yes_is_the_next_step(session_labeler):
    # The issue's own example: a next step the rep proposes, agreed by the customer.
    result = call_of(session_labeler,
                     ("Rep", "Let's meet Tuesday at ten with your CFO."),
                     ("Cust", "Sure, that works."))
    assert result.metrics.next_step_agreed
    assert result.metrics.next_step_text == "Let's meet Tuesday at ten with your CFO."
    answer = flags_of(result, "answer")[0]
    assert (answer.subtype, answer.rule) == ("agreed", "next_step:agreed_yes")
    assert result.metrics.asks == 0


def test_closing_rep_dated_step_declined_is_no_next_step(session_labeler):
    result = call_of(session_labeler,
                     ("Rep", "Let's meet Tuesday at ten with your CFO."),
                     ("Cust", "No, I'm not interested."))
    assert not result.metrics.next_step_agreed


def test_closing_asking_for_it_today_is_a_healthy_ask_not_pressure(session_labeler):
    # Coaches reading real persuasion dialogues called these plain asks (models/eval/closing/).
    for line, answer in (("How much do you want to donate today?", "Sure, $20 is fine."),
                         ("Are you ready to sign today?", "Sure.")):
        result = call_of(session_labeler, ("Rep", line), ("Cust", answer))
        assert [f.rule for f in flags_of(result, "ask")] != [], line
        assert flags_of(result, "pushy_close") == [], line
        assert result.metrics.asks_agreed == 1


def test_closing_a_yes_that_brings_someone_into_the_step_agrees(session_labeler):
    # Stop 44 (a discovery call written by others): the question widens the step, it does not
    # put the yes on hold.
    result = call_of(session_labeler,
                     ("Rep", "Would you be interested in seeing a demo of how our platform "
                             "could address these challenges?"),
                     ("Cust", "Yes, that would be valuable. Could we include our CISO in that "
                              "call?"))
    assert result.metrics.asks_agreed == 1


def test_closing_a_yes_much_later_agrees_to_no_earlier_step(session_labeler):
    # Stop 44 (a door-to-door call): a yes to leaving some info agreed to every earlier step.
    middle = [("Cust", "We have had ants in the kitchen since spring."),
              ("Rep", "Where do you see them most?"), ("Cust", "Mostly by the back door."),
              ("Rep", "That is common here."), ("Cust", "My husband sprays every week."),
              ("Rep", "How long does it keep them away?"), ("Cust", "A few days at most.")]
    result = call_of(session_labeler, ("Rep", "I'll send you the proposal on Friday."),
                     ("Cust", "We get a lot of people knocking."), *middle,
                     ("Rep", "Would it help if I left some info for you to look over?"),
                     ("Cust", "Yeah, that'd be great."))
    assert "proposal" not in result.metrics.next_step_text


@pytest.mark.parametrize("line", ["How much control do you want to give it access to?",
                                  "Which plan would you like to start with?"])
def test_closing_a_bare_yes_answers_no_open_question(session_labeler, line):
    # Stop 44, real calls: "Yeah." to "How much control ...?" made the call end agreed.
    result = call_of(session_labeler, ("Rep", line), ("Cust", "Yeah."))
    assert result.metrics.asks_agreed == 0
    assert not result.metrics.next_step_agreed


@pytest.mark.parametrize("said, reply, commits", [
    ("If it makes sense, we can schedule a scoping call with our architect.", "Okay, cool.",
     False),
    ("If it makes sense, we can schedule a scoping call with our architect.",
     "Yes, that would be valuable.", True),
    ("Would it make sense to schedule a scoping call with our architect?", "Okay, cool.", True)])
def test_closing_a_bare_okay_to_a_statement_commits_to_nothing(session_labeler, said, reply,
                                                               commits):
    # Stop 45, real calls: "Okay, cool." and "Yeah." to a rep's statement were read as
    # commitments (1 of 7 such right on the tune part); the answer still takes the step.
    result = call_of(session_labeler, ("Rep", said), ("Cust", reply))
    assert result.metrics.asks_agreed == 1
    assert bool(flags_of(result, "commitment")) is commits


def test_closing_asks_put_indirectly_or_as_an_invitation(session_labeler):
    lines = {"I was wondering if you'd be open to a pilot next month.": "ask_indirect",
             "I'd like to invite you to join the pilot.": "ask_invite",
             "How about starting with the smaller plan?": "ask_how_about",
             "You want to start the pilot next week?": "ask_you_wanna"}
    for line, rule in lines.items():
        result = call_of(session_labeler, ("Rep", line), ("Cust", "Let me think about it."))
        asks = flags_of(result, "ask")
        assert [(f.rule, f.subtype) for f in asks] == [(rule, "deferred")], line


def test_closing_asking_again_after_a_no_is_pushy(session_labeler):
    result = call_of(session_labeler,
                     ("Rep", "Would you like to donate $5 to the fund?"),
                     ("Cust", "No, I would not."),
                     ("Rep", "Would you like to give $1 then?"))
    pushy = flags_of(result, "pushy_close")
    assert [(f.text, f.subtype, f.rule, f.span) for f in pushy] == [
        ("Would you like to give $1 then?", "insisting", "insist_after_no", "No")]
    m = result.metrics
    assert (m.asks, m.pushy_closing, m.healthy_ask_share) == (1, 1, 0.5)


def test_closing_asking_again_after_acknowledging_the_no_is_healthy(session_labeler):
    result = call_of(session_labeler,
                     ("Rep", "Would you like to donate $5 to the fund?"),
                     ("Cust", "No, I can't afford it."),
                     ("Rep", "I understand. Would you like to give $1 instead?"))
    assert flags_of(result, "pushy_close") == []
    assert result.metrics.asks == 2


def test_closing_money_worry_brushed_aside_is_pushy_with_the_reps_words(session_labeler):
    # Stop 29, real closing calls: after "I don't have the money", sending the customer to
    # family for it, or waving the worry away, presses; the same words with no price
    # objection before them, or under a condition, do not.
    result = call_of(session_labeler,
                     ("Rep", "The programme is two thousand pounds."),
                     ("Cust", "Honestly, I don't have the money till March."),
                     ("Rep", "Is that something you can get from a family member?"))
    pushy = flags_of(result, "pushy_close")
    assert [(f.subtype, f.rule, f.span) for f in pushy] == [
        ("brushing_aside", "brush_off_price", "from a family member")]
    assert result.metrics.pushy_closing == 1
    calm = call_of(session_labeler,
                   ("Cust", "My sister helped me pay for college."),
                   ("Rep", "So you got it from a family member."),
                   ("Cust", "I can't afford it right now."),
                   ("Rep", "If you can get the deposit from a family member, we can start."))
    assert flags_of(calm, "pushy_close") == []


@pytest.mark.parametrize(("lines", "label", "expected"), [
    # Stop 29, real calls: a rate quotes a price; an amount offered is still a commitment.
    ((("Rep", "What do you earn now?"), ("Cust", "Because of the program, $4,400 a month.")),
     "commitment", []),
    ((("Rep", "Would you like to donate?"), ("Cust", "Can I donate $30 a month?")),
     "commitment", ["Can I donate $30 a month?"]),
    # "we can help with this purchase" names no action of the customer's; "do that" in a
    # relative clause is a memory.
    ((("Rep", "Any questions?"),
      ("Cust", "Based on the eligibility, we can help with this purchase.")), "commitment", []),
    ((("Rep", "How did that feel?"), ("Cust", "The rush I'll get off doing that is great.")),
     "commitment", []),
    # Asking what the customer has set aside, or feels, asks for facts, not the business.
    ((("Cust", "I want to start."), ("Rep", "How much do you have set aside?")), "ask", []),
    ((("Cust", "I want to start."),
      ("Rep", "Where do you feel like you need the most support in your fitness journey?")),
     "ask", []),
    # Picking the hour of a call the customer already took is scheduling (stop 35's brief).
    ((("Cust", "Tomorrow is better."), ("Rep", "Can you do 4.30 tomorrow?")), "ask", []),
    # The customer's hours of study, and belief in themselves, commit to nothing; "I agree"
    # answers an ask with a yes.
    ((("Rep", "How many hours can you study?"),
      ("Cust", "Daily one hour and on Saturday I can give you 2 to 4 hours.")), "commitment", []),
    ((("Rep", "How do you feel about it?"), ("Cust", "I know I can do it.")), "commitment", []),
    ((("Rep", "Would you like to join the programme?"), ("Cust", "I agree.")),
     "commitment", ["I agree."]),
    # Stop 29, real3 (read after its one report): someone else decides, said in a buyer's
    # words; a time asked with "are you available"; a demo offered with "let me know if".
    ((("Rep", "The fee is 30 percent."),
      ("Cust", "Okay, I'll pass it along to him and see what he says.")),
     "objection", ["Okay, I'll pass it along to him and see what he says."]),
    ((("Cust", "Alberto could not make it."),
      ("Rep", "Are you available today or tomorrow for a follow-up?")),
     "ask", ["Are you available today or tomorrow for a follow-up?"]),
    # Stop 29, the real calls' tune halves: the next step proposed with "let's book" or a
    # demo offered with "let me know if"; doubt that they will find someone.
    ((("Cust", "I'll ring her tonight."),
      ("Rep", "Then let's book a quick catch up call tomorrow.")),
     "ask", ["Then let's book a quick catch up call tomorrow."]),
    ((("Cust", "I'll show the team."),
      ("Rep", "And let me know if you'd like a quick Zoom demo for them.")),
     "ask", ["And let me know if you'd like a quick Zoom demo for them."]),
    ((("Rep", "We replace anyone who leaves."),
      ("Cust", "What if you never find someone to replace them?")),
     "objection", ["What if you never find someone to replace them?"]),
    # Haggling and waiting are objections.
    ((("Rep", "The lowest is 2.5."), ("Cust", "Can it be anything lower?")),
     "objection", ["Can it be anything lower?"]),
    ((("Rep", "That's the lowest."), ("Cust", "Then I think I will need to wait, man.")),
     "objection", ["Then I think I will need to wait, man."]),
])
def test_closing_real_call_phrasings(session_labeler, lines, label, expected):
    result = call_of(session_labeler, *lines)
    assert [f.text for f in flags_of(result, label)] == expected, result.flags


def test_closing_no_problem_is_a_yes_not_a_no(session_labeler):
    result = call_of(session_labeler,
                     ("Rep", "How about donating the entire $2?"),
                     ("Cust", "I have no problem donating the entire $2."),
                     ("Rep", "To be clear, how much are you willing to donate?"))
    assert flags_of(result, "ask")[0].subtype == "agreed"
    assert flags_of(result, "pushy_close") == []


def test_closing_a_why_question_is_no_ask(session_labeler):
    result = call_of(session_labeler, ("Rep", "Why don't you want to donate?"),
                     ("Cust", "I just can't afford it."))
    assert flags_of(result, "ask") == []


def test_closing_pushy_close_declined_ends_without_a_next_step(session_labeler):
    result = call_of(session_labeler,
                     ("Rep", "This price ends Friday, so you need to sign today."),
                     ("Cust", "No, I'm not interested."))
    m = result.metrics
    assert (m.asks, m.pushy_declined, m.pushy_agreed) == (0, 1, 0)
    assert not m.next_step_agreed and m.next_step_text == "" and math.isnan(m.next_step_s)
    assert m.healthy_ask_share == 0.0
    answer = flags_of(result, "answer")[0]
    assert answer.subtype == "declined" and answer.rule.startswith("pushy_close:")


def test_closing_deferred_answer_is_no_agreement(session_labeler):
    result = call_of(session_labeler,
                     ("Rep", "Would you be interested in a trial?"),
                     ("Cust", "Maybe, let me think about it."))
    assert (result.metrics.asks_deferred, result.metrics.next_step_agreed) == (1, False)


def test_closing_objection_answered_by_a_question(session_labeler):
    result = call_of(session_labeler,
                     ("Cust", "Honestly it's too expensive for us right now."),
                     ("Rep", "What budget did you set aside for this project?"))
    m = result.metrics
    assert (m.objections, m.objection_kinds, m.objections_answered_share) == (1, "price=1", 1.0)
    answer = flags_of(result, "objection_answer")[0]
    assert (answer.role, answer.subtype) == ("rep", "question")


def test_closing_objection_pressed_is_not_answered(session_labeler):
    result = call_of(session_labeler,
                     ("Cust", "I need to talk to my boss first."),
                     ("Rep", "Would you like to sign the order today?"))
    m = result.metrics
    assert (m.objections, m.objection_kinds, m.objections_answered_share) == (
        1, "authority=1", 0.0)
    assert flags_of(result, "objection_answer")[0].subtype == "pressed"


def test_closing_objection_acknowledged(session_labeler):
    result = call_of(session_labeler,
                     ("Cust", "How do I know this is not a scam?"),
                     ("Rep", "I completely understand. Our reports are public."))
    assert flags_of(result, "objection")[0].subtype == "trust"
    assert flags_of(result, "objection_answer")[0].subtype == "acknowledged"


def test_closing_a_bare_yeah_is_no_answer_to_an_objection(session_labeler):
    """Real calls (stop 50): a rep's bare "Yeah." was the pitch that answered "a little
    lower."; a backchannel takes no turn, and the rep's next turn answers."""
    result = call_of(session_labeler, ("Cust", "Honestly it's too expensive for us right now."),
                     ("Rep", "Yeah."), ("Cust", "We have a tight budget this year."),
                     ("Rep", "What budget did you set aside for this project?"))
    answers = flags_of(result, "objection_answer")
    assert {(f.subtype, f.text) for f in answers} == {
        ("question", "What budget did you set aside for this project?")}
    alone = call_of(session_labeler, ("Cust", "Honestly it's too expensive for us right now."),
                    ("Rep", "Yeah."))
    assert flags_of(alone, "objection_answer") == []
    pitch = call_of(session_labeler, ("Cust", "Honestly it's too expensive for us right now."),
                    ("Rep", "Yeah. Our platform pays for itself in three months."))
    assert [f.text for f in flags_of(pitch, "objection_answer")] == [
        "Our platform pays for itself in three months."]


def test_closing_a_bare_right_is_no_question_about_the_objection(session_labeler):
    """Real calls (stop 51): "I'd have to talk to my counterpart" was answered "question"
    with the words "Right?", the opening of the rep's pitch."""
    result = call_of(session_labeler, ("Cust", "I need to talk to my boss first."),
                     ("Rep", "Right? Because our platform keeps every contact up to date."))
    assert {(f.subtype, f.text) for f in flags_of(result, "objection_answer")} == {
        ("pitched", "Because our platform keeps every contact up to date.")}


@pytest.mark.parametrize("said", ["Got it.", "Fair question.",
                                  "I appreciate you being transparent about your budget."])
def test_closing_a_bare_got_it_takes_the_objection_in(session_labeler, said):
    """Real calls (stop 31): "Got it." after a budget cap was read as a pitch; written calls
    (stop 50): "Fair question." and "I appreciate you being transparent ..." too."""
    result = call_of(session_labeler, ("Cust", "We cap out around 24K for a pilot."),
                     ("Rep", said))
    assert flags_of(result, "objection_answer")[0].subtype == "acknowledged"


def test_closing_dated_next_step_with_evidence(session_labeler):
    result = call_of(session_labeler,
                     ("Rep", "I'll send the proposal by Friday."),
                     ("Cust", "Sounds good."))
    step = flags_of(result, "next_step")[0]
    assert (step.role, step.rule) == ("rep", "next_step_action_time")
    assert "Friday" in step.span


def test_closing_past_donation_is_no_commitment(session_labeler):
    result = call_of(session_labeler,
                     ("Rep", "Have you ever donated to a charity?"),
                     ("Cust", "I have donated $100 last year."))
    assert result.metrics.commitments == 0 and not result.metrics.next_step_agreed


def test_closing_trackers_say_who_named_them_and_whether_asked(session_labeler):
    result = call_of(session_labeler,
                     ("Cust", "We use Salesforce today."),
                     ("Cust", "Is Gong cheaper than you?"),
                     ("Rep", "Brightline plugs into it."))
    found = [(f.role, f.subtype, f.rule) for f in flags_of(result, "tracker")]
    assert found == [("customer", "Salesforce", "tracker:competitor"),
                     ("customer", "Gong", "tracker:competitor:question"),
                     ("rep", "Brightline", "tracker:product")]
    assert (result.metrics.tracker_mentions, result.metrics.competitor_mentions) == (3, 2)


def test_closing_phases_seconds_and_presenting_before_discovery(session_labeler):
    """A call cut as a reader would cut it: three lines of greeting, the rep's pitch and the
    customer's nod, discovery, the price, the trial booked and the goodbye."""
    result = call_of(session_labeler,
                     ("Rep", "Hi Dana, how are you?"),
                     ("Cust", "Fine, thanks. How was your weekend?"),
                     ("Rep", "Great, thanks for asking."),
                     ("Rep", "Our platform records every call and scores each rep "
                             "automatically, so managers see the whole team at a glance."),
                     ("Rep", "We built it with sales coaches and it plugs into your dialer, "
                             "your CRM and your calendar in a few minutes."),
                     ("Cust", "Okay, that sounds interesting."),
                     ("Rep", "What are you using today for coaching your reps?"),
                     ("Cust", "Spreadsheets, mostly, and a weekly review of two calls."),
                     ("Rep", "How many reps are on your team, and who decides on tools like "
                             "this?"),
                     ("Cust", "Twelve reps, and I decide."),
                     ("Rep", "It costs 40 dollars per seat per month, billed yearly."),
                     ("Cust", "Is there a discount for annual contracts?"),
                     ("Rep", "Yes, ten percent off the yearly price."),
                     ("Rep", "Would you like to start a trial next week?"),
                     ("Cust", "Sure, let's do Tuesday."),
                     ("Rep", "Great, I'll send the invite. Have a great day!"))
    m = result.metrics
    # Four seconds a line; a stretch ends where the next begins, the last with its line.
    assert (m.opening_s, m.presentation_s, m.discovery_s, m.pricing_s, m.next_steps_s) == (
        12.0, 12.0, 16.0, 12.0, 11.5)
    assert m.objection_s == 0.0 and m.presented_before_discovery
    bands = [(f.subtype, f.start, f.end) for f in flags_of(result, "phase")]
    assert bands[0] == ("opening", 0.0, 12.0) and bands[-1] == ("next_steps", 52.0, 63.5)


def test_closing_phases_one_line_is_no_stretch(session_labeler):
    """Readers cut stretches of a few lines: a lone pitch between the greeting and the
    discovery is not a presentation of its own (a change of phase costs ``switch_penalty``)."""
    from analyzer.evaluate.closing import phases_of

    result = call_of(session_labeler,
                     ("Rep", "Hi, how are you?"),
                     ("Cust", "Fine."),
                     ("Rep", "Our platform records every call and scores each rep "
                             "automatically, so managers see the whole team at a glance."),
                     ("Rep", "What are you using today for coaching?"),
                     ("Cust", "Spreadsheets."),
                     ("Rep", "It costs 40 dollars per seat per month."),
                     ("Rep", "Would you like to start a trial?"),
                     ("Cust", "Sure."))
    assert phases_of(result) == ["opening", "opening", "discovery", "discovery", "discovery",
                                 "pricing", "next_steps", "next_steps"]
    assert not result.metrics.presented_before_discovery


def test_closing_discovery_first_is_not_presenting_early(session_labeler):
    result = call_of(session_labeler,
                     ("Rep", "What are you using today for coaching?"),
                     ("Cust", "Spreadsheets."),
                     ("Rep", "Our platform records every call and scores each rep "
                             "automatically, so managers see the whole team."))
    assert not result.metrics.presented_before_discovery


def test_closing_columns_through_the_command_line(tmp_path, cli_fake_stt):
    from analyzer.cli import cli

    calls = tmp_path / "calls" / "alice"
    calls.mkdir(parents=True)
    (calls / "pilot.txt").write_text(
        "Alice: Hi Dana, how are you today?\n"
        "Dana: Good thanks. We use Salesforce.\n"
        "Alice: Would it make sense to set up a pilot with your team?\n"
        "Dana: Yes, absolutely. We will start the pilot on Monday.\n")
    (calls / "pushy.txt").write_text(
        "Alice: This price ends Friday, so you need to sign today.\n"
        "Dana: No, I'm not interested. It's too expensive for us.\n"
        "Alice: What budget did you have in mind?\n")
    (calls / "promise.txt").write_text(  # typed in a word processor: "We’ll"
        "Alice: How do you quote jobs today?\nDana: By hand.\n"
        "Alice: How long does a quote take?\nDana: About a day.\n"
        "Alice: We\u2019ll put together a quote for you.\nDana: Sounds good, thank you.\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["analyze", str(tmp_path / "calls"), "--rep-name", "Alice",
                                      "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "calls.csv").set_index("call_id")
    row, pushy = table.loc["alice/pilot"], table.loc["alice/pushy"]
    assert bool(row["next_step_agreed"]) and "pilot on Monday" in row["next_step_text"]
    assert (row["asks"], row["asks_agreed"], row["competitor_mentions"]) == (1, 1, 1)
    assert (row["commitments"], row["healthy_ask_share"], row["tracker_mentions"]) == (2, 1.0, 1)
    assert not bool(pushy["next_step_agreed"]) and pd.isna(pushy["next_step_text"])
    assert (pushy["pushy_declined"], pushy["pushy_agreed"], pushy["healthy_ask_share"]) == (
        1, 0, 0.0)
    assert (pushy["objections"], pushy["objection_kinds"], pushy["objections_answered_share"]) \
        == (2, "need=1;price=1", 1.0)
    assert (pushy["asks_deferred"], pushy["asks_declined"]) == (0, 0)
    promise = table.loc["alice/promise"]
    assert bool(promise["next_step_agreed"])
    assert promise["next_step_text"] == "We'll put together a quote for you."
    reps = pd.read_csv(out / "reps.csv").set_index("rep")
    assert reps.loc["alice", "tracker_mentions_mean"] == pytest.approx(1 / 3, abs=1e-3)
    for column in ("opening_s", "discovery_s", "presentation_s", "pricing_s", "objection_s",
                   "next_steps_s", "presented_before_discovery", "objections",
                   "objections_answered_share", "healthy_ask_share", "pushy_declined",
                   "commitments", "tracker_mentions", "next_step_s"):
        assert column in row.index


def test_closing_pages_show_next_step_asks_objections_phases_and_card(tmp_path,
                                                                      session_labeler):
    from conftest import write_run

    result = call_of(session_labeler,
                     ("Rep", "Hi Dana, how are you today?"),
                     ("Cust", "Honestly it's too expensive for us right now."),
                     ("Rep", "I understand. What budget did you set aside?"),
                     ("Cust", "About ten thousand."),
                     ("Rep", "Would it make sense to set up a pilot with your team?"),
                     ("Cust", "Yes, absolutely. We will start the pilot on Monday."))
    write_run([result], [], tmp_path)
    call_html = next((tmp_path / "call-pages").glob("*.html")).read_text(encoding="utf-8")
    assert "Next step" in call_html and "We will start the pilot on Monday." in call_html
    assert "<b>Next step</b> <a href='#' data-t=" in call_html  # the time, before the words
    # What the customer agreed to: the rep's ask just before (stop 38).
    assert ("We will start the pilot on Monday. <span class='muted'>(after the rep said "
            "&ldquo;Would it make sense to set up a pilot with your team?&rdquo;)") in call_html
    assert call_html.index("Next step") < call_html.index("Transcript")
    assert "<span class='badge good'>acknowledged</span>" in call_html
    assert "<span class='badge good'>agreed</span>" in call_html
    # The phases are a row of the timeline, on its time axis (the next steps from 16 s).
    assert '"name":"next steps","y":["phase"],"base":[16.0]' in call_html
    # Under it, how far the phase row holds on real calls (stop 39).
    assert "How far to trust the phase row: on 27 real sales calls" in call_html
    rep_html = next((tmp_path / "reps").glob("*.html")).read_text(encoding="utf-8")
    assert "Closing" in rep_html and "1 of 1" in rep_html


def test_closing_page_says_when_no_next_step_was_agreed(tmp_path, session_labeler):
    from conftest import write_run

    result = call_of(session_labeler,
                     ("Rep", "This price ends Friday, so you need to sign today."),
                     ("Cust", "No, I'm not interested."))
    write_run([result], [], tmp_path)
    call_html = next((tmp_path / "call-pages").glob("*.html")).read_text(encoding="utf-8")
    # Said as what the rules found, not as a fact: on real calls readers found an agreed step
    # on 7 of the 10 test calls where the rules found none (stop 47).
    assert "No agreed next step found</b>: the rules found no concrete action" in call_html
    assert "<span class='badge bad'>declined</span>" in call_html
    # The banner says how far to trust it, with the figures measured on real calls (stop 38).
    assert "ended agreed on 19 (two readers agree on 146 of 149 calls)" in call_html
    assert "readers found an agreed step on 7 of those 10" in call_html


def test_closing_page_says_what_the_rules_did_not_find(tmp_path, session_labeler):
    """No ask and no objection found is said as what the rules found: on real calls they find
    about one ask and one objection in four (stop 47)."""
    from conftest import write_run

    result = call_of(session_labeler, ("Rep", "Our platform tracks every shipment."),
                     ("Cust", "Interesting, tell me more."))
    write_run([result], [], tmp_path)
    call_html = next((tmp_path / "call-pages").glob("*.html")).read_text(encoding="utf-8")
    assert "The rules found no ask for a commitment or a next step." in call_html
    assert "The customer raised no objection the rules know." in call_html


def test_closing_not_decided_and_send_me_information_is_no_agreed_next_step(session_labeler):
    """The demo's pushy call: once a page said "Next step: Okay." for a brush-off."""
    result = call_of(session_labeler,
                     ("Rep", "Do you want the annual plan or monthly plan?"),
                     ("Cust", "We have not decided to buy anything yet."),
                     ("Rep", "There is no rush at all, but our award winning team will make "
                             "this easy for you."),
                     ("Cust", "Okay. Send me some information."))
    m = result.metrics
    assert not m.next_step_agreed and m.pushy_agreed == 0
    assert {f.subtype for f in flags_of(result, "answer")} == {"deferred"}
    assert all(f.subtype != "personal" for f in flags_of(result, "stretch"))  # "our team"


ASK_CALL = (("Rep", "Would it make sense to set up a pilot with your team?"),
            ("Cust", "Yes, absolutely."),
            ("Rep", "Great. I will send you the proposal by Friday."))


def test_closing_ask_marked_wrong_takes_its_answer_and_the_next_step_with_it(session_labeler):
    before = call_of(session_labeler, *ASK_CALL).metrics
    assert (before.asks, before.asks_agreed, before.next_step_agreed) == (1, 1, True)
    wrong = Correction("c1", "ask", "would it make sense to set up a pilot with your team",
                       "wrong")
    result = call_of(session_labeler, *ASK_CALL, corrections=(wrong,))
    m = result.metrics
    assert (m.asks, m.asks_agreed, m.next_step_agreed, m.commitments) == (0, 0, False, 0)
    assert [f.coach for f in flags_of(result, "ask")] == ["wrong"]  # shown as corrected
    assert flags_of(result, "answer") == []


def test_closing_objection_marked_missed_is_counted_with_the_reps_answer(session_labeler):
    lines = (("Cust", "Honestly, my team has a lot on its plate these days."),
             ("Rep", "What would need to change for them to have room for it?"))
    assert call_of(session_labeler, *lines).metrics.objections == 0
    missed = Correction("c1", "objection", "Honestly, my team has a lot on its plate these days.",
                        "missed")
    result = call_of(session_labeler, *lines, corrections=(missed,))
    assert (result.metrics.objections, result.metrics.objections_answered_share) == (1, 1.0)
    objection = flags_of(result, "objection")[0]
    assert (objection.coach, objection.rule) == ("added", "coach")
    assert flags_of(result, "objection_answer")[0].subtype == "question"


def test_closing_could_we_with_a_time_is_an_ask_and_its_yes_a_next_step(session_labeler):
    """The demo's miss: "could we ... next week?" asked for a meeting and no rule knew it."""
    result = call_of(session_labeler,
                     ("Rep", "Could we look at the handover with your IT lead next week?"),
                     ("Cust", "Sure, Tuesday works."))
    m = result.metrics
    assert (m.asks, m.asks_agreed, m.next_step_agreed) == (1, 1, True)
    assert flags_of(result, "ask")[0].rule == "ask_could_we"
    assert call_of(session_labeler, ("Rep", "Can we talk about your team?"),
                   ("Cust", "Sure.")).metrics.asks == 0


def test_closing_an_ask_to_bring_in_the_decider_meets_an_authority_objection(session_labeler):
    """The demo's alice: "our head of people signs off" answered by "can we set up a time
    with her?" is a question about the objection, not pressure; the same ask after a price
    objection presses."""
    def answer(objection: str) -> str:
        result = call_of(session_labeler, ("Cust", objection),
                         ("Rep", "Can we set up a time with her next week?"))
        return flags_of(result, "objection_answer")[0].subtype

    assert answer("Our head of people signs off on anything over ten thousand.") == "question"
    assert answer("Honestly, that is way over our budget.") == "pressed"


def cues_of(labeler, role: str, text: str) -> set[str]:
    """The phases an utterance's cue phrases name (no flags)."""
    from analyzer.call.phases import cue_phases

    utterance = Utterance("Rep" if role == REP else "Cust", role, 0.0, 1.0, text)
    return cue_phases(utterance, labeler.nlp(text), (), labeler.nlp)


def test_closing_customer_asking_what_it_does_names_the_presentation(session_labeler):
    """``customer_phrases`` were dropped with the rep-only phases they name: the customer's
    "what do they do?" named no phase."""
    assert "presentation" in cues_of(session_labeler, CUSTOMER,
                                     "I have not. What do they do to help children?")
    assert "presentation" not in cues_of(session_labeler, REP, "What do they do?")


def test_closing_pushy_close_marked_wrong_leaves_the_healthy_ask_share(session_labeler):
    """A pushy close a coach marked wrong still counted against the healthy asks."""
    lines = (("Rep", "Would you like to start a trial?"), ("Cust", "Sure."),
             ("Rep", "This price ends Friday, so you need to sign today."))
    assert call_of(session_labeler, *lines).metrics.healthy_ask_share == 0.5
    wrong = Correction("c1", "pushy_close", "This price ends Friday, so you need to sign today.",
                       "wrong")
    assert call_of(session_labeler, *lines, corrections=(wrong,)).metrics.healthy_ask_share == 1.0


def rule_hits(nlp, text: str, roles) -> tuple[set[str], set[str]]:
    """The closing rules that match ``text`` and the labels its sentences get, said by any
    of ``roles``."""
    from analyzer.call.closing import compiled, doc_hits, sentence_cues
    from analyzer.call.language import sentences

    compiled(nlp)
    doc = nlp(text)
    hits = doc_hits(doc, nlp)
    labels = {c.label for s in sentences(doc) for role in roles
              for c in sentence_cues(doc, s, role, hits)}
    return {h[0] for h in hits}, labels


def closing_rules() -> list[dict]:
    from analyzer.call.closing import RULES_PATH
    from analyzer.settings import read_json

    return list(read_json(RULES_PATH)["rules"])


def test_closing_every_rule_is_documented_and_its_examples_fire(session_labeler):
    for rule in closing_rules():
        assert rule["description"] and rule["examples"], rule["id"]
        for example in rule["examples"]:
            ids, labels = rule_hits(session_labeler.nlp, example, rule["roles"])
            assert rule["id"] in ids and rule["label"] in labels, (rule["id"], example)


def test_closing_no_rule_gives_its_label_on_its_not_examples(session_labeler):
    """Sentences read on real calls that a rule once took wrongly (``not_examples``)."""
    for rule in closing_rules():
        for example in rule.get("not_examples", []):
            _, labels = rule_hits(session_labeler.nlp, example, rule["roles"])
            assert rule["label"] not in labels, (rule["id"], example)


def test_closing_call_page_highlights_the_close_in_the_transcript(session_labeler, tmp_path):
    from conftest import write_run

    result = call_of(session_labeler,
                     ("Rep", "Would you like to donate $5 to the fund?"),
                     ("Cust", "No, I would not. It is too expensive for me."),
                     ("Rep", "Would you like to give $1 then?"),
                     ("Cust", "Fine, I will give $1 today."))
    write_run([result], [], tmp_path)
    page = (tmp_path / "call-pages" / "c1.html").read_text()
    transcript = page[page.index("<h2>Transcript</h2>"):]
    for label in ("ask", "objection", "commitment", "pushy_close"):
        assert f"<mark class='{label}" in transcript or f" {label}'" in transcript, label
    assert "answer: declined" in transcript  # the ask's note says how the customer answered
    assert "objection</b> price" in transcript
    assert "asked again after the customer said &ldquo;No&rdquo;" in transcript
    assert '"symbol":"diamond"' in page.replace(" ", "")  # asks and objections on the timeline


def test_closing_an_ask_is_no_question_about_the_customer(session_labeler):
    # The labeler alone calls "You want to start the pilot next week?" a question about the
    # customer; the close reads it as an ask, and the call keeps one reading.
    result = call_of(session_labeler,
                     ("Rep", "How does your team book jobs today?"),
                     ("Cust", "With spreadsheets."),
                     ("Rep", "You want to start the pilot next week?"),
                     ("Cust", "Yes."))
    asks = {f.text for f in flags_of(result, "ask")}
    questions = {f.text for f in flags_of(result, "customer_question")}
    assert "You want to start the pilot next week?" in asks
    assert questions == {"How does your team book jobs today?"}
    assert result.metrics.customer_focused_questions == 1


def test_closing_a_question_that_only_asks_back_takes_the_meaning_of_what_came_before(
        session_labeler):
    # "How about you?" after a greeting is a greeting, after the rep's pledge an ask; after
    # the rep's own family or habits it asks about the customer's (persuasion test part: the
    # three returned questions were greetings or an ask, all counted as questions about the
    # customer before).
    def questions(*lines):
        return [f.text for f in flags_of(call_of(session_labeler, *lines),
                                         "customer_question")]

    assert questions(("Cust", "Hi, how are you?"), ("Rep", "I'm good. How about you?")) == []
    assert questions(("Cust", "How are you?"), ("Rep", "Good."), ("Rep", "You?")) == []
    assert questions(("Rep", "I will donate $5 myself. And you?")) == []
    assert questions(("Rep", "I have two kids at home. How about you?")) == ["How about you?"]
    # The rep's own habit or view returns a question about the customer's.
    assert questions(("Rep", "I give to charity now and then. How about you?")) == [
        "How about you?"]


def test_closing_a_concern_deep_in_the_customers_own_talk_answers_nothing(session_labeler):
    # A webinar speaker 200 sentences into a talk said "One of them will die in the next
    # year" (a timing objection) and "It's an $850 cardboard box." (an offer): past
    # answer_reach sentences since the rep last spoke, the words are about something else.
    talk = " ".join(f"Slide {n} shows the survey results." for n in range(1, 11))
    objection = "We can only look at this next year."
    near = call_of(session_labeler, ("Rep", "Would you like to start the pilot?"),
                   ("Cust", objection))
    far = call_of(session_labeler, ("Rep", "Would you like to start the pilot?"),
                  ("Cust", talk + " " + objection))
    assert [f.subtype for f in flags_of(near, "objection")] == ["timing"]
    assert flags_of(far, "objection") == []
    assert flags_of(far, "objection_answer") == []
    # A coach who marks it missed still gets it.
    missed = Correction("c1", "objection", objection, "missed")
    marked = call_of(session_labeler, ("Rep", "Would you like to start the pilot?"),
                     ("Cust", talk + " " + objection), corrections=[missed])
    assert [f.coach for f in flags_of(marked, "objection")] == ["added"]


def test_closing_a_suggestion_and_a_choice_of_how_much_are_healthy_asks(session_labeler):
    # Both were pushy closes before (the labellers of the persuasion parts: asks).
    for ask in ("Yes, why don't you join me?",
                "Say, maybe half of your payment for this task or even the whole thing?"):
        result = call_of(session_labeler, ("Cust", "I like the sound of it."), ("Rep", ask))
        assert [f.text for f in flags_of(result, "ask")] == [ask]
        assert flags_of(result, "pushy_close") == flags_of(result, "customer_question") == []


def test_closing_giving_the_customer_the_floor_is_no_ask(session_labeler):
    # "Okay, please go ahead." in a real customer-service call (SpokenWOZ) was an ask.
    result = call_of(session_labeler, ("Cust", "I'm looking for a place to go in town."),
                     ("Rep", "Okay, please go ahead."), ("Cust", "It should be in the west."))
    assert flags_of(result, "ask") == []
    assert flags_of(call_of(session_labeler, ("Rep", "Please donate to the fund.")), "ask")
    # A real Zoom webinar: the host hands the floor to the speaker, and her "Okay." agreed.
    welcome = call_of(session_labeler,
                      ("Rep", "And so without further ado, please join me in welcoming "
                              "Professor Smith."), ("Cust", "Okay."))
    assert flags_of(welcome, "ask") == flags_of(welcome, "commitment") == []


def test_closing_paperwork_after_the_customer_asked_for_it_presumes_nothing(session_labeler):
    # A real bank call (Harper Valley): "which card would you like to replace" answered the
    # caller's own request and was flagged an assumptive close.
    asked = call_of(session_labeler, ("Cust", "I lost my debit card. Can you send me a new one?"),
                    ("Rep", "Which card would you like to replace?"), ("Cust", "My debit card."))
    cold = call_of(session_labeler, ("Cust", "It sounds interesting."),
                   ("Rep", "Which card would you like to use?"), ("Cust", "Hold on."))
    assert flags_of(asked, "pushy_close") == []
    assert asked.metrics.pushy_closing == 0
    assert [f.subtype for f in flags_of(cold, "pushy_close")] == ["assumptive"]


@pytest.mark.parametrize("said, committed", [
    ("But I have money that I can donate.", False),  # a relative clause commits to nothing
    ("They are non profit so we give what we can including clothes and books.", False),
    ("I have considered donating to St Jude also.", False),  # a perfect: the past
    ("I can donate $20.", True),
    ("I have no problem donating the entire $2.", True),
    ("Its paying me .30", False),  # what the task pays is no offer
    ("Ok. It only pays $0.30 though.", False),
    ("I can give $0.30.", True),
])
def test_closing_a_commitment_is_said_in_the_main_clause(session_labeler, said, committed):
    result = call_of(session_labeler, ("Rep", "Would you like to donate today?"),
                     ("Cust", said))
    assert bool(flags_of(result, "commitment")) is committed


@pytest.mark.parametrize("said", ["At this time I am not willing to do that.",
                                  "That is impossible at this time.",
                                  "At this time I can't donate any amount."])
def test_closing_a_refusal_at_this_time_is_a_timing_objection(session_labeler, said):
    result = call_of(session_labeler, ("Rep", "Would you like to donate today?"),
                     ("Cust", said))
    assert [f.subtype for f in flags_of(result, "objection")] == ["timing"]


def test_closing_an_ask_by_a_pronoun_needs_the_deal_just_before(session_labeler):
    def asks(*lines):
        return [f.text for f in flags_of(call_of(session_labeler, *lines), "ask")]

    assert asks(("Rep", "You can donate a portion of your payment. Would you be interested "
                        "in that?"), ("Cust", "Yes, I'm interested.")) == [
        "Would you be interested in that?"]
    assert asks(("Rep", "Well, they fight world hunger by donating to local schools."),
                ("Rep", "Would you do it now?"), ("Cust", "Maybe.")) == ["Would you do it now?"]
    assert asks(("Rep", "We have a great team in Denver. Would you be interested in that?"),
                ("Cust", "Sure.")) == []


def test_closing_more_information_first_defers(session_labeler):
    result = call_of(session_labeler, ("Rep", "Would you like to donate today?"),
                     ("Cust", "Well, I would prefer to hear more about the charity first."))
    assert [f.subtype for f in flags_of(result, "answer")] == ["deferred"]
    assert flags_of(result, "commitment") == []


def test_closing_white_space_runs_are_one_space(session_labeler):
    # Typed chats double their spaces; spaCy makes the second one a token and "how are  you"
    # was no greeting. The utterance keeps one space, as the labeler parses it.
    result = call_of(session_labeler, ("Rep", "Hello how are  you doing today?"),
                     ("Cust", "Fine."))
    assert flags_of(result, "customer_question") == []
    assert result.utterances[0].text == "Hello how are you doing today?"


def test_closing_an_ask_that_brings_the_decider_in_meets_an_authority_objection(session_labeler):
    objection = ("Cust", "Our head of people signs off on anything over 10,000.")
    for ask, how in (("Can we set up a time with your hand on people next week?", "question"),
                     ("Would you like to sign the order today?", "pressed")):
        result = call_of(session_labeler, objection, ("Rep", ask))
        assert [f.subtype for f in flags_of(result, "objection_answer")] == [how], ask


def test_closing_an_answer_that_asks_back_does_not_agree_to_a_step(session_labeler):
    result = call_of(session_labeler,
                     ("Rep", "Let me know how much you would like to give today."),
                     ("Cust", "Ok. But what is the name of the organization?"))
    assert not result.metrics.next_step_agreed
    assert flags_of(result, "answer") == []


def test_closing_hedges_and_im_in_somewhere_are_no_commitment(session_labeler):
    for line in ("I will probably donate at the end.", "I will try to donate five dollars.",
                 "Hi, I'm in Hawaii!"):
        result = call_of(session_labeler, ("Rep", "Thanks for your time."), ("Cust", line))
        assert flags_of(result, "commitment") == [], line
    result = call_of(session_labeler, ("Rep", "Can I count you in?"), ("Cust", "Ok, I'm in."))
    assert [f.rule for f in flags_of(result, "commitment")] == ["commit_lets_do"]


@pytest.mark.parametrize("lines", [
    # a habit and a past verb are no asks
    [("Rep", "I am wondering if you regularly give to charity?"), ("Cust", "Yes I do.")],
    [("Rep", "Would you be interested in how much I donated?"), ("Cust", "Yes please.")],
])
def test_closing_habits_and_past_verbs_are_no_asks_and_their_yes_no_commitment(
        session_labeler, lines):
    result = call_of(session_labeler, *lines)
    assert flags_of(result, "ask") == [] and flags_of(result, "commitment") == []


def test_closing_a_bare_ok_after_asking_back_answers_the_reply_not_the_ask(session_labeler):
    result = call_of(session_labeler,
                     ("Rep", "How much would you like to donate?"),
                     ("Cust", "Who owns the charity?"),
                     ("Rep", "A bunch of partners help run it."),
                     ("Cust", "ok."))
    assert [f.subtype for f in flags_of(result, "ask")] == ["unanswered"]
    assert flags_of(result, "commitment") == []


@pytest.mark.parametrize("text", [
    "62% is amazing.",
    "What does 5 dollars get these children?",
    "I just know that if I were a child in need, I would be grateful.",
])
def test_closing_no_commitment_in_a_figure_a_question_or_a_hypothetical(session_labeler, text):
    result = call_of(session_labeler, ("Rep", "Would you like to donate today?"), ("Cust", text))
    assert flags_of(result, "commitment") == []


def test_closing_taking_care_of_children_is_no_goodbye(session_labeler):
    """"take care" ends a call; "take care of those children" does not."""
    assert "next_steps" not in cues_of(session_labeler, CUSTOMER,
                                       "We need to take care of those children.")
    assert "next_steps" in cues_of(session_labeler, REP, "Thanks for your time, take care!")


# Stop 27: sales conversations written by others (analyzer.evaluate.sales, sales1 part).

def test_closing_a_time_offered_and_taken_is_an_agreed_next_step(session_labeler):
    result = call_of(session_labeler,
                     ("Rep", "Would Thursday at 2pm work for a follow-up call?"),
                     ("Cust", "Friday at 10 works. Send me the invite."))
    ask = flags_of(result, "ask")[0]
    assert (ask.rule, ask.subtype) == ("ask_time", "agreed")
    assert {f.label for f in result.flags if f.role == "customer"} >= {"commitment"}


# Stop 35: the ask brief (models/eval/sales/ask_brief.md): picking the time of a step already
# agreed is scheduling, and so is a wh-question about a step already taken.

@pytest.mark.parametrize("asked", [
    "I've got openings Thursday at 2pm or Friday at 10am. Which works better?",
    "Tuesday or Thursday better?", "My bad. Can you do three?",
    "Would Saturday at 11AM work for your free consultation?",
    "What date do you want me to call you at?", "Which ones would you like to purchase?"])
def test_closing_scheduling_an_agreed_step_is_no_ask(session_labeler, asked):
    result = call_of(session_labeler, ("Cust", "Sure, let's do the consultation."),
                     ("Rep", asked), ("Cust", "Friday at 10 works."))
    assert flags_of(result, "ask") == []
    assert flags_of(result, "commitment")  # the customer's time is still taken


@pytest.mark.parametrize("said, objection", [
    ("I suppose, kind of financially, you'd like to be rewarded for the work you're doing.",
     False),
    ("I saw cash flow forecasting on your website.", False),
    ("Cashflow isn't exactly fat right now.", True),
    ("I am not financially stable now.", True)])
def test_closing_money_words_are_an_objection_only_of_a_strain(session_labeler, said,
                                                               objection):
    result = call_of(session_labeler, ("Rep", "It comes to $400 a month."), ("Cust", said))
    assert bool(flags_of(result, "objection")) == objection


@pytest.mark.parametrize("said, objection", [
    ("I mean, we don't need to go terribly far back with any of these documents.", False),
    ("I don't need to do anything else according to what they told me.", False),
    ("We don't need that.", True), ("I don't need to donate.", True)])
def test_closing_a_task_that_need_not_be_done_is_no_objection(session_labeler, said,
                                                              objection):
    result = call_of(session_labeler, ("Rep", "How far back should we migrate the records?"),
                     ("Cust", said))
    assert bool(flags_of(result, "objection")) == objection


def test_closing_paperwork_after_ready_to_move_forward_is_no_pressure(session_labeler):
    result = call_of(session_labeler,
                     ("Rep", "And if implementation takes six months, there's a cost too."),
                     ("Cust", "True. Alright, I'm ready to move forward. What's next?"),
                     ("Rep", "I'll send over the contract today."))
    assert flags_of(result, "commitment") and not flags_of(result, "pushy_close")


def test_closing_agreeing_with_a_question_of_their_own_waits(session_labeler):
    """"That sounds great. Before we do that, can I ask about the cost?" has not agreed yet."""
    result = call_of(session_labeler,
                     ("Rep", "Would you like to schedule a visit to meet them?"),
                     ("Cust", "That sounds great. Before we do that, can I ask about the cost?"))
    assert flags_of(result, "ask")[0].subtype == "unanswered"
    assert not flags_of(result, "commitment")


@pytest.mark.parametrize(("said", "kind"), [
    ("$15,000 is definitely above what we were expecting.", "price"),
    ("Look, I'm actually pretty busy right now.", "timing"),
    ("I'm not really interested.", "need"),
    ("What if it doesn't work for us?", "trust"),
    ("We're still evaluating a few different options.", "competitor"),
    ("I still need to get this approved by our CFO.", "authority"),
    # stop 28, read on sales3
    ("Honestly, I'd have to chat with my husband first.", "authority"),
    ("Actually, I'm really swamped right now.", "timing"),
    ("I liked the car, but I am not happy with the price.", "price"),
    ("I was thinking a little lower than that.", "price"),
    ("The Pro sounds good for now.", ""),
    # stop 28, read on the real calls' tune half
    ("My only concern is that my money is getting wasted.", "trust"),
    ("I think I'm good, but first I need to see where I stand and then I'll decide.", "timing"),
    ("We spend a third of our time firefighting instead of building features.", ""),
    ("I'm the ultimate decision maker for sales ops tooling.", ""),
    # stop 31, read on the real calls: a business buyer's concerns in their own words
    ("So that's the biggest part. My biggest worry is how can we keep the quality?", "trust"),
    ("We tried five recruiting firms. It's not been a good experience.", "trust"),
    ("We cap out around 20, 24K for this, for a pilot.", "price"),
    ("I'll probably need to talk about it internally with our Head of Operations.",
     "authority"),
    ("This is comparable to our existing agency.", "competitor"),
    ("My main concern is ensuring my two children are taken care of.", "")])
def test_closing_sales_objections_and_their_kind(session_labeler, said: str, kind: str):
    result = call_of(session_labeler,
                     ("Rep", "It's $15,000 a month for your volume."), ("Cust", said))
    assert [f.subtype for f in flags_of(result, "objection")] == ([kind] if kind else [])


def test_closing_an_amount_answering_a_question_for_facts_is_no_offer(session_labeler):
    """"About $280,000." answers "What's the house worth?"; after an ask it is an offer."""
    fact = call_of(session_labeler, ("Rep", "What do you think the house is worth today?"),
                   ("Cust", "About $280,000."))
    offer = call_of(session_labeler, ("Rep", "How much would you like to give today?"),
                    ("Cust", "A dollar."))
    assert not flags_of(fact, "commitment")
    assert [f.rule for f in flags_of(offer, "commitment")] == ["commit_amount"]


def test_closing_paperwork_right_after_a_yes_follows_the_customer(session_labeler):
    result = call_of(session_labeler,
                     ("Rep", "We'll work on a comprehensive plan for you."),
                     ("Cust", "Sounds good."),
                     ("Rep", "I'll send over the contract next week."))
    assert not flags_of(result, "pushy_close")
    assert flags_of(call_of(session_labeler, ("Rep", "I'll send over the contract next week.")),
                    "pushy_close")


def test_closing_a_price_rise_stated_in_answer_to_the_customers_question_informs(
        session_labeler):
    """"What happens after those twelve months?" "After the campaign, the price goes up to 37
    euros." answers the customer; said unasked, it presses."""
    answered = call_of(session_labeler, ("Cust", "What happens after those twelve months?"),
                       ("Rep", "After the campaign, the price goes up to 37 euros a month."))
    unasked = call_of(session_labeler, ("Cust", "I see."),
                      ("Rep", "After the campaign, the price goes up to 37 euros a month."))
    assert not flags_of(answered, "pushy_close")
    assert [f.subtype for f in flags_of(unasked, "pushy_close")] == ["urgency"]


@pytest.mark.parametrize(("rep", "customer", "labels"), [
    # a past verb is what was, not an offer
    ("What's your budget for this?", "We were budgeting around $1,200 per month.", set()),
    # thinking aloud starts nothing
    ("It all plugs into your CRM.", "Okay, I'm starting to see how these things work together.",
     set()),
    # a short answer naming a day takes the time offered
    ("Which day next week works best for you?", "Uh, Monday.", {"commitment"}),
    # "maybe" defers a time
    ("Would Friday work for a call?", "Maybe Friday works. Send me something first.", set()),
    # "I'll think about it" defers the ask as a timing objection
    ("Would you like to schedule a visit?", "I'll think about it.", {"objection"}),
    # a quantity taken is a purchase (stop 28)
    ("That's $15 a box.", "I guess I'll take fifty then!", {"commitment"}),
    ("It's $99 for four months.", "I will go for the 4 months only.", {"commitment"}),
    ("It's $99 for four months.", "Yeah, I will enroll for this program by tomorrow.",
     {"commitment"})])
def test_closing_sales_answers_read_by_their_words(session_labeler, rep, customer, labels):
    result = call_of(session_labeler, ("Rep", rep), ("Cust", customer))
    assert {f.label for f in result.flags if f.role == "customer"} & {
        "commitment", "objection"} == labels


@pytest.mark.parametrize("said", ["Can you give me a quick picture of where you are today?",
                                  "I was wondering if you could help me out for a moment?"])
def test_closing_a_request_for_information_or_a_favour_is_no_ask(session_labeler, said):
    assert not flags_of(call_of(session_labeler, ("Rep", said), ("Cust", "Sure.")), "ask")


@pytest.mark.parametrize("said", ["I pay 29 euros a month.",
                                  "It's like I'm only paying 4.97 a month right now.",
                                  "It's half the price that I'm paying now, so that's great."])
def test_closing_what_the_customer_pays_today_is_no_step(session_labeler, said):
    """A present tense and a rate ('a month') say what is, not who does what by when (stop
    28, read on sales3)."""
    result = call_of(session_labeler, ("Rep", "What does your current plan cost?"), ("Cust", said))
    assert not flags_of(result, "next_step") and not flags_of(result, "commitment")


@pytest.mark.parametrize("said", ["I'll sign now.", "When I get my next paycheck I will donate.",
                                  "I'll send the proposal by Friday."])
def test_closing_a_step_with_its_time_is_still_dated(session_labeler, said):
    result = call_of(session_labeler, ("Rep", "What would you like to do?"), ("Cust", said))
    assert flags_of(result, "next_step")


@pytest.mark.parametrize("said", ["Your voice broke.", "To be honest, you don't need the guide.",
                                  "Can you come on for the 6 month course for up to 21,000?"])
def test_closing_spoken_words_that_object_to_nothing_and_step_nowhere(session_labeler, said):
    """Read on the real calls (stop 28): a voice that broke is no money trouble, 'you don't
    need' is advice, a '6 month course' is a length and no time for a step."""
    result = call_of(session_labeler, ("Rep", "The course is 26,500 for four months."),
                     ("Cust", said))
    assert not flags_of(result, "objection") and not flags_of(result, "next_step")


def test_closing_a_request_for_help_is_a_favour_not_an_ask(session_labeler):
    result = call_of(session_labeler, ("Rep", "Can you just help me with once more?"),
                     ("Cust", "Yeah, around 635."))
    assert not flags_of(result, "ask") and not flags_of(result, "commitment")


def test_closing_pages_say_how_far_the_labels_hold_on_real_sales_calls(tmp_path,
                                                                      session_labeler):
    """The trust notes quote the real recorded sales calls (stop 28), not only the donation
    chats, where nine asks in ten are right; since stop 46 the figures of the test part's 27
    real calls, scored with a veto that never learned from them."""
    from conftest import write_run

    write_run([call_of(session_labeler, ("Rep", "Would it make sense to set up a pilot?"),
                       ("Cust", "Yes, let's do it."))], [], tmp_path)
    call_html = next((tmp_path / "call-pages").glob("*.html")).read_text(encoding="utf-8")
    rep_html = next((tmp_path / "reps").glob("*.html")).read_text(encoding="utf-8")
    assert "on 27 real recorded sales calls not read to write the rules" in call_html
    assert "asks 12 of 18, commitments 21 of 36, objections 17 of 26" in call_html
    assert "pressure 6 times in 8" in call_html
    assert "35 of 64 on 27 real recorded sales calls" in rep_html


@pytest.mark.parametrize("said, pushy", [
    # Real calls (stop 30): speed and capacity said of the work press on nothing.
    ("This would be a 12-month term because we're going to move super fast through the "
     "strategy anyways.", False),
    ("And then once we start to do that, that's when we can get to high-volume daily "
     "publishing and move fast.", False),
    ("Verbal is still handleable by you as soon as quant and verbal are taken care of.", False),
    # The same pressure naming the sale, in its sentence or the one beside it in the turn.
    ("If you don't enroll today, the price will increase tomorrow.", True),
    ("Do you want the annual plan or monthly plan? We only have two onboarding sites left "
     "this month.", True),
    ("You have a moral responsibility.", True),  # a guilt appeal presses alone
])
def test_closing_pressure_counts_when_it_names_the_sale(session_labeler, said, pushy):
    result = call_of(session_labeler, ("Cust", "Tell me more."), ("Rep", said))
    assert bool(flags_of(result, "pushy_close")) is pushy
    assert (result.metrics.pushy_closing > 0) is pushy


@pytest.mark.parametrize(("said", "commits"), [
    # stop 31, read on real calls: what the customer is doing, or owes others, commits nothing
    ("I mean I am just starting to prepare for it.", False),
    ("I have to give them some idea of what these are going to cost.", False),
    ("I'm going to sign the agreement today.", True),
    ("We will start the pilot on the first.", True)])
def test_closing_a_customers_doing_is_no_commitment(session_labeler, said: str, commits: bool):
    result = call_of(session_labeler, ("Rep", "The pilot is $5,000 for six weeks."),
                     ("Cust", said))
    assert bool(flags_of(result, "commitment")) is commits


@pytest.mark.parametrize(("said", "asks"), [
    # stop 31, read on real calls: a business seller proposes the follow-up in their own words
    ("Happy to schedule a follow-up next week.", True),
    ("Typically, what we'll do from here is share a standard SoW.", True),
    ("Does this make sense to continue the conversation and dig in a bit deeper?", True),
    ("Actually, is there a particular day next week that works better for you?", True),
    ("If your mentor is unavailable on a particular day, another one steps in.", False)])
def test_closing_a_business_sellers_ask_for_the_follow_up(session_labeler, said: str,
                                                         asks: bool):
    result = call_of(session_labeler, ("Cust", "That all sounds interesting for our team."),
                     ("Rep", said))
    assert bool(flags_of(result, "ask")) is asks


# Stop 36, read on the real calls: the agenda, a request for information and an offer of
# material ask for nothing.

@pytest.mark.parametrize("asked", [
    "Anything else you want to go over before I let you go here?",
    "Kevin, did you want to start by just kind of asking any questions you might have?",
    "Would you mind giving me a very, very high level description of the use case?",
    "Would you like me to send you an email?"])
def test_closing_agenda_information_and_material_are_no_ask(session_labeler, asked):
    result = call_of(session_labeler, ("Cust", "We handle about 40 jobs a week."),
                     ("Rep", asked))
    assert flags_of(result, "ask") == []


@pytest.mark.parametrize("said, objection", [
    ("Yeah, I'm moving to Portugal next year.", False),
    ("They can't have new initiatives now because they're too busy.", False),
    ("She's not interested, like, she's just not bothered at all.", False),
    ("I have a job, I don't really need to… go much further with this.", False),
    ("Probably in the next year or two.", True), ("I'm not interested.", True),
    ("We're really busy right now.", True)])
def test_closing_others_plans_and_others_interest_are_no_objection(session_labeler, said,
                                                                   objection):
    result = call_of(session_labeler, ("Rep", "So when would you like to get started?"),
                     ("Cust", said))
    assert bool(flags_of(result, "objection")) == objection


def test_closing_next_step_banner_of_an_untimed_call_has_no_stray_space():
    from analyzer.coach.pages.closing_view import next_step_line

    html = next_step_line({"next_step_agreed": True, "next_step_text": "I'll sign today.",
                           "next_step_s": float("nan")})
    assert "<b>Next step</b>: I&#x27;ll sign today.</div>" in html


def test_closing_next_step_banner_shows_the_reps_last_words_before_a_bare_yes(tmp_path,
                                                                                session_labeler):
    # "Yeah, let's do that." says little alone; no ask was flagged before it, so the banner
    # shows the rep's last sentence (a real call of the tune part, stop 38).
    from conftest import write_run

    result = call_of(session_labeler,
                     ("Rep", "We built our own platform over time. I'm happy to walk you all "
                             "through it with your content lead."),
                     ("Cust", "Yeah, let's do that."))
    write_run([result], [], tmp_path)
    call_html = next((tmp_path / "call-pages").glob("*.html")).read_text(encoding="utf-8")
    assert ("let&#x27;s do that. <span class='muted'>(after the rep said &ldquo;I&#x27;m happy "
            "to walk you all through it with your content lead.&rdquo;)") in call_html, call_html


DISCOVERY = (("Rep", "How do you quote jobs today?"), ("Cust", "By hand, in spreadsheets."),
             ("Rep", "How long does a quote take?"), ("Cust", "About a day each."))


def test_closing_reps_promise_the_customer_agrees_to_late_in_the_call_is_the_next_step(
        session_labeler, tmp_path):
    # Stop 42, real calls of the tune part: "I'll review the transcript ... and follow up"
    # and "Okay." ended a call the readers said ends agreed; the rules knew no step without a
    # time.
    result = call_of(session_labeler, *DISCOVERY,
                     ("Rep", "We'll put together a quote for you."),
                     ("Cust", "Sounds good, thank you."))
    m = result.metrics
    assert m.next_step_agreed and m.next_step_text == "We'll put together a quote for you."
    step = flags_of(result, "next_step")[0]
    assert (step.role, step.subtype, step.rule) == ("rep", "undated", "promise_undated")
    assert [f.subtype for f in flags_of(result, "answer")] == ["agreed"]
    from conftest import write_run

    write_run([result], [], tmp_path)  # the banner shows the customer's yes to the rep's step
    page = next((tmp_path / "call-pages").glob("*.html")).read_text(encoding="utf-8")
    assert ("We&#x27;ll put together a quote for you. <span class='muted'>(the customer "
            "answered &ldquo;Sounds good, thank you.&rdquo;)</span>") in page


@pytest.mark.parametrize("lines", [
    # put off, unanswered, asked as a question, or said early in the call: no step
    (*DISCOVERY, ("Rep", "We'll put together a quote for you."),
     ("Cust", "Let me think about it.")),
    (*DISCOVERY, ("Rep", "We'll put together a quote for you.")),
    (*DISCOVERY, ("Rep", "Or are we going to provide both quotes?"), ("Cust", "Yes.")),
    (("Rep", "I'll send over our deck."), ("Cust", "Okay."), *DISCOVERY),
    (*DISCOVERY, ("Rep", "If you want, I'll send you a brochure."), ("Cust", "Okay.")),
])
def test_closing_a_promise_not_agreed_late_in_the_call_is_no_next_step(session_labeler, lines):
    result = call_of(session_labeler, *lines)
    assert not result.metrics.next_step_agreed
    assert flags_of(result, "next_step") == []


def test_closing_a_dated_step_goes_before_a_promise_in_the_same_turn(session_labeler):
    result = call_of(session_labeler, *DISCOVERY,
                     ("Rep", "I'll call you Monday to lock it down. I'll send the curriculum."),
                     ("Cust", "Yeah, that works."))
    assert result.metrics.next_step_text == "I'll call you Monday to lock it down."


def test_closing_the_customer_telling_the_rep_what_to_do_by_when_is_the_next_step(
        session_labeler):
    result = call_of(session_labeler, *DISCOVERY,
                     ("Rep", "I can have the proposal ready this week."),
                     ("Cust", "Okay. Send me that proposal by Thursday."),
                     ("Rep", "Will do."))
    m = result.metrics
    assert m.next_step_agreed and m.next_step_text == "Send me that proposal by Thursday."
    assert [f.rule for f in flags_of(result, "next_step")] == ["next_step_directive"]


def test_closing_typographic_apostrophes_read_as_straight_ones(session_labeler):
    # Transcripts typed in a word processor write "I’ll" (stop 42: a written call of the tune
    # part whose order "I’ll take fifty" no rule read).
    result = call_of(session_labeler, ("Rep", "You get 10 per cent off on orders over fifty."),
                     ("Cust", "I guess I’ll take fifty then!"))
    assert [f.rule for f in flags_of(result, "commitment")] == ["commit_lets_do"]
    assert result.utterances[1].text == "I guess I'll take fifty then!"
    assert result.metrics.next_step_agreed


def test_closing_a_fallback_asked_in_case_is_no_step(session_labeler):
    result = call_of(session_labeler, ("Rep", "The course runs four months."),
                     ("Cust", "In case I don't finish the course in 4 months, can you give me "
                              "one month extra next week?"))
    assert flags_of(result, "next_step") == [] and not result.metrics.next_step_agreed


def test_closing_someone_elses_later_puts_nothing_off(session_labeler):
    # Stop 42, a written call of the tune part: the order read as put off, so the rep's "Let's
    # make the contract." after it was pushy.
    result = call_of(session_labeler,
                     ("Rep", "Number transfer is easy and takes a day or two."),
                     ("Cust", "I see, sounds easy. I'll take the unlimited plan and my husband "
                              "can come later to make his own contract."),
                     ("Rep", "Great! Let's make the contract."))
    assert [f.rule for f in flags_of(result, "commitment")] == ["commit_lets_do"]
    assert flags_of(result, "pushy_close") == [] and result.metrics.next_step_agreed
    result = call_of(session_labeler, ("Rep", "Would you like to sign up today?"),
                     ("Cust", "I'll do it later."))
    assert [f.subtype for f in flags_of(result, "answer")] == ["deferred"]
