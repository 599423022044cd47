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
    assert "10 calls analyzed, 1 failed" in result.output
    assert "broken.mp3" in result.output
    assert str((tmp_path / "out" / "index.html").resolve()) in result.output
    calls = pd.read_csv(tmp_path / "out" / "calls.csv")
    by_rep = calls.groupby("rep")["rep_talk_share"].mean()
    assert by_rep["bob"] > 0.7 > 0.5 > by_rep["alice"]
    page = (tmp_path / "out" / "reps" / "bob.html").read_text()
    assert "pushy_close" in page and "self_promotion" in page
    assert_demo_closes(calls.set_index("call_id"), pd.read_csv(tmp_path / "out" / "flags.csv"))


def assert_demo_closes(calls: pd.DataFrame, flags: pd.DataFrame) -> None:
    """The three demo calls of the close (issue 20) show, after transcription, what they were
    written to show."""
    pilot = calls.loc["alice/2026-10-13-acme-pilot"]  # a healthy ask, then a dated next step
    assert pilot["next_step_agreed"] and pilot["asks"] == pilot["asks_agreed"] == 1
    assert pilot["healthy_ask_share"] == 1 and pilot["pushy_closing"] == 0
    assert "tomorrow" in pilot["next_step_text"] and pilot["next_step_s"] > 60
    close = calls.loc["bob/2026-10-16-wayne-close"]  # pushy closes, each declined
    assert not close["next_step_agreed"] and close["asks"] == 0
    assert close["pushy_closing"] >= 3 and close["pushy_declined"] >= 3
    assert close["pushy_agreed"] == 0 and close["healthy_ask_share"] == 0
    assert "timing" in close["objection_kinds"] and close["objections_answered_share"] == 0
    pricing = calls.loc["carol/2026-10-15-hooli-pricing"]  # a price objection, then a question
    assert pricing["objections"] == 1 and pricing["objection_kinds"] == "price=1"
    # Its objection is flagged and answered, but two lines are no objection stretch for the
    # phases (stop 39; a known failure, models/closing/README.md): objection_s is not asserted.
    assert pricing["objections_answered_share"] == 1
    answers = flags[(flags["call_id"] == "carol/2026-10-15-hooli-pricing")
                    & (flags["label"] == "objection_answer")]
    assert list(answers["subtype"]) == ["question"]
    # "Our head of people signs off" answered by an ask that brings that person in, however
    # tiny.en spells it ("a time with your hand on people"): a question, not pressure.
    discovery = calls.loc["alice/2026-10-01-acme-discovery"]
    assert discovery["objection_kinds"] == "authority=1"
    assert discovery["objections_answered_share"] == 1


def test_cli_label_reads_lines_and_writes_json_lines():
    result = invoke("label", input="We are the market leader.\nHow is your team doing today?\n")
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [r["text"] for r in records] == ["We are the market leader.",
                                            "How is your team doing today?"]
    assert "self_promotion" in records[0]["labels"]
    assert {"question", "customer_question"} <= set(records[1]["labels"])
    assert {"label", "subtype", "rule", "span"} <= set(records[0]["evidence"][0])


def test_cli_label_reads_a_full_stop_as_the_lines_transcriber_did():
    lines = "Was Greg was showing me that.\n"
    alone = [json.loads(line) for line in invoke("label", input=lines).output.splitlines()]
    assert "question" in alone[0]["labels"]
    marked = invoke("label", input=lines + "Is Greg on the call?\n").output.splitlines()
    assert json.loads(marked[0])["labels"] == []


def test_cli_analyze_counts_no_question_the_transcript_heard_as_a_statement(tmp_path):
    call = tmp_path / "call.txt"
    call.write_text("Priya: Hi Dan, this is Priya from Acme. How is the rollout going?\n"
                    "Dan: Slowly, Greg showed us the dashboard last week.\n"
                    "Priya: Was Greg was showing me that. How many people do you have there.\n")
    result = invoke("analyze", str(call), "--out", str(tmp_path / "out"), "--rep-name", "Priya",
                    "--quiet")
    assert result.exit_code == 0, result.output
    flags = pd.read_csv(tmp_path / "out" / "flags.csv")
    questions = flags[flags["label"] == "question"]["text"].tolist()
    assert questions == ["How is the rollout going?", "How many people do you have there."]


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
    assert out.exit_code == 0 and "1 call page, 1 rep page." in out.output
    for name in ("index.html", "reps/bob.html", "call-pages/c1.html"):
        assert (tmp_path / name).is_file()


def test_cli_report_on_a_folder_without_tables_fails_in_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["report", str(tmp_path)])
    assert result.exit_code == 2  # like analyze: the command could not run at all
    assert result.output.strip() == (f"error: {tmp_path / 'calls.parquet'}: not found: is this "
                                     f"a folder written by `callcoach analyze`?")


def _no_cuda() -> bool:
    import ctranslate2

    return ctranslate2.get_cuda_device_count() == 0


@pytest.mark.skipif(not _no_cuda(), reason="this machine has a CUDA GPU")
@pytest.mark.parametrize("command", ["analyze", "audit"])
def test_cli_device_cuda_without_a_gpu_fails_in_one_line(tmp_path, command):
    call = tmp_path / "call.txt"
    call.write_text("Priya: Hi, this is Priya from Acme.\nDan: Hello.\n")
    result = CliRunner().invoke(cli, [command, str(call), "--out", str(tmp_path / "out"),
                                      "--device", "cuda"])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "error: --device cuda: no CUDA GPU is available here (CTranslate2 sees none); "
        "use --device cpu or --device auto"]
    assert not (tmp_path / "out").exists()


def test_cli_device_auto_and_a_compute_type_the_cpu_lacks(tmp_path):
    call = tmp_path / "call.txt"
    call.write_text("Priya: Hi, this is Priya from Acme.\nDan: Hello.\n")
    bad = CliRunner().invoke(cli, ["analyze", str(call), "--out", str(tmp_path / "out"),
                                   "--device", "cpu", "--compute-type", "bogus"])
    assert bad.exit_code == 2
    assert bad.output.startswith("error: --compute-type bogus: not supported on cpu")
    if _no_cuda():
        good = CliRunner().invoke(cli, ["analyze", str(call), "--out", str(tmp_path / "out"),
                                        "--device", "auto", "--rep-name", "Priya", "--quiet"])
        assert good.exit_code == 0, good.output


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
    assert "roles by words" in result.output and "Egomaniac: yes" in result.output
    assert "Rep: default left channel" in result.output
    assert "Pushy closing: 2 lines:" in result.output
    assert (tmp_path / "audit" / "call-pages" / "2026-10-09-umbrella-pitch.html").is_file()


ROLE_OPTIONS = ("--rep-channel", "--rep", "--rep-name", "--roster")


@pytest.mark.parametrize("command", ["analyze", "audit"])
def test_cli_every_command_that_analyzes_takes_the_role_options(command):
    help_text = invoke(command, "--help").output
    assert all(option in help_text for option in ROLE_OPTIONS)


def test_cli_audit_bad_rep_channel_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["audit", "x.wav", "--rep-channel", "middle"])
    assert result.exit_code == 2 and "left" in result.output and "right" in result.output


@pytest.mark.slow
def test_cli_audit_stereo_rep_channel_right_audits_the_right_speaker(tmp_path):
    """A real SpokenWOZ call (the agent on the right channel): without a hint the words show
    the agent is on the right, and the page says why; with --rep-channel right it is taken as
    said. Both audit the agent: the same talk share."""
    from conftest import realdata_path

    call = realdata_path("spokenwoz", "audio", "SNG0072.wav")
    out = tmp_path / "audit"
    found = invoke("audit", str(call), "--rep", "agent", "--out", str(out))
    assert found.exit_code == 0, found.output
    assert "roles by words" in found.output
    assert "Rep: right channel, not the default left" in found.output
    told = invoke("audit", str(call), "--rep", "agent", "--rep-channel", "right",
                  "--out", str(out))
    assert told.exit_code == 0, told.output
    assert "roles by channel, confidence 1.00" in told.output

    def talk_share(output: str) -> str:
        return next(line for line in output.splitlines() if line.startswith("Talk share"))

    assert talk_share(found.output) == talk_share(told.output)
    page = (out / "call-pages" / "SNG0072.html").read_text(encoding="utf-8")
    assert "roles by channel" in page


@pytest.mark.slow
def test_cli_audit_swapped_stereo_call_finds_the_rep_on_the_right(tmp_path):
    """A demo call with its channels swapped (the rep on the right), no hint: the rep is
    found on the right and audited, with the same talk share as the original call."""
    from conftest import write_wav

    from analyzer.run.audio import load_audio

    original = DEMO_ARCHIVE / "bob" / "2026-10-09-umbrella-pitch.opus"
    audio = load_audio(original)
    swapped = write_wav(tmp_path / "swapped.wav", list(reversed(audio.channels)))
    as_found = invoke("audit", str(original), "--rep", "bob", "--out", str(tmp_path / "a"))
    result = invoke("audit", str(swapped), "--rep", "bob", "--out", str(tmp_path / "b"))
    assert result.exit_code == 0, result.output
    assert "Rep: right channel, not the default left" in result.output
    assert "Egomaniac: yes" in result.output

    def talk_share(output: str) -> str:
        return next(line for line in output.splitlines() if line.startswith("Talk share"))

    assert talk_share(result.output) == talk_share(as_found.output)


def test_cli_help_and_readme_agree_on_formats_and_label_usage():
    from pathlib import Path

    from analyzer.run.transcript_files import FORMAT_ALIASES, FORMATS

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Transcripts instead of audio"):
                     readme.index("## Mono recordings")]
    rows = {line.split("`")[1] for line in section.splitlines() if line.startswith("| `")}
    assert rows == set(FORMATS)
    assert all(f"`{alias}`" in section for alias in FORMAT_ALIASES)
    helped = invoke("analyze", "--help").output
    assert "--format FMT" in helped and "### `callcoach label [FILE|-]`" in readme
    flat = " ".join(helped.split())
    assert all(name in flat for name in (*FORMATS, *FORMAT_ALIASES))
    assert "Usage: cli label [OPTIONS] [FILE|-]" in invoke("label", "--help").output
    assert "one row per label per sentence" in readme
