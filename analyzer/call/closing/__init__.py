"""The close: asks, commitments, next steps and objections, each with the other side's answer.

Rules are data (``models/closing/rules.json``, see ``models/closing/README.md``): spaCy Matcher
patterns and phrases matched on the labeler's parse, sentence by sentence. Context decides the
rest: the customer's answer to each ask and pushy close (agreed, deferred, declined), a "yes"
that answers an ask becoming a commitment, and the rep's answer to each objection in their next
turn (acknowledged, a question, pitched again, pressed).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from analyzer.call.closing.answers import (
    ask_flags,
    brushed_aside,
    insisting,
    is_asking,
    objection_answer,
    promise_flags,
    sentence_flag,
    step_answer,
)
from analyzer.call.closing.cues import (
    RULES_PATH,
    Cue,
    Sentence,
    call_sentences,
    compiled,
    doc_hits,
    load_rules,
    sentence_cues,
)
from analyzer.call.corrections import COACH_RULE, MISSED, WRONG, sentence_key
from analyzer.types import CUSTOMER, REP, Correction, Flag

__all__ = ["FLAG_LABELS", "RULES_PATH", "Sentence", "agreed_next_step", "call_sentences",
           "closing_flags", "closing_metrics", "compiled", "corrected_close", "doc_hits",
           "followed_through", "load_rules", "nothing_at_stake", "sentence_cues"]

FLAG_LABELS = ("ask", "commitment", "next_step", "objection")
OUTCOMES = ("agreed", "deferred", "declined")
UNDATED = "undated"  # a promise of the rep the customer agreed to (rule promise_undated)


def closing_flags(call: Sequence[Sentence]) -> tuple[Flag, ...]:
    """The closing flags of a call, in time order: ask (subtype: the customer's answer),
    answer (the customer's answer to an ask, a pushy close or a rep's dated next step),
    commitment (a "yes" to an ask included), next_step, objection (subtype: its kind) and
    objection_answer (the rep's); and a ``pushy_close`` on an ask that presses after a no
    (``insisting``) and on the customer's money worry brushed aside (``brushed_aside``)."""
    call, flags = insisting(unasked_amounts(referred_asks(call)))
    call, brushed = brushed_aside(call)
    flags += brushed
    yeses: set[int] = set()
    answered: set[tuple[int, str]] = set()  # customer sentences already read as a step's answer
    far = beyond_reach(call, load_rules()[0].get("answer_reach", 0))
    for k, s in enumerate(call):
        if is_asking(s) or (s.role == REP and s.cue("scheduling") is not None):
            found, yes = ask_flags(call, k)
            flags += found
            if yes is not None:
                yeses.add(call.index(yes))
        elif s.role == REP and s.cue("next_step") is not None:
            flags += step_answer(call, k, answered)
        elif s.role == REP and s.cue("promise") is not None:
            flags += promise_flags(call, k, answered)
        for label in ("commitment", "next_step", "objection"):
            cue = _in_reach(s, label, k in far)
            if cue is not None:
                flags.append(sentence_flag(s, label, cue.subtype, cue.rule, cue.span))
        agreed = s.cue("agreed")
        if k in yeses and agreed is not None:
            flags.append(sentence_flag(s, "commitment", "yes", agreed.rule, agreed.span))
        handled = objection_answer(call, k) if _in_reach(s, "objection", k in far) else None
        if handled is not None:
            flags.append(handled)
    return tuple(sorted(flags, key=lambda f: (f.utterance, f.start)))


def referred_asks(call: Sequence[Sentence], back: int = 2) -> tuple[Sentence, ...]:
    """The call with each ask by reference (cue ``ask_ref``: "Would you do it now?", "Would
    that be okay?") made an ask when one of the rep's ``back`` sentences before it names the
    deal (cue ``deal``: "... by donating to Save the Children."); without it, it asks nothing
    of the deal."""
    def asking(k: int, s: Sentence) -> Sentence:
        ref = s.cue("ask_ref")
        if ref is None or s.cue("ask") is not None:
            return s
        before = [c for c in call[max(0, k - back - 1):k] if c.role == REP][-back:]
        if not any(c.cue("deal") for c in before):
            return s
        return replace(s, cues=(*s.cues, Cue("ask", "healthy", ref.rule, ref.span)))

    return tuple(asking(k, s) for k, s in enumerate(call))


def unasked_amounts(call: Sequence[Sentence]) -> tuple[Sentence, ...]:
    """The call without the amounts the customer names in answer to a question for facts
    (rule ``commit_amount``): "About $280,000." after "What's the house worth?" is a fact,
    "A dollar." after "How much would you like to give?" or after the rep's pitch is their
    offer."""
    facts, rep_turn, out = False, -1, []
    for s in call:
        if s.role == REP:
            if s.utterance != rep_turn:
                facts, rep_turn = False, s.utterance
            facts = (facts or "question" in s.labels) and not is_asking(s)
        cue = s.cue("commitment")
        if s.role == CUSTOMER and facts and cue is not None and cue.rule == "commit_amount":
            s = replace(s, cues=tuple(c for c in s.cues if c is not cue))
        out.append(s)
    return tuple(out)


def beyond_reach(call: Sequence[Sentence], reach: int) -> frozenset[int]:
    """The customer's sentences more than ``reach`` sentences into a turn of their own since
    the rep last spoke (``answer_reach`` in ``models/closing/rules.json``; 0: none): deep in a
    talk or a story, the words no longer answer the rep."""
    far, since = set(), 0
    for k, s in enumerate(call):
        if s.role == REP:
            since = 0
            continue
        since += 1
        if reach and since > reach and s.role == CUSTOMER:
            far.add(k)
    return frozenset(far)


def _in_reach(s: Sentence, label: str, far: bool) -> Cue | None:
    """The sentence's cue of a label, None when there is none or the sentence is beyond the
    reach of an answer (``beyond_reach``); a coach's own cue always counts."""
    cue = s.cue(label)
    return cue if cue is not None and (not far or cue.rule == COACH_RULE) else None


def followed_through(call: Sequence[Sentence], flags: Sequence[Flag]
                     ) -> tuple[tuple[Sentence, ...], frozenset[Flag]]:
    """The call without the assumptive ``pushy_close`` flags the rep said after the customer
    asked for the thing or committed to it (a ``request`` or ``commitment`` cue), or right
    after a yes of theirs (``after_customer``): "which card would you like to replace?" after
    "can you send me a new one?" follows the customer, it presumes nothing; and the urgency or
    scarcity the rep states in answer to the customer's wh-question ("What happens after those
    twelve months?") informs, it does not press. Returns the sentences without those labels,
    and the flags dropped (a coach's own flag stays)."""
    first = next((k for k, s in enumerate(call) if s.role == CUSTOMER
                  and (s.cue("request") or s.cue("commitment"))), None)
    later = {(s.utterance, s.text) for s in call[first + 1:]} if first is not None else set()
    later |= after_customer(call, ("agreed", "commitment"))
    asked = after_customer(call, ("wh_question",), first_only=True)
    dropped = frozenset(f for f in flags if f.label == "pushy_close" and f.coach != "added" and (
        (f.subtype == "assumptive" and (f.utterance, f.text) in later)
        or (f.subtype in ("urgency", "scarcity") and (f.utterance, f.text) in asked)))
    return _without_pushy(call, flags, dropped), dropped


def nothing_at_stake(call: Sequence[Sentence], flags: Sequence[Flag]
                     ) -> tuple[tuple[Sentence, ...], frozenset[Flag]]:
    """The call without the ``pushy_close`` flags on a sentence that presses on nothing: a
    pressure phrase counts only when its sentence (or the ``stake_reach`` sentences around it
    in the same utterance) names what the sale puts at stake (a ``stake`` cue: the price, the
    offer, the contract, the decision, an amount). "We're going to move super fast through the
    strategy" presses on nothing; "if you don't enroll today, the price will increase" does.
    A guilt appeal (``stake_free``) counts alone. Returns the sentences without those labels,
    and the flags dropped (a coach's own flag stays)."""
    raw = load_rules()[0]
    reach, free = raw.get("stake_reach", 0), set(raw.get("stake_free", ()))
    staked = {(s.utterance, s.text) for k, s in enumerate(call) if s.role == REP and any(
        n.cue("stake") is not None and n.utterance == s.utterance
        for n in call[max(k - reach, 0):k + reach + 1])}
    dropped = frozenset(f for f in flags if f.label == "pushy_close" and f.coach != "added"
                        and f.subtype not in free and (f.utterance, f.text) not in staked)
    return _without_pushy(call, flags, dropped), dropped


def _without_pushy(call: Sequence[Sentence], flags: Sequence[Flag], dropped: frozenset[Flag]
                   ) -> tuple[Sentence, ...]:
    """The call without the ``pushy_close`` label on the sentences whose every pushy flag was
    dropped (a sentence keeps it while one of its flags stays)."""
    still = {(f.utterance, f.text) for f in flags if f.label == "pushy_close"
             and f not in dropped}
    gone = {(f.utterance, f.text) for f in dropped} - still
    return tuple(replace(s, labels=s.labels - {"pushy_close"})
                 if (s.utterance, s.text) in gone else s for s in call)


def after_customer(call: Sequence[Sentence], cues: Sequence[str], first_only: bool = False
                   ) -> set[tuple[int, str]]:
    """The rep's sentences (with ``first_only``, the first one) whose customer utterance just
    before has one of the cues: after a yes (``agreed``, ``commitment``: "Sounds good." then
    "I'll send over the recommendations next week.") the rep follows the customer; the first
    sentence after their wh-question (``wh_question``: "What happens after those twelve
    months?" then "After the campaign, the price goes up to 37 euros.") answers it, what comes
    after it ("... so sign today.") is the rep's own."""
    found: set[tuple[int, str]] = set()
    said, turn = False, -1
    for s in call:
        if s.role == CUSTOMER:
            if s.utterance != turn:
                said, turn = False, s.utterance
            said = said or any(s.cue(c) is not None for c in cues)
        elif said:
            found.add((s.utterance, s.text))
            said = not first_only
    return found


def corrected_close(call: Sequence[Sentence], corrections: Sequence[Correction]
                    ) -> tuple[Flag, ...]:
    """The closing flags with a coach's verdicts on ``ask``, ``commitment``, ``next_step`` and
    ``objection``: a sentence marked wrong loses that cue before the answers are read (so an
    ask marked wrong has no answer, an objection no rep's answer), and its flag is kept with
    ``coach="wrong"`` for the page; a sentence marked missed gets the cue (rule ``coach``,
    ``coach="added"``) and its answers are read as for any other."""
    mine = [c for c in corrections if c.label in FLAG_LABELS]
    if not mine:
        return closing_flags(call)
    wrong = {(c.label, sentence_key(c.text)) for c in mine if c.verdict == WRONG}
    missed = {(c.label, sentence_key(c.text)) for c in mine if c.verdict == MISSED}
    fixed = tuple(_with_verdicts(s, wrong, missed) for s in call)
    flags = [replace(f, coach="added") if f.rule == COACH_RULE else f
             for f in closing_flags(fixed)]
    flags += [replace(f, coach=WRONG) for f in closing_flags(call)
              if (f.label, sentence_key(f.text)) in wrong]
    return tuple(sorted(flags, key=lambda f: (f.utterance, f.start)))


def _with_verdicts(s: Sentence, wrong: set[tuple[str, str]], missed: set[tuple[str, str]]
                   ) -> Sentence:
    """A sentence without the cues a coach marked wrong and with the ones marked missed (a
    rule's cue the coach marked missed, one beyond the reach of an answer, becomes theirs)."""
    key = sentence_key(s.text)
    marked = {label for label, said in missed if said == key and _fits(label, s.role)}
    cues = tuple(replace(c, rule=COACH_RULE) if c.label in marked else c
                 for c in s.cues if (c.label, key) not in wrong)
    have = {c.label for c in cues}
    cues += tuple(Cue(label, "", COACH_RULE, s.text) for label in sorted(marked - have))
    return s if cues == s.cues else replace(s, cues=cues)


def _fits(label: str, role: str) -> bool:
    """Whether a label can be said by a side: an ask is the rep's, an objection the
    customer's, a commitment or next step anyone's."""
    return {"ask": role == REP, "objection": role == CUSTOMER}.get(label, True)


def agreed_next_step(flags: Sequence[Flag]) -> Flag | None:
    """The call's agreed next step: the last concrete step agreed (the customer's own
    commitment or next step, or the rep's step, dated or promised, that the customer then
    agreed to: who does what by when), else the customer's last bare "yes" to an ask (or their
    "okay." to a rep's statement the close reads as one); None when the call ends without
    one. A dated step a few utterances before an undated last one
    (``step_near`` in ``models/closing/rules.json``) says more of the same step: it is shown
    instead; a dated step goes before the rep's undated promise (subtype ``undated``)."""
    agreed = [f for f in flags if f.role == CUSTOMER and f.label in ("commitment", "next_step")]
    steps = [f for f in flags if f.role == REP and f.label == "next_step"]
    answers = [f for f in flags if f.label == "answer" and f.subtype == "agreed"]
    reach = load_rules()[0]["agree_reach"]
    agreed += [s for s in steps
               if any(s.utterance < a.utterance <= s.utterance + reach for a in answers)]
    # A bare "okay." to a rep's statement commits to nothing, but it still takes the step.
    agreed += [a for a in answers if a.rule.split(":")[0] in ("ask", "pushy_close", "scheduling")]
    if not agreed:
        return None
    last = max(agreed, key=lambda f: (f.subtype not in ("yes", "agreed"), f.utterance,
                                      f.subtype != UNDATED, f.start))
    near = load_rules()[0]["step_near"]
    dated = [f for f in agreed if f.label == "next_step"
             and last.utterance - near <= f.utterance <= last.utterance]
    return last if last.label == "next_step" or not dated else max(
        dated, key=lambda f: (f.subtype != UNDATED, f.utterance, f.start))


def closing_metrics(flags: Sequence[Flag]) -> dict[str, Any]:
    """The call's closing columns (documented in the README's columns tables)."""
    step = agreed_next_step(flags)
    asks = [f for f in flags if f.label == "ask"]
    healthy = {(f.utterance, f.text) for f in asks}
    pushy = sum(1 for f in flags if f.label == "pushy_close" and f.role == REP
                and (f.utterance, f.text) not in healthy)
    pushy_answers = [f for f in flags if f.label == "answer" and f.rule.startswith("pushy_close")]
    objections = [f for f in flags if f.label == "objection"]
    handled = [f for f in flags if f.label == "objection_answer"]
    good = sum(1 for f in handled if f.subtype in ("acknowledged", "question"))
    kinds = [f.subtype for f in objections]
    return {
        "next_step_agreed": step is not None, "next_step_text": step.text if step else "",
        "next_step_s": step.start if step else math.nan,
        "commitments": sum(1 for f in flags if f.label == "commitment"),
        "asks": len(asks),
        **{f"asks_{o}": sum(1 for f in asks if f.subtype == o) for o in OUTCOMES},
        "pushy_agreed": sum(1 for f in pushy_answers if f.subtype == "agreed"),
        "pushy_declined": sum(1 for f in pushy_answers if f.subtype == "declined"),
        "healthy_ask_share": len(asks) / (len(asks) + pushy) if asks or pushy else math.nan,
        "objections": len(objections),
        "objection_kinds": ";".join(f"{k}={kinds.count(k)}" for k in dict.fromkeys(kinds)),
        "objections_answered_share": good / len(objections) if objections else math.nan,
    }
