"""Build the demo call archive: short synthetic stereo sales calls spoken by espeak-ng.

Rep on the left channel, customer on the right. Each line is synthesised on its own and
placed on a timeline, so the true talk time of each side is known exactly; it is written to
demo/truth.csv for the tests. Needs espeak-ng and ffmpeg (Debian packages); the archive it
writes is committed, so `make demo` does not need them.

    python demo/make_demo_archive.py
"""

from __future__ import annotations

import csv
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np

RATE = 16000
HERE = Path(__file__).resolve().parent
VOICES = {"rep": "en-us+m3", "customer": "en-gb+f2"}
SILENCE_DB = -45.0


def synthesise(text: str, voice: str, speed: int) -> np.ndarray:
    """One line of speech as 16 kHz float samples, leading and trailing silence removed."""
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "line.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), text],
                       check=True)
        raw = subprocess.run(["sox", str(wav), "-r", str(RATE), "-c", "1", "-b", "16",
                              "-e", "signed-integer", "-t", "raw", "-"],
                             check=True, capture_output=True).stdout
    samples = np.frombuffer(raw, dtype=np.int16).astype(np.float32) / 32768.0
    return trim(samples)


def trim(samples: np.ndarray) -> np.ndarray:
    """Cut the silence espeak-ng leaves before and after a line."""
    loud = np.flatnonzero(np.abs(samples) > 10 ** (SILENCE_DB / 20))
    return samples[loud[0]: loud[-1] + 1] if loud.size else samples[:0]


def render(call: dict) -> tuple[np.ndarray, dict[str, float]]:
    """Lay the lines of a call on a stereo timeline; return samples and true talk times."""
    left: list[np.ndarray] = []
    right: list[np.ndarray] = []
    talk = {"rep": 0.0, "customer": 0.0}
    cursor = int(0.5 * RATE)
    for role, text, pause in call["lines"]:
        speech = synthesise(text, VOICES[role], call.get("speed", {}).get(role, 165))
        start = cursor + int(pause * RATE)
        target = left if role == "rep" else right
        target.append((start, speech))
        talk[role] += speech.size / RATE
        cursor = start + speech.size
    length = cursor + int(0.8 * RATE)
    stereo = np.zeros((2, length), dtype=np.float32)
    for channel, placed in enumerate((left, right)):
        for start, speech in placed:
            stereo[channel, start: start + speech.size] += speech * 0.6
    return stereo, talk


def encode(stereo: np.ndarray, path: Path) -> None:
    """Write the call as a small Opus file (24 kb/s: lower rates mix the two channels)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pcm = (np.clip(stereo.T, -1, 1) * 32767).astype("<i2").tobytes()
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-f", "s16le", "-ar", str(RATE),
                    "-ac", "2", "-i", "-", "-c:a", "libopus", "-b:a", "24k", str(path)],
                   input=pcm, check=True)


def main() -> None:
    """Render the calls of demo/calls.json not yet in demo/archive/ and write demo/truth.csv."""
    calls = json.loads((HERE / "calls.json").read_text(encoding="utf-8"))
    truth = HERE / "truth.csv"
    # A call already in the archive keeps its recording and its truth row: the tests and the
    # README's figures were measured on those files (delete one to render it again).
    known = ({row["call_id"]: row for row in csv.DictReader(truth.open(encoding="utf-8"))}
             if truth.exists() else {})
    rows = []
    for call in calls:
        path = HERE / "archive" / call["rep"] / f"{call['call_id']}.opus"
        if path.exists() and f"{call['rep']}/{call['call_id']}" in known:
            rows.append(known[f"{call['rep']}/{call['call_id']}"])
            continue
        stereo, talk = render(call)
        encode(stereo, path)
        share = talk["rep"] / (talk["rep"] + talk["customer"])
        rows.append({"call_id": f"{call['rep']}/{call['call_id']}", "rep": call["rep"],
                     "rep_talk_s": round(talk["rep"], 3),
                     "customer_talk_s": round(talk["customer"], 3),
                     "rep_talk_share": round(share, 4)})
    with truth.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
