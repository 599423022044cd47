"""Split by rep: one self-contained folder per rep, with nothing from another rep's calls."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import metrics_of, write_run, write_wav

from analyzer.types import CallError, CallResult, CallSource, Flag, RoleAssignment, Utterance

# What each rep's calls hold; none of it may appear in the other rep's folder.
OWN = {"quentin": ["quentin", "q-call", "turbines", "Harrowgate"],
       "ysolde": ["ysolde", "y-call", "marmalade", "Pemberley"]}


def result(rep: str, call_id: str, topic: str, place: str, audio: str = "") -> CallResult:
    source = CallSource(call_id, rep, audio or f"/archive/{call_id}.wav")
    utterances = (Utterance("left", "rep", 0.0, 2.0, f"We are the best at {topic}."),
                  Utterance("right", "customer", 2.5, 4.0, f"We are based in {place}."))
    flags = (Flag("rep", 0.0, 2.0, "self_promotion", "", "sp_best", utterances[0].text),)
    metrics = {"duration_s": 4.0, "source": "whisper", "role_method": "channel",
               "role_confidence": 1.0, "rep_talk_share": 0.6, "rep_talk_share_status": "watch"}
    return CallResult(source, RoleAssignment(("left",), "channel", 1.0), utterances,
                      metrics_of(**metrics),
                      flags)


@pytest.fixture
def split_out(tmp_path) -> Path:
    recording = write_wav(tmp_path / "y-call-1.wav", [np.zeros(1600)])
    results = [result("quentin", "quentin/q-call-1", "turbines", "Harrowgate"),
               result("quentin", "quentin/q-call-2", "turbines", "Harrowgate"),
               result("ysolde", "ysolde/y-call-1", "marmalade", "Pemberley", str(recording))]
    errors = [CallError("ysolde/y-call-9", "ysolde", "/archive/ysolde/y-call-9.wav", "input",
                        "empty file"),
              CallError("quentin/q-call-9", "quentin", "/archive/quentin/q-call-9.wav", "input",
                        "empty file")]
    out = tmp_path / "out"
    write_run(results, errors, out, split_by_rep=True)
    return out


def folder_texts(folder: Path) -> dict[Path, str]:
    """Every file of a folder as text (Parquet through pandas), but the charting library and
    the recordings."""
    texts = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            texts[path] = pd.read_parquet(path).to_csv(index=False)
        elif path.name != "plotly.min.js" and path.parent.name != "audio":
            texts[path] = path.read_text(encoding="utf-8")
    return texts


@pytest.mark.parametrize("rep, other", [("quentin", "ysolde"), ("ysolde", "quentin")])
def test_split_rep_folder_holds_nothing_of_another_rep(split_out, rep, other):
    folder = split_out / "by-rep" / rep
    texts = folder_texts(folder)
    assert len(texts) >= 10
    for word in OWN[other]:
        found = [str(p.relative_to(folder)) for p, t in texts.items() if word.lower() in t.lower()]
        assert not found, f"{word!r} of {other} is in {found}"
    everything = " ".join(texts.values())
    assert all(word in everything for word in OWN[rep])


def test_split_rep_folder_has_that_reps_rows_and_pages(split_out):
    folder = split_out / "by-rep" / "quentin"
    for name in ("calls.csv", "calls.parquet", "reps.csv", "utterances.parquet", "flags.csv",
                 "errors.csv", "index.html", "reps/quentin.html", "plotly.min.js"):
        assert (folder / name).is_file(), name
    pages = sorted(p.name for p in (folder / "call-pages").glob("*.html"))
    assert len(pages) == 2 and "q-call-1" in pages[0] and "q-call-2" in pages[1]
    assert set(pd.read_csv(folder / "calls.csv")["call_id"]) == {"quentin/q-call-1",
                                                                 "quentin/q-call-2"}
    assert list(pd.read_csv(folder / "errors.csv")["call_id"]) == ["quentin/q-call-9"]
    assert not (folder / "reps" / "ysolde.html").exists()


def test_split_rep_folder_is_self_contained(split_out):
    folder = split_out / "by-rep" / "ysolde"
    assert (folder / "audio" / "ysolde__y-call-1.wav").is_file()
    for page in folder.rglob("*.html"):
        for link in re.findall(r"""(?:href|src)=['"]([^'"#]+)""", page.read_text("utf-8")):
            target = (page.parent / link).resolve()
            assert target.is_relative_to(folder.resolve()) and target.exists(), (page, link)


def test_split_rewrites_a_rep_folder_from_scratch(split_out, tmp_path):
    stale = split_out / "by-rep" / "ysolde" / "reps" / "old-page.html"
    stale.write_text("an earlier run's call", encoding="utf-8")
    write_run([result("ysolde", "ysolde/y-call-1", "marmalade", "Pemberley")], [],
                  split_out, split_by_rep=True)
    assert not stale.exists()


def test_split_only_when_asked(tmp_path):
    write_run([result("ysolde", "ysolde/y-call-1", "marmalade", "Pemberley")], [], tmp_path)
    assert not (tmp_path / "by-rep").exists()


def test_split_copied_rep_folder_still_plays_its_audio(split_out, tmp_path):
    import shutil

    from click.testing import CliRunner

    from analyzer.cli import cli

    copy = tmp_path / "zipped-and-unzipped" / "ysolde"
    shutil.copytree(split_out / "by-rep" / "ysolde", copy)
    shutil.rmtree(split_out)
    assert pd.read_csv(copy / "calls.csv")["audio_path"].tolist() == ["audio/ysolde__y-call-1.wav"]
    result = CliRunner().invoke(cli, ["report", str(copy)])  # pages rebuilt in the copy
    assert result.exit_code == 0, result.output
    page = next((copy / "call-pages").glob("*.html")).read_text("utf-8")
    (src,) = re.findall(r"<audio id='audio' controls preload='none' src='([^']+)'", page)
    assert src == "../audio/ysolde__y-call-1.wav" and (copy / "call-pages" / src).is_file()


def test_split_rep_page_does_not_call_the_reps_own_average_team(split_out):
    mine = (split_out / "by-rep" / "ysolde" / "reps" / "ysolde.html").read_text("utf-8")
    everyone = (split_out / "reps" / "ysolde.html").read_text("utf-8")
    assert "team " in everyone and "<div class='cmp'>team" not in mine
