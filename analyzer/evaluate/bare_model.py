"""Would a model over the words find the questions of bare text that the rules miss? Measured
on real meeting speech, and the answer that decided against shipping one.

    python -m analyzer.evaluate.bare_model      # about 4 minutes: the rules label 70,000 lines

Bare text (lower case, no punctuation, as ASR without punctuation gives it) of
``../shared/realdata/mrda/train/`` only: 51 meetings. An L2 logistic regression with balanced
classes over the word 1- to 3-grams a line holds (present or not; start and end marked; seen
in 20 lines or more) and whether the question rules fired; questions (Q) against statements
(S), backchannels (B), disruptions (D) and floor grabbers (F). Out-of-fold probabilities from
5 folds by meeting; the threshold flags 2.5% of the statements. The rules and the model are
compared on the same lines, over every line and over lines of two words or more (a one-word
"right" or "yeah" is a check in one meeting and a backchannel in the next: the words cannot
tell them apart).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from analyzer.call.language import Labeler
from analyzer.evaluate.language_real import REALDATA, bare

RULE = "<rule:question>"
WORD = re.compile(r"[a-z0-9']+")
ACTS = ("Q", "S", "B", "D", "F")
STATEMENTS_FLAGGED = 0.025


def ngrams(text: str, max_n: int = 3) -> Iterator[str]:
    """The word 1- to max_n-grams of a text, with its start and end marked."""
    words = ["<s>", *WORD.findall(text), "</s>"]
    for n in range(1, max_n + 1):
        for i in range(len(words) - n + 1):
            yield " ".join(words[i:i + n])


def lines(folder: Path) -> list[tuple[str, str, str]]:
    """(meeting, bare text, dialogue act) of every line of the five acts."""
    found = []
    for path in sorted(folder.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("|")
            if len(parts) == 5 and parts[2] in ACTS and bare(parts[1]):
                found.append((path.stem, bare(parts[1]), parts[2]))
    return found


def rule_verdicts(texts: Sequence[str]) -> list[bool]:
    """Whether the question rules (the product's labeler) call each text a question."""
    labeler = Labeler.load(backstop=False)
    return ["question" in {label for s in sentences for label in s.labels}
            for sentences in labeler.label(list(texts))]


def report(name: str, decided: object, acts: object, rows: object) -> str:
    """One printed row: recall of questions, share of statements and backchannels flagged."""
    import numpy as np

    d, a, keep = np.asarray(decided), np.asarray(acts), np.asarray(rows)

    def share(act: str) -> str:
        picked = keep & (a == act)
        return f"{d[picked].mean():.3f} ({int(d[picked].sum())}/{int(picked.sum())})"

    return (f"  {name:<34}questions found {share('Q')}  statements flagged {share('S')}  "
            f"backchannels flagged {share('B')}")


def main(argv: Sequence[str] | None = None) -> int:
    """Print the comparison (0), or say why it cannot run (0: a report, not a gate)."""
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_predict

    folder = REALDATA / "mrda" / "train"
    if not folder.is_dir():
        print(f"bare-text question model: skipped, {folder} not found")
        return 0
    found = lines(folder)
    acts = np.array([act for _, _, act in found])
    rules = np.array(rule_verdicts([text for _, text, _ in found]))
    docs = [sorted(set(ngrams(text)) | ({RULE} if r else set()))
            for (_, text, _), r in zip(found, rules)]
    features = CountVectorizer(analyzer=lambda d: d, binary=True, min_df=20).fit_transform(docs)
    model = LogisticRegression(C=0.3, max_iter=3000, class_weight="balanced")
    held = cross_val_predict(model, features, acts == "Q", groups=[m for m, _, _ in found],
                             cv=GroupKFold(5), method="predict_proba")[:, 1]
    statements = acts == "S"
    words = np.array([len(text.split()) for _, text, _ in found])
    print(f"Bare-text questions, mrda/train out of fold: {len(found)} lines, "
          f"{features.shape[1]} features")
    for label, rows in (("every line", words >= 1), ("lines of 2 words or more", words >= 2)):
        cut = np.quantile(held[statements & rows], 1 - STATEMENTS_FLAGGED)
        print(f" {label}:")
        print(report("question rules", rules, acts, rows))
        print(report("model (rules as a feature)", held >= cut, acts, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
