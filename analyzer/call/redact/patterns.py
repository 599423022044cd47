"""Detectors of the details a pattern can tell: e-mail addresses, runs of digits (card, SSN or
phone number, written or spoken digit by digit) and street addresses.

Each detector returns the ``Span``s it finds in one string. The expressions, word lists and
limits are data: ``models/redaction/patterns.json`` and ``street_suffixes.txt``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from analyzer.settings import MODELS_DIR, data_text, read_json

REDACTION_DIR = MODELS_DIR / "redaction"
PATTERNS_PATH = REDACTION_DIR / "patterns.json"
SUFFIXES_PATH = REDACTION_DIR / "street_suffixes.txt"
KINDS = ("EMAIL", "CARD", "SSN", "PHONE", "ADDRESS", "PERSON")


@dataclass(frozen=True)
class Span:
    """A stretch ``text[start:end]`` to replace by ``replacement`` (a placeholder or an id)."""

    start: int
    end: int
    kind: str
    replacement: str


@dataclass(frozen=True)
class DigitRules:
    """How a run of digits (written or spoken one by one) is told a card, an SSN or a phone."""

    token: re.Pattern[str]
    gap: re.Pattern[str]
    words: Mapping[str, str]
    repeaters: Mapping[str, int]
    formatted: re.Pattern[str]
    card: tuple[int, int]
    ssn_written: re.Pattern[str]
    ssn_invalid: tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]
    phone: tuple[int, int]
    phone_plain_min: int
    phone_short: re.Pattern[str]


@dataclass(frozen=True)
class Patterns:
    """Every pattern of ``patterns.json``, compiled once.

    Attributes:
        placeholders: The text that replaces each kind of detail ("PHONE" -> "[PHONE]").
        email: Written and spoken ("john dot smith at acme dot com") e-mail addresses.
        digits: Card, SSN and phone numbers.
        address: A house number, up to three capitalised words, a street suffix, a unit (or a
            PO box), then a town and a ZIP code.
        person_cues: Phrases that introduce a name ("my name is", "Mrs."); group 1 is the name.
        not_names: Words (casefolded) a cue or the recogniser may take for a name but are not.
        spread_min_letters: A name part this long, once found, is redacted all through the call.
        generic_speakers: Speaker labels that name nobody ("SPEAKER_00", "B", "left").
        ner_model, ner_labels: The spaCy model and entity labels that find people's names.
    """

    placeholders: Mapping[str, str]
    email: tuple[re.Pattern[str], ...]
    digits: DigitRules
    address: re.Pattern[str]
    person_cues: re.Pattern[str]
    not_names: frozenset[str]
    spread_min_letters: int
    generic_speakers: re.Pattern[str]
    ner_model: str
    ner_labels: frozenset[str]


@lru_cache(maxsize=2)
def load_patterns(path: Path = PATTERNS_PATH, suffixes: Path = SUFFIXES_PATH) -> Patterns:
    """Read and compile ``models/redaction/patterns.json`` and the street suffixes."""
    data = read_json(path)
    person = data["person"]
    return Patterns(
        data["placeholders"], tuple(re.compile(p) for p in data["email"]),
        _digit_rules(data), _address(data["address"], _word_list(suffixes)),
        re.compile(person["cues"]), frozenset(n.casefold() for n in person["not_names"]),
        int(person["spread_min_letters"]), re.compile(data["generic_speakers"]),
        person["ner_model"], frozenset(person["ner_labels"]))


def _digit_rules(data: Mapping) -> DigitRules:
    digits, ssn, phone = data["digits"], data["ssn"], data["phone"]
    words = dict(digits["number_words"])
    repeaters = {k: int(v) for k, v in digits["repeaters"].items()}
    spoken = "|".join(sorted([*words, *repeaters], key=len, reverse=True))
    token = re.compile(rf"(?i)(?<![\w@])(?:\+?\d+|(?:{spoken}))(?![\w@])")
    return DigitRules(
        token, re.compile(rf"^{digits['gap']}$"), words, repeaters,
        re.compile(digits["formatted_number"]),
        (int(data["card"]["min_digits"]), int(data["card"]["max_digits"])),
        re.compile(ssn["written"]),
        (re.compile(ssn["invalid_area"]), re.compile(ssn["invalid_group"]),
         re.compile(ssn["invalid_serial"])),
        (int(phone["min_digits"]), int(phone["max_digits"])), int(phone["min_digits_plain"]),
        re.compile(phone["short_shape"]))


def _address(data: Mapping, suffixes: list[str]) -> re.Pattern[str]:
    spoken = "|".join(data["number_words"])
    number = rf"(?:{data['house_number']}|(?i:{spoken})(?:[\s-]+(?i:and\s+)?(?i:{spoken})){{0,4}})"
    names = rf"(?:{data['name_word']}\s+){{1,{int(data['max_name_words'])}}}"
    suffix = "(?i:" + "|".join(re.escape(s) for s in suffixes) + r")\b\.?"
    street = rf"\b{number}\s+{names}{suffix}{data['unit']}"
    return re.compile(rf"(?:{street}|{data['po_box']}){data['tail']}")


def _word_list(path: Path) -> list[str]:
    lines = data_text(path).splitlines()
    return [w.strip() for w in lines if w.strip() and not w.startswith("#")]


def find_patterns(text: str, patterns: Patterns) -> list[Span]:
    """Every e-mail address, card, SSN, phone number and street address in ``text``."""
    spans = [Span(m.start(), m.end(), "EMAIL", patterns.placeholders["EMAIL"])
             for expression in patterns.email for m in expression.finditer(text)]
    spans.extend(find_digit_runs(text, patterns))
    spans.extend(Span(m.start(), m.end(), "ADDRESS", patterns.placeholders["ADDRESS"])
                 for m in patterns.address.finditer(text))
    return spans


def find_digit_runs(text: str, patterns: Patterns) -> list[Span]:
    """Cards, SSNs and phone numbers: runs of digit groups or digit words ("five five five")
    with at most a few separators between them, told apart by length, shape and checks."""
    rules = patterns.digits
    spans = []
    for run in _runs(text, rules):
        start, end = run[0].start(), run[-1].end()
        kind = classify_digits(_digits(run, rules), text[start:end], rules)
        if kind:
            if start > 0 and text[start - 1] == "(":
                start -= 1
            spans.append(Span(start, end, kind, patterns.placeholders[kind]))
    return spans


def _runs(text: str, rules: DigitRules) -> list[list[re.Match[str]]]:
    """Consecutive digit tokens; a thousands separator ("1,200,000") ends a run."""
    formatted = [m.span() for m in rules.formatted.finditer(text)]
    runs: list[list[re.Match[str]]] = []
    for token in rules.token.finditer(text):
        if any(s <= token.start() < e for s, e in formatted):
            runs.append([])
            continue
        last = runs[-1][-1] if runs and runs[-1] else None
        if last is not None and rules.gap.match(text[last.end():token.start()]):
            runs[-1].append(token)
        else:
            runs.append([token])
    return [t for t in (_trim(r, rules) for r in runs if r) if t]


def _trim(run: list[re.Match[str]], rules: DigitRules) -> list[re.Match[str]]:
    """Drop a leading "oh" (more often a sigh than a zero) and a trailing "oh" or "double"."""
    while run and run[0].group().lower() == "oh":
        run = run[1:]
    while run and (run[-1].group().lower() == "oh" or run[-1].group().lower() in rules.repeaters):
        run = run[:-1]
    return run


def _digits(run: list[re.Match[str]], rules: DigitRules) -> str:
    out: list[str] = []
    repeat = 1
    for token in run:
        word = token.group().lower().lstrip("+")
        if word in rules.repeaters:
            repeat = rules.repeaters[word]
            continue
        digit = rules.words.get(word, word)
        out.append(digit * repeat if len(digit) == 1 else digit)
        repeat = 1
    return "".join(out)


def classify_digits(digits: str, raw: str, rules: DigitRules) -> str:
    """"CARD", "SSN", "PHONE" or "" for the digits of a run and the text they were read from.

    Written digits are a phone number only with a "+", parentheses, ten digits or more, or the
    ``555-1234`` shape, so that amounts, years and counts are left alone; digits read out one
    by one are a phone number from seven digits.
    """
    if not digits:
        return ""
    spoken = any(c.isalpha() for c in raw)
    low, high = rules.card
    if low <= len(digits) <= high and luhn_valid(digits):
        return "CARD"
    if len(digits) == 9 and ssn_valid(digits, rules) and (spoken or rules.ssn_written.match(raw)):
        return "SSN"
    low, high = rules.phone
    if not low <= len(digits) <= high:
        return ""
    if spoken or raw.startswith("+") or "(" in raw or ")" in raw:
        return "PHONE"
    if len(digits) >= rules.phone_plain_min or rules.phone_short.match(raw):
        return "PHONE"
    return ""


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number passes (and most other numbers fail)."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char)
        if i % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def ssn_valid(digits: str, rules: DigitRules | None = None) -> bool:
    """True for nine digits that can be a US social security number: area not 000, 666 or
    9xx, group not 00, serial not 0000 (the invalid ranges are in patterns.json)."""
    area, group, serial = (rules or load_patterns().digits).ssn_invalid
    return len(digits) == 9 and not (area.match(digits[:3]) or group.match(digits[3:5])
                                     or serial.match(digits[5:]))
