"""Tables: gathered from the per-call results, written, and read back for `callcoach report`."""

from __future__ import annotations

import pandas as pd
import pytest

from analyzer.errors import InputError
from analyzer.outputs import write_outputs
from analyzer.tables import FLAG_COLUMNS, build_results, flag_utterances, read_tables
from analyzer.types import CallError, CallResult, CallSource, Flag, RoleAssignment, Utterance


def result(call_id: str = "c1") -> CallResult:
    flag = Flag("rep", 1.0, 2.0, "pushy_close", "urgency", "pc_only_until",
                "This price is only good until Friday.", "only good until")
    return CallResult(CallSource(call_id, "bob", f"/calls/{call_id}.wav"),
                      RoleAssignment(("A",), "channel", 1.0),
                      (Utterance("A", "rep", 0.0, 3.0, "This price is only good until Friday."),),
                      {"duration_s": 60.0, "rep_talk_share": 0.7, "egomaniac": True},
                      (flag,))


def test_tables_flags_keep_the_matched_words_in_the_last_column(tmp_path):
    tables = write_outputs([result()], [], tmp_path)
    assert FLAG_COLUMNS[-1] == "span" and list(tables.flags.columns) == list(FLAG_COLUMNS)
    assert pd.read_csv(tmp_path / "flags.csv")["span"].tolist() == ["only good until"]


def test_tables_read_back_what_a_run_wrote(tmp_path):
    error = CallError("x", "bob", "/calls/x.wav", "input", "file not found")
    written = write_outputs([result("c1"), result("c2")], [error], tmp_path)
    read = read_tables(tmp_path)
    for name in ("calls", "reps", "utterances", "flags"):
        pd.testing.assert_frame_equal(getattr(read, name), getattr(written, name),
                                      check_dtype=False)
    assert read.errors.to_dict("records") == written.errors.to_dict("records")
    assert read.out == tmp_path


def test_tables_read_old_flags_without_span(tmp_path):
    tables = write_outputs([result()], [], tmp_path)
    tables.flags.drop(columns="span").to_parquet(tmp_path / "flags.parquet", index=False)
    assert read_tables(tmp_path).flags["span"].tolist() == [""]


def test_tables_read_a_folder_without_a_run_names_the_file(tmp_path):
    with pytest.raises(InputError, match="calls.parquet: not found"):
        read_tables(tmp_path)


def test_tables_flags_carry_the_index_of_their_utterance():
    said = (Utterance("a", "rep", 0.0, 2.0, "Okay. We are the best."),
            Utterance("b", "customer", 2.0, 3.0, "We are the best?"),
            Utterance("a", "rep", 3.0, 5.0, "Okay. Sign today."),
            Utterance("a", "rep", 5.0, 6.0, "We are the best."))
    flags = tuple(Flag(role, 0.0, 0.0, label, "", "r", text) for role, label, text in (
        ("rep", "self_promotion", "We are the best."), ("customer", "question", "We are the best?"),
        ("rep", "pushy_close", "Sign today."), ("rep", "self_promotion", "We are the best.")))
    call = CallResult(CallSource("c", "bob", "/c.wav"), RoleAssignment(("a",), "channel", 1.0),
                      said, {}, flags)
    assert flag_utterances(call) == [0, 1, 2, 3]
    assert build_results([call], []).flags["utterance"].tolist() == [0, 1, 2, 3]
    assert build_results([call], []).utterances["utterance"].tolist() == [0, 1, 2, 3]
