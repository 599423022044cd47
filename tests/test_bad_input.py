"""Bad input through the command line, one test per case: each gives one line on stderr naming
the file (``error: <path>: <reason>``) and a row of errors.csv, or is analyzed correctly; the
rest of the batch finishes, nothing already written is lost, and the exit status says how the
run went (0 all analyzed, 1 some failed, 2 none analyzed or the run could not start)."""

from __future__ import annotations

import builtins
import errno
import json
import os
import shutil
import struct
import wave
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import DEMO_ARCHIVE, DEMO_TRUTH, write_wav

from analyzer.cli import cli
from analyzer.run import store
from analyzer.run.audio import load_audio
from analyzer.run.engines import Engines

GOOD = DEMO_ARCHIVE / "bob" / "2026-10-09-umbrella-pitch.opus"
GOOD_ID = "bob/good"


@pytest.fixture
def archive(tmp_path) -> Path:
    """An archive holding one good stereo call of rep bob; each test adds its bad input."""
    folder = tmp_path / "archive"
    (folder / "bob").mkdir(parents=True)
    shutil.copy(GOOD, folder / "bob" / "good.opus")
    return folder


@pytest.fixture
def out(tmp_path) -> Path:
    return tmp_path / "out"


def analyze(*args: object, out: Path):
    return CliRunner().invoke(cli, ["analyze", *map(str, args), "--out", str(out), "--quiet"],
                              catch_exceptions=False)


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def calls_of(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "calls.csv").set_index("call_id")


def assert_failed(result, out: Path, path: Path, reason: str, exit_code: int = 1,
                  good: str = GOOD_ID) -> None:
    """One stderr line naming ``path``, one errors.csv row for it, the good call analyzed."""
    lines = error_lines(result)
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: "), result.output
    assert reason in lines[0]
    errors = pd.read_csv(out / "errors.csv")
    assert list(errors["path"]) == [str(path)] and reason in errors["reason"].iloc[0]
    assert result.exit_code == exit_code, result.output
    if exit_code == 1:
        assert good in calls_of(out).index


def tone(seconds: float, rate: int = 16000, at: tuple[float, float] | None = None) -> np.ndarray:
    """A 440 Hz tone, only between ``at`` seconds when given (the fake transcriber's speech)."""
    t = np.arange(int(seconds * rate)) / rate
    wave_ = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    if at is not None:
        wave_[(t < at[0]) | (t >= at[1])] = 0
    return wave_


def png() -> bytes:
    """A real 1x1 PNG image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


@pytest.mark.parametrize("name", ["empty.wav", "empty.vtt"])
def test_bad_input_empty_file(archive, out, cli_fake_stt, name):
    (archive / "bob" / name).write_bytes(b"")
    assert_failed(analyze(archive, out=out), out, archive / "bob" / name, "empty file")


def test_bad_input_truncated_wav_is_analyzed_up_to_where_it_stops(archive, out, tmp_path,
                                                                  cli_fake_stt):
    audio = load_audio(GOOD)
    data = write_wav(tmp_path / "full.wav", list(audio.channels)).read_bytes()
    (archive / "bob" / "cut.wav").write_bytes(data[: len(data) // 2])
    (archive / "bob" / "cut-in-header.wav").write_bytes(data[:30])
    result = analyze(archive, out=out)
    assert_failed(result, out, archive / "bob" / "cut-in-header.wav", "not a readable audio file")
    cut = calls_of(out).loc["bob/cut"]
    assert cut["duration_s"] == pytest.approx(audio.duration_s / 2, abs=0.05)
    assert cut["rep_talk_s"] > 0 and cut["customer_talk_s"] > 0


def test_bad_input_text_with_an_audio_extension(archive, out, cli_fake_stt):
    (archive / "bob" / "notes.mp3").write_text("call notes: ring back on Monday\n")
    assert_failed(analyze(archive, out=out), out, archive / "bob" / "notes.mp3",
                  "not a readable audio file")


def test_bad_input_image_with_an_audio_extension(archive, out, cli_fake_stt):
    (archive / "bob" / "photo.wav").write_bytes(png())
    assert_failed(analyze(archive, out=out), out, archive / "bob" / "photo.wav",
                  "not a readable audio file")


def test_bad_input_silence_is_no_speech_found(archive, out, cli_fake_stt):
    silent = np.zeros(16000 * 5, np.float32)
    write_wav(archive / "bob" / "silence.wav", [silent, silent])
    assert_failed(analyze(archive, out=out), out, archive / "bob" / "silence.wav",
                  "no speech found")


def test_bad_input_music_transcribed_as_symbols_is_no_speech_found(archive, out, cli_fake_stt):
    cli_fake_stt.lines["mono"] = ["♪ ♪", "..."]  # what a transcriber writes for a jingle
    write_wav(archive / "bob" / "hold-music.wav", [tone(4, at=(0.5, 3.5))])
    assert_failed(analyze(archive, out=out), out, archive / "bob" / "hold-music.wav",
                  "no speech found")


def chords(seconds: float, rate: int = 16000) -> np.ndarray:
    """Plucked major chords changing every half second: music with no voice in it."""
    t = np.arange(int(seconds * rate)) / rate
    notes = [(261.6, 329.6, 392.0), (220.0, 261.6, 329.6), (174.6, 220.0, 261.6)]
    music = np.zeros_like(t)
    for i in range(int(seconds * 2)):
        part = slice(i * rate // 2, (i + 1) * rate // 2)
        since = t[part] - t[part][0]
        for f in notes[i % len(notes)]:
            music[part] += sum(0.1 / k * np.sin(2 * np.pi * f * k * t[part])
                               for k in (1, 2, 3)) * np.exp(-3 * since)
    return (0.4 * music / np.abs(music).max()).astype(np.float32)


@pytest.mark.slow
def test_bad_input_music_and_noise_with_the_real_model_are_no_speech_found(
        tmp_path, out, monkeypatch, whisper, session_labeler):
    monkeypatch.setattr(Engines, "stt", property(lambda self: whisper))
    monkeypatch.setattr(Engines, "labeler", property(lambda self: session_labeler))
    monkeypatch.setattr(Engines, "diarizer", property(lambda self: None))
    noise = (np.random.default_rng(0).standard_normal(16000 * 12) * 0.1).astype(np.float32)
    folder = tmp_path / "calls"
    folder.mkdir()
    write_wav(folder / "music.wav", [chords(12)])
    write_wav(folder / "noise.wav", [noise])
    write_wav(folder / "music-and-noise.wav", [chords(12), noise])
    result = analyze(folder, out=out)
    assert result.exit_code == 2  # no call analyzed
    lines = error_lines(result)
    assert len(lines) == 3 and all("no speech found" in line for line in lines), lines
    assert len(pd.read_csv(out / "errors.csv")) == 3


def test_bad_input_call_under_one_second(archive, out, cli_fake_stt):
    write_wav(archive / "bob" / "hang-up.wav", [tone(0.6), tone(0.6)])
    assert_failed(analyze(archive, out=out), out, archive / "bob" / "hang-up.wav",
                  "too short to analyze (0.60 s")


def test_bad_input_a_call_mostly_not_in_english(archive, out, cli_fake_stt):
    """A Dutch call (stop 37: one in a real set got 20 questions and 5 follow-ups from the
    English rules): an error row, so that no verdict rests on words nobody read."""
    dutch = archive / "bob" / "leadline.txt"
    dutch.write_text("Lukas: Hallo Broes, hoe gaat het met je vandaag?\n"
                     "Broes: Goed, dank je. Het is wel druk hier.\n"
                     "Lukas: Ik ga een korte voorstelling doen, als dat goed is.\n"
                     "Broes: Het is op onze site, maar ik denk dat het beter kan.\n"
                     "Lukas: Oké, maar eigenlijk worden er geen offertes gemaakt, klopt dat?\n"
                     "Broes: Ja, thanks.\n", encoding="utf-8")
    assert_failed(analyze(archive, out=out), out, dutch,
                  "not in English: 5 of 6 utterances (CallCoach reads English only)")


def resampled(path: Path, rate: int) -> list[np.ndarray]:
    """A recording's two channels decoded at ``rate`` by FFmpeg (through PyAV)."""
    import av

    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=rate)
        frames = [f for frame in container.decode(container.streams.audio[0])
                  for f in resampler.resample(frame)] + list(resampler.resample(None))
    samples = np.concatenate([f.to_ndarray() for f in frames], axis=1)
    return [samples[0], samples[1]]


def test_bad_input_8k_44k_and_48k_audio_are_measured_like_16k(archive, out, cli_fake_stt):
    for rate in (8000, 16000, 44100, 48000):
        write_wav(archive / "bob" / f"at-{rate}.wav", resampled(GOOD, rate), rate=rate)
    result = analyze(archive, out=out)
    assert result.exit_code == 0 and not error_lines(result), result.output
    truth = pd.read_csv(DEMO_TRUTH).set_index("call_id").loc["bob/2026-10-09-umbrella-pitch"]
    calls = calls_of(out)
    for rate in (8000, 44100, 48000):
        call = calls.loc[f"bob/at-{rate}"]
        assert call["rep_talk_share"] == pytest.approx(truth["rep_talk_share"], abs=0.02), rate
        assert call["rep_talk_share"] == pytest.approx(
            calls.loc["bob/at-16000", "rep_talk_share"], abs=0.015), rate
        assert call["duration_s"] == pytest.approx(calls.loc["bob/good", "duration_s"], abs=0.01)


def test_bad_input_more_than_two_channels_are_mixed_to_mono(archive, out, cli_fake_stt):
    left, right = load_audio(GOOD).channels
    quiet = np.zeros_like(left)
    write_wav(archive / "bob" / "four-channels.wav", [left, right, quiet, quiet])
    result = analyze(archive, out=out)
    assert result.exit_code == 0 and not error_lines(result), result.output
    call = calls_of(out).loc["bob/four-channels"]
    assert call["speakers"] == 1  # mono without a diarizer: one voice
    assert call["duration_s"] == pytest.approx(calls_of(out).loc[GOOD_ID, "duration_s"], abs=0.01)


@pytest.mark.slow
def test_bad_input_two_hour_call_is_analyzed(tmp_path, out, cli_fake_stt):
    rate, hours = 8000, 2
    path = tmp_path / "calls" / "long.wav"
    path.parent.mkdir()
    burst = (tone(1.0, rate) * 32767).astype("<i2").tobytes()
    minute = np.zeros(rate * 60, "<i2").tobytes()
    with wave.open(str(path), "wb") as handle:  # mostly silence, a word every ten minutes
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        for index in range(60 * hours):
            handle.writeframes(burst + minute[len(burst):] if index % 10 == 0 else minute)
    result = analyze(path.parent, out=out)
    assert result.exit_code == 0, result.output
    call = calls_of(out).loc["long"]
    assert call["duration_s"] == pytest.approx(hours * 3600, abs=0.1)
    assert call["turns"] >= 1


def test_bad_input_paths_with_spaces_and_non_ascii_characters(archive, out, cli_fake_stt):
    rep = archive / "José Núñez"
    rep.mkdir()
    shutil.copy(GOOD, rep / "llamada 1 — último.opus")
    shutil.copy(GOOD, rep / "llamada 1 — ultimo.opus")
    result = analyze(archive, out=out)
    assert result.exit_code == 0 and not error_lines(result), result.output
    calls = calls_of(out)
    assert set(calls.index) == {GOOD_ID, "José Núñez/llamada 1 — último",
                                "José Núñez/llamada 1 — ultimo"}
    assert set(calls["rep"]) == {"bob", "José Núñez"}
    assert len(list((out / "reps").glob("*.html"))) == 2
    assert len(list((out / "call-pages").glob("*.html"))) == 3  # no two calls share a page
    assert len(list((out / "calls").glob("*.json"))) == 3


def test_bad_input_unreadable_file(archive, out, cli_fake_stt, monkeypatch):
    locked = archive / "bob" / "locked.opus"
    shutil.copy(GOOD, locked)
    locked.chmod(0)
    if os.geteuid() == 0:  # root reads anything: refuse the file in this process, as the OS would
        real_open = builtins.open

        def refusing_open(file, *args, **kwargs):
            if isinstance(file, (str, os.PathLike)) and os.fspath(file) == str(locked):
                raise PermissionError(errno.EACCES, "Permission denied", str(locked))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", refusing_open)
    assert_failed(analyze(archive, out=out), out, locked,
                  "cannot read the file (Permission denied)")


def test_bad_input_unreadable_folder(archive, out, cli_fake_stt, monkeypatch):
    locked = archive / "carol"
    locked.mkdir()
    shutil.copy(GOOD, locked / "call.opus")
    real_scandir = os.scandir

    def refusing_scandir(path="."):
        if os.fspath(path) == str(locked):
            raise PermissionError(errno.EACCES, "Permission denied", str(locked))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing_scandir)  # as chmod 000 would, even for root
    assert_failed(analyze(archive, out=out), out, locked,
                  "cannot read the folder (Permission denied)")


def test_bad_input_symlink_loop_in_the_archive(archive, out, cli_fake_stt):
    (archive / "bob" / "again").symlink_to(archive / "bob", target_is_directory=True)
    (archive / "bob" / "up").symlink_to(archive, target_is_directory=True)
    (archive / "bob" / "self.wav").symlink_to(archive / "bob" / "self.wav")
    result = analyze(archive, out=out)
    assert_failed(result, out, archive / "bob" / "self.wav", "symbolic link loop")
    assert list(calls_of(out).index) == [GOOD_ID]  # found once, not once per way round the loop


def write_manifest(folder: Path, *rows: str) -> Path:
    manifest = folder / "calls.csv"
    manifest.write_text("\n".join(["path,rep,call_id,date", "bob/good.opus,bob,good,2026-10-01",
                                   *rows]) + "\n")
    return manifest


def test_bad_input_manifest_with_missing_columns(archive, out, cli_fake_stt):
    manifest = archive / "calls.csv"
    manifest.write_text("file,owner\nbob/good.opus,bob\n")
    result = analyze("--manifest", manifest, out=out)
    assert result.exit_code == 2
    assert error_lines(result) == [f"error: {manifest}: line 1: missing column(s) path, rep "
                                   "(expected path,rep and optional call_id,date,rep_channel,"
                                   "rep_speaker)"]
    assert not (out / "calls.csv").exists()


def test_bad_input_manifest_with_an_unknown_path(archive, out, cli_fake_stt):
    manifest = write_manifest(archive, "bob/nowhere.opus,bob,gone,2026-10-02")
    assert_failed(analyze("--manifest", manifest, out=out), out, archive / "bob" / "nowhere.opus",
                  "manifest calls.csv line 3: file not found", good="good")


def test_bad_input_manifest_with_a_duplicate_call_id(archive, out, cli_fake_stt):
    shutil.copy(GOOD, archive / "bob" / "other.opus")
    manifest = write_manifest(archive, "bob/other.opus,bob,good,2026-10-02")
    result = analyze("--manifest", manifest, out=out)
    assert_failed(result, out, archive / "bob" / "other.opus",
                  "manifest calls.csv line 3: call_id 'good' is already used on line 2",
                  good="good")
    assert list(calls_of(out)["path"]) == [str(archive / "bob" / "good.opus")]


def test_bad_input_manifest_with_a_bad_date(archive, out, cli_fake_stt):
    shutil.copy(GOOD, archive / "bob" / "other.opus")
    manifest = write_manifest(archive, "bob/other.opus,bob,other,31/12/2026")
    assert_failed(analyze("--manifest", manifest, out=out), out, archive / "bob" / "other.opus",
                  "manifest calls.csv line 3: date '31/12/2026' is not an ISO date (YYYY-MM-DD)",
                  good="good")
    assert calls_of(out).loc["good", "date"] == "2026-10-01"


def test_bad_input_transcript_with_markup(archive, out, cli_fake_stt):
    (archive / "bob" / "teams.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n"
        "<v Priya Shah><b>Hi</b>, this is Priya from Acme. <script>alert(1)</script>"
        " How can I help?</v>\n\n00:00:04.500 --> 00:00:07.000\n"
        "<i>Sam</i>: We need a &lt;better&gt; quote &amp; <i>fast</i>.\n", encoding="utf-8")
    result = analyze(archive, out=out)
    assert result.exit_code == 0 and not error_lines(result), result.output
    said = pd.read_parquet(out / "utterances.parquet").query("call_id == 'bob/teams'")
    assert list(said["speaker"]) == ["Priya Shah", "Sam"]
    assert list(said["text"]) == ["Hi , this is Priya from Acme. alert(1) How can I help?",
                                  "We need a <better> quote & fast."]
    for page in out.rglob("*.html"):
        assert "<script>alert" not in page.read_text(encoding="utf-8"), page


def test_bad_input_transcript_with_control_characters(archive, out, cli_fake_stt):
    (archive / "bob" / "export.txt").write_text(
        "Priya:\x07 Hi, this is \x1b[1mPriya\x1b[0m from Acme.\x0c How can I help?\x7f\n"
        "Sam\x08: We need\x1f a quote.\x85\n", encoding="utf-8")
    result = analyze(archive, out=out)
    assert result.exit_code == 0 and not error_lines(result), result.output
    said = pd.read_parquet(out / "utterances.parquet").query("call_id == 'bob/export'")
    assert list(said["text"]) == ["Hi, this is Priya from Acme. How can I help?",
                                  "We need a quote."]
    assert list(said["speaker"]) == ["Priya", "Sam"]


def test_bad_input_transcript_with_invalid_utf8(archive, out, cli_fake_stt):
    (archive / "bob" / "latin1.txt").write_bytes(b"Priya: hello\nSam: caf\xe9 at ten?\n")
    assert_failed(analyze(archive, out=out), out, archive / "bob" / "latin1.txt",
                  "line 2: not UTF-8 text (byte 0xe9); save it as UTF-8")


def test_bad_input_binary_file_with_a_transcript_extension(archive, out, cli_fake_stt):
    (archive / "bob" / "scan.txt").write_bytes(png())
    assert_failed(analyze(archive, out=out), out, archive / "bob" / "scan.txt",
                  "not a text file")


def test_bad_input_output_folder_under_a_file(archive, tmp_path, cli_fake_stt):
    (tmp_path / "report").write_text("a file where the output folder should go")
    out = tmp_path / "report" / "out"
    result = analyze(archive, out=out)
    assert result.exit_code == 2
    assert error_lines(result) == [f"error: {out}: cannot write to the output folder "
                                   "(Not a directory)"]


def test_bad_input_output_folder_not_writable(archive, out, cli_fake_stt, monkeypatch):
    out.mkdir()
    out.chmod(0o555)
    if os.geteuid() == 0:  # root writes anywhere: refuse new files in it, as the OS would
        real_touch = Path.touch

        def refusing_touch(self, *args, **kwargs):
            if self.parent == out:
                raise PermissionError(errno.EACCES, "Permission denied", str(self))
            return real_touch(self, *args, **kwargs)

        monkeypatch.setattr(Path, "touch", refusing_touch)
    result = analyze(archive, out=out)
    out.chmod(0o755)
    assert result.exit_code == 2
    assert error_lines(result) == [f"error: {out}: cannot write to the output folder "
                                   "(Permission denied)"]
    assert not list(out.iterdir())


def test_bad_input_disk_filling_up_mid_run_keeps_what_was_written(archive, out, cli_fake_stt,
                                                                   monkeypatch):
    assert analyze(archive, out=out).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    shutil.copy(GOOD, archive / "bob" / "three.opus")  # transcript cached: lock, then result
    write_wav(archive / "bob" / "two.wav", list(load_audio(GOOD).channels))  # lock, transcript

    def filling_dump(payload, handle, **kwargs):
        if len(written) == 3:  # the disk fills up as the new transcript is written
            handle.write('{"key": "')  # the start of the file, as a full disk leaves it
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(payload)
        json.dump(payload, handle, **kwargs)

    written: list = []
    monkeypatch.setattr(store, "json", type("FullDisk", (), {
        "dump": staticmethod(filling_dump), "dumps": json.dumps, "loads": json.loads}))
    result = analyze(archive, out=out)
    assert result.exit_code == 2
    assert error_lines(result) == [
        f"error: {out}: cannot write to the output folder (No space left on device); 2 calls "
        f"are done and kept in {out / 'calls'}: run again to resume"]
    assert all(path.read_bytes() == data for path, data in before.items())  # nothing lost
    for path in (out / "calls").glob("*.json"):
        assert json.loads(path.read_text(encoding="utf-8"))  # nothing half-written
    assert not [p for p in out.rglob("*") if p.suffix in (".tmp", ".lock")]
    done = (out / "calls" / "bob__three.json").stat().st_mtime_ns

    monkeypatch.setattr(store, "json", json)  # space freed: the same command resumes
    result = analyze(archive, out=out)
    assert result.exit_code == 0, result.output
    assert set(calls_of(out).index) == {GOOD_ID, "bob/three", "bob/two"}
    assert (out / "calls" / "bob__three.json").stat().st_mtime_ns == done  # not redone


def test_bad_input_no_input_found(tmp_path, out, cli_fake_stt):
    empty = tmp_path / "empty"
    (empty / "bob").mkdir(parents=True)
    (empty / "bob" / "notes.docx").write_text("not a call")
    result = analyze(empty, out=out)
    assert result.exit_code == 2
    assert error_lines(result) == [f"error: {empty}: no recordings or transcripts found"]


def test_bad_input_every_call_failing_exits_2(archive, out, cli_fake_stt):
    (archive / "bob" / "good.opus").write_text("not audio any more")
    result = analyze(archive, out=out)
    assert result.exit_code == 2
    assert len(error_lines(result)) == 1 and len(pd.read_csv(out / "errors.csv")) == 1


def test_bad_input_roster_that_cannot_be_read(archive, out, cli_fake_stt):
    roster = archive / "team.csv"
    roster.write_text("person\npriya\n")
    result = analyze(archive, "--roster", roster, out=out)
    assert result.exit_code == 2
    assert error_lines(result) == [f"error: {roster}: line 1: missing column(s) name, rep "
                                   "(expected rep,name[,role])"]


def test_bad_input_model_not_found(archive, out, cli_fake_stt, monkeypatch):
    from analyzer.run.speech_to_text import ModelNotFound

    def missing(self):
        raise ModelNotFound("cannot load transcription model 'huge.en': not a model folder, "
                            "not in the local cache, and not downloadable here")

    monkeypatch.setattr(Engines, "stt", property(missing))
    result = analyze(archive, "--model", "huge.en", out=out)
    assert result.exit_code == 2
    assert error_lines(result) == ["error: cannot load transcription model 'huge.en': not a "
                                   "model folder, not in the local cache, and not downloadable "
                                   "here"]
