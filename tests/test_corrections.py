"""A coach's corrections: a flag marked wrong disappears from every count, a missed sentence
is flagged, the call page says a coach corrected it, and nothing is transcribed again."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import DEMO_ARCHIVE

from analyzer.call.corrections import apply_corrections
from analyzer.cli import cli
from analyzer.coach.pages.html import call_file
from analyzer.types import Correction, Flag, Utterance

PUSHY = "This price ends Friday, so sign today."
GREETING = "Good afternoon, Mr. Johnson."
BRAG = "Our onboarding takes a single afternoon."


def test_corrections_mark_a_flag_wrong_and_add_a_missed_sentence() -> None:
    said = (Utterance("A", "rep", 0.0, 4.0, f"{GREETING} {PUSHY}"),
            Utterance("A", "rep", 5.0, 7.0, BRAG))
    flags = (Flag("rep", 0.0, 1.0, "pushy_close", "", "pc_x", GREETING, "afternoon", 0),
             Flag("rep", 1.0, 4.0, "pushy_close", "urgency", "pc_y", PUSHY, "ends Friday", 0))
    corrections = (Correction("c", "pushy_close", "good afternoon,  mr johnson", "wrong"),
                   Correction("c", "self_promotion", BRAG, "missed"))
    out = apply_corrections(said, flags, corrections)
    assert [(f.label, f.coach) for f in out] == [("pushy_close", "wrong"), ("pushy_close", ""),
                                                 ("self_promotion", "added")]
    added = out[-1]
    assert (added.utterance, added.rule, added.text, added.start) == (1, "coach", BRAG, 5.0)


def test_corrections_a_missed_sentence_already_flagged_is_not_added_twice() -> None:
    said = (Utterance("A", "rep", 0.0, 2.0, PUSHY),)
    flags = (Flag("rep", 0.0, 2.0, "pushy_close", "urgency", "pc_y", PUSHY, "", 0),)
    out = apply_corrections(said, flags, (Correction("c", "pushy_close", PUSHY, "missed"),))
    assert out == flags


@pytest.fixture
def run_folder(tmp_path, cli_fake_stt):
    """The demo archive analyzed with a fake transcriber whose rep says a greeting, a pushy
    line and a brag the labels miss."""
    cli_fake_stt.lines = {"left": [GREETING, PUSHY, BRAG], "right": ["Sure.", "We have three."]}
    archive = shutil.copytree(DEMO_ARCHIVE, tmp_path / "archive")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["analyze", str(archive), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return archive, out


def analyze_again(archive, out):
    result = CliRunner().invoke(cli, ["analyze", str(archive), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return pd.read_csv(out / "calls.csv"), pd.read_csv(out / "flags.csv", keep_default_na=False)


def test_corrections_round_trip_through_the_command_line(run_folder, cli_fake_stt):
    archive, out = run_folder
    calls = pd.read_csv(out / "calls.csv")
    call_id = calls["call_id"][0]
    before = calls.set_index("call_id")["pushy_closing"]
    flags = pd.read_csv(out / "flags.csv", keep_default_na=False)
    mine = flags[(flags["call_id"] == call_id) & (flags["label"] == "pushy_close")]
    assert PUSHY in set(mine["text"]) and before[call_id] > 0
    runner = CliRunner()
    for args in (["--label", "pushy_close", "--wrong", "--sentence", PUSHY],
                 ["--label", "self_promotion", "--missed", "--sentence", BRAG]):
        done = runner.invoke(cli, ["correct", str(out), "--call", call_id, *args])
        assert done.exit_code == 0 and "corrections.csv" in done.output, done.output
    transcribed = cli_fake_stt.calls
    calls, flags = analyze_again(archive, out)
    assert cli_fake_stt.calls == transcribed  # relabelled from the cached transcripts
    after = calls.set_index("call_id")
    pushy_lines = (mine["text"] == PUSHY).sum()
    assert after["pushy_closing"][call_id] == before[call_id] - pushy_lines
    others = [c for c in before.index if c != call_id]
    assert all(after["pushy_closing"][c] == before[c] for c in others)  # only that call
    own = flags[flags["call_id"] == call_id]
    assert set(own[(own["text"] == PUSHY) & (own["label"] == "pushy_close")]["coach"]) == \
        {"wrong"}
    assert set(own[(own["label"] == "self_promotion") & (own["text"] == BRAG)]["coach"]) == \
        {"added"}
    page = (out / "call-pages" / call_file(call_id)).read_text(encoding="utf-8")
    assert "Corrected by a coach" in page and "added by a coach" in page
    assert "callcoach correct" in page and "not right?" in page
    rep = calls.set_index("call_id")["rep"][call_id]
    rep_calls = after[after["rep"] == rep]
    rep_page = (out / "reps" / f"{rep}.html").read_text(encoding="utf-8")
    assert f"Pushy closing lines: <b>{rep_calls['pushy_closing'].sum():.0f}</b>" in rep_page


def test_corrections_unknown_call_is_refused_with_one_line(run_folder):
    _archive, out = run_folder
    done = CliRunner().invoke(cli, ["correct", str(out), "--call", "nobody/nothing", "--label",
                                    "pushy_close", "--wrong", "--sentence", PUSHY])
    assert done.exit_code == 2 and "no call 'nobody/nothing'" in done.output
    assert not (out / "corrections.csv").exists()


def test_corrections_bad_file_stops_the_run_naming_the_line(run_folder):
    archive, out = run_folder
    (out / "corrections.csv").write_text("call_id,label,text,verdict,note\n"
                                         "c,pushy_close,x,maybe,\n")
    result = CliRunner().invoke(cli, ["analyze", str(archive), "--out", str(out), "--quiet"])
    assert result.exit_code == 2
    assert "corrections.csv: line 2" in result.output


def test_corrections_every_correction_is_an_eval_case(tmp_path, session_labeler, capsys):
    from analyzer.evaluate.corrections import main, score
    from analyzer.run.inputs import append_correction

    path = tmp_path / "corrections.csv"
    append_correction(path, Correction("c", "pushy_close", PUSHY, "wrong", "a real deadline"))
    append_correction(path, Correction("c", "self_promotion", BRAG, "missed"))
    lines = score(session_labeler, [Correction("c", "pushy_close", PUSHY, "wrong"),
                                    Correction("c", "pushy_close", "We use spreadsheets.",
                                               "wrong")])
    assert any(line.split()[:4] == ["pushy_close", "wrong", "2", "1"] for line in lines)
    assert any("still wrong" in line and PUSHY in line for line in lines)
    assert main([str(path)]) == 0
    assert "Coach corrections (2 from" in capsys.readouterr().out


ASK = "Would it make sense to set up a pilot with your team?"


def test_corrections_an_ask_marked_wrong_leaves_the_close_through_the_command_line(
        tmp_path, cli_fake_stt):
    """The closing labels are corrected like the others: the ask, its answer and the next
    step it led to leave the call's columns and the close panel; the page lists it as
    corrected."""
    cli_fake_stt.lines = {"left": [ASK, "I will send you the proposal by Friday."],
                          "right": ["Yes, absolutely."]}
    archive = shutil.copytree(DEMO_ARCHIVE, tmp_path / "archive")
    out = tmp_path / "out"
    calls, _ = analyze_again(archive, out)
    call_id = calls["call_id"][0]
    assert calls.set_index("call_id")["asks_agreed"][call_id] >= 1  # the lines repeat
    page = (out / "call-pages" / call_file(call_id)).read_text(encoding="utf-8")
    assert "--label ask --wrong" in page  # the close panel's "not right?"
    done = CliRunner().invoke(cli, ["correct", str(out), "--call", call_id, "--label", "ask",
                                    "--wrong", "--sentence", ASK])
    assert done.exit_code == 0, done.output
    calls, flags = analyze_again(archive, out)
    row = calls.set_index("call_id").loc[call_id]
    assert (row["asks"], row["asks_agreed"]) == (0, 0)
    own = flags[(flags["call_id"] == call_id) & (flags["label"] == "ask")]
    assert set(own["coach"]) == {"wrong"}
    page = (out / "call-pages" / call_file(call_id)).read_text(encoding="utf-8")
    assert "Corrected by a coach" in page and "--label ask --wrong" not in page


def test_corrections_a_label_of_the_call_is_scored_on_the_recorded_call(
        tmp_path, cli_fake_stt, capsys):
    """`make eval CORRECTIONS=` scores the labels that need their call (here an ask) by
    analyzing the call again as the run recorded it; a call it cannot find is said, not
    scored."""
    from analyzer.evaluate.corrections import main

    cli_fake_stt.lines = {"left": [ASK], "right": ["Yes, absolutely."]}
    archive = shutil.copytree(DEMO_ARCHIVE, tmp_path / "archive")
    out = tmp_path / "out"
    calls, _ = analyze_again(archive, out)
    runner = CliRunner()
    for call_id, verdict in ((calls["call_id"][0], "--wrong"), (calls["call_id"][1], "--missed")):
        done = runner.invoke(cli, ["correct", str(out), "--call", call_id, "--label", "ask",
                                   verdict, "--sentence", ASK])
        assert done.exit_code == 0, done.output
    assert main([str(out / "corrections.csv")]) == 0
    printed = capsys.readouterr().out
    assert [line.split() for line in printed.splitlines() if line.startswith("ask ")] == [
        ["ask", "missed", "1", "1"], ["ask", "wrong", "1", "0"]]
    assert f"still wrong: ask: {ASK!r}" in printed
    (out / "utterances.parquet").unlink()
    assert main([str(out / "corrections.csv")]) == 0
    assert "not scored: ask needs its call" in capsys.readouterr().out
