"""The real-data language evaluation: readers, the bare form, the persuasion halves, skipping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import realdata_path

from analyzer.evaluate.language_real import (
    agreement,
    bare,
    persuasion_half,
    read_mrda,
    read_persuasion,
    run,
)


def test_evaluate_language_real_bare_text_drops_punctuation_keeps_apostrophes() -> None:
    assert bare("So, you're still in Dallas?") == "so you're still in dallas"


def test_evaluate_language_real_mrda_keeps_questions_and_statements(tmp_path: Path) -> None:
    (tmp_path / "m.txt").write_text("a|can i see it?|Q|qy|rt\nb|yeah.|B|b|b\n"
                                    "b|i think so.|S|s|s\nc|so you're done?|Q|qy|d\n")
    found = read_mrda(tmp_path)
    assert [(u.basic, u.full) for u in found] == [("Q", "rt"), ("S", "s"), ("Q", "d")]


def test_evaluate_language_real_persuasion_halves_split_dialogues(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    header = "dialogue,role,turn,text,persuader_label,persuadee_label,persuader_label_2," \
             "persuadee_label_2\n"
    rows = "".join(f"d{k},persuader,0,Hello {k}.,greeting,,,\nd{k},persuadee,0,Hi.,,greeting,,\n"
                   for k in range(4))
    path.write_text(header + rows)
    sentences = read_persuasion(path)
    tune, test = persuasion_half(sentences, True), persuasion_half(sentences, False)
    assert {s.dialogue for s in tune} == {"d0", "d2"}
    assert {s.dialogue for s in test} == {"d1", "d3"}
    assert {s.role for s in tune} == {"rep", "customer"}


def test_evaluate_language_real_absent_sets_are_skipped_with_a_line(tmp_path: Path,
                                                                   capsys: Any) -> None:
    assert run(labeler=None, root=tmp_path) == {}  # type: ignore[arg-type]
    out = capsys.readouterr().out
    assert "mrda/test: absent, skipped" in out
    assert "dialogues.csv: absent, skipped" in out


def test_evaluate_language_real_persuasion_halves_are_disjoint_and_cover_the_set() -> None:
    sentences = read_persuasion(realdata_path("persuasion", "dialogues.csv"))
    tune, test = persuasion_half(sentences, True), persuasion_half(sentences, False)
    assert not {s.dialogue for s in tune} & {s.dialogue for s in test}
    assert len(tune) + len(test) == len(sentences)


def test_evaluate_language_real_no_greeting_or_thanks_is_pushy() -> None:
    # Issue 17: "Good afternoon, everyone." was flagged as pushy; real greetings, thanks,
    # closings and acknowledgements (both halves of PersuasionForGood) never may be.
    from analyzer.call.language import Labeler
    from analyzer.evaluate.language_real import ANY_ASK, NEVER_PUSHY, flagged

    sentences = read_persuasion(realdata_path("persuasion", "dialogues.csv"))
    polite = [s for s in sentences if s.labels & NEVER_PUSHY and not s.labels & ANY_ASK]
    predicted = flagged(Labeler.load(), [s.text for s in polite], [s.role for s in polite])
    pushy = [s.text for s, p in zip(polite, predicted) if "pushy_close" in p]
    assert len(polite) > 800 and pushy == []


def test_evaluate_language_real_hand_questions_point_at_persuader_questions() -> None:
    import csv

    from analyzer.evaluate.language_real import HAND_QUESTIONS, SECOND_QUESTIONS

    path = realdata_path("persuasion", "dialogues.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    rows = list(csv.DictReader(HAND_QUESTIONS.read_text(encoding="utf-8").splitlines()))
    assert set(rows[0]) == {"dialogue", "item", "label", "split"}
    ids = sorted({r["dialogue"] for r in records})
    for row in rows:
        record = records[int(row["item"]) - 1]
        assert (record["dialogue"], record["role"]) == (row["dialogue"], "persuader")
        assert row["split"] in (("tune",) if ids.index(row["dialogue"]) % 2 == 0 else
                                ("test", "fresh"))
        assert row["label"] in {"about_customer", "not_about_customer", "not_a_question"}
    second = list(csv.DictReader(SECOND_QUESTIONS.read_text(encoding="utf-8").splitlines()))
    assert {(r["dialogue"], r["item"]) for r in second} == {
        (r["dialogue"], r["item"]) for r in rows if r["split"] == "test"}


def test_evaluate_language_real_agreement_by_hand() -> None:
    # 10 items: both say yes on 3, only the first on 1, neither on 6. Observed 0.9; expected
    # 0.4 * 0.3 + 0.6 * 0.7 = 0.54; kappa (0.9 - 0.54) / 0.46 = 0.78.
    pairs = [(True, True)] * 3 + [(True, False)] + [(False, False)] * 6
    assert agreement(pairs) == "10 items, yes 4 / 3, both 3, kappa 0.78"
