"""Tables: gathered from the per-call results, written, and read back for `callcoach report`."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import metrics_of, write_run

from analyzer.cli import cli
from analyzer.coach.tables import FLAG_COLUMNS, read_tables
from analyzer.errors import InputError
from analyzer.types import CallError, CallResult, CallSource, Flag, RoleAssignment, Utterance


def result(call_id: str = "c1") -> CallResult:
    flag = Flag("rep", 1.0, 2.0, "pushy_close", "urgency", "pc_only_until",
                "This price is only good until Friday.", "only good until")
    return CallResult(CallSource(call_id, "bob", f"/calls/{call_id}.wav"),
                      RoleAssignment(("A",), "channel", 1.0),
                      (Utterance("A", "rep", 0.0, 3.0, "This price is only good until Friday."),),
                      metrics_of(duration_s=60.0, rep_talk_share=0.7, egomaniac=True),
                      (flag,))


def test_tables_flags_keep_the_matched_words_and_the_coach_column_last(tmp_path):
    tables = write_run([result()], [], tmp_path)
    assert FLAG_COLUMNS[-2:] == ("span", "coach") and list(tables.flags.columns) == \
        list(FLAG_COLUMNS)
    flags = pd.read_csv(tmp_path / "flags.csv", keep_default_na=False)
    assert flags["span"].tolist() == ["only good until"] and flags["coach"].tolist() == [""]


def test_tables_read_back_what_a_run_wrote(tmp_path):
    error = CallError("x", "bob", "/calls/x.wav", "input", "file not found")
    written = write_run([result("c1"), result("c2")], [error], tmp_path)
    read = read_tables(tmp_path)
    for name in ("calls", "reps", "utterances", "flags"):
        pd.testing.assert_frame_equal(getattr(read, name), getattr(written, name),
                                      check_dtype=False)
    assert read.errors.to_dict("records") == written.errors.to_dict("records")
    assert read.out == tmp_path


def test_tables_read_old_flags_without_span(tmp_path):
    tables = write_run([result()], [], tmp_path)
    tables.flags.drop(columns="span").to_parquet(tmp_path / "flags.parquet", index=False)
    assert read_tables(tmp_path).flags["span"].tolist() == [""]


def test_tables_read_a_folder_without_a_run_names_the_file(tmp_path):
    with pytest.raises(InputError, match="calls.parquet: not found"):
        read_tables(tmp_path)


def test_tables_flags_carry_the_index_of_their_utterance(tmp_path, session_labeler):
    from analyzer.call.analysis import Models, analyze_call
    from analyzer.call.roles import RoleEvidence
    from analyzer.types import Segment, Transcript

    said = (Segment("a", 0.0, 2.0, "Okay. We are the best."),
            Segment("b", 2.0, 3.0, "We are the best?"),
            Segment("a", 3.0, 5.0, "Okay. This price ends Friday, so sign today."),
            Segment("a", 5.0, 6.0, "We are the best."))
    call = analyze_call(CallSource("c", "bob", "/c.vtt"), Transcript(said, ("a", "b"), 6.0, "vtt"),
                        RoleEvidence(rep_speaker="a"), Models(session_labeler))
    tables = write_run([call], [], tmp_path)
    assert tables.utterances["utterance"].tolist() == [0, 1, 2, 3]
    joined = tables.flags.merge(tables.utterances, on=["call_id", "utterance"])
    assert len(joined) == len(tables.flags) > 0
    assert all(f in u for f, u in zip(joined["text_x"], joined["text_y"]))
    assert set(tables.flags["utterance"]) == {0, 1, 2, 3}


README = Path(__file__).parents[1] / "README.md"
TABLE_FILES = {"calls": ("csv", "parquet"), "reps": ("csv", "parquet"),
               "utterances": ("parquet",), "flags": ("csv", "parquet"), "errors": ("csv",)}
UNTIMED = "Priya: Hi, this is Priya from Acme. How can I help?\nJosé: We need a CRM.\n"
TIMED = ("WEBVTT\n\n00:00:00.000 --> 00:00:04.000\nPriya: Hi, this is Priya from Acme. "
         "How can I help?\n\n00:00:04.500 --> 00:00:08.000\nJosé: We need a CRM for the team.\n")


def _columns_of(folder: Path) -> dict[str, list[str]]:
    found = {}
    for name, formats in TABLE_FILES.items():
        for fmt in formats:
            path = folder / f"{name}.{fmt}"
            frame = pd.read_parquet(path) if fmt == "parquet" else pd.read_csv(path)
            found[f"{name}.{fmt}"] = list(frame.columns)
    return found


def _documented() -> dict[str, set[str]]:
    """The columns README.md documents: the first cell of every table row under *Outputs*,
    and the column lists of the utterances, flags and errors rows of the files table."""
    text = README.read_text(encoding="utf-8")
    outputs = text[text.index("## Outputs"):text.index("## Reading the reports")]
    first_cells = re.findall(r"^\| (`[^|]+`) \|", outputs, re.MULTILINE)  # `a`, `b` rows too
    calls = {name for cell in first_cells for name in re.findall(r"`([a-z_<>]+)`", cell)}
    lists = {}
    for name in ("utterances", "flags", "errors"):
        row = re.search(rf"^\| `{name}\.[a-z]+`.*$", outputs, re.MULTILINE)
        assert row, name
        lists[name] = set(re.findall(r"[a-z_]+", row.group().split("|")[3].split("(")[0]))
    reps = re.search(r"### Columns of `reps.csv`\n\n(.*?)\n\n", outputs, re.DOTALL)
    assert reps
    return {"calls": calls, "reps": set(re.findall(r"`([a-z_<>]+)`", reps.group(1))), **lists}


def _is_documented(table: str, column: str, documented: dict[str, set[str]]) -> bool:
    from analyzer.call.metrics import load_benchmarks

    calls = documented["calls"]
    if table == "calls":
        benchmarked = {b.metric for b in load_benchmarks()}
        return column in calls or (column.endswith("_status") and "<metric>_status" in calls
                                   and column.removesuffix("_status") in benchmarked)
    if table == "reps":
        metric = re.sub(r"_(mean|median)$", "", column)
        return column in documented["reps"] or (metric != column and metric in calls)
    return column in documented[table]


def test_tables_same_documented_columns_whatever_the_input(tmp_path, cli_fake_stt):
    runs = {"untimed": UNTIMED, "timed": TIMED, "failed": ""}
    seen = {}
    for kind, text in runs.items():
        call = tmp_path / kind / ("2026-10-01-call.vtt" if kind == "timed" else "call.txt")
        call.parent.mkdir()
        call.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(cli, ["analyze", str(call), "--rep-name", "Priya",
                                          "--out", str(tmp_path / kind / "out"), "--quiet"])
        assert result.exit_code == (2 if kind == "failed" else 0), result.output
        seen[kind] = _columns_of(tmp_path / kind / "out")
    assert seen["untimed"] == seen["timed"] == seen["failed"]
    documented = _documented()
    for file, columns in seen["timed"].items():
        table = file.split(".")[0]
        if file.endswith("parquet") and f"{table}.csv" in seen["timed"]:
            assert columns == seen["timed"][f"{table}.csv"], file
        missing = [c for c in columns if not _is_documented(table, c, documented)]
        assert not missing, f"{file}: columns not documented in README.md: {missing}"


def test_tables_csv_opens_cleanly_in_a_spreadsheet(tmp_path, cli_fake_stt):
    call = tmp_path / "2026-10-01-call.vtt"
    call.write_text(TIMED, encoding="utf-8")
    result = CliRunner().invoke(cli, ["analyze", str(call), "--rep-name", "Priya", "--out",
                                      str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    for name in ("calls", "reps", "flags", "errors"):
        raw = (out / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name  # UTF-8 byte-order mark: Excel reads é
    assert "José" in (out / "flags.csv").read_text(encoding="utf-8-sig") or \
        "José" in pd.read_parquet(out / "utterances.parquet")["speaker"].tolist()
    text = (out / "calls.csv").read_text(encoding="utf-8-sig")
    floats = re.findall(r"(?<![\w.])\d+\.(\d+)(?![\w.])", text)
    assert floats and max(len(digits) for digits in floats) <= 3
    precise = pd.read_parquet(out / "calls.parquet")["rep_talk_share"].iloc[0]
    assert precise == pytest.approx(4.0 / 7.5) and round(precise, 3) != precise
