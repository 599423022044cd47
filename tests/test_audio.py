"""Loading recordings: formats, channels, and one-line errors naming the file."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import DEMO_ARCHIVE, realdata_path, write_wav

from analyzer.errors import InputError
from analyzer.run.audio import is_dual_mono, load_audio


def test_audio_loads_stereo_wav_as_two_16k_channels(tmp_path):
    left, right = np.zeros(8000, np.float32), np.full(8000, 0.1, np.float32)
    audio = load_audio(write_wav(tmp_path / "call.wav", [left, right], rate=8000))
    assert len(audio.channels) == 2
    assert audio.sample_rate == 16000
    assert audio.duration_s == pytest.approx(1.0, abs=0.01)
    assert audio.channels[1].mean() == pytest.approx(0.1, abs=0.01)


def test_audio_loads_mono_wav_as_one_channel(tmp_path):
    audio = load_audio(write_wav(tmp_path / "m.wav", [np.zeros(16000, np.float32)]))
    assert len(audio.channels) == 1


def test_audio_loads_compressed_demo_call():
    call = next(DEMO_ARCHIVE.rglob("*.opus"))
    audio = load_audio(call)
    assert len(audio.channels) == 2 and audio.duration_s > 10
    assert len(audio.digest) == 64


def test_audio_missing_file_names_it(tmp_path):
    with pytest.raises(InputError, match="nope.wav: file not found"):
        load_audio(tmp_path / "nope.wav")


def test_audio_text_file_is_not_audio(tmp_path):
    path = tmp_path / "notes.mp3"
    path.write_text("these are my notes, not a recording")
    with pytest.raises(InputError) as err:
        load_audio(path)
    assert str(err.value).startswith(str(path)) and "not a readable audio file" in str(err.value)
    assert "\n" not in str(err.value)


def test_audio_empty_file_is_an_error(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="empty.wav"):
        load_audio(path)


def test_audio_wav_without_samples_is_an_error(tmp_path):
    path = write_wav(tmp_path / "silent.wav", [np.zeros(0, np.float32)] * 2)
    with pytest.raises(InputError, match="no audio samples"):
        load_audio(path)


def test_audio_same_signal_on_both_channels_is_dual_mono(tmp_path):
    rng = np.random.default_rng(0)
    voice = (rng.standard_normal(16000) * 0.1).astype(np.float32)
    other = (rng.standard_normal(16000) * 0.1).astype(np.float32)
    assert is_dual_mono(load_audio(write_wav(tmp_path / "d.wav", [voice, voice])))
    assert not is_dual_mono(load_audio(write_wav(tmp_path / "s.wav", [voice, other])))


def test_audio_jfk_stereo_file_is_really_mono():
    assert is_dual_mono(load_audio(realdata_path("faster_whisper", "jfk.flac")))


def test_audio_empty_file_says_it_is_empty(tmp_path):
    path = tmp_path / "empty.m4a"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="empty.m4a: empty file"):
        load_audio(path)


def test_audio_more_than_two_channels_are_mixed_to_mono_not_folded_into_stereo(tmp_path):
    t = np.arange(16000) / 16000
    voice = (0.3 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)
    quiet = np.zeros_like(voice)
    for heard in range(4):  # every channel is heard, whichever it is
        channels = [voice if i == heard else quiet for i in range(4)]
        audio = load_audio(write_wav(tmp_path / f"quad{heard}.wav", channels))
        assert len(audio.channels) == 1 and np.abs(audio.channels[0]).max() > 0.05


def test_audio_windows_cover_the_recording_and_end_in_quiet(tmp_path):
    from conftest import talk_channels

    from analyzer.run.audio import audio_windows

    path = write_wav(tmp_path / "long.wav", talk_channels(50.0))
    whole = load_audio(path)
    windows = list(audio_windows(path, window_s=12, search_s=4))
    assert len(windows) >= 5 and all(w.duration_s <= 12 for w in windows)
    for window, following in zip(windows, windows[1:]):
        assert window.offset_s + window.duration_s == pytest.approx(following.offset_s)
        assert window.duration_s >= 8  # cut within the last 4 s
        assert max(float(np.abs(c[-800:]).max()) for c in window.channels) < 0.01
    for index in range(2):
        joined = np.concatenate([w.channels[index] for w in windows])
        np.testing.assert_array_equal(joined, whole.channels[index])
    assert {w.digest for w in windows} == {whole.digest}


def test_audio_short_call_is_one_window_as_loaded():
    from analyzer.run.audio import audio_windows

    call = next(DEMO_ARCHIVE.rglob("*.opus"))
    (window,) = audio_windows(call, window_s=600, search_s=30)
    whole = load_audio(call)
    assert window.offset_s == 0 and window.duration_s == whole.duration_s
    for ours, theirs in zip(window.channels, whole.channels):
        np.testing.assert_array_equal(ours, theirs)


def test_audio_windows_of_a_bad_file_name_it(tmp_path):
    from analyzer.run.audio import audio_windows

    bad = tmp_path / "notes.ogg"
    bad.write_text("not audio at all")
    with pytest.raises(InputError, match="notes.ogg"):
        list(audio_windows(bad, 600, 30))
