"""End to end on real audio with the real bundled model."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import DEMO_ARCHIVE, DEMO_TRUTH, realdata_path

from analyzer.run.batch import analyze
from analyzer.run.engines import Engines
from analyzer.types import Options

pytestmark = pytest.mark.slow

SPOKENWOZ_TRUTH = {"SNG0072": (37.5, 36.4), "SNG0480": (49.1, 59.7), "MUL1423": (60.1, 54.5)}


def words_of(text: str) -> str:
    return " ".join(re.sub(r"[^a-z ]", "", text.lower()).split())


def test_e2e_stereo_channels_give_each_sentence_and_role(whisper, tmp_path):
    path = realdata_path("faster_whisper", "stereo_diarization.wav")
    options = Options()
    results = analyze([path], tmp_path, options=options, engines=Engines(options, stt=whisper))
    said = results.utterances.groupby("role")["text"].apply(" ".join)
    assert words_of(said["rep"]) == words_of(
        "He began a confused complaint against the wizard, who had vanished behind the "
        "curtain on the left.")
    assert words_of(said["customer"]) == words_of("The horizon seems extremely distant.")


def test_e2e_demo_talk_share_matches_the_known_clips(whisper, tmp_path):
    options = Options()
    results = analyze([DEMO_ARCHIVE], tmp_path, options=options,
                      engines=Engines(options, stt=whisper))
    truth = pd.read_csv(DEMO_TRUTH)
    merged = truth.merge(results.calls, on="call_id", suffixes=("_true", ""))
    assert len(merged) == len(truth)
    error = (merged["rep_talk_share"] - merged["rep_talk_share_true"]).abs()
    assert error.max() <= 0.03, merged[["call_id", "rep_talk_share", "rep_talk_share_true"]]


def test_e2e_spokenwoz_agent_share_matches_rttm(whisper, tmp_path):
    folder = realdata_path("spokenwoz", "audio")
    options = Options(rep_channel="right")
    results = analyze([folder], tmp_path, options=options, engines=Engines(options, stt=whisper))
    for call_id, (customer, agent) in SPOKENWOZ_TRUTH.items():
        row = results.calls[results.calls["call_id"] == call_id].iloc[0]
        assert row["rep_talk_share"] == pytest.approx(agent / (agent + customer), abs=0.05)
