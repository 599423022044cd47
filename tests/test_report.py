"""Reports: what a coach and a rep see on the pages."""

from __future__ import annotations

from analyzer.outputs import write_outputs
from analyzer.types import CallError, CallResult, CallSource, Flag, RoleAssignment, Utterance


def result(call_id: str, rep: str, confidence: float = 1.0, flags=()) -> CallResult:
    source = CallSource(call_id, rep, f"/calls/{call_id}.wav")
    roles = RoleAssignment(("SPEAKER_00",), "cues" if confidence < 1 else "channel", confidence)
    utterances = (Utterance("SPEAKER_00", "rep", 0.0, 2.0, "We are the best."),)
    metrics = {"duration_s": 60.0, "source": "whisper", "role_method": roles.method,
               "role_confidence": confidence, "rep_talk_share": 0.7,
               "rep_talk_share_status": "bad", "egomaniac": True, "pushy_closing": 1}
    return CallResult(source, roles, utterances, metrics, tuple(flags))


def test_report_flagged_sentence_shows_time_rule_and_audio_link(tmp_path):
    flag = Flag("rep", 75.5, 77.0, "pushy_close", "urgency", "pc_only_until",
                "This price is only good until Friday.")
    write_outputs([result("c1", "bob", flags=[flag])], [], tmp_path)
    page = (tmp_path / "reps" / "bob.html").read_text()
    assert "1:15" in page and "pc_only_until" in page and "only good until Friday" in page
    assert "c1.wav#t=75.5" in page


def test_report_low_role_confidence_is_marked(tmp_path):
    write_outputs([result("c1", "ann", confidence=0.55), result("c2", "ann")], [], tmp_path)
    page = (tmp_path / "reps" / "ann.html").read_text()
    assert page.count("low confidence") == 1


def test_report_verdict_counts_egomaniac_calls(tmp_path):
    write_outputs([result("c1", "bob"), result("c2", "bob")], [], tmp_path)
    assert "in <b>2</b> of 2 calls" in (tmp_path / "reps" / "bob.html").read_text()


def test_report_index_lists_failed_inputs(tmp_path):
    error = CallError("x", "bob", "/calls/x.wav", "input", "not a readable audio file")
    write_outputs([result("c1", "bob")], [error], tmp_path)
    index = (tmp_path / "index.html").read_text()
    assert "Inputs that failed (1)" in index and "/calls/x.wav" in index


def test_report_rep_names_are_escaped(tmp_path):
    write_outputs([result("c1", "<script>x</script>")], [], tmp_path)
    assert "<script>x</script>" not in (tmp_path / "index.html").read_text()


def test_report_call_page_highlights_flagged_sentences_with_their_rule(tmp_path):
    flag = Flag("rep", 0.5, 2.0, "self_promotion", "", "sp_superlative", "We are the best.")
    write_outputs([result("c1", "bob", flags=[flag])], [], tmp_path)
    page = (tmp_path / "call-pages" / "c1.html").read_text()
    assert "<mark class='self_promotion' title='self_promotion (sp_superlative)'>" in page
    assert "seek(0.00)" in page and "<audio id='audio'" in page
    rep_page = (tmp_path / "reps" / "bob.html").read_text()
    assert 'href="../call-pages/c1.html"' in rep_page


def test_report_call_page_warns_about_low_role_confidence(tmp_path):
    write_outputs([result("c1", "ann", confidence=0.4)], [], tmp_path)
    assert "the rep may be the other speaker" in (tmp_path / "call-pages" / "c1.html").read_text()



def test_report_rep_and_call_pages_hold_only_that_reps_calls(tmp_path):
    def said(call_id: str, rep: str, text: str) -> CallResult:
        base = result(call_id, rep, flags=[Flag("rep", 0.0, 2.0, "self_promotion", "", "sp",
                                                text)])
        return CallResult(base.source, base.roles,
                          (Utterance("SPEAKER_00", "rep", 0.0, 2.0, text),), base.metrics,
                          base.flags)

    write_outputs([said("q-call-1", "quentin", "Quentin sells turbines best."),
                   said("q-call-2", "quentin", "Our turbines never fail."),
                   said("y-call-1", "ysolde", "Ysolde's marmalade is the finest.")], [], tmp_path)
    own = {"quentin": ("quentin", "q-call", "turbines"), "ysolde": ("ysolde", "y-call",
                                                                    "marmalade")}
    pages = {"quentin": ["reps/quentin.html", "call-pages/q-call-1.html",
                         "call-pages/q-call-2.html"],
             "ysolde": ["reps/ysolde.html", "call-pages/y-call-1.html"]}
    for rep, other in (("quentin", "ysolde"), ("ysolde", "quentin")):
        for page in pages[rep]:
            text = (tmp_path / page).read_text(encoding="utf-8").lower()
            assert not [w for w in own[other] if w in text], page
    first = (tmp_path / "call-pages" / "q-call-1.html").read_text(encoding="utf-8")
    assert "sells turbines" in first and "never fail" not in first
