"""The language evaluation script: corpus reading, scoring and its exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.errors import InputError
from analyzer.evaluate.language import Item, bench_texts, main, read_corpus, score


def test_evaluate_language_score_counts_per_label() -> None:
    items = [Item("a", frozenset({"question"})), Item("b", frozenset()),
             Item("c", frozenset({"question", "customer_question"}))]
    predicted = [frozenset({"question"}), frozenset({"question"}), frozenset({"question"})]
    by_label = {s.label: s for s in score(items, predicted)}
    assert (by_label["question"].tp, by_label["question"].fp, by_label["question"].fn) == (2, 1, 0)
    assert by_label["customer_question"].recall == 0.0
    assert by_label["pushy_close"].f1 == 1.0


def test_evaluate_language_bad_item_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"text": "hi", "labels": []}\n{"text": "x", "labels": ["rude"]}\n')
    with pytest.raises(InputError, match=r"c.jsonl:2"):
        read_corpus(path)


def test_evaluate_language_main_fails_below_threshold(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "c.jsonl"
    items = [{"text": "We are the market leader.", "labels": []},
             {"text": "how are the kids", "labels": ["question", "customer_question"]}]
    path.write_text("".join(json.dumps(i) + "\n" for i in items))
    assert main([str(path)]) == 1
    assert "FAIL: F1 below 0.9 for self_promotion" in capsys.readouterr().out


def test_evaluate_language_bench_texts_are_unique() -> None:
    texts = bench_texts(1000)
    assert len(texts) == len(set(texts)) == 1000


def test_evaluate_language_default_run_reports_fresh_batches_without_gating(capsys) -> None:  # type: ignore[no-untyped-def]
    from analyzer.evaluate.language import REPORTED

    assert main([]) == 0
    out = capsys.readouterr().out
    for path in REPORTED:
        if path.exists():
            assert f"{path} (reported, not gated)" in out
