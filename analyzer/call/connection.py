"""Connection: the rep's follow-up questions, acknowledgements and relating, decided from the
pair of turns (what the customer just said, what the rep says next).

* ``follow_up_question``: a rep question that takes up a word the customer introduced in their
  last turn or two, refers back to it ("you mentioned the move"), asks after it in a word or
  two ("why?", "what happened then?") or points at it ("is that free?") right as the rep takes
  the floor; a question the customer asked first, echoed back ("you?"), or an ask for the
  commitment is not one.
* ``acknowledgement``: appreciation, sympathy or reformulation of what the customer said
  (rules in ``models/connection/acknowledgement.jsonl``); a sentence made only of backchannel
  words ("yeah", "great") is not one.
* ``relating``: right after the customer talked about their life, the rep tells something of
  their own life ("my daughter plays soccer too").

Rules and word lists are data in ``models/connection/`` (see its README). Each flag's ``span``
is its evidence: for a follow-up, the customer's words it took up.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from analyzer.call.language import sentence_times, sentences
from analyzer.call.stretches import CONNECTION_DIR, STRETCH, Kind, sentence_kind, stretch_metrics
from analyzer.call.turns import says_only_backchannels
from analyzer.call.words import words_in
from analyzer.settings import data_text, read_json
from analyzer.types import CUSTOMER, REP, Flag, Utterance

FOLLOW_UP = "follow_up_question"
ACKNOWLEDGEMENT = "acknowledgement"
RELATING = "relating"
# Typed chat and bare ASR text drop apostrophes ("thats great", "im", "youre"); the rules are
# written with them. Not "is", which is "i" + "s" but no contraction.
UNPUNCTUATED = re.compile(r"\b(that|it|what)(s)\b|\b(i)(m)\b|\b(you)(re)\b")
# Fillers set off by commas, and hesitations anywhere: "that's, you know, a great selling
# point" is "that's a great selling point"; "uh" and "um" say nothing.
FILLER = re.compile(r",\s*(?:you know|i mean|like)\s*(?=,)|\b(?:uh+|um+|uhm|erm)\b,?")
# Speech restarts: "that makes, that makes total sense", "I, I hear you", "that, that is".
RESTART = re.compile(r"\b(?!no\b)(\w+(?:'\w+)?(?: \w+(?:'\w+)?)?)(?: \1\b)+")
FIRST_PERSON = frozenset({"i", "my", "me", "mine", "myself", "we", "our", "us"})


@dataclass(frozen=True)
class AckRule:
    """One acknowledgement rule: a regular expression over the lower-case sentence."""

    id: str
    subtype: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class FollowUpRules:
    """The settings of ``follow_up_question`` (documented in models/connection/follow_up.json)."""

    context_customer_turns: int
    agenda_rep_turns: int
    content_pos: frozenset[str]
    generic_words: frozenset[str]
    refer_back: tuple[re.Pattern[str], ...]
    elliptic: tuple[re.Pattern[str], ...]
    mirror: tuple[re.Pattern[str], ...]
    anaphor_words: frozenset[str]
    anaphor_max_words: int
    asks: tuple[re.Pattern[str], ...]
    not_anaphor: tuple[re.Pattern[str], ...]
    fragment_max_words: int
    checklist: tuple[re.Pattern[str], ...] = ()
    restate: tuple[re.Pattern[str], ...] = ()
    restate_not: tuple[re.Pattern[str], ...] = ()
    restate_min_words: int = 1
    greetings: tuple[re.Pattern[str], ...] = ()
    offers: tuple[re.Pattern[str], ...] = ()
    confirmations: tuple[re.Pattern[str], ...] = ()
    fragment_not: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class Block:
    """Consecutive utterances of one side (a customer backchannel does not split the rep's)."""

    role: str
    indices: tuple[int, ...]


@lru_cache(maxsize=4)
def load_ack_rules(path: Path = CONNECTION_DIR / "acknowledgement.jsonl") -> tuple[AckRule, ...]:
    """The acknowledgement rules, in file order."""
    import json

    rows = [json.loads(line) for line in data_text(path).splitlines() if line.strip()]
    return tuple(AckRule(r["id"], r["subtype"], re.compile(r["regex"])) for r in rows)


@lru_cache(maxsize=4)
def load_follow_up_rules(path: Path = CONNECTION_DIR / "follow_up.json") -> FollowUpRules:
    """The follow-up settings and patterns."""
    d = read_json(path)

    def patterns(key: str) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p) for p in d[key])

    return FollowUpRules(int(d["context_customer_turns"]), int(d["agenda_rep_turns"]),
                         frozenset(d["content_pos"]), frozenset(d["generic_words"]),
                         patterns("refer_back"), patterns("elliptic"), patterns("mirror"),
                         frozenset(d["anaphor_words"]), int(d["anaphor_max_words"]),
                         patterns("asks"), patterns("not_anaphor"), int(d["fragment_max_words"]),
                         patterns("checklist"), patterns("restate"), patterns("restate_not"),
                         int(d["restate_min_words"]), patterns("greetings"), patterns("offers"),
                         patterns("confirmations"), patterns("fragment_not"))


@lru_cache(maxsize=4)
def load_asked_about_rep(path: Path = CONNECTION_DIR / "relating.json") -> frozenset[str]:
    """The words that make a customer's question one about the rep's own life ("your")."""
    return frozenset(read_json(path)["asked_about_rep"])


@lru_cache(maxsize=4)
def load_same_case(path: Path = CONNECTION_DIR / "relating.json") -> tuple[re.Pattern[str], ...]:
    """The patterns of a rep saying they are in the customer's case ("me too", "same boat");
    each of the file's examples must match one."""
    d = read_json(path)
    patterns = tuple(re.compile(p) for p in d["same_case"])
    for example in d["examples"]:
        if not any(p.search(example.lower()) for p in patterns):
            raise ValueError(f"{path}: no same_case pattern matches the example {example!r}")
    return patterns


def blocks_of(utterances: Sequence[Utterance]) -> list[Block]:
    """The call as alternating blocks of rep and customer speech (colleagues count as the
    rep's side); a customer utterance made only of backchannel words is left out."""
    out: list[Block] = []
    for index, u in enumerate(utterances):
        role = CUSTOMER if u.role == CUSTOMER else REP
        if role == CUSTOMER and says_only_backchannels(u.text):
            continue
        if out and out[-1].role == role:
            out[-1] = Block(role, out[-1].indices + (index,))
        else:
            out.append(Block(role, (index,)))
    return out


def connection_flags(utterances: Sequence[Utterance], docs: Sequence[Any],
                     flags: Sequence[Flag], kinds: Sequence[Kind | None]) -> tuple[Flag, ...]:
    """The follow-up, acknowledgement and relating flags of a call's rep sentences.

    ``docs`` are the utterances parsed by the labeler's spaCy model, ``flags`` the labeler's
    (questions and pushy closing), ``kinds`` each utterance's kind of talk (``stretches``).
    """
    questions = {(f.utterance, f.text) for f in flags if f.role == REP and f.label == "question"}
    asks = {(f.utterance, f.text) for f in flags if f.role == REP and f.label == "pushy_close"}
    asked = frozenset((f.utterance, f.text) for f in flags
                      if f.role == CUSTOMER and f.label == "question")
    out: list[Flag] = []
    blocks = blocks_of(utterances)
    for number, block in enumerate(blocks):
        if block.role != REP or number == 0:
            continue
        context = _Context.of(blocks, number, docs, kinds, asked)
        position = 0
        for index in block.indices:
            if utterances[index].role != REP:
                continue
            for sent in sentences(docs[index]):
                key = (index, sent.text)
                found = _judge(sent, position, key in questions and key not in asks, context)
                out += [_flag(utterances[index], index, sent, *f) for f in found]
                # "Oh wow. That's great. Why?": a reaction does not move the question away.
                if not (found or says_only_backchannels(sent.text)):
                    position += 1
    return tuple(out)


@dataclass(frozen=True)
class _Context:
    """What the customer said just before a rep block, and what the rep had said before it."""

    customer: tuple[Any, ...]  # spaCy tokens of the customer's last turns
    agenda: frozenset[str]  # lemmas the rep said in the turns before
    personal: bool  # the customer's last turn was personal talk
    about_rep: bool  # ... and asked about the rep's own life ("did your dad remarry?")

    @classmethod
    def of(cls, blocks: Sequence[Block], number: int, docs: Sequence[Any],
           kinds: Sequence[Kind | None], asked: frozenset[tuple[int, str]]) -> _Context:
        """``asked`` holds the customer's question sentences, as (utterance, text)."""
        rules = load_follow_up_rules()
        before = blocks[:number]
        customer = [b for b in before if b.role == CUSTOMER][-rules.context_customer_turns:]
        first = customer[0] if customer else None
        start = before.index(first) if first else number
        rep = [b for b in before[:start] if b.role == REP][-rules.agenda_rep_turns:]
        tokens = tuple(t for b in customer for i in b.indices for t in docs[i])
        agenda = frozenset(t.lemma_.lower() for b in rep for i in b.indices for t in docs[i])
        last = before[-1] if before and before[-1].role == CUSTOMER else None
        personal = bool(last) and any((kinds[i] or Kind("")).kind == "personal"
                                      for i in (last.indices if last else ()))
        return cls(tokens, agenda, personal, _about_rep(last.indices if last else (), docs, asked))


def _judge(sent: Any, position: int, question: bool, context: _Context
           ) -> list[tuple[str, str, str, str]]:
    """(label, subtype, rule, evidence) of every connection label one rep sentence gets."""
    found = []
    if question:
        follow = follow_up(sent, position, context)
        if follow:
            found.append((FOLLOW_UP, *follow))
        check = _said_back(sent.text)
        if check:
            found.append((ACKNOWLEDGEMENT, check[0].subtype, check[0].id, check[1]))
    else:
        ack = acknowledgement(sent.text)
        if ack:
            found.append((ACKNOWLEDGEMENT, ack[0].subtype, ack[0].id, ack[1]))
        elif position <= 1 and (said_back := restates(sent, context)):
            found.append((ACKNOWLEDGEMENT, "reformulation", "ack.reformulation.restates",
                          said_back))
        relate = relating(sent, context)
        if relate:
            found.append((RELATING, "own_experience", "relating.own_experience", relate))
    return found


def follow_up(sent: Any, position: int, context: _Context) -> tuple[str, str, str] | None:
    """(subtype, rule, evidence) when a rep question follows up on the customer's last
    turns; None when it switches topic, mirrors the customer's question, asks for the deal,
    goes down the rep's checklist (budget, who else decides, anything else), greets ("how's
    it going?") or offers ("do you want me to send it?").

    ``position`` is the sentence's place in the rep's turn (0: it opens the turn).
    """
    rules = load_follow_up_rules()
    lower = sent.text.lower().strip()
    vetoes = (*rules.mirror, *rules.asks, *rules.checklist, *rules.greetings, *rules.offers,
              *rules.confirmations)
    if not context.customer or any(p.search(lower) for p in vetoes) or says_only_backchannels(
            lower):  # "Is it?": a reaction
        return None
    for pattern in rules.refer_back:
        match = pattern.search(lower)
        if match:
            return "refers_back", "follow_up.refers_back", match.group()
    if position <= 1 and any(p.search(lower) for p in rules.elliptic):
        return "asks_more", "follow_up.asks_more", sent.text.strip()
    taken = taken_up(sent, context, rules)
    if taken:
        return "takes_up", "follow_up.takes_up", ", ".join(taken)
    if position > 1:
        return None
    words = words_in(lower)
    if _fragment(sent, words, rules):
        return "fragment", "follow_up.fragment", sent.text.strip()
    # A relative "that" ("anything else that I can do?") or an existential "there" ("is there
    # anything else?") points at nothing the customer said.
    anaphor = next((t.lower_ for t in sent if t.lower_ in rules.anaphor_words
                    and t.tag_ not in ("WDT", "EX")), None)
    if (anaphor and len(words) <= rules.anaphor_max_words
            and not any(p.search(lower) for p in rules.not_anaphor)):
        return "points_back", "follow_up.points_back", anaphor
    return None


def _fragment(sent: Any, words: Sequence[str], rules: FollowUpRules) -> bool:
    """A short question without a subject or a finite verb ("the other half of the
    channel?") that holds a content word: it completes or echoes the customer's words."""
    if not sent.text.rstrip().endswith("?") or len(words) > rules.fragment_max_words or any(
            p.search(sent.text.lower()) for p in rules.fragment_not):  # "Tuesday or Thursday?"
        return False
    if any(t.dep_ in ("nsubj", "nsubjpass", "expl") or t.tag_ in ("VBD", "VBZ", "VBP", "MD")
           for t in sent):
        return False
    return any(_content(t, rules) or t.pos_ == "NOUN" for t in sent)


def taken_up(sent: Any, context: _Context, rules: FollowUpRules | None = None) -> list[str]:
    """The customer's words (as the customer said them) whose lemma the question repeats:
    content words the rep had not said in the turns before the customer spoke."""
    rules = rules or load_follow_up_rules()
    asked = {t.lemma_.lower() for t in sent if _content(t, rules)}
    asked -= context.agenda
    return list(dict.fromkeys(t.text for t in context.customer
                              if _content(t, rules) and t.lemma_.lower() in asked))


def restates(sent: Any, context: _Context) -> str:
    """The customer's words a rep statement opening with "so you ..." says back ("So you saw a
    reallocation to tenant-side demand." after the customer told of it), "" when it opens
    otherwise, says what the customer would do ("So you would use the audience builder.")
    or takes up too few of them (``restate`` in ``follow_up.json``)."""
    rules = load_follow_up_rules()
    lower = sent.text.lower().strip()
    if not any(p.search(lower) for p in rules.restate) or any(
            p.search(lower) for p in rules.restate_not):
        return ""
    taken = taken_up(sent, context, rules)
    return ", ".join(taken) if len(taken) >= rules.restate_min_words else ""


def _said_back(question: str) -> tuple[AckRule, str] | None:
    """The reformulation a question makes while it checks ("So you're saying the deadline is
    in April?", "It sounds like you're talking about the rates, right?"): the rep says back
    what they heard; other acknowledgement rules do not read questions. The words matched
    name the customer ("you", "your"): "Just so I understand, is there any reason?" only
    asks."""
    found = acknowledgement(question.rstrip().rstrip("?") + ".")
    if not found or found[0].subtype != "reformulation":
        return None
    return found if {"you", "your"} & set(re.findall(r"[a-z]+", found[1])) else None


def acknowledgement(text: str) -> tuple[AckRule, str] | None:
    """The first acknowledgement rule a sentence matches and the words it matched; None for a
    sentence made only of backchannel words or matching no rule."""
    # Commas carry no meaning for the rules: "yes, that sounds good" is "yes that sounds good".
    lower = FILLER.sub("", text.lower().replace("’", "'"))
    lower = " ".join(lower.replace(",", " ").split())
    lower = re.sub(r" +([.!?])", r"\1", lower)  # "i admire that !" is "i admire that!"
    lower = UNPUNCTUATED.sub(lambda m: "'".join(g for g in m.groups() if g), lower)
    lower = RESTART.sub(r"\1", lower)
    if says_only_backchannels(lower):
        return None
    for rule in load_ack_rules():
        match = rule.pattern.search(lower)
        if match:
            return rule, match.group()
    return None


def _about_rep(indices: Sequence[int], docs: Sequence[Any],
               asked: frozenset[tuple[int, str]]) -> bool:
    """A question of these customer utterances asks about the rep's own life."""
    words = load_asked_about_rep()
    return any((i, sent.text) in asked and any(t.lower_ in words for t in sent)
               for i in indices for sent in sentences(docs[i]))


def relating(sent: Any, context: _Context) -> str:
    """The rep's personal words when the rep tells of their own life (first person, a
    personal topic) right after the customer's personal talk, not in answer to the customer's
    question about it ("did your dad remarry?"); "" otherwise."""
    if not context.personal or context.about_rep or sent.text.rstrip().endswith("?"):
        return ""
    if not any(t.lower_ in FIRST_PERSON for t in sent):
        return ""
    kind = sentence_kind(sent)
    if kind and kind.kind == "personal":
        return ", ".join(kind.words)
    if kind and kind.kind == "business":
        return ""
    lower = sent.text.lower().strip()
    return next((m.group(0).strip(" .!,") for p in load_same_case()
                 for m in [p.search(lower)] if m), "")


def _content(token: Any, rules: FollowUpRules) -> bool:
    lemma = token.lemma_.lower()
    return (token.pos_ in rules.content_pos and not token.is_stop and lemma not in
            rules.generic_words and len(lemma) > 1)


def _flag(utterance: Utterance, index: int, sent: Any, label: str, subtype: str, rule: str,
          evidence: str) -> Flag:
    span = (sent.start_char, sent.end_char)
    start, end = sentence_times(utterance, span)
    return Flag(utterance.role, start, end, label, subtype, rule, sent.text, evidence, index)


def connection_metrics(flags: Sequence[Flag], utterances: Sequence[Utterance]
                       ) -> dict[str, Any]:
    """The call's connection columns: follow-ups over the rep's questions, acknowledgements,
    relating, and the seconds of each kind of talk (``stretches.stretch_metrics``)."""
    rep = [f for f in flags if f.role == REP]
    questions = sum(1 for f in rep if f.label == "question")
    follow_ups = sum(1 for f in rep if f.label == FOLLOW_UP)
    start = utterances[0].start if utterances else float("nan")
    return {"follow_up_questions": follow_ups,
            "follow_up_share": follow_ups / questions if questions else float("nan"),
            "acknowledgements": sum(1 for f in rep if f.label == ACKNOWLEDGEMENT),
            "relating": sum(1 for f in rep if f.label == RELATING),
            **stretch_metrics([f for f in flags if f.label == STRETCH], start)}
