"""Speaker turns to and from RTTM files."""

from __future__ import annotations

from pathlib import Path

from analyzer.errors import InputError
from analyzer.types import SpeakerTurn


def write_rttm(turns: tuple[SpeakerTurn, ...], file_id: str, path: str | Path) -> None:
    """Write turns as standard RTTM lines (SPEAKER file 1 start duration ... speaker ...)."""
    lines = [f"SPEAKER {file_id} 1 {t.start:.3f} {t.end - t.start:.3f} <NA> <NA> {t.speaker} "
             "<NA> <NA>\n" for t in sorted(turns, key=lambda t: (t.start, t.end))]
    Path(path).write_text("".join(lines), encoding="utf-8")


def read_rttm(path: str | Path) -> tuple[SpeakerTurn, ...]:
    """Read the SPEAKER lines of an RTTM file, sorted by start time.

    Raises InputError naming the file and line when a SPEAKER line is malformed.
    """
    turns = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        fields = line.split()
        if not fields or fields[0] != "SPEAKER":
            continue
        try:
            start, duration = float(fields[3]), float(fields[4])
            turns.append(SpeakerTurn(fields[7], start, start + duration))
        except (IndexError, ValueError) as exc:
            raise InputError(str(path), f"line {number}: not an RTTM SPEAKER line") from exc
    return tuple(sorted(turns, key=lambda t: (t.start, t.end)))
