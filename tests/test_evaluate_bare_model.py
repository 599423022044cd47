"""The bare-text question model experiment: its features, and a clean skip without realdata."""

from __future__ import annotations

from analyzer.evaluate import bare_model


def test_bare_model_ngrams_mark_the_start_and_end_of_a_line():
    grams = list(bare_model.ngrams("so you moved", max_n=2))
    assert grams[:5] == ["<s>", "so", "you", "moved", "</s>"]
    assert "<s> so" in grams and "moved </s>" in grams and len(grams) == 9


def test_bare_model_skips_cleanly_without_realdata(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bare_model, "REALDATA", tmp_path / "nowhere")
    assert bare_model.main([]) == 0
    assert "skipped" in capsys.readouterr().out
