"""Label sentences: questions, questions about the customer, self-promotion, pushy closing.

The model (spaCy's small English pipeline) runs once per utterance; the rules are data in
``models/language/`` (see its README): spaCy Matcher, PhraseMatcher and DependencyMatcher
patterns, each with an id, a description and examples. Code only adds six syntactic token
attributes the patterns can test (``cc_open``, ``cc_first``, ``cc_end``, ``cc_main``,
``cc_inverted``, ``cc_ours``) and combines rule matches with each rule's ``requires``, ``unless``,
``negatable`` and the label's roles.

Steps, in the order a sentence meets them:

* ``rules``: the rule format, read from the pattern files under ``models/language/``;
* ``syntax``: sentences fit for ASR text and the token attributes patterns test;
* ``labeler``: spaCy plus the compiled rules, one ``SentenceLabels`` per sentence;
* ``textcat``: the statistical check that may withdraw a rule's label (never adds one);
* ``flags``: labelled sentences located in time, and the rep's counts per call.
"""

from analyzer.call.language.flags import (
           call_flags,
           language_metrics,
           sentence_spans,
           sentence_times,
)
from analyzer.call.language.labeler import DEFAULT_MODEL, Labeler
from analyzer.call.language.rules import RULES_DIR, Rule, load_labels, load_lexicon, load_rules
from analyzer.call.language.syntax import is_negated, mark_syntax, sentences

__all__ = ["DEFAULT_MODEL", "RULES_DIR", "Labeler", "Rule", "call_flags", "is_negated",
           "language_metrics", "load_labels", "load_lexicon", "load_rules", "mark_syntax",
           "sentence_spans", "sentence_times", "sentences"]
