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
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from analyzer.call.corrections import COACH_RULE, MISSED, WRONG, sentence_key
from analyzer.call.language import is_negated, sentence_spans, sentence_times, sentences
from analyzer.call.words import words_in
from analyzer.settings import MODELS_DIR, read_json
from analyzer.types import CUSTOMER, REP, Correction, Flag, Utterance

RULES_PATH = MODELS_DIR / "closing" / "rules.json"
FLAG_LABELS = ("ask", "commitment", "next_step", "objection")
ASKING = ("ask", "pushy_close")
OUTCOMES = ("agreed", "deferred", "declined")
ANSWERS = ("acknowledged", "question", "pitched", "pressed")
BACKSTOP = "textcat:"


@dataclass(frozen=True)
class ClosingRule:
    """One closing rule of ``models/closing/rules.json`` (see its ``_doc``)."""

    id: str
    label: str
    subtype: str
    roles: tuple[str, ...]
    negatable: bool = False
    negated_label: str = ""
    unless: tuple[str, ...] = ()
    max_words: int = 0


@dataclass(frozen=True)
class Cue:
    """A rule that fired on a sentence, and the words it matched."""

    label: str
    subtype: str
    rule: str
    span: str


@dataclass(frozen=True)
class Sentence:
    """One sentence of a call as the closing stage sees it: where it is, who said it, its cues
    and the labeler's labels (``question``, ``pushy_close``) on it."""

    utterance: int
    role: str
    text: str
    start: float
    end: float
    cues: tuple[Cue, ...]
    labels: frozenset[str] = frozenset()

    def cue(self, label: str) -> Cue | None:
        """The first cue of a label, or None."""
        return next((c for c in self.cues if c.label == label), None)


@lru_cache(maxsize=1)
def load_rules() -> tuple[dict[str, Any], tuple[ClosingRule, ...]]:
    """The raw rule file and its rules."""
    raw = read_json(RULES_PATH)
    rules = tuple(ClosingRule(r["id"], r["label"], r.get("subtype", ""), tuple(r["roles"]),
                              r.get("negatable", False), r.get("negated_label", ""),
                              tuple(r.get("unless", ())), r.get("max_words", 0))
                  for r in raw["rules"])
    return raw, rules


def _expand(value: Any, lists: dict[str, list[str]]) -> Any:
    """A pattern with every "@name" replaced by the word list it names."""
    if isinstance(value, str) and value.startswith("@"):
        return lists[value[1:]]
    if isinstance(value, list):
        return [_expand(v, lists) for v in value]
    if isinstance(value, dict):
        return {k: _expand(v, lists) for k, v in value.items()}
    return value


@lru_cache(maxsize=4)
def compiled(nlp: Any) -> tuple[Any, Any]:
    """The rules compiled for one spaCy pipeline: a Matcher and a lower-case PhraseMatcher."""
    from spacy.matcher import Matcher, PhraseMatcher

    raw, _ = load_rules()
    matcher, phrases = Matcher(nlp.vocab), PhraseMatcher(nlp.vocab, attr="LOWER")
    for rule in raw["rules"]:
        if "pattern" in rule:
            matcher.add(rule["id"], _expand(rule["pattern"], raw["lists"]))
        if "phrases" in rule:
            phrases.add(rule["id"], [nlp.make_doc(p) for p in rule["phrases"]])
    return matcher, phrases


def doc_hits(doc: Any, nlp: Any) -> list[tuple[str, int, int]]:
    """Every rule match of a parsed utterance: (rule id, first token, end token), in order."""
    matcher, phrases = compiled(nlp)
    hits = [(nlp.vocab.strings[k], s, e) for k, s, e in [*matcher(doc), *phrases(doc)]]
    return sorted(hits, key=lambda h: (h[1], h[0]))


def sentence_cues(doc: Any, sent: Any, role: str, hits: Sequence[tuple[str, int, int]]
                  ) -> tuple[Cue, ...]:
    """The cues of one sentence said by role (from its utterance's ``doc_hits``), after
    negation, ``unless`` and ``max_words``."""
    _, rules = load_rules()
    by_id = {r.id: r for r in rules}
    found: dict[str, Cue] = {}
    words = sum(1 for t in sent if not t.is_punct)
    for rule_id, start, end in hits:
        rule = by_id[rule_id]
        if start < sent.start or end > sent.end or role not in rule.roles or (
                rule.max_words and words > rule.max_words):
            continue
        label = rule.label
        if rule.negatable and is_negated(doc, start, end):
            label = rule.negated_label
        if label and label not in found:
            found[label] = Cue(label, rule.subtype, rule.id, doc[start:end].text)
    # A negated match keeps its negated label whatever else the sentence says.
    return tuple(c for c in found.values() if c.label != by_id[c.rule].label
                 or not any(u in found for u in by_id[c.rule].unless))


def call_sentences(utterances: Sequence[Utterance], docs: Sequence[Any], flags: Sequence[Flag],
                   nlp: Any) -> tuple[Sentence, ...]:
    """Every sentence of a call with its cues and the labeler's labels, in order."""
    labelled: dict[tuple[int, str], set[str]] = {}
    for f in flags:
        # The statistical backstop's pushy_close yields to an ask rule on the same sentence.
        backstop = f.label == "pushy_close" and f.rule.startswith(BACKSTOP)
        labelled.setdefault((f.utterance, f.text), set()).add(
            "pushy_backstop" if backstop else f.label)
    out: list[Sentence] = []
    for index, (utterance, doc) in enumerate(zip(utterances, docs, strict=True)):
        sents, hits = sentences(doc), doc_hits(doc, nlp)
        for sent, span in zip(sents, sentence_spans(utterance.text, sents)):
            start, end = sentence_times(utterance, span)
            out.append(Sentence(index, utterance.role, sent.text, start, end,
                                sentence_cues(doc, sent, utterance.role, hits),
                                frozenset(labelled.get((index, sent.text), ()))))
    return tuple(out)


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
        return ("deferred" if agreed else "declined"), objection
    if first("deferred"):
        return "deferred", first("deferred")
    return ("agreed", agreed) if agreed else ("", None)


def answer_to(call: Sequence[Sentence], k: int, max_turns: int = 2) -> tuple[str, Sentence | None]:
    """The customer's answer to the ask at sentence k: the first of their next utterances
    (up to max_turns, and before the rep asks again) that agrees, defers or declines."""
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
    for group in groups.values():
        outcome, sentence = utterance_outcome(group)
        if outcome:
            return outcome, sentence
    return "unanswered", None


def rep_answer(call: Sequence[Sentence], k: int) -> tuple[str, Sentence | None]:
    """How the rep answered the objection at sentence k in their next utterance."""
    later = [s for s in call[k + 1:] if s.role == REP]
    group = [s for s in later if later and s.utterance == later[0].utterance]
    if not group:
        return "unanswered", None
    ack = next((s for s in group if s.cue("acknowledged")), None)
    asking = next((s for s in group if is_asking(s)), None)
    question = next((s for s in group if "question" in s.labels
                     or s.text.rstrip().endswith("?")), None)
    if ack is not None:
        return "acknowledged", ack
    if asking is not None and not _meets_the_objection(call[k], asking):
        return "pressed", asking
    if asking is not None:
        return "question", asking
    if question is not None:
        return "question", question
    return "pitched", group[0]


def _meets_the_objection(objection: Sentence, asking: Sentence) -> bool:
    """A healthy ask that takes up an objection of a kind an ask meets (``models/closing/
    rules.json``, ``asks_meet``: "someone else decides" is met by asking to bring them in, a
    word of the kind's list) is a question about it, not pressure; a pushy close never is."""
    cue = objection.cue("objection")
    takes_up = load_rules()[0].get("asks_meet", {}).get(cue.subtype if cue else "", ())
    words = set(words_in(asking.text.lower()))
    return bool(words & set(takes_up)) and "pushy_close" not in asking.labels


def _flag(s: Sentence, label: str, subtype: str, rule: str, span: str) -> Flag:
    return Flag(s.role, s.start, s.end, label, subtype, rule, s.text, span, s.utterance)


def ask_flags(call: Sequence[Sentence], k: int) -> tuple[list[Flag], Sentence | None]:
    """The flags of the ask at sentence k: the ``ask`` itself when healthy (subtype: the
    answer) and the customer's ``answer``; and the answering sentence when it is a bare yes
    (which becomes a commitment)."""
    s = call[k]
    outcome, reply = answer_to(call, k)
    ask = s.cue("ask")
    healthy = ask is not None and "pushy_close" not in s.labels
    flags = [_flag(s, "ask", outcome, ask.rule, ask.span)] if ask is not None and healthy else []
    if reply is None:
        return flags, None
    flags.append(_answer(reply, outcome, "ask" if healthy else "pushy_close"))
    bare_yes = outcome == "agreed" and reply.cue("commitment") is None
    return flags, reply if bare_yes else None


def _answer(reply: Sentence, outcome: str, kind: str) -> Flag:
    """The customer's ``answer`` flag (rule: what was asked, then the cue that answered)."""
    said = next(c for c in reply.cues if c.label in (
        "declined", "objection", "deferred", "commitment", "agreed"))
    return _flag(reply, "answer", outcome, f"{kind}:{said.rule}", said.span)


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


def _asks_back(call: Sequence[Sentence], reply: Sentence) -> bool:
    """Whether the utterance holding the reply asks a question."""
    return any(s.utterance == reply.utterance and ("question" in s.labels
                                                   or s.text.rstrip().endswith("?"))
               for s in call)


def objection_answer(call: Sequence[Sentence], k: int) -> Flag | None:
    """The rep's answer to the objection at sentence k, as an ``objection_answer`` flag."""
    how, reply = rep_answer(call, k)
    if reply is None:
        return None
    cue = reply.cue("acknowledged") or reply.cue("ask")
    return _flag(reply, "objection_answer", how, cue.rule if cue else f"objection_answer:{how}",
                 cue.span if cue else "")


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
            flags.append(_flag(s, "pushy_close", "insisting", "insist_after_no",
                               said.span if said else ""))
        # A refusal, not an objection: "how do I know it's legit?" is a concern to answer.
        outcome, reply = answer_to(out, k)
        no = reply if outcome == "declined" and reply and reply.cue("declined") else no
    return tuple(out), flags


def closing_flags(call: Sequence[Sentence]) -> tuple[Flag, ...]:
    """The closing flags of a call, in time order: ask (subtype: the customer's answer),
    answer (the customer's answer to an ask, a pushy close or a rep's dated next step),
    commitment (a "yes" to an ask included), next_step, objection (subtype: its kind) and
    objection_answer (the rep's); and a ``pushy_close`` on an ask that presses after a no
    (``insisting``)."""
    call, flags = insisting(call)
    yeses: set[int] = set()
    answered: set[tuple[int, str]] = set()  # customer sentences already read as a step's answer
    for k, s in enumerate(call):
        if is_asking(s):
            found, yes = ask_flags(call, k)
            flags += found
            if yes is not None:
                yeses.add(call.index(yes))
        elif s.role == REP and s.cue("next_step") is not None:
            flags += step_answer(call, k, answered)
        for label in ("commitment", "next_step", "objection"):
            cue = s.cue(label)
            if cue is not None:
                flags.append(_flag(s, label, cue.subtype, cue.rule, cue.span))
        agreed = s.cue("agreed")
        if k in yeses and agreed is not None:
            flags.append(_flag(s, "commitment", "yes", agreed.rule, agreed.span))
        handled = objection_answer(call, k) if s.cue("objection") is not None else None
        if handled is not None:
            flags.append(handled)
    return tuple(sorted(flags, key=lambda f: (f.utterance, f.start)))


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
    """A sentence without the cues a coach marked wrong and with the ones marked missed."""
    key = sentence_key(s.text)
    cues = tuple(c for c in s.cues if (c.label, key) not in wrong)
    have = {c.label for c in cues}
    cues += tuple(Cue(label, "", COACH_RULE, s.text) for label, said in sorted(missed)
                  if said == key and label not in have and _fits(label, s.role))
    return s if cues == s.cues else replace(s, cues=cues)


def _fits(label: str, role: str) -> bool:
    """Whether a label can be said by a side: an ask is the rep's, an objection the
    customer's, a commitment or next step anyone's."""
    return {"ask": role == REP, "objection": role == CUSTOMER}.get(label, True)


def agreed_next_step(flags: Sequence[Flag]) -> Flag | None:
    """The call's agreed next step: the last dated next step agreed (the customer's own, or
    the rep's that the customer then agreed to: who does what by when), else the customer's
    last commitment (a concrete one before a bare "yes"); None when the call ends without
    one."""
    agreed = [f for f in flags if f.role == CUSTOMER and f.label in ("commitment", "next_step")]
    steps = [f for f in flags if f.role == REP and f.label == "next_step"]
    answers = [f for f in flags if f.label == "answer" and f.subtype == "agreed"]
    agreed += [s for s in steps if any(a.utterance > s.utterance for a in answers)]
    # A step with a time says more than an action or an amount, which say more than a "yes".
    return max(agreed, key=lambda f: (f.label == "next_step", f.subtype != "yes", f.utterance,
                                      f.start)) if agreed else None


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

