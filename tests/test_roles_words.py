"""The roles word model: its scoring matches the fitted model, it weighs with the cues, and
its training and held-out measurement run on labelled transcripts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_roles import call

from analyzer.call.linear import TextModel, score, text_model
from analyzer.call.roles import CALIBRATION_PATH, assign_by_cues, load_words
from analyzer.call.roles.words import WORDS_PATH, lean, speaker_talk
from analyzer.cli import cli
from analyzer.evaluate import train_roles

SELLER = ("Thanks for making the time today. Before I show you anything, can you walk me "
          "through how your team handles onboarding right now? If you had one thing to fix "
          "this quarter, what would it be for you? We can set up a pilot for your team, and "
          "I'll send you a short summary after the call so you can share it with your manager. "
          "Would it make sense to look at your current numbers together next week? You "
          "mentioned the handover, so we'd start there and you'd see results quickly. ") * 2
BUYER = ("Yeah, sure. Honestly I think our biggest problem is the handover, I don't know. "
         "We tried a tool last year and it was too much work for my team, so I'm not sure. "
         "I need to talk to my boss about the budget, but that sounds good to me. I have a "
         "few people who would use it, and I'd want to see the price first. Okay, yes. ") * 2


def test_roles_words_find_the_seller_when_no_cue_fires() -> None:
    """Two long talks, no phrase cue either way: the word model names the seller and says
    which of their words did."""
    transcript = call(("A", BUYER), ("B", SELLER), ("A", "Okay."), ("B", "Great."))
    roles = assign_by_cues(transcript)
    assert roles.rep_speakers == ("B",) and roles.method in ("words", "cues")
    assert roles.confidence >= 0.9
    assert re.search(r'B talks like the seller \("[^"]+"', roles.reason), roles.reason


def test_roles_words_lean_is_shrunk_for_a_short_talk() -> None:
    model = load_words()
    assert model is not None
    long_lean, short_lean = lean(model, SELLER, 100.0), lean(model, "you", 100.0)
    assert long_lean > 1.0 and abs(short_lean) < 0.05
    assert lean(model, "", 100.0) == 0.0


def test_roles_words_score_matches_sklearn() -> None:
    """The per-call scorer (pure Python) gives the fitted model's own log-odds."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [SELLER.lower(), BUYER.lower(), "would you like a demo of your options",
             "i need to think about it my boss decides", "you you your team", "i i my"]
    vectorizer = TfidfVectorizer(token_pattern=r"[a-z']+", lowercase=False,
                                 ngram_range=(1, 2), sublinear_tf=True)
    features = vectorizer.fit_transform(texts)
    fitted = LogisticRegression(C=10.0).fit(features, [1, 0, 1, 0, 1, 0])
    names = vectorizer.get_feature_names_out()
    model = TextModel(re.compile(r"[a-z']+"), 2,
                      {str(t): float(vectorizer.idf_[i]) for i, t in enumerate(names)},
                      {str(t): float(fitted.coef_[0][i]) for i, t in enumerate(names)},
                      float(fitted.intercept_[0]))
    probe = ["your team would like a pilot you know", "my boss and i need to think"]
    expected = fitted.decision_function(vectorizer.transform(probe))
    assert [score(model, t) for t in probe] == pytest.approx(list(expected), abs=1e-9)


def test_roles_words_talk_is_the_plain_text_per_speaker() -> None:
    transcript = call(("A", "Hi, Sam!"), ("B", "Don\u2019t worry."), ("A", "We'll see."))
    assert speaker_talk(transcript) == {"A": "hi sam we'll see", "B": "don't worry"}


def _sales_folder(folder: Path) -> Path:
    """Six two-party calls from three repositories, seller "S", buyer "C"."""
    folder.mkdir()
    rows = ["file,rep_speaker,customer_speaker,repo,path,turns"]
    for i in range(6):
        name = f"call{i}.txt"
        (folder / name).write_text(f"C: {BUYER}\nS: {SELLER}\nC: Okay.\n", encoding="utf-8")
        rows.append(f"{name},S,C,owner/repo{i % 3},x.md,3")
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def test_roles_words_training_and_held_out_run_on_labelled_transcripts(tmp_path: Path) -> None:
    folder = _sales_folder(tmp_path / "real9")
    calls = train_roles.labelled_calls([folder], root=tmp_path / "no-realdata")
    assert len(calls) == 6 and {c.source for c in calls} == {f"owner/repo{i}" for i in range(3)}
    assert all(c.truth == "Speaker 2" for c in calls)  # neutral names, seller speaks second
    config = {**json.loads(train_roles.CONFIG_PATH.read_text(encoding="utf-8")),
              "min_df": 2, "min_sources": 2}
    data = train_roles.fit(calls, config)
    assert data["terms"] and score(text_model(data), SELLER.lower()) > 0
    decided = train_roles.held_out(calls, config, [(0.0, 100.0), (3.0, 100.0)])
    assert [right for _call, right, _conf in decided[3.0, 100.0]] == [True] * 6
    assert "real9            right   6 of 6" in train_roles.report(decided, 0.7)


def test_roles_words_model_and_settings_are_documented() -> None:
    readme = (WORDS_PATH.parent / "README.md").read_text(encoding="utf-8")
    config = json.loads(train_roles.CONFIG_PATH.read_text(encoding="utf-8"))
    for key in config:
        if not key.startswith("_"):
            assert f"`{key}`" in readme, key
    data = json.loads(WORDS_PATH.read_text(encoding="utf-8"))
    assert data["token_pattern"] == config["token_pattern"] and data["max_n"] == config["max_n"]
    calibration = json.loads(CALIBRATION_PATH.read_text(encoding="utf-8"))
    assert calibration["word_scale"] > 0


def test_roles_words_reason_reaches_the_audit_through_the_cli(tmp_path: Path) -> None:
    """`analyze` on a transcript with no cue: the rep found by their words, and the reason
    says which words."""
    from click.testing import CliRunner

    calls = tmp_path / "calls" / "rep7"
    calls.mkdir(parents=True)
    (calls / "intro.txt").write_text(f"Alex: {BUYER}\nDana: {SELLER}\nAlex: Okay.\n",
                                     encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["analyze", str(tmp_path / "calls"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    import pandas as pd

    row = pd.read_parquet(out / "calls.parquet").iloc[0]
    assert row["role_method"] in ("words", "cues") and "Dana talks like the seller" in str(
        row["role_reason"])


def test_roles_words_training_without_sales_folders_leaves_the_model_alone() -> None:
    before = WORDS_PATH.read_bytes()
    with pytest.raises(SystemExit, match="give the labelled sales folders"):
        train_roles.main([])
    assert WORDS_PATH.read_bytes() == before
