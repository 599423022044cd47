"""The rule format: pattern files under ``models/language/``, read into ``Rule`` values.

Each line of a rule file is one JSON rule (spaCy Matcher, PhraseMatcher or DependencyMatcher
pattern, with an id, a description and examples); ``lexicon.json`` holds the word lists
patterns refer to as "@name", ``labels.json`` the labels in the order they are decided.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from analyzer.errors import InputError
from analyzer.settings import MODELS_DIR, data_text, read_json, read_rows

RULES_DIR = MODELS_DIR / "language"
TRACKERS_PATH = MODELS_DIR / "trackers" / "trackers.csv"
# Trackers of these kinds name our side: praise of them is self-promotion.
OUR_KINDS = ("product",)
RULE_FILES = ("cues.jsonl", "question.jsonl", "pushy_close.jsonl", "self_promotion.jsonl",
              "customer_question.jsonl")


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


def load_lexicon(rules_dir: Path = RULES_DIR) -> dict[str, list[str]]:
    """Read the word lists (``lexicon.json``) that patterns refer to as "@name"."""
    path = rules_dir / "lexicon.json"
    lexicon = read_json(path)
    return {k: v for k, v in lexicon.items() if not k.startswith("_")}


def load_labels(rules_dir: Path = RULES_DIR) -> dict[str, dict[str, Any]]:
    """Read ``labels.json``: every label, in the order it is decided, and who may get it."""
    return dict(read_json(rules_dir / "labels.json")["labels"])


def load_rules(rules_dir: Path = RULES_DIR) -> tuple[Rule, ...]:
    """Read every rule file, expanding "@name" word lists; raise InputError on a bad line."""
    lexicon = load_lexicon(rules_dir)
    rules: list[Rule] = []
    for name in RULE_FILES:
        path = rules_dir / name
        for number, line in enumerate(data_text(path).splitlines(), 1):
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


@lru_cache(maxsize=1)
def load_trackers(path: Path = TRACKERS_PATH) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """Each tracker's name, kind and aliases (its name is always one of them), from the
    names a coach lists in ``models/trackers/trackers.csv``."""
    return tuple((r["name"], r["kind"], tuple(dict.fromkeys(
        [r["name"].lower(), *(a.strip().lower() for a in r["aliases"].split("|") if a.strip())])))
        for r in read_rows(path))


def our_names() -> tuple[str, ...]:
    """The aliases of the products a coach lists as ours (``OUR_KINDS``)."""
    return tuple(a for _, kind, aliases in load_trackers() if kind in OUR_KINDS for a in aliases)
