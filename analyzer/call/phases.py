"""The call's phases: opening, discovery, presentation, pricing, objection, next steps.

Each utterance gets a score for each phase: the log-probability a word model gives it
(``models/closing/phase_model/``: a logistic regression over the tf-idf of its words, its
speaker's role, where it falls in the call, its length and its flags, trained on sales calls
that readers cut into phases), plus a bonus for each phase that one of its flags or cue phrases
names (``models/closing/phases.json``). The call's phases are the sequence with the best total
score when each change of phase costs a penalty, and the opening, once left, never comes back
(the Viterbi algorithm). The phases become one ``phase`` flag per stretch (the band on the call
page's timeline) and the seconds in each per call.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from analyzer.call.linear import TextModel, contributions, plain_text
from analyzer.settings import MODELS_DIR, read_json
from analyzer.types import REP, Flag, Utterance

PHASES_PATH = MODELS_DIR / "closing" / "phases.json"
PHASE_MODEL_DIR = MODELS_DIR / "closing" / "phase_model"
PHASES = ("opening", "discovery", "presentation", "pricing", "objection", "next_steps")


@dataclass(frozen=True)
class PhaseModel:
    """The fitted word model of the phases and how its scores are decoded.

    Attributes:
        models: Each phase's scores over an utterance's terms (one multinomial regression:
            the scores' softmax is the phase's probability).
        config: ``phase_model/config.json``: the features (``position_bins``,
            ``length_bins``, ``flag_labels``), ``score_bias``, ``cue_weight``,
            ``cue_weights`` and ``switch_penalty``.
        tfidf: The terms and their idf with every weight 1: its ``contributions`` are an
            utterance's tf-idf vector, which every phase's weights then score.
    """

    models: Mapping[str, TextModel]
    config: Mapping[str, Any]
    tfidf: TextModel


@lru_cache(maxsize=1)
def load_phase_model() -> PhaseModel:
    """The phase word model of ``models/closing/phase_model/``."""
    config = dict(read_json(PHASE_MODEL_DIR / "config.json"))
    return phase_model(dict(read_json(PHASE_MODEL_DIR / "model.json")), config)


def phase_model(data: Mapping[str, Any], config: Mapping[str, Any]) -> PhaseModel:
    """The model of stored data: the terms and their idf, each phase's weights."""
    idf = dict(zip(data["terms"], data["idf"], strict=True))
    pattern, max_n = re.compile(config["token_pattern"]), int(config["max_n"])
    return PhaseModel({phase: TextModel(pattern, max_n, idf, dict(zip(
        data["terms"], data["phases"][phase]["weight"], strict=True)),
        float(data["phases"][phase]["intercept"])) for phase in PHASES}, config,
        TextModel(pattern, max_n, idf, dict.fromkeys(idf, 1.0), 0.0))


def phase_text(text: str, role: str, index: int, count: int, labels: set[str],
               config: Mapping[str, Any]) -> str:
    """What the word model reads of an utterance (``text``: as the labels read it, empty when
    not in English): its plain words, each again marked with its speaker's role
    (``r_price``, ``c_price``), its tenth of the call (``pos3``), its length (``r_len2``: the
    number of ``length_bins`` its word count reaches) and its flags (``flag_ask``)."""
    words = plain_text(text).split()
    side = "r" if role == REP else "c"
    position = min(int(index / max(count, 1) * config["position_bins"]),
                   config["position_bins"] - 1)
    length = sum(len(words) >= n for n in config["length_bins"])
    flags = [f"flag_{label}" for label in sorted(labels & set(config["flag_labels"]))]
    return " ".join([*words, *(f"{side}_{w}" for w in words), f"pos{position}",
                     f"{side}_len{length}", *flags])


def phase_scores(model: PhaseModel, text: str) -> list[float]:
    """Each phase's log-probability (in ``PHASES`` order) for an utterance's ``phase_text``."""
    # The phases share their terms and idf: the text's tf-idf vector is computed once.
    vector = contributions(model.tfidf, text)
    raw = [m.intercept + sum(v * m.weight[t] for t, v in vector.items())
           for m in (model.models[p] for p in PHASES)]
    top = max(raw)
    total = top + math.log(sum(math.exp(r - top) for r in raw))
    return [r - total for r in raw]


@lru_cache(maxsize=1)
def load_phases() -> dict[str, Any]:
    """The phase cues of ``models/closing/phases.json``."""
    return dict(read_json(PHASES_PATH))


@lru_cache(maxsize=4)
def phrase_matcher(nlp: Any) -> Any:
    """A lower-case PhraseMatcher of every phase's cue phrases, keyed by the phase
    (``customer:<phase>`` for the phrases that count in the customer's words only)."""
    from spacy.matcher import PhraseMatcher

    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    settings = load_phases()
    for phase, phrases in settings["phrases"].items():
        matcher.add(phase, [nlp.make_doc(p) for p in phrases])
    for phase, phrases in settings["customer_phrases"].items():
        matcher.add(f"customer:{phase}", [nlp.make_doc(p) for p in phrases])
    return matcher


def cue_phases(utterance: Utterance, doc: Any, flags: Sequence[Flag], nlp: Any) -> set[str]:
    """The phases an utterance's flags and cue phrases point to ("long": a long rep
    statement, a cue of presentation)."""
    settings = load_phases()
    by_rule = {rule: phase for phase, rules in settings["rules"].items() for rule in rules}
    labels = {f.label for f in flags if f.rule not in by_rule}
    found = {phase for phase, names in settings["flags"].items() if labels & set(names)}
    found |= {by_rule[f.rule] for f in flags if f.rule in by_rule}
    unless = settings["unless_next"]
    phrased = {nlp.vocab.strings[key] for key, start, end in phrase_matcher(nlp)(doc)
               if not (end < len(doc) and doc[end].lower_ in unless.get(
                   doc[start:end].text.lower(), ()))}
    if utterance.role == REP:
        phrased = {p for p in phrased if not p.startswith("customer:")}
    else:  # the customer's own phrases, and the others but those of the rep's phases
        phrased = {p.removeprefix("customer:") for p in phrased if p.startswith("customer:")} | (
            {p for p in phrased if not p.startswith("customer:")} - set(settings["rep_only"]))
    found |= phrased
    words = sum(1 for t in doc if not t.is_punct)
    if utterance.role == REP and words >= settings["presentation_min_words"]:
        found.add("long")
    return found


def utterance_phases(utterances: Sequence[Utterance], docs: Sequence[Any],
                     flags: Sequence[Flag], nlp: Any) -> tuple[str, ...]:
    """The phase of each utterance of a call; one not in English (an empty doc) keeps the
    phase before it, as nobody read its words."""
    model = load_phase_model()
    phases = list(decode(model, phase_inputs(utterances, docs, flags, nlp, model.config)))
    for index in range(1, len(phases)):
        if not docs[index].text:
            phases[index] = phases[index - 1]
    return tuple(phases)


def phase_inputs(utterances: Sequence[Utterance], docs: Sequence[Any], flags: Sequence[Flag],
                 nlp: Any, config: Mapping[str, Any]) -> list[tuple[str, set[str]]]:
    """What the phases are decided from, per utterance: the text the word model reads and
    the phases its flags and cue phrases name (``docs``: as the labels parsed them, an
    utterance not in English empty)."""
    by_utterance: dict[int, list[Flag]] = {}
    for f in flags:
        # The statistical backstop's guesses are too loose to move the call to another phase.
        if not f.rule.startswith("textcat:") and f.label != "phase":
            by_utterance.setdefault(f.utterance, []).append(f)
    out = []
    for index, (utterance, doc) in enumerate(zip(utterances, docs, strict=True)):
        mine = by_utterance.get(index, [])
        text = phase_text(doc.text, utterance.role, index, len(utterances),
                          {f.label for f in mine}, config)
        out.append((text, {"presentation" if p == "long" else p
                           for p in cue_phases(utterance, doc, mine, nlp)}))
    return out


def decode(model: PhaseModel, inputs: Sequence[tuple[str, AbstractSet[str]]]
           ) -> tuple[str, ...]:
    """The phases of a call's utterances from their ``phase_inputs``: the word model's
    log-probabilities less each phase's ``score_bias`` plus, for each phase a cue names, its
    weight in ``cue_weights`` (else ``cue_weight``), decoded by ``best_phases``."""
    weights = [float(model.config["cue_weights"].get(p, model.config["cue_weight"]))
               for p in PHASES]
    bias = [float(model.config.get("score_bias", {}).get(p, 0.0)) for p in PHASES]
    evidence = [[s - b + w * (p in cues)
                 for s, b, w, p in zip(phase_scores(model, text), bias, weights, PHASES)]
                for text, cues in inputs]
    return best_phases(evidence, float(model.config["switch_penalty"]))


def best_phases(evidence: Sequence[Sequence[float]], switch: float) -> tuple[str, ...]:
    """The phases (one per row of ``evidence``, each row a score per phase in ``PHASES``
    order) with the highest total score, each change of phase costing ``switch``; the opening
    can start the call but never come back (the Viterbi algorithm)."""
    if not evidence:
        return ()
    opening = PHASES.index("opening")
    totals = list(evidence[0])
    back: list[list[int]] = []
    for row in evidence[1:]:
        came = [_best_before(totals, b, switch, opening) for b in range(len(PHASES))]
        totals = [_step(totals, a, b, switch, opening) + row[b] for b, a in enumerate(came)]
        back.append(came)
    path = [max(range(len(PHASES)), key=lambda b: totals[b])]
    for came in reversed(back):
        path.append(came[path[-1]])
    return tuple(PHASES[b] for b in reversed(path))


def _best_before(totals: Sequence[float], b: int, switch: float, opening: int) -> int:
    """The phase the best path into phase ``b`` comes from."""
    return max(range(len(PHASES)), key=lambda a: _step(totals, a, b, switch, opening))


def _step(totals: Sequence[float], a: int, b: int, switch: float, opening: int) -> float:
    """The best total of a path that ends in phase ``a`` and moves on to phase ``b``."""
    if a == b:
        return totals[a]
    return -math.inf if b == opening else totals[a] - switch


def _stretch_ends(utterances: Sequence[Utterance]) -> list[float]:
    """Where each utterance's stretch ends: the next utterance's start, the last one's end."""
    starts = [u.start for u in utterances[1:]]
    return [max(s, u.start) for s, u in zip(starts, utterances)] + (
        [utterances[-1].end] if utterances else [])


def phase_flags(utterances: Sequence[Utterance], phases: Sequence[str]) -> tuple[Flag, ...]:
    """One ``phase`` flag per stretch of utterances in the same phase (subtype: the phase;
    text: the words that open the stretch, so that a flag's text is always its utterance's)."""
    flags: list[Flag] = []
    ends = _stretch_ends(utterances)
    for index, (utterance, phase) in enumerate(zip(utterances, phases)):
        if flags and flags[-1].subtype == phase:
            flags[-1] = Flag(flags[-1].role, flags[-1].start, ends[index], "phase", phase,
                             "phase", flags[-1].text, "", flags[-1].utterance)
        else:
            flags.append(Flag(utterance.role, utterance.start, ends[index], "phase", phase,
                              "phase", utterance.text, "", index))
    return tuple(flags)


def phase_metrics(utterances: Sequence[Utterance], phases: Sequence[str]) -> dict[str, Any]:
    """Seconds in each phase (nan when untimed) and whether the rep presented before
    discovering (a presentation stretch before the first discovery one, or none at all)."""
    ends = _stretch_ends(utterances)
    timed = all(math.isfinite(u.start) and math.isfinite(e) for u, e in zip(utterances, ends))
    seconds = {p: 0.0 if timed else math.nan for p in PHASES}
    if timed:
        for utterance, end, phase in zip(utterances, ends, phases):
            seconds[phase] += end - utterance.start
    return {**{f"{p}_s": seconds[p] for p in PHASES},
            "presented_before_discovery": presented_first(phases)}


def presented_first(phases: Sequence[str]) -> bool:
    """Whether the rep pitched before asking: a presentation stretch before the first
    discovery one, or presentation and no discovery at all."""
    first = {p: phases.index(p) for p in reversed(PHASES) if p in phases}
    return "presentation" in first and first["presentation"] < first.get("discovery", 10**9)
