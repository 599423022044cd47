"""Role assignment: named speakers, the roster, phrase cues and stereo channels."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import realdata_path
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.call.roles import (
    CALIBRATION_PATH,
    CUES_PATH,
    Roster,
    assign_by_cues,
    assign_roles,
    channel_roles,
    cue_hits,
    decide,
    load_calibration,
    load_cues,
    names_match,
    stereo_roles,
)
from analyzer.run.inputs import RosterError, load_roster
from analyzer.run.transcript_files import read_transcript
from analyzer.types import NAN, RoleAssignment, Segment, Transcript


def call(*lines: tuple[str, str], timed: bool = True) -> Transcript:
    """A transcript from (speaker, text) lines, one second each."""
    segments = tuple(Segment(who, i if timed else NAN, i + 1 if timed else NAN, text)
                     for i, (who, text) in enumerate(lines))
    return Transcript(segments, tuple(dict.fromkeys(w for w, _ in lines)),
                      len(lines) if timed else NAN, "test", timed)


SALES = call(("Priya Shah", "Hi Sam, this is Priya from Acme. Do you have a minute?"),
             ("Sam Cole", "Sure, go ahead."),
             ("Priya Shah", "What are you using today for your invoicing?"),
             ("Sam Cole", "We're using spreadsheets. How much is your tool?"))


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Priya Shah", "priya shah", True),
    ("Priya Shah", "priya.shah@acme.com", True),
    ("Priya Shah", "Priya S", True),
    ("Priya Shah", "Priya S.", True),
    ("Shah, Priya", "Priya Shah", True),
    ("Priya Shah (Acme)", "PRIYA SHAH", True),
    ("José Álvarez", "jose alvarez", True),
    ("Priya Shah", "Priya Sharma", False),
    ("Priya Shah", "Priya", False),
    ("Priya Shah", "Pria Shah", False),
    ("spk_0", "spk_0", True),
    ("spk_0", "spk_1", False),
    ("", "", False),
])
def test_roles_names_match_loosely(a: str, b: str, same: bool) -> None:
    assert names_match(a, b) is same
    assert names_match(b, a) is same


@pytest.mark.parametrize("given_name", ["Priya Shah", "priya shah", "priya.shah@acme.com",
                                        "Priya S"])
def test_roles_named_rep_speaker_wins(given_name: str) -> None:
    customer_sounding = call(("Priya Shah", "I'm calling about my account."),
                             ("Sam Cole", "Thank you for calling, how can I help you?"))
    roles = assign_roles(customer_sounding, rep_speaker=given_name)
    assert roles.rep_speakers == ("Priya Shah",)
    assert (roles.method, roles.confidence) == ("name", 1.0)
    assert roles.role_of("Sam Cole") == "customer"


def test_roles_named_speaker_absent_falls_back_to_cues() -> None:
    roles = assign_roles(SALES, rep_speaker="Dana White")
    assert roles.rep_speakers == ("Priya Shah",) and roles.method == "cues"


def test_roles_every_alias_of_the_rep_is_the_rep() -> None:
    rejoined = call(("Priya Shah", "Hello"), ("Sam Cole", "hi"), ("priya.shah@acme.com", "back"))
    roles = assign_roles(rejoined, rep_speaker="Priya Shah")
    assert roles.rep_speakers == ("Priya Shah", "priya.shah@acme.com")


@pytest.fixture
def roster(tmp_path: Path) -> Roster:
    path = tmp_path / "roster.csv"
    path.write_text("rep,name,role\n"
                    "priya,Priya Shah,rep\n"
                    "priya,priya.shah@acme.com,\n"
                    "lee,Lee Park,rep\n"
                    "priya,Noor Ali,colleague\n", encoding="utf-8")
    return load_roster(path)


def test_roles_roster_aliases_and_colleagues(roster: Roster) -> None:
    meeting = call(("Noor Ali", "Thank you for calling Acme, how can I help you?"),
                   ("Priya S", "Hi, I'm joining too."),
                   ("Sam Cole", "I'd like to see pricing."),
                   ("Lee Park", "Hello all."),
                   ("Jo Bay", "Hi."))
    roles = assign_roles(meeting, roster=roster, rep="priya")
    assert roles.rep_speakers == ("Priya S",)
    assert (roles.method, roles.confidence) == ("roster", 1.0)
    assert set(roles.colleagues) == {"Noor Ali", "Lee Park"}
    assert [roles.role_of(s) for s in ("Sam Cole", "Jo Bay")] == ["customer", "customer"]


def test_roles_roster_without_the_rep_still_names_colleagues(roster: Roster) -> None:
    meeting = call(("Lee Park", "Thank you for calling, how can I help you?"),
                   ("Dana White", "Hi, this is Dana from Acme. What are you using today?"),
                   ("Sam Cole", "I'm calling about my account."))
    roles = assign_roles(meeting, roster=roster, rep="dana-white")
    assert roles.colleagues == ("Lee Park",)
    assert roles.rep_speakers == ("Dana White",)  # the rep's own id, matched as a name
    assert (roles.method, roles.confidence) == ("name", 0.9)


def test_roles_roster_colleague_is_never_picked_by_cues(roster: Roster) -> None:
    meeting = call(("Lee Park", "Thank you for calling, how can I help you?"),
                   ("Ravi Iyer", "Let me check that. What are you using today?"),
                   ("Sam Cole", "I'm calling about my account."))
    roles = assign_roles(meeting, roster=roster, rep="ravi-unlisted")
    assert roles.rep_speakers == ("Ravi Iyer",) and roles.method == "cues"


@pytest.mark.parametrize(("text", "where"), [
    ("rep,alias\npriya,Priya\n", "line 1: missing column(s) name"),
    ("rep,name,role\npriya,Priya,boss\n", "line 2: role 'boss'"),
    ("rep,name\npriya,Priya\n,Lee\n", "line 3: rep and name must not be empty"),
])
def test_roles_bad_roster_names_the_line(tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RosterError, match=re.escape(where)) as caught:
        load_roster(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_roles_cues_find_the_seller() -> None:
    roles = assign_by_cues(SALES)
    assert roles.rep_speakers == ("Priya Shah",) and roles.method == "cues"
    assert 0.3 < roles.confidence <= 1.0


def test_roles_cues_find_the_agent_of_an_inbound_call() -> None:
    inbound = call(("B", "I'm calling about my bill, I need to change my card."),
                   ("A", "Sure, let me check that for you. Can you confirm your name?"),
                   ("B", "I was wondering if you could do it today."),
                   ("A", "Is there anything else I can help you with?"))
    assert assign_by_cues(inbound).rep_speakers == ("A",)


def test_roles_first_speaker_after_a_bare_greeting_is_a_weak_cue() -> None:
    outbound = call(("callee", "Hello?"), ("caller", "Hey, good to hear you."),
                    ("callee", "Yes, go on."))
    roles = assign_by_cues(outbound)
    assert roles.rep_speakers == ("caller",)
    assert 0.5 < roles.confidence < load_calibration().low_confidence


def test_roles_no_cues_means_no_confidence() -> None:
    roles = assign_by_cues(call(("a", "Yes."), ("b", "Hello."), ("a", "Fine."), timed=False))
    assert roles.confidence < load_calibration().low_confidence and len(roles.rep_speakers) == 1


def test_roles_lone_speaker_is_rep_only_when_cues_say_so() -> None:
    voicemail = call(("x", "Hi, this is Priya from Acme, calling to follow up."))
    assert assign_by_cues(voicemail).rep_speakers == ("x",)
    silent = assign_by_cues(call(("x", "Okay then.")))
    assert silent.rep_speakers == () and silent.confidence == 0.5  # a coin flip
    customer = assign_by_cues(call(("x", "I'm calling about my account, I need help.")))
    assert customer.rep_speakers == () and customer.confidence > 0.7


def test_roles_unknown_speaker_is_never_the_rep() -> None:
    roles = assign_by_cues(call(("unknown", "Thank you for calling, how can I help you?"),
                                ("Ana", "Let me check our plans."), ("Bo", "I'd like to order.")))
    assert roles.rep_speakers == ("Ana",)
    assert assign_roles(call(("unknown", "hi")), rep="unknown").rep_speakers == ()


def test_roles_more_than_two_speakers_keep_everyone() -> None:
    roles = assign_by_cues(call(("a", "I'd like to know more."), ("b", "Let me check our plans."),
                                ("c", "My account is old."), ("d", "Hi.")))
    assert roles.rep_speakers == ("b",)
    assert [roles.role_of(s) for s in "acd"] == ["customer"] * 3


def test_roles_stereo_channel() -> None:
    roles = channel_roles("right")
    assert (roles.rep_speakers, roles.method, roles.confidence) == (("right",), "channel", 1.0)
    assert roles.role_of("left") == "customer"
    with pytest.raises(ValueError, match="left' or 'right"):
        channel_roles("middle")


PHRASES = ["thank you for calling", "how can I help you", "I'm calling about my account",
           "I'd like to", "let me check", "hello", "yes", "what are you using today", "okay"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from(PHRASES)), min_size=1,
                max_size=8))
def test_roles_cue_confidence_is_a_probability(lines: list[tuple[str, str]]) -> None:
    transcript = call(*lines)
    roles = assign_by_cues(transcript)
    assert 0.0 <= roles.confidence <= 1.0
    assert set(roles.rep_speakers) <= set(transcript.speakers) and len(roles.rep_speakers) <= 1


def test_roles_cue_file_is_valid_and_documented() -> None:
    data = json.loads(CUES_PATH.read_text(encoding="utf-8"))
    readme = (CUES_PATH.parent / "README.md").read_text(encoding="utf-8")
    for side in ("rep", "customer"):
        for cue in data[side]:
            re.compile(cue["pattern"])
            assert cue["weight"] > 0 and cue["why"]
    for key in ("version", "rep", "customer", "greetings", "first_speaker_weight", "labels",
                "label_weight"):
        assert key in data and f"`{key}`" in readme


def test_roles_real_harper_valley_agent_is_the_rep() -> None:
    path = next(realdata_path("harper_valley").glob("*.json"))
    roles = assign_roles(read_transcript(path))
    assert roles.rep_speakers == ("agent",) and roles.method == "cues"
    assert roles.confidence > 0.6


def stereo(*lines: tuple[str, str]) -> Transcript:
    """A transcribed stereo call: speakers are the channels."""
    return replace(call(*lines), source="whisper")


SWAPPED = stereo(("left", "Hello?"), ("right", "Thank you for calling Acme, how can I help you?"),
                 ("left", "I'm calling about my bill, I need a copy."),
                 ("right", "Sure, let me check that for you."))


def test_roles_stereo_default_channel_is_overturned_by_the_words() -> None:
    roles = decide(SWAPPED)
    assert roles.rep_speakers == ("right",) and roles.method == "cues"
    assert roles.confidence >= load_calibration().low_confidence
    assert "right channel, not the default left" in roles.reason
    assert 'thank you for calling' in roles.reason


def test_roles_stereo_given_channel_is_a_verdict() -> None:
    roles = decide(SWAPPED, rep_channel="left")
    assert (roles.rep_speakers, roles.method, roles.confidence) == (("left",), "channel", 1.0)


def test_roles_stereo_without_cues_keeps_the_default_channel_and_doubts_it() -> None:
    roles = stereo_roles(stereo(("left", "Hello."), ("right", "Hi.")))
    assert roles.rep_speakers == ("left",) and roles.method == "default"
    assert 0.5 < roles.confidence < load_calibration().low_confidence
    assert roles.reason.startswith("default left channel")


def test_roles_stereo_with_one_silent_channel_still_weighs_both() -> None:
    roles = stereo_roles(stereo(("right", "Thank you for calling, how can I help you?")))
    assert roles.rep_speakers == ("right",)


def test_roles_rep_voice_outweighs_a_weak_cue() -> None:
    transcript = call(("a", "Hello, good to hear you."), ("b", "Yes, go on."))
    voice = RoleAssignment(("b",), "voice", 0.9)
    roles = assign_roles(transcript, voice=voice)
    assert roles.rep_speakers == ("b",) and roles.method == "voice"
    assert "b's voice matches the rep's" in roles.reason


def test_roles_title_introduction_finds_the_seller() -> None:
    roles = assign_by_cues(call(("Sam", "Hi, who is this?"),
                                ("Michael", "I'm Michael, co-founder of Brightline."),
                                ("Sam", "Okay, tell me more.")))
    assert roles.rep_speakers == ("Michael",)


def test_roles_calibration_file_is_documented() -> None:
    data = json.loads(CALIBRATION_PATH.read_text(encoding="utf-8"))
    readme = (CALIBRATION_PATH.parent / "README.md").read_text(encoding="utf-8")
    for key in data:
        if key not in ("about",):
            assert f"`{key}`" in readme, key
    assert data["low_confidence"] == load_calibration().low_confidence


def test_roles_real_calls_right_without_hints_and_never_sure_when_wrong() -> None:
    from analyzer.evaluate.roles import decide as decide_case
    from analyzer.evaluate.roles import transcript_cases

    realdata_path("spokenwoz", "text")
    outcomes = [decide_case(c, hint=False) for c in transcript_cases()]
    calls = [o for o in outcomes if not o.case.corpus.startswith("persuasion")]
    assert calls and all(o.right for o in calls), [(o.case.name, o.reason) for o in calls]
    assert not [o for o in outcomes if not o.right and o.confidence >= 0.9]


@pytest.mark.parametrize(("rep", "customer"), [("Sales Rep", "Customer (Sarah)"),
                                               ("REP", "PROSPECT"), ("Agent 2", "Client"),
                                               ("Alex (Sales Rep)", "Jordan (Customer)")])
def test_roles_speaker_names_that_say_the_side_decide(rep: str, customer: str) -> None:
    """A transcript that names its speakers by side says who the rep is, whatever the words
    ("I want to" is a customer's cue, said here by the rep)."""
    transcript = call((customer, "Hi, thanks for calling me back."),
                      (rep, "Sure. I want to walk you through the renewal terms."),
                      (customer, "Go ahead."))
    roles = assign_by_cues(transcript)
    assert roles.rep_speakers == (rep,) and roles.confidence >= 0.9
    assert f"{rep} is named as the rep" in roles.reason


def test_roles_b2b_customer_speaking_of_their_own_product_is_no_seller() -> None:
    """Both sides of a business sale have a company: the buyer's "our product" weighs less
    than the seller's thanks for the time, qualifying questions and the invite."""
    transcript = call(("Sarah", "Hey Jessica, thanks so much for jumping on this call."),
                      ("Jessica", "Happy to. Our product launched last spring and our platform "
                                  "needs cleaner data."),
                      ("Sarah", "Can you walk me through how you onboard customers today?"),
                      ("Jessica", "Our services team does it by hand."),
                      ("Sarah", "Who else would be involved in choosing a tool?"),
                      ("Jessica", "Our CFO."),
                      ("Sarah", "Let me send you a calendar invite for Thursday."))
    assert assign_by_cues(transcript).rep_speakers == ("Sarah",)


def test_roles_outbound_caller_giving_a_reason_is_the_seller() -> None:
    """In a cold call the seller calls: "I'm calling because" (a caller's words, not a
    customer's) and "I want to make sure" do not outweigh "this is Mike with Acme"."""
    transcript = call(("CALLER", "Hi Linda, this is Mike with Acme. I'm calling because your "
                                 "members keep asking about AI."),
                      ("LINDA", "That's right. What is this about?"),
                      ("CALLER", "I want to make sure your members pick the right tools."),
                      ("LINDA", "Fine."))
    assert assign_by_cues(transcript).rep_speakers == ("CALLER",)


def cues_heard(text: str) -> list[str]:
    """Why each cue fires on ``text`` said by Chris, answering Rachel's greeting."""
    transcript = call(("Rachel", "Hey Chris, how are you?"), ("Chris", text))
    return [h.why for h in cue_hits(transcript, load_cues()) if h.speaker == "Chris"]


@pytest.mark.parametrize("text", ["And this is included in the pricing we discussed.",
                                  "This is exactly what I've been looking for."])
def test_roles_this_is_without_a_name_opens_nothing(text: str) -> None:
    assert not [why for why in cues_heard(text) if "naming self" in why]


# Stop 35: a consultant's discovery walkthrough (real14), the customer explaining his firm.

@pytest.mark.parametrize("text, why", [
    ("So this is an issue with rates for the team.", "introduces self and company"),
    ("I set up a, let me see. I have a little key here.", "acts on the customer's behalf"),
    ("We get some time, let me see, what do I, yeah, we get requests.",
     "acts on the customer's behalf"),
    ("I'd like to understand the flow of a project.", "asks for something"),
    ("I want to understand how the invoices come in.", "asks for something")])
def test_roles_walkthrough_words_are_no_cues(text: str, why: str) -> None:
    assert why not in cues_heard(text)


@pytest.mark.parametrize("text, why", [
    ("Hi, this is Mike from Acme.", "introduces self and company"),
    ("Let me see if I can move that for you.", "acts on the customer's behalf"),
    ("Let me see what I can do on the price.", "acts on the customer's behalf"),
    ("I'd like to get a quote for ten seats.", "asks for something")])
def test_roles_the_narrowed_cues_still_hear_their_words(text: str, why: str) -> None:
    assert why in cues_heard(text)


def test_roles_evaluation_scores_a_folder_of_sales_transcripts(tmp_path: Path, capsys) -> None:
    """``python -m analyzer.evaluate.roles --sales DIR`` (its cue-scale sweep once failed on
    a stale import)."""
    from analyzer.evaluate.roles import main

    (tmp_path / "a.txt").write_text("Priya: Hi Sam, this is Priya from Acme.\n"
                                    "Sam: Hi. I need a new card.\n", encoding="utf-8")
    (tmp_path / "manifest.csv").write_text("file,rep_speaker\na.txt,Priya\n", encoding="utf-8")
    main(["--sales", str(tmp_path), "--only-sales"])
    out = capsys.readouterr().out
    assert f"{tmp_path.name}, names as given | no hint | 1     | 100%" in out
    assert "Largest cue scale with no wrong call" in out


def test_roles_a_sellers_i_need_to_gives_no_confident_wrong_rep() -> None:
    """Real video calls (stop 30): the seller says "I need to ..." and "I want to ..." as
    often as the buyer; read as the buyer's asks at full weight they named the buyer the rep
    above the banner (0.79 here). Now either the seller is found or the page warns."""
    video = call(("Dana", "Hi Marcel, good to see you."),
                 ("Marcel", "Thanks for taking the time. I need to jump at three, so I want to "
                            "walk through the dashboard quickly."),
                 ("Dana", "Sure. How much is your tool?"),
                 ("Marcel", "It depends on the seats. I want to get you a quote this week."))
    roles = assign_by_cues(video)
    assert roles.rep_speakers == ("Marcel",) or (
        roles.confidence < load_calibration().low_confidence)


def test_roles_a_sellers_reflective_listening_and_clients_find_the_seller() -> None:
    """Real video calls (stop 31): the buyer speaks first and the seller says "it sounds like
    you ..." (read as the buyer's reaction to a pitch, it named the buyer the rep), speaks of
    "our clients" and shares the screen."""
    video = call(("Camille", "Hey, sorry, I was on another call. We're comparing a few tools."),
                 ("Kyle", "No worries. It sounds like you have a pretty busy quarter."),
                 ("Camille", "Yeah, we have fifty events this year."),
                 ("Kyle", "Let me share my screen. Most of our clients start with one channel."))
    roles = assign_by_cues(video)
    assert roles.rep_speakers == ("Kyle",)
    reaction = assign_by_cues(call(("Ann", "Our plan includes onboarding for your team."),
                                   ("Ben", "That sounds like a good plan.")))
    assert reaction.rep_speakers == ("Ann",)
