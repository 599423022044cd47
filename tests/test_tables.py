"""Tables: gathered from the per-call results, written, and read back for `callcoach report`."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import metrics_of, write_run

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
