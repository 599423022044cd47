"""Search and SQL: what a coach finds in the calls of a finished run, through the command line."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from analyzer.cli import cli
from analyzer.coach.search import Query, find_match, search
from analyzer.run.batch import analyze
from analyzer.types import Execution, Options

# (call id, rep, date, [(speaker, text), ...]): the rep speaks under their id's name.
CALLS = [
    ("alice/acme", "alice", "2026-10-01", [
        ("Alice", "Hi, this is Alice from Brightline."),
        ("Customer", "What is the discount for two years?"),
        ("Alice", "We can give a discount of ten percent."),
        ("Alice", "This price is only good until Friday, so sign today."),
        ("Customer", "The price is too high. Call me at 555-123-4567."),
    ]),
    ("bob/umbrella", "bob", "2026-11-15", [
        ("Bob", "Our discount ends Friday, sign today."),
        ("Customer", "We are looking at Acme as well."),
        ("Bob", "If we fix the price, will you sign today?"),
        ("Customer", "Honestly, we don't need it. Raise, the price!"),
    ]),
]


def write_archive(folder: Path) -> Path:
    """The calls above as WebVTT transcripts and a manifest naming their ids and dates."""
    rows = ["path,rep,call_id,date"]
    for call_id, rep, date, lines in CALLS:
        cues = [f"00:{2 * i:02d}.000 --> 00:{2 * i + 1:02d}.500\n{who}: {text}\n"
                for i, (who, text) in enumerate(lines)]
        path = folder / f"{call_id.replace('/', '-')}.vtt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("WEBVTT\n\n" + "\n".join(cues), encoding="utf-8")
        rows.append(f"{path.name},{rep},{call_id},{date}")
    manifest = folder / "manifest.csv"
    manifest.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return manifest


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """A plain run with a folder per rep, and a redacted run, of the calls above."""
    base = tmp_path_factory.mktemp("search")
    manifest = write_archive(base / "archive")
    out = {"plain": base / "plain", "redacted": base / "redacted"}
    analyze([], out["plain"], manifest=manifest, options=Options(split_by_rep=True),
            execution=Execution(workers=1))
    analyze([], out["redacted"], manifest=manifest, options=Options(redact=True),
            execution=Execution(workers=1))
    return out


def invoke(*args: str, color: bool = False, env: dict | None = None):
    return CliRunner().invoke(cli, [str(a) for a in args], color=color, env=env)


def found(result) -> list[str]:
    """The sentences of a `search --format csv` output."""
    assert result.exit_code == 0, result.output
    return [row["text"] for row in csv.DictReader(io.StringIO(result.output))]


def test_search_find_match_is_whole_words_in_order_case_and_punctuation_blind():
    text = "Honestly, we don't need it. Raise, the PRICE!"
    assert text[slice(*find_match(text, ["raise the price"]))] == "Raise, the PRICE"
    assert find_match(text, ["price raise"]) == (0, 0)
    assert find_match("a priceless deal", ["price"]) == (0, 0)
    assert text[slice(*find_match(text, ["need", "don t"]))] == "don't"


def test_search_number_is_found_with_or_without_its_group_separators(tmp_path):
    """Whisper writes "15,000"; a coach types "15000" (and an imported transcript may say
    "15000" or "15.000"): each finds the others, and a number's digits are not found inside a
    longer one."""
    text = "We only set aside 15,000 this year, 120000 in all."
    assert text[slice(*find_match(text, ["15000"]))] == "15,000"
    assert text[slice(*find_match(text, ["set aside 15000"]))] == "set aside 15,000"
    assert text[slice(*find_match(text, ["120,000"]))] == "120000"
    assert find_match("about 15.000 euros", ["15,000"]) != (0, 0)
    assert find_match(text, ["5000"]) == find_match(text, ["20000"]) == (0, 0)
    vtt = tmp_path / "call.vtt"
    vtt.write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nCustomer: We only set aside 15,000 "
                   "this year.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert invoke("analyze", vtt, "--out", out, "--workers", "1").exit_code == 0
    assert found(invoke("search", out, "15000", "--format", "csv")) == \
        ["We only set aside 15,000 this year."]


def test_search_phrase_finds_words_in_order_in_every_call(runs):
    assert found(invoke("search", runs["plain"], "raise", "the", "price", "--format", "csv")) \
        == ["Honestly, we don't need it. Raise, the price!"]
    texts = found(invoke("search", runs["plain"], "discount", "--format", "csv"))
    assert len(texts) == 3 and all("discount" in t for t in texts)


def test_search_any_finds_each_phrase(runs):
    texts = found(invoke("search", runs["plain"], "--any", "acme", "ten percent",
                         "--format", "csv"))
    assert texts == ["We can give a discount of ten percent.", "We are looking at Acme as well."]


def test_search_rep_and_role_filters(runs):
    assert found(invoke("search", runs["plain"], "discount", "--rep", "bob",
                        "--format", "csv")) == ["Our discount ends Friday, sign today."]
    customer = found(invoke("search", runs["plain"], "price", "--role", "customer",
                            "--format", "csv"))
    assert customer == ["The price is too high. Call me at 555-123-4567.",
                        "Honestly, we don't need it. Raise, the price!"]


def test_search_label_keeps_labelled_sentences_that_hold_the_phrase(runs):
    pushy = found(invoke("search", runs["plain"], "price", "--label", "pushy_close",
                         "--format", "csv"))
    assert pushy == ["This price is only good until Friday, so sign today.",
                     "If we fix the price, will you sign today?"]
    assert found(invoke("search", runs["plain"], "acme", "--label", "pushy_close",
                        "--format", "csv")) == []


def test_search_as_question(runs):
    assert found(invoke("search", runs["plain"], "discount", "--as-question",
                        "--format", "csv")) == ["What is the discount for two years?"]


def test_search_dates_and_call(runs):
    assert len(found(invoke("search", runs["plain"], "price", "--since", "2026-11",
                            "--format", "csv"))) == 2
    assert len(found(invoke("search", runs["plain"], "price", "--until", "2026-10",
                            "--format", "csv"))) == 2
    assert found(invoke("search", runs["plain"], "discount", "--call", "alice/acme",
                        "--since", "2026-10-01", "--until", "2026-10-01", "--format", "csv")) \
        == ["What is the discount for two years?", "We can give a discount of ten percent."]
    assert invoke("search", runs["plain"], "price", "--since", "last week").exit_code == 2


def test_search_json_has_every_field_and_the_match(runs):
    result = invoke("search", runs["plain"], "sign today", "--rep", "alice", "--format", "json")
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) == 1
    row = rows[0]
    assert (row["call_id"], row["rep"], row["date"], row["role"]) == \
        ("alice/acme", "alice", "2026-10-01", "rep")
    assert row["text"][row["match_start"]:row["match_end"]] == "sign today"
    assert row["start_s"] == pytest.approx(6.0)


def test_search_table_highlights_on_a_terminal_and_counts_per_rep(runs):
    plain = invoke("search", runs["plain"], "price")
    assert plain.exit_code == 0 and "\x1b[" not in plain.output
    lines = plain.output.splitlines()
    assert lines[0].split("\t") == ["call", "rep", "date", "time", "speaker", "sentence"]
    assert "alice/acme\talice\t2026-10-01\t0:06\tAlice (rep)\tThis price" in plain.output
    assert lines[-3:] == ["4 matches, by rep:", "  alice: 2", "  bob: 2"]
    coloured = invoke("search", runs["plain"], "price", color=True)
    assert re.search(r"\x1b\[[0-9;]*mprice\x1b\[0m", coloured.output)
    no_color = invoke("search", runs["plain"], "price", color=True, env={"NO_COLOR": "1"})
    assert "\x1b[" not in no_color.output


def test_search_html_page_links_each_row_to_the_call_at_the_moment(runs, tmp_path):
    result = invoke("search", runs["plain"], "discount", "--html", tmp_path / "found.html")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "found.html").read_text(encoding="utf-8")
    links = re.findall(r"href='([^']+#t=[0-9.]+)'", page)
    assert len(links) == 3
    for link in links:
        target = (tmp_path / link.split("#")[0]).resolve()
        assert target.is_file() and target.parent == (runs["plain"] / "call-pages").resolve()
    assert "<mark>discount</mark>" in page


def test_search_html_beside_the_pages_links_relative_to_them(runs, tmp_path):
    page_path = runs["plain"] / "searches" / "price.html"
    assert invoke("search", runs["plain"], "price", "--html", page_path).exit_code == 0
    page = page_path.read_text(encoding="utf-8")
    assert "href='../call-pages/alice__acme.html#t=6.0'" in page
    assert "src='../plotly.min.js'" in page


def test_search_redacted_run_finds_placeholders_never_the_details(runs):
    assert found(invoke("search", runs["redacted"], "555", "--format", "csv")) == []
    texts = found(invoke("search", runs["redacted"], "call me at", "--format", "csv"))
    assert len(texts) == 1 and "[PHONE]" in texts[0] and "555" not in texts[0]


def test_search_per_rep_folder_holds_only_its_rep(runs, tmp_path):
    folder = runs["plain"] / "by-rep" / "alice"
    result = invoke("search", folder, "--any", "price", "discount", "--format", "json")
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert rows and {r["rep"] for r in rows} == {"alice"}
    assert invoke("search", folder, "acme", "--rep", "bob", "--format", "csv").output \
        .splitlines()[1:] == []
    assert invoke("search", folder, "price", "--html", tmp_path / "p.html").exit_code == 0
    link = re.search(r"href='([^']+)#t=", (tmp_path / "p.html").read_text()).group(1)
    assert (tmp_path / link).resolve().parent == (folder / "call-pages").resolve()


def test_search_folder_that_is_no_run_exits_2_in_one_line(tmp_path):
    result = invoke("search", tmp_path, "price")
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and str(tmp_path) in result.output
    assert "not a finished run" in result.output


def test_search_query_without_a_word_is_refused(runs):
    result = invoke("search", runs["plain"], "?!")
    assert result.exit_code == 2 and "nothing to search for" in result.output


def test_search_label_joins_flags_of_folders_written_before_the_utterance_index(runs, tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    for name in ("calls", "reps", "utterances", "flags"):
        frame = pd.read_parquet(runs["plain"] / f"{name}.parquet")
        frame.drop(columns=["utterance"], errors="ignore").to_parquet(old / f"{name}.parquet")
    hits = list(search(old, Query(("price",), label="pushy_close")))
    assert [h.text for h in hits] == ["This price is only good until Friday, so sign today.",
                                      "If we fix the price, will you sign today?"]


def test_search_sql_views_answer_questions_about_the_run(runs):
    result = invoke("sql", runs["plain"], "select rep, count(*) as n from utterances "
                    "group by rep order by rep", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["rep,n", "alice,5", "bob,4"]
    for view in ("calls", "reps", "flags", "errors"):
        assert invoke("sql", runs["plain"], f"select count(*) from {view}").exit_code == 0
    joined = invoke("sql", runs["plain"], "select u.text from flags f join utterances u "
                    "using (call_id, utterance) where f.label = 'question' order by u.text",
                    "--format", "json")
    texts = [json.loads(line)["text"] for line in joined.output.splitlines()]
    assert "What is the discount for two years?" in texts


def test_search_sql_error_is_one_line(runs):
    result = invoke("sql", runs["plain"], "select nope from calls")
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert result.output.startswith(f"error: {runs['plain']}: SQL:")
