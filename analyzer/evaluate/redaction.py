"""Measure ``--redact`` (``make eval-redaction``).

Three figures, each per kind of detail:

* recall on the planted sets (``models/eval/redaction/``): sentences written like transcripts
  (typed and as a speech recogniser writes them) with the details they hold; a detail counts
  as removed when no trace of it is left, in any spelling (digits or digit words, "dot" or
  "."), and as typed right when its placeholder is there too. ``planted.jsonl`` was used to
  shape the patterns; ``blind.jsonl`` was written afterwards and never tuned on;
* over-redaction: sentences of the language corpora (sales talk with no planted details)
  that redaction changes;
* recall on the spoken calls (``models/eval/redaction/spoken/``, when the bundled tiny.en is
  installed): of the details the recogniser wrote recognisably, how many were removed.

    python -m analyzer.evaluate.redaction
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from analyzer.call.redact import KINDS, People, Redactor
from analyzer.call.redact.patterns import load_patterns
from analyzer.call.redact.rewrite import joined
from analyzer.settings import EVAL_DIR, MODELS_DIR
from analyzer.types import Transcript

PLANTED_DIR = EVAL_DIR / "redaction"
PLANTED = PLANTED_DIR / "planted.jsonl"
BLIND = PLANTED_DIR / "blind.jsonl"
SPOKEN_DIR = PLANTED_DIR / "spoken"
CORPORA = ("eval_corpus", "heldout", "fresh", "fresh2", "fresh3", "blind", "blind2", "blind3")


@dataclass
class Tally:
    """Counts for one kind of detail."""

    planted: int = 0
    removed: int = 0
    typed: int = 0
    missed: list[str] = field(default_factory=list)

    def recall(self) -> float:
        """Share of the planted details removed."""
        return self.removed / self.planted if self.planted else float("nan")


def normalise(text: str) -> str:
    """Text reduced to what identifies a detail: lower case, digit words as digits ("double
    five" as 55), "dot" and "at" as "." and "@", nothing but letters, digits, "@" and "."."""
    digits = load_patterns().digits
    out: list[str] = []
    repeat = 1
    for token in re.findall(r"[\w@.'+-]+", text.casefold()):
        key = token.strip(".'+-")
        if key in digits.repeaters:
            repeat = digits.repeaters[key]
            continue
        word = {"dot": ".", "at": "@"}.get(key, digits.words.get(key, token))
        out.append(word * repeat if len(word) == 1 and word.isdigit() else word)
        repeat = 1
    return re.sub(r"[^a-z0-9@.\u00c0-\u024f]", "", "".join(out))


def leaked(detail: str, text: str) -> bool:
    """True when any trace of ``detail`` is left in ``text``."""
    return normalise(detail) in normalise(text)


def score_planted(redactor: Redactor, rows: Iterable[Mapping]) -> dict[str, Tally]:
    """Recall per kind on the planted sentences."""
    placeholders = redactor.patterns.placeholders
    tallies = {k: Tally() for k in KINDS}
    for row in rows:
        out = redactor.redact_text(row["text"], People())
        for detail in row["details"]:
            tally = tallies[detail["kind"]]
            tally.planted += 1
            if leaked(detail["text"], out):
                tally.missed.append(f"{row['text']} -> {out}")
                continue
            tally.removed += 1
            tally.typed += placeholders[detail["kind"]] in out
    return tallies


def over_redaction(redactor: Redactor) -> tuple[int, int, list[str]]:
    """Sentences of the language corpora that redaction changes: (changed, total, examples)."""
    texts = [json.loads(line)["text"] for name in CORPORA
             for line in (EVAL_DIR / "language" / f"{name}.jsonl").read_text(
                 encoding="utf-8").splitlines() if line.strip()]
    changed = []
    for text in texts:
        out = redactor.redact_text(text)
        if out != text:
            changed.append(f"{text} -> {out}")
    return len(changed), len(texts), changed


def score_spoken(redactor: Redactor, stt: object) -> dict[str, Tally]:
    """Recall per kind on the spoken calls, over the details the recogniser wrote."""
    from analyzer.run.audio import load_audio
    from analyzer.run.recording import transcribe_windows

    tallies = {k: Tally() for k in KINDS}
    calls = json.loads((SPOKEN_DIR / "calls.json").read_text(encoding="utf-8"))["calls"]
    for call in calls:
        raw = transcribe_windows([load_audio(SPOKEN_DIR / call["file"])], stt, None)  # type: ignore[arg-type]
        redacted = redactor.redact(raw, People.of_call(call["rep"]))
        for detail in call["details"]:
            if not leaked(detail["text"], _all_text(raw)):
                continue
            tally = tallies[detail["kind"]]
            tally.planted += 1
            if leaked(detail["text"], _all_text(redacted)):
                tally.missed.append(f"{call['file']}: {detail['text']}")
            else:
                tally.removed += 1
    return tallies


def _all_text(transcript: Transcript) -> str:
    return " | ".join([s.text for s in transcript.segments]
                      + [joined(s.words)[0] for s in transcript.segments])


def _print(title: str, tallies: dict[str, Tally], typed: bool = True) -> None:
    print(f"\n{title}")
    print(f"{'kind':8} {'planted':>8} {'removed':>8} {'recall':>7}"
          + (" typed right" if typed else ""))
    for kind, t in tallies.items():
        if t.planted:
            extra = f" {t.typed:>11}" if typed else ""
            print(f"{kind:8} {t.planted:>8} {t.removed:>8} {t.recall():>7.2f}{extra}")
    total = Tally(sum(t.planted for t in tallies.values()),
                  sum(t.removed for t in tallies.values()))
    print(f"{'all':8} {total.planted:>8} {total.removed:>8} {total.recall():>7.2f}")
    for kind, t in tallies.items():
        for miss in t.missed:
            print(f"  missed {kind}: {miss}")


def main() -> None:
    """Print recall per kind (planted and spoken) and the over-redaction of plain sales talk."""
    redactor = Redactor.load()
    start = time.perf_counter()
    sentences = 0
    for path, what in ((PLANTED, "shaped the patterns"), (BLIND, "never tuned on")):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip()]
        sentences += len(rows)
        _print(f"Planted set {path.relative_to(MODELS_DIR.parent)} ({what})",
               score_planted(redactor, rows))
    changed, total, examples = over_redaction(redactor)
    seconds = time.perf_counter() - start
    print(f"\nOver-redaction: {changed} of {total} corpus sentences changed "
          f"({changed / total:.1%})")
    for example in examples:
        print(f"  {example}")
    print(f"\nSpeed: {sentences + total} sentences in {seconds:.1f} s "
          f"({(sentences + total) / seconds:.0f} per second, one process)")
    _spoken(redactor)


def _spoken(redactor: Redactor) -> None:
    from analyzer.run.speech_to_text import WhisperTranscriber, bundled_model_dir

    if bundled_model_dir() is None:
        print("\nSpoken calls: skipped (the bundled tiny.en is not installed)")
        return
    _print("Spoken calls (espeak-ng, transcribed by tiny.en; details the recogniser wrote)",
           score_spoken(redactor, WhisperTranscriber.load()), typed=False)


if __name__ == "__main__":
    main()
