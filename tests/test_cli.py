"""The command line, driven as a user would through CliRunner."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import DEMO_ARCHIVE, metrics_of

from analyzer.cli import cli


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_cli_every_command_has_help_with_an_example(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output


def test_cli_version():
    assert "callcoach" in invoke("--version").output


def test_cli_analyze_needs_an_input_or_a_manifest(tmp_path):
    result = CliRunner().invoke(cli, ["analyze", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "INPUT" in result.output


def test_cli_analyze_all_inputs_missing_fails_with_one_line_each(tmp_path):
    result = CliRunner().invoke(cli, ["analyze", str(tmp_path / "a.wav"), str(tmp_path / "b.wav"),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 2  # no call analyzed
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 2 and all("file not found" in line for line in lines)
    assert len(pd.read_csv(tmp_path / "out" / "errors.csv")) == 2


@pytest.mark.slow
def test_cli_analyze_demo_archive_with_the_real_model(tmp_path):
    archive = shutil.copytree(DEMO_ARCHIVE, tmp_path / "archive")
    (archive / "bob" / "broken.mp3").write_text("not a recording")
    result = invoke("analyze", str(archive), "--out", str(tmp_path / "out"), "--quiet")
    assert result.exit_code == 1, result.output  # some calls failed
    assert "7 calls analyzed, 1 failed" in result.output
    assert "broken.mp3" in result.output
    assert str((tmp_path / "out" / "index.html").resolve()) in result.output
    calls = pd.read_csv(tmp_path / "out" / "calls.csv")
    by_rep = calls.groupby("rep")["rep_talk_share"].mean()
    assert by_rep["bob"] > 0.7 > 0.5 > by_rep["alice"]
    page = (tmp_path / "out" / "reps" / "bob.html").read_text()
    assert "pushy_close" in page and "self_promotion" in page


def test_cli_label_reads_lines_and_writes_json_lines():
    result = invoke("label", input="We are the market leader.\nHow is your team doing today?\n")
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [r["text"] for r in records] == ["We are the market leader.",
                                            "How is your team doing today?"]
    assert "self_promotion" in records[0]["labels"]
    assert {"question", "customer_question"} <= set(records[1]["labels"])
    assert {"label", "subtype", "rule", "span"} <= set(records[0]["evidence"][0])


def test_cli_analyze_real_exports_with_rep_name_and_cues(tmp_path):
    from conftest import realdata_path

    zoom = realdata_path("zoom_vtt", "meeting001_transcript.vtt")
    harper = next(realdata_path("harper_valley").glob("*.json"))
    manifest = tmp_path / "calls.csv"
    manifest.write_text(f"path,rep,rep_speaker\n{zoom},andrew,Andrew Knight\n{harper},agent_1,\n")
    result = invoke("analyze", "--manifest", str(manifest), "--out", str(tmp_path / "out"), "-q")
    assert result.exit_code == 0, result.output
    calls = pd.read_csv(tmp_path / "out" / "calls.csv").set_index("rep")
    assert calls.loc["andrew", "role_method"] == "name"
    assert calls.loc["andrew", "speakers"] == 6
    assert calls.loc["agent_1", "role_method"] == "cues"
    assert calls.loc["agent_1", "rep_talk_s"] == pytest.approx(12.27, abs=0.01)
    assert calls.loc["agent_1", "customer_talk_s"] == pytest.approx(8.46, abs=0.01)


def test_cli_analyze_help_documents_the_exit_status():
    text = invoke("analyze", "--help").output
    assert "Exit status" in text
    for code in ("0  every call was analyzed", "1  some calls failed", "2  no call was analyzed"):
        assert code in text


def test_cli_analyze_help_names_the_redaction_and_split_options():
    help_text = invoke("analyze", "--help").output
    assert "--redact" in help_text and "--redact-audio" in help_text
    assert "--split-by-rep" in help_text


def test_cli_redact_audio_implies_redact():
    from analyzer.types import Options

    assert Options(redact_audio=True).redact and not Options().redact


AUDIT_VTT = """WEBVTT

00:00:00.000 --> 00:00:04.000
Priya: Hi, this is Priya from Brightline. How is your team handling onboarding today?

00:00:04.500 --> 00:00:12.000
Dana: We use spreadsheets and it is slow.

00:00:12.500 --> 00:00:20.000
Priya: We are the market leader and our product is simply the best. \
This price is only good until Friday.

00:00:20.500 --> 00:00:25.000
Dana: I need to talk to my boss.
"""


def test_cli_report_rebuilds_every_page_without_analyzing(tmp_path, monkeypatch):
    from conftest import write_run

    from analyzer.types import CallResult, CallSource, RoleAssignment, Utterance

    result = CallResult(CallSource("c1", "bob", "/calls/c1.wav"),
                        RoleAssignment(("A",), "channel", 1.0),
                        (Utterance("A", "rep", 0.0, 2.0, "Hello."),),
                        metrics_of(duration_s=60.0, rep_talk_share=0.5))
    write_run([result], [], tmp_path)
    for page in tmp_path.rglob("*.html"):
        page.unlink()

    def no_analysis(*args, **kwargs):
        raise AssertionError("report must not analyze")

    monkeypatch.setattr("analyzer.run.batch.analyze", no_analysis)
    out = invoke("report", str(tmp_path))
    assert out.exit_code == 0 and "1 call pages, 1 rep pages." in out.output
    for name in ("index.html", "reps/bob.html", "call-pages/c1.html"):
        assert (tmp_path / name).is_file()


def test_cli_report_on_a_folder_without_tables_fails_in_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["report", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: {tmp_path / 'calls.parquet'}: not found: is this "
                                     f"a folder written by `callcoach analyze`?")


def test_cli_audit_transcript_prints_the_summary_and_writes_the_call_page(tmp_path):
    (tmp_path / "acme.vtt").write_text(AUDIT_VTT)
    result = invoke("audit", str(tmp_path / "acme.vtt"), "--rep", "priya",
                    "--out", str(tmp_path / "audit"))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("acme (rep priya, 0:25; roles by name")
    assert any(line.startswith("Talk share: ") for line in lines)
    assert "Questions about the customer: 1    Self-promotion: 1" in result.output
    assert any(line.startswith("Egomaniac: ") for line in lines)
    assert any(line.strip().startswith('0:12  "This price is only good until Friday."')
               for line in lines)
    page = tmp_path / "audit" / "call-pages" / "acme.html"
    assert page.is_file() and f"Call page: {page.resolve()}" in result.output
    assert "\x1b[" not in result.output  # no colour when the output is not a terminal


def test_cli_audit_colours_the_summary_on_a_terminal(tmp_path):
    (tmp_path / "acme.vtt").write_text(AUDIT_VTT)
    result = CliRunner().invoke(cli, ["audit", str(tmp_path / "acme.vtt"), "--rep", "priya",
                                      "--out", str(tmp_path / "audit")], color=True)
    assert result.exit_code == 0, result.output
    assert "\x1b[31mPushy closing: 1 line:" in result.output


def test_cli_audit_missing_file_fails_in_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["audit", str(tmp_path / "nope.m4a"),
                                      "--out", str(tmp_path / "audit")])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {tmp_path / 'nope.m4a'}: file not found"


@pytest.mark.slow
def test_cli_audit_real_recording(tmp_path):
    call = DEMO_ARCHIVE / "bob" / "2026-10-09-umbrella-pitch.opus"
    result = invoke("audit", str(call), "--rep", "bob", "--out", str(tmp_path / "audit"))
    assert result.exit_code == 0, result.output
    assert "roles by channel" in result.output and "Egomaniac: yes" in result.output
    assert "Pushy closing: 2 lines:" in result.output
    assert (tmp_path / "audit" / "call-pages" / "2026-10-09-umbrella-pitch.html").is_file()
