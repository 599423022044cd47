"""Retrain the backstop model from the labelled corpora; deterministic for a given config.

    python -m analyzer.evaluate.train_textcat        # writes models/language/textcat/model.json

The corpora, features, regularisation and seed are in models/language/textcat/config.json.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analyzer.call.language.textcat import TEXTCAT_DIR, vectorizers
from analyzer.evaluate.language import read_corpus
from analyzer.settings import EVAL_DIR


def train(config: dict[str, Any], rules_dir: Path = EVAL_DIR / "language") -> dict[str, Any]:
    """Fit the vectorizers and one logistic regression per label; return the model as JSON data."""
    import numpy as np
    from scipy.sparse import hstack
    from sklearn.linear_model import LogisticRegression

    items = [i for name in config["corpora"] for i in read_corpus(rules_dir / name)]
    texts = [i.text for i in items]
    fitted = vectorizers(config)
    features = hstack([v.fit_transform(texts) for v in fitted]).tocsr()
    model: dict[str, Any] = {"trained_on": {"corpora": config["corpora"], "utterances": len(items)},
                             "weights": {}}
    for vec, part in zip(fitted, ("words", "chars")):
        vocabulary = {term: int(index) for term, index in sorted(vec.vocabulary_.items())}
        model[part] = {"vocabulary": vocabulary, "idf": [round(float(x), 6) for x in vec.idf_]}
    for label in config["labels"]:
        target = np.array([label in i.labels for i in items], dtype=int)
        clf = LogisticRegression(C=config["C"], max_iter=2000, class_weight="balanced",
                                 random_state=config["seed"]).fit(features, target)
        weights = [*clf.coef_[0], clf.intercept_[0]]
        model["weights"][label] = [round(float(w), 5) for w in weights]
    return model


def main(argv: Sequence[str] | None = None) -> int:
    """Train from the config in models/language/textcat/ and write model.json next to it."""
    directory = Path(argv[0]) if argv else TEXTCAT_DIR
    config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    model = train(config)
    path = directory / "model.json"
    path.write_text(json.dumps(model, separators=(",", ":"), sort_keys=True) + "\n",
                    encoding="utf-8")
    print(f"{path}: {model['trained_on']['utterances']} utterances, "
          f"{path.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
