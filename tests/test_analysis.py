"""One call's analysis: roles decided by voice, name and channel; the run's job around it
(transcript cache, voice prints, the key of what it depends on)."""

from __future__ import annotations

import numpy as np
from conftest import FakeSTT

from analyzer.run.engines import Engines
from analyzer.types import Options


def voice_call(cue_text: str):
    from analyzer.types import Segment, Transcript

    segments = (Segment("SPEAKER_00", 0.0, 2.0, cue_text), Segment("SPEAKER_01", 2.5, 4.0, "ok"))
    voices = {"SPEAKER_00": (1.0, 0.0, 0.0), "SPEAKER_01": (0.0, 1.0, 0.0)}
    return Transcript(segments, ("SPEAKER_00", "SPEAKER_01"), 4.0, "whisper", True, (), voices)


def test_analysis_known_voice_names_the_rep_when_cues_are_weak():
    from analyzer.call.roles import RoleEvidence, decide_roles
    from analyzer.call.voice import VoiceProfiles

    profiles = VoiceProfiles.empty().learn("priya", np.array([0.0, 1.0, 0.05]))
    roles = decide_roles(voice_call("so yeah"), "priya", RoleEvidence(voices=profiles))
    assert (roles.method, roles.rep_speakers) == ("voice", ("SPEAKER_01",))


def test_analysis_named_rep_beats_voice():
    from analyzer.call.roles import RoleEvidence, decide_roles
    from analyzer.call.voice import VoiceProfiles

    profiles = VoiceProfiles.empty().learn("priya", np.array([0.0, 1.0, 0.0]))
    evidence = RoleEvidence(rep_speaker="SPEAKER_00", voices=profiles)
    roles = decide_roles(voice_call("hi"), "priya", evidence)
    assert (roles.method, roles.rep_speakers) == ("name", ("SPEAKER_00",))


def test_analysis_stereo_rep_channel_teaches_the_rep_voice(tmp_path):
    from analyzer.types import RoleAssignment

    engines = Engines(Options(diarize=False), stt=FakeSTT())
    transcript = voice_call("hi")
    channel = RoleAssignment(("SPEAKER_01",), "channel", 1.0)
    assert engines.learn_voice("priya", channel, transcript)
    assert engines.voices.match("priya", {"A": np.array([0.0, 1.0, 0.0]),
                                          "B": np.array([1.0, 0.0, 0.0])}).rep_speakers == ("A",)


def test_analysis_has_words_ignores_punctuation_and_music_signs():
    from analyzer.call.analysis import has_words
    from analyzer.types import Segment, Transcript

    def said(*texts: str) -> Transcript:
        segments = tuple(Segment("mono", i, i + 1.0, t) for i, t in enumerate(texts))
        return Transcript(segments, ("mono",), 3.0, "whisper")

    assert not has_words(said("♪ ♪", "...", "-"))
    assert not has_words(said())
    assert has_words(said("♪", "Hi."))
    assert has_words(said("42"))


def test_analysis_redacted_transcript_is_cached_redacted_under_its_own_key(tmp_path):
    from conftest import write_wav

    from analyzer.run.job import load_transcript
    from analyzer.run.store import Run
    from analyzer.types import CallSource

    tone = np.zeros(16000 * 3, dtype=np.float32)
    tone[8000:24000] = 0.3 * np.sin(np.arange(16000) / 3)
    wav = write_wav(tmp_path / "call.wav", [tone])
    stt = FakeSTT({"mono": ["my email is jo@acme.com thanks"]})
    keys = {}
    for name, options, rep in (("plain", Options(diarize=False), "priya"),
                               ("redacted", Options(diarize=False, redact=True), "priya"),
                               ("other rep", Options(diarize=False, redact=True), "lee")):
        run = Run(tmp_path / "out", options, "v")
        before = set((tmp_path / "out").rglob("*.json"))
        text = load_transcript(CallSource("c", rep, str(wav)), run, Engines(options, stt=stt))
        (keys[name],) = set((tmp_path / "out").rglob("*.json")) - before
        assert ("[EMAIL]" in text.segments[0].text) == options.redact
    assert "jo@acme.com" not in keys["redacted"].read_text(encoding="utf-8")
    assert "[EMAIL]" in keys["redacted"].read_text(encoding="utf-8")
    assert len(set(keys.values())) == 3


def test_analysis_report_and_evaluation_data_do_not_invalidate_results(tmp_path, monkeypatch):
    import analyzer.run.store as store

    corpora = ("eval/language/blind3.jsonl", "eval/redaction/planted.jsonl")
    for name in ("reports/coaching.json", "benchmarks.json", "metrics/thresholds.json", *corpora):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    monkeypatch.setattr(store, "MODELS_DIR", tmp_path)
    before = store.models_version()
    (tmp_path / "reports" / "coaching.json").write_text('{"rules": []}')
    (tmp_path / "benchmarks.json").write_text('{"targets": {}}')
    for name in corpora:  # an evaluation corpus edited: nothing is recomputed
        (tmp_path / name).write_text('{"text": "new", "labels": []}')
    assert store.models_version() == before
    (tmp_path / "metrics" / "thresholds.json").write_text('{"bridge_gap_s": 1}')
    assert store.models_version() != before


class FakeDiarizer:
    """Counts the voice prints it is asked for."""

    def __init__(self) -> None:
        self.voices = 0

    def voice(self, samples, sample_rate):
        self.voices += 1
        return np.array([0.0, 1.0, 0.0])


def test_analysis_stereo_call_learns_the_rep_channel_until_the_voice_is_settled(tmp_path):
    import shutil

    from conftest import DEMO_ARCHIVE

    from analyzer.call.voice import VoiceProfiles, VoiceSettings
    from analyzer.run.job import analyze
    from analyzer.run.store import Run, models_version
    from analyzer.types import CallSource

    diarizer = FakeDiarizer()
    options = Options(rep_channel="left")
    engines = Engines(options, stt=FakeSTT(), diarizer=diarizer)
    run = Run(tmp_path / "out", options, models_version())
    calls = []
    for index, path in enumerate(sorted(DEMO_ARCHIVE.rglob("*.opus"))[:3]):
        copy = shutil.copy(path, tmp_path / f"call{index}.opus")
        calls.append(CallSource(f"c{index}", "priya", str(copy)))
    engines.voices = VoiceProfiles(settings=VoiceSettings(learn_until=2))
    results = [analyze(call, run, engines) for call in calls]
    assert diarizer.voices == 2  # the rep's channel of the first two calls only
    assert engines.voices.weights == {"priya": 2.0}
    assert all(r.roles.method == "channel" for r in results)


def test_analysis_is_pure_same_result_twice_and_evidence_untouched(session_labeler):
    from analyzer.call.analysis import Models, analyze_call
    from analyzer.call.roles import RoleEvidence
    from analyzer.call.voice import VoiceProfiles
    from analyzer.types import CallMetrics, CallSource, Segment, Transcript

    segments = (Segment("Ann", 0.0, 3.0, "Hi, this is Ann from Acme. How is your team doing?"),
                Segment("Bo", 3.5, 6.0, "Busy. We have three spreadsheets."))
    transcript = Transcript(segments, ("Ann", "Bo"), 6.0, "vtt")
    profiles = VoiceProfiles.empty()
    evidence = RoleEvidence(rep_speaker="Ann", voices=profiles)
    call = CallSource("c", "ann", "c.vtt")
    first = analyze_call(call, transcript, evidence, Models(session_labeler))
    again = analyze_call(call, transcript, evidence, Models(session_labeler))
    assert first == again and evidence.voices is profiles and profiles.prints == {}
    assert isinstance(first.metrics, CallMetrics)
    assert (first.roles.rep_speakers, first.metrics.rep_questions) == (("Ann",), 1)
    assert first.metrics.statuses["rep_questions_status"] == "bad"  # decided once, stored
    assert first.metrics.columns()["rep_questions_status"] == "bad"


def stereo_voice_call():
    from dataclasses import replace

    call = voice_call("so yeah")
    return replace(call, segments=tuple(replace(s, speaker=n) for s, n in
                                        zip(call.segments, ("left", "right"))),
                   speakers=("left", "right"),
                   voices={"left": (1.0, 0.0, 0.0), "right": (0.0, 1.0, 0.0)})


def test_analysis_stereo_call_without_a_channel_follows_the_rep_voice():
    from analyzer.call.roles import RoleEvidence, decide_roles
    from analyzer.call.voice import VoiceProfiles

    profiles = VoiceProfiles.empty().learn("priya", np.array([0.0, 1.0, 0.05]))
    roles = decide_roles(stereo_voice_call(), "priya", RoleEvidence(voices=profiles))
    assert (roles.method, roles.rep_speakers) == ("voice", ("right",))
    assert roles.reason.startswith("right channel, not the default left")
    told = decide_roles(stereo_voice_call(), "priya",
                        RoleEvidence(rep_channel="left", voices=profiles))
    assert (told.method, told.rep_speakers, told.confidence) == ("channel", ("left",), 1.0)


def test_analysis_stereo_call_without_a_channel_computes_both_voice_prints(tmp_path):
    import shutil

    from conftest import DEMO_ARCHIVE

    from analyzer.run.job import analyze
    from analyzer.run.store import Run, models_version
    from analyzer.types import CallSource

    diarizer = FakeDiarizer()
    engines = Engines(Options(), stt=FakeSTT(), diarizer=diarizer)
    run = Run(tmp_path / "out", Options(), models_version())
    path = shutil.copy(sorted(DEMO_ARCHIVE.rglob("*.opus"))[0], tmp_path / "call.opus")
    result = analyze(CallSource("c", "priya", str(path)), run, engines)
    assert diarizer.voices == 2
    assert result.metrics.role_reason == result.roles.reason != ""
