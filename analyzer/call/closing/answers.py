"""The other side's answers in the close: the customer's answer to each ask, pushy close and
dated next step of the rep (agreed, deferred, declined), the rep's answer to each objection
(acknowledged, a question, pitched again, pressed), the asks that press after a no, and the
money worry brushed aside."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from analyzer.call.closing.cues import Sentence, load_rules
from analyzer.call.turns import says_only_backchannels
from analyzer.call.words import words_in
from analyzer.types import CUSTOMER, REP, Flag


def is_asking(sentence: Sentence) -> bool:
    """A rep sentence that asks for the business: a healthy ask or a pushy close."""
    return sentence.role == REP and (sentence.cue("ask") is not None
                                     or bool({"pushy_close", "pushy_backstop"} & sentence.labels))


def utterance_outcome(group: Sequence[Sentence]) -> tuple[str, Sentence | None]:
    """How one customer utterance answers an ask: declined, deferred, agreed or "" (neither);
    and the sentence that says so."""
    def first(*labels: str) -> Sentence | None:
        return next((s for s in group if any(s.cue(x) for x in labels)), None)

    agreed = first("commitment", "agreed")
    objection = first("objection")
    if first("declined"):
        return "declined", first("declined")
    if objection is not None:
        # "Let me think about it." is a timing objection that puts the answer off.
        later = agreed or objection.cue("deferred")
        return ("deferred" if later else "declined"), objection
    if first("deferred"):
        return "deferred", first("deferred")
    return ("agreed", agreed) if agreed else ("", None)


def answer_to(call: Sequence[Sentence], k: int, max_turns: int = 2) -> tuple[str, Sentence | None]:
    """The customer's answer to the ask at sentence k: the first of their next utterances
    (up to max_turns, and before the rep asks again) that agrees, defers or declines; a bare
    yes after they asked a question back answers the rep's reply, not the ask."""
    groups: dict[int, list[Sentence]] = {}
    for s in call[k + 1:]:
        if s.utterance == call[k].utterance:
            continue
        if is_asking(s):
            break
        if s.role == CUSTOMER:
            if s.utterance not in groups and len(groups) == max_turns:
                break
            groups.setdefault(s.utterance, []).append(s)
    asked_back = False
    open_ask = _asks_what(call[k])
    for group in groups.values():
        outcome, sentence = utterance_outcome(group)
        # After a question of theirs, a bare "ok." takes the rep's reply, not the ask; and a
        # bare "that sounds great" with a question of their own ("Before we do that, can I ask
        # about the cost?") waits for the answer to it, unless it asks for the next step. A
        # bare "yeah" answers no "how much ...?" either.
        bare_yes = sentence is not None and all(c.label == "agreed" for c in sentence.cues)
        asks_now = any(_is_question(s) and s.cue("request") is None and s is not sentence
                       for s in group)
        only_yes = sentence is not None and all(c.rule == "agreed_yes" for c in sentence.cues)
        if outcome and not ((asked_back or asks_now) and bare_yes or open_ask and only_yes):
            return outcome, sentence
        asked_back = asked_back or any(_is_question(s) for s in group)
    return "unanswered", None


def rep_answer(call: Sequence[Sentence], k: int) -> tuple[str, Sentence | None]:
    """How the rep answered the objection at sentence k in their next turn: their next
    utterance that is more than backchannels ("Yeah." takes no turn, as in the turn metrics;
    "Got it." acknowledges)."""
    group = _next_turn([s for s in call[k + 1:] if s.role == REP])
    if not group:
        return "unanswered", None
    ack = next((s for s in group if s.cue("acknowledged")), None)
    asking = next((s for s in group if is_asking(s)), None)
    # A bare "Right?" checks the rep's own words; it asks nothing about the objection.
    said = [s for s in group if not says_only_backchannels(s.text)]
    question = next((s for s in said if _is_question(s)), None)
    if ack is not None:
        return "acknowledged", ack
    if asking is not None and not _meets_the_objection(call[k], asking):
        return "pressed", asking
    if asking is not None:
        return "question", asking
    if question is not None:
        return "question", question
    return "pitched", said[0]  # the turn says more than backchannels (``_next_turn``)


def _next_turn(later: Sequence[Sentence]) -> list[Sentence]:
    """The sentences of the first of these utterances that says more than backchannels or
    acknowledges."""
    for utterance in dict.fromkeys(s.utterance for s in later):
        group = [s for s in later if s.utterance == utterance]
        if any(s.cue("acknowledged") or not says_only_backchannels(s.text) for s in group):
            return group
    return []


def _meets_the_objection(objection: Sentence, asking: Sentence) -> bool:
    """A healthy ask that takes up an objection of a kind an ask meets (``models/closing/
    rules.json``, ``asks_meet``: "someone else decides" is met by asking to bring them in, a
    word or words of the kind's list: "with your", "boss") is a question about it, not
    pressure; a pushy close never is."""
    cue = objection.cue("objection")
    takes_up = load_rules()[0].get("asks_meet", {}).get(cue.subtype if cue else "", ())
    said = f" {' '.join(words_in(asking.text.lower()))} "
    return any(f" {words} " in said for words in takes_up) and "pushy_close" not in asking.labels


def sentence_flag(s: Sentence, label: str, subtype: str, rule: str, span: str) -> Flag:
    return Flag(s.role, s.start, s.end, label, subtype, rule, s.text, span, s.utterance)


def ask_flags(call: Sequence[Sentence], k: int) -> tuple[list[Flag], Sentence | None]:
    """The flags of the ask (or the time of a step already agreed: ``scheduling``) at sentence
    k: the ``ask`` itself when healthy (subtype: the answer) and the customer's ``answer``;
    and the answering sentence when it is a bare yes (which becomes a commitment)."""
    s = call[k]
    outcome, reply = answer_to(call, k)
    ask = s.cue("ask")
    healthy = ask is not None and "pushy_close" not in s.labels
    flags = [sentence_flag(s, "ask", outcome, ask.rule, ask.span)] if ask and healthy else []
    if reply is None:
        return flags, None
    kind = "ask" if healthy else "pushy_close" if is_asking(s) else "scheduling"
    flags.append(_answer(reply, outcome, kind))
    bare_yes = outcome == "agreed" and reply.cue("commitment") is None
    # A "yeah" or an "okay." alone after a rep statement (no question) takes the step but
    # commits the customer to nothing: "We'll see how it's working for your team." "Yeah."
    listening = "question" not in s.labels and says_only_backchannels(reply.text)
    return flags, reply if bare_yes and not listening else None


def _answer(reply: Sentence, outcome: str, kind: str) -> Flag:
    """The customer's ``answer`` flag (rule: what was asked, then the cue that answered)."""
    said = next(c for c in reply.cues if c.label in (
        "declined", "objection", "deferred", "commitment", "agreed"))
    return sentence_flag(reply, "answer", outcome, f"{kind}:{said.rule}", said.span)


def step_answer(call: Sequence[Sentence], k: int, answered: set[tuple[int, str]]
                ) -> list[Flag]:
    """The customer's answer to a rep's dated next step that asks nothing ("I'll send the
    proposal by Friday." "Sure, that works."): an ``answer`` flag, rule ``next_step:...``;
    none when that sentence already answered an earlier step (``answered``, updated) or
    comes with a question of the customer's ("Ok... But what is the name of it?")."""
    outcome, reply = answer_to(call, k)
    if reply is None or (reply.utterance, reply.text) in answered or _asks_back(call, reply):
        return []
    answered.add((reply.utterance, reply.text))
    return [_answer(reply, outcome, "next_step")]


def promise_flags(call: Sequence[Sentence], k: int, answered: set[tuple[int, str]]
                  ) -> list[Flag]:
    """The rep's own step without a time at sentence k (cue ``promise``: "we'll put together
    a quote for you") as a ``next_step`` flag, subtype ``undated``, with the customer's
    answer, when the customer agrees to it in their next utterance or two ("Sounds good,
    thank you."); unanswered, put off or declined it is no step and gets no flag. Only in
    the call's last part (``promise_from`` in ``models/closing/rules.json``), and no
    question ("... or are we going to provide both?")."""
    tried, cue = set(answered), call[k].cue("promise")
    late = k >= load_rules()[0].get("promise_from", 0) * len(call)
    if cue is None or not late or _is_question(call[k]):
        return []
    found = step_answer(call, k, tried)
    if not found or found[0].subtype != "agreed":
        return []
    answered |= tried
    return [sentence_flag(call[k], "next_step", cue.subtype, cue.rule, cue.span), *found]


def _asks_back(call: Sequence[Sentence], reply: Sentence) -> bool:
    """Whether the utterance holding the reply asks a question."""
    return any(s.utterance == reply.utterance and _is_question(s) for s in call)


def _asks_what(s: Sentence) -> bool:
    """An ask put as an open question ("How much control do you want to give it?", "Which
    plan would you like?"): a question with a wh-word among its first three words ("how
    about ...?" proposes; "What I'll do is ..." is no question), which a bare yes does not
    answer."""
    first = words_in(s.text)[:3]
    wh = [i for i, w in enumerate(first) if w in load_rules()[0]["lists"]["wh_words"]]
    return _is_question(s) and bool(wh) and first[wh[0] + 1:wh[0] + 2] != ["about"]


def _is_question(s: Sentence) -> bool:
    """A question by the labeler, or by its question mark."""
    return "question" in s.labels or s.text.rstrip().endswith("?")


def objection_answer(call: Sequence[Sentence], k: int) -> Flag | None:
    """The rep's answer to the objection at sentence k, as an ``objection_answer`` flag."""
    how, reply = rep_answer(call, k)
    if reply is None:
        return None
    cue = reply.cue("acknowledged") or reply.cue("ask")
    rule = cue.rule if cue else f"objection_answer:{how}"
    return sentence_flag(reply, "objection_answer", how, rule, cue.span if cue else "")


def insisting(call: Sequence[Sentence]) -> tuple[tuple[Sentence, ...], list[Flag]]:
    """The rep's asks that press after a no: an ask made after the customer refused the rep's
    last one (a ``declined`` cue: "no", "I won't", "$0"; an objection alone is a concern, not a
    refusal), with no acknowledgement of the no in between and no yes since ("Would you like to
    give $1 then?" after "No, I would not."). Each becomes a ``pushy_close``
    (subtype ``insisting``, rule ``insist_after_no``, words: the customer's no), unless it
    meets the objection (``asks_meet``) or is pushy already. Returns the call with those asks
    labelled pushy, and their flags."""
    out, flags = list(call), []
    no: Sentence | None = None
    for k, s in enumerate(call):
        if s.role == CUSTOMER and (s.cue("commitment") or s.cue("agreed")):
            no = None
        if s.role != REP:
            continue
        if s.cue("acknowledged") is not None:
            no = None
        if not is_asking(s):
            continue
        if no is not None and s.utterance > no.utterance and "pushy_close" not in s.labels \
                and not _meets_the_objection(no, s):
            out[k] = replace(s, labels=s.labels | {"pushy_close"})
            said = no.cue("declined")
            flags.append(sentence_flag(s, "pushy_close", "insisting", "insist_after_no",
                                       said.span if said else ""))
        # A refusal, not an objection: "how do I know it's legit?" is a concern to answer.
        outcome, reply = answer_to(out, k)
        no = reply if outcome == "declined" and reply and reply.cue("declined") else no
    return tuple(out), flags


def brushed_aside(call: Sequence[Sentence]) -> tuple[tuple[Sentence, ...], list[Flag]]:
    """The rep brushing the customer's money worry aside: after a price objection of the
    customer's, and before any commitment of theirs, a rep sentence with a ``brush_off`` cue
    ("don't worry about the money", "can you get it from a family member?", "borrow") is a
    ``pushy_close`` (subtype ``brushing_aside``, rule ``brush_off_price``, words: the rep's);
    without the objection it is none (read on real calls, stop 29)."""
    out, flags = list(call), []
    worried = False
    for k, s in enumerate(call):
        if s.role == CUSTOMER:
            objection = s.cue("objection")
            if s.cue("commitment") is not None:
                worried = False
            elif objection is not None and objection.subtype == "price":
                worried = True
            continue
        brush = s.cue("brush_off")
        if worried and brush is not None and "pushy_close" not in s.labels:
            out[k] = replace(s, labels=s.labels | {"pushy_close"})
            flags.append(sentence_flag(s, "pushy_close", "brushing_aside", "brush_off_price",
                                       brush.span))
    return tuple(out), flags
