"""The closing stage's reading of a call: its rules (``models/closing/rules.json``, spaCy
Matcher patterns and phrases matched on the labeler's parse), each sentence's cues, and the
call as ``Sentence``s in order, with the labeler's labels on them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from analyzer.call.language import (
    is_negated,
    mark_syntax,
    sentence_spans,
    sentence_times,
    sentences,
)
from analyzer.call.language.syntax import MARKED
from analyzer.call.quoted import in_quote, quote_options
from analyzer.settings import MODELS_DIR, read_json
from analyzer.types import Flag, Utterance

RULES_PATH = MODELS_DIR / "closing" / "rules.json"
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
    requires: tuple[str, ...] = ()
    otherwise: str = ""


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
                              tuple(r.get("unless", ())), r.get("max_words", 0),
                              tuple(r.get("requires", ())), r.get("otherwise", ""))
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
    """Every rule match of a parsed utterance: (rule id, first token, end token), in order.
    Rules may test the labeler's token attributes (``cc_main``): a doc the labeler has not
    read gets them first."""
    if not doc.user_data.get(MARKED):
        mark_syntax(doc, frozenset())
    matcher, phrases = compiled(nlp)
    hits = [(nlp.vocab.strings[k], s, e) for k, s, e in [*matcher(doc), *phrases(doc)]]
    return sorted(hits, key=lambda h: (h[1], h[0]))


def sentence_cues(doc: Any, sent: Any, role: str, hits: Sequence[tuple[str, int, int]]
                  ) -> tuple[Cue, ...]:
    """The cues of one sentence said by role (from its utterance's ``doc_hits``), after
    negation, ``unless``, ``requires`` and ``max_words``."""
    _, rules = load_rules()
    by_id = {r.id: r for r in rules}
    found: dict[str, Cue] = {}
    words = sum(1 for t in sent if not t.is_punct)
    for rule_id, start, end in hits:
        rule = by_id[rule_id]
        if start < sent.start or end > sent.end or role not in rule.roles or (
                rule.max_words and words > rule.max_words) or quoted(rule, sent, doc[start]):
            continue
        label = rule.label
        if rule.negatable and is_negated(doc, start, end):
            label = rule.negated_label
        if label and label not in found:
            found[label] = Cue(label, rule.subtype, rule.id, doc[start:end].text)
    # Read twice: a cue its own context takes away ("later" said of someone else: "my husband
    # can come later") stops no other rule ("I'll take the unlimited plan").
    first = (_in_context(c, by_id[c.rule], found) for c in found.values())
    kept = {c.label: c for c in first if c is not None}
    cues = (_in_context(c, by_id[c.rule], kept) for c in found.values())
    return tuple(c for c in cues if c is not None)


def quoted(rule: ClosingRule, sent: Any, token: Any) -> bool:
    """True when a cue of a rep's own act (an ask) starts in words the sentence quotes
    ("they were like, hey, can we just make them?"): not the rep's ask (``call.quoted``)."""
    return rule.label in quote_options().labels and in_quote(sent.text,
                                                             token.idx - sent.start_char)


def _in_context(cue: Cue, rule: ClosingRule, found: dict[str, Cue]) -> Cue | None:
    """The cue as the rest of the sentence leaves it: None when a label of the rule's
    ``unless`` is there; when none of its ``requires`` is, its ``otherwise`` label (or None).
    A negated match keeps its negated label whatever else the sentence says."""
    if cue.label != rule.label:
        return cue
    if any(u in found for u in rule.unless):
        return None
    if rule.requires and not any(r in found for r in rule.requires):
        return replace(cue, label=rule.otherwise) if rule.otherwise else None
    return cue


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
