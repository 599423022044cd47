"""Syntax the rule patterns can test: sentences fit for ASR text, and token attributes.

Code adds ten token attributes (``cc_open``, ``cc_first``, ``cc_end``, ``cc_main``,
``cc_inverted``, ``cc_ours``, ``cc_name``, ``cc_filler``, ``cc_stop``, ``cc_runs_on``) that
patterns in ``models/language/`` test like any spaCy attribute, and decides whether a match is
negated ("there's no deadline").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

CLAUSAL_DEPS = frozenset({"advcl", "csubj", "csubjpass", "relcl", "acl"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "expl"})
NEGATION_PATH_DEPS = frozenset({"xcomp", "ccomp", "pcomp", "acl", "prep", "pobj", "dobj", "acomp",
                                "attr", "aux", "auxpass", "advmod", "npadvmod", "amod", "relcl",
                                "compound", "nsubj", "nsubjpass", "det", "poss", "prt", "dative"})
OWN_WORDS = frozenset({"we", "us", "i", "ours", "ourselves", "myself", "it"})
TAG_WORDS = frozenset({"yeah", "right", "correct", "no", "yes", "true"})
OWN_POSSESSIVES = frozenset({"our", "my"})
# "No" on these nouns says yes ("I have no problem donating", "no doubt I'll sign"): a litotes,
# not a negation of the action.
LITOTES = frozenset({"problem", "doubt", "hesitation", "issue", "worry", "qualm"})
NOUN_MODIFIER_DEPS = frozenset({"poss", "compound", "nmod", "amod"})
MARKED = "cc_marked"  # a doc's user_data key: its cc_* attributes are set
# English's auxiliaries and copula (a closed class of the grammar, with spaCy's lemmas of the
# contractions): only they invert with a subject to ask a question.
AUXILIARIES = frozenset({"be", "do", "have", "can", "could", "will", "would", "shall",
                         "should", "may", "might", "must", "ought", "need", "dare", "'ve", "'d",
                         "'s", "'re", "'m", "'ll"})
ATTRIBUTES = ("cc_open", "cc_first", "cc_end", "cc_main", "cc_inverted", "cc_ours", "cc_name",
              "cc_filler", "cc_stop", "cc_runs_on")
STOPS = frozenset({".", "!"})


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


def mark_syntax(doc: Any, fillers: frozenset[str], names: Sequence[tuple[int, int]] = (),
                questions_marked: bool = False) -> Any:
    """Set the cc_* token attributes the patterns test; return the doc. ``names`` are the
    token ranges (start, end) that name our products; ``questions_marked`` says the
    transcript the doc belongs to marks its questions with "?".

    cc_open: first word of a sentence or of a clause after a comma or "and/so/but",
        skipping fillers ("so", "um", "okay" ...).
    cc_first: first token of a sentence as the labeller splits it (a tag word put back into
        its sentence is not first: "... old system yeah").
    cc_end: last word of a sentence, and the punctuation after it.
    cc_main: the word is not inside a subordinate clause (adverbial, subject, relative).
    cc_inverted: an auxiliary or copula standing before its subject ("are you", "is it").
    cc_ours: the word is said of the speaker's side: its noun phrase is ours ("our best crew")
        or its clause's subject is ("we're the fastest", "I pride myself on being the best",
        "Brightline is the fastest" when Brightline is our product), and no phrase on the way
        belongs to someone else ("we train your top performers").
    cc_name: the word is part of the name of one of our products.
    cc_filler: the "you" of a "you know" or "you see" said in passing, a clause of its own
        beside the sentence's ("it's, you know, a headache"): it addresses nobody.
    cc_stop: the full stop or exclamation mark that ends a sentence of a transcript that
        marks its questions: the transcriber (or ASR) heard a statement. Not set where the
        transcript has no "?" at all (Zoom's captions end every sentence with a full stop).
    cc_runs_on: the last word of a sentence that no punctuation closes while the speaker
        goes on ("... the worst option right so how do we ..."): the parser cut it there,
        not the speaker, so a final "right" is a discourse marker, not a tag.
    """
    for start, end in names:
        for token in doc[start:end]:
            token._.cc_name = True
    for sent in sentences(doc):
        doc[sent.start]._.cc_first = True
        words = [t for t in sent if not t.is_punct]
        if words:
            # Closing punctuation ends the sentence too: a "?" inside it ("voted best by
            # Which? for ...") is part of a name, not a question.
            for token in doc[words[-1].i:sent.end]:
                token._.cc_end = True
                token._.cc_stop = questions_marked and token.text in STOPS
            following = words[-1].i + 1
            words[-1]._.cc_runs_on = (following < len(doc)
                                      and not doc[following].is_punct)
        opening = True
        for token in sent:
            if _said_again(token):
                # A restart after a comma ("where, where do we go", "it is, is not") opens
                # no clause: the word keeps what its first saying was.
                token._.cc_open = token.doc[token.i - 2]._.cc_open
                opening = False
            elif opening and not token.is_punct and token.lower_ not in fillers:
                token._.cc_open = True
                opening = False
            if token.lower_ in (",", "and", "so", "but", "--", ";"):
                opening = True
            token._.cc_main = _in_main_clause(token)
            token._.cc_inverted = _is_inverted(token)
            token._.cc_ours = _said_of_us(token)
            token._.cc_filler = _in_passing(token)
    doc.user_data[MARKED] = True
    return doc


def _in_passing(token: Any) -> bool:
    """A "you" that is the subject of a bare "know" or "see" set beside the clause."""
    head = token.head
    return (token.dep_ == "nsubj" and head.lemma_ in ("know", "see")
            and head.dep_ in ("parataxis", "intj")
            and all(c.i == token.i or c.is_punct for c in head.children))


def _is_ours(token: Any) -> bool:
    # The possessive may sit on a compound before the head noun: "our freight claims ratio";
    # a product's name may be parsed as a phrase of its own ("Save the Children").
    modifiers = [m for left in token.lefts if left.dep_ in NOUN_MODIFIER_DEPS
                 for m in left.subtree]
    return token.lower_ in OWN_WORDS or token._.cc_name or any(
        m.dep_ == "poss" and m.lower_ in OWN_POSSESSIVES for m in modifiers)


def _is_theirs(token: Any) -> bool:
    # "your top performers", "the client's best rep": a possessive that is not ours.
    modifiers = [m for left in token.lefts if left.dep_ in NOUN_MODIFIER_DEPS
                 for m in left.subtree]
    return any(m.dep_ == "poss" and m.lower_ not in OWN_POSSESSIVES for m in modifiers)


def _said_of_us(token: Any) -> bool:
    """Walk up to the nearest clause with a subject; ours if a phrase on the way or it is,
    not ours once a phrase on the way belongs to someone else ("we coach your top reps")."""
    for _ in range(len(token.sent)):
        if _is_ours(token):
            return True
        if _is_theirs(token):
            return False
        subjects = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subjects and token.pos_ in ("VERB", "AUX"):
            return _is_ours(subjects[0])
        if token.head is token:
            return False
        token = token.head
    return False


def _in_main_clause(token: Any) -> bool:
    while token.dep_ != "ROOT" and token.head is not token:
        # A complement clause before its verb is a fronted condition: "Should you need help, call";
        # not before a closing tag the parser took for the verb ("What would it do, right?").
        if token.dep_ in CLAUSAL_DEPS or (token.dep_ == "ccomp" and token.head.i > token.i
                                          and token.head.lower_ not in TAG_WORDS):
            return False
        token = token.head
    return True


def _is_inverted(token: Any) -> bool:
    # The parser sometimes makes "did" in "how did the kids like it" the main verb, and
    # sometimes tags a main verb as an auxiliary ("keep" in "Well, keep you posted.").
    if token.lemma_.lower() not in AUXILIARIES and token.tag_ != "MD":
        return False
    if _restarted(token) or _leans_on_subject(token):
        return False
    head = token if token.dep_ == "ROOT" or token.dep_ not in ("aux", "auxpass") else token.head
    subjects = [c for c in head.children if c.dep_ in SUBJECT_DEPS]
    # A subject already said before the auxiliary is a statement begun again: the first
    # "can" of "you cannot, you can never expect this" (stop 50, real calls).
    said_before = [c for c in token.children if c.dep_ in SUBJECT_DEPS and c.i < token.i]
    return bool(subjects) and subjects[0].i > token.i and not said_before


def _leans_on_subject(token: Any) -> bool:
    """A contraction after a personal pronoun is that pronoun's verb, whatever the parse says:
    the "'s" of "and it's not like that strategy is set in stone" (stop 31, real calls); not
    the "'s" of "what's your plan"."""
    return (token.lower_.startswith("'") and token.i > 0
            and token.doc[token.i - 1].tag_ in ("PRP", "EX"))


def _restarted(token: Any) -> bool:
    """A speaker's restart, not an inversion: the "can you" inside "you can you can check",
    the second "is" of "five thousand dollars is, is not that crazy" (but not of "Is, is that
    the plan?", whose first "is" opens the clause)."""
    doc, i = token.doc, token.i
    if _said_again(token):
        return not doc[i - 2]._.cc_open
    return 0 < i < len(doc) - 2 and (doc[i - 1].lower_, token.lower_) == (
        doc[i + 1].lower_, doc[i + 2].lower_)


def _said_again(token: Any) -> bool:
    """The word said again right after a comma: the second "where" of "where, where do we go"."""
    doc, i = token.doc, token.i
    return (i >= 2 and not token.is_punct and doc[i - 1].lower_ == ","
            and doc[i - 2].lower_ == token.lower_)


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
    return token.dep_ == "neg" or (token.dep_ == "det" and token.lower_ == "no"
                                   and token.head.lemma_.lower() not in LITOTES)

