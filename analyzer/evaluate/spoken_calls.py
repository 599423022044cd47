"""Build the spoken calls with planted private details (``make redaction-audio``).

Each line of ``models/eval/redaction/spoken/calls.json`` is spoken by espeak-ng (a Debian
package; the target installs it) and laid on a stereo timeline, rep on the left; each call is
written as a small Opus file next to the script, committed so the tests need no espeak-ng.

    python -m analyzer.evaluate.spoken_calls
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import av
import numpy as np

from analyzer.run.audio import SAMPLE_RATE, load_audio
from analyzer.settings import EVAL_DIR

SPOKEN_DIR = EVAL_DIR / "redaction" / "spoken"
VOICES = {"rep": "en-us+m3", "customer": "en-gb+m1"}
SPEED = 140
SILENCE = 10 ** (-45 / 20)


def speak(text: str, voice: str) -> np.ndarray:
    """One line of speech as 16 kHz samples, the silence around it cut."""
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "line.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(SPEED), "-w", str(wav), text],
                       check=True)
        samples = load_audio(wav).channels[0]
    loud = np.flatnonzero(np.abs(samples) > SILENCE)
    return samples[loud[0]: loud[-1] + 1] if loud.size else samples[:0]


def render(lines: list[list]) -> np.ndarray:
    """The call's lines one after another, each on its speaker's channel: (2, samples)."""
    placed, cursor = [], int(0.5 * SAMPLE_RATE)
    for role, text, pause in lines:
        speech = speak(text, VOICES[role])
        start = cursor + int(pause * SAMPLE_RATE)
        placed.append((0 if role == "rep" else 1, start, speech))
        cursor = start + speech.size
    stereo = np.zeros((2, cursor + int(0.8 * SAMPLE_RATE)), dtype=np.float32)
    for channel, start, speech in placed:
        stereo[channel, start: start + speech.size] += 0.6 * speech
    return stereo


def write_opus(stereo: np.ndarray, path: Path) -> None:
    """Write a (2, samples) call as 24 kbit/s Opus in Ogg."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pcm = (np.clip(stereo.T, -1, 1) * 32767).astype("<i2").reshape(1, -1)
    with av.open(str(path), "w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=SAMPLE_RATE, layout="stereo")
        stream.bit_rate = 24000
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="stereo")
        frame.sample_rate = SAMPLE_RATE
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)


def main() -> None:
    """Render every call of calls.json into its .opus file."""
    calls = json.loads((SPOKEN_DIR / "calls.json").read_text(encoding="utf-8"))["calls"]
    for call in calls:
        write_opus(render(call["lines"]), SPOKEN_DIR / call["file"])
        print(f"wrote {SPOKEN_DIR / call['file']}")


if __name__ == "__main__":
    main()
