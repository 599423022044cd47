"""Find inputs: turn the paths and manifest a user gives into the list of calls to analyze."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from analyzer.files import AUDIO_SUFFIXES, TRANSCRIPT_SUFFIXES, linked_audio
from analyzer.types import CallError, CallSource

UNKNOWN_REP = "unknown"
MANIFEST_COLUMNS = ("path", "rep", "call_id", "date", "rep_channel", "rep_speaker")


@dataclass(frozen=True)
class Inputs:
    """The calls found, and the inputs that point nowhere (each already an error row)."""

    calls: tuple[CallSource, ...]
    errors: tuple[CallError, ...]


def find_calls(paths: Sequence[str | Path], manifest: str | Path | None = None,
               rep: str = "", transcripts: bool = True, skip: str | Path | None = None) -> Inputs:
    """Collect calls from files, folders (searched recursively) and an optional manifest.

    A folder's first level names the rep (``archive/<rep>/.../call.wav``); a manifest row
    (columns ``path,rep`` and optional ``call_id,date,rep_channel,rep_speaker``) overrides it.
    Files under ``skip`` (the run's own output folder) are never taken for calls.
    """
    found: list[CallSource] = []
    errors: list[CallError] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(c for c in _from_folder(path, transcripts) if not _inside(c.path, skip))
        elif path.is_file():
            found.append(_source(path, rep or UNKNOWN_REP))
        else:
            errors.append(CallError(path.stem, rep or UNKNOWN_REP, str(path), "input",
                                    "file not found"))
    if manifest is not None:
        rows, bad = read_manifest(manifest)
        found = _apply_manifest(found, rows)
        errors.extend(bad)
    return Inputs(_unique_ids(found), tuple(errors))


def read_manifest(path: str | Path) -> tuple[list[CallSource], list[CallError]]:
    """Read a manifest CSV; rows whose file is missing become errors, not calls."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"path", "rep"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: manifest lacks column(s) {', '.join(sorted(missing))}")
        rows, errors = [], []
        for line, row in enumerate(reader, start=2):
            source, error = _manifest_row(path, line, row)
            rows.extend([source] if source else [])
            errors.extend([error] if error else [])
    return rows, errors


def _manifest_row(manifest: Path, line: int, row: dict[str, str]
                  ) -> tuple[CallSource | None, CallError | None]:
    values = {k: (row.get(k) or "").strip() for k in MANIFEST_COLUMNS}
    target = Path(values["path"]).expanduser()
    if not target.is_absolute():
        target = manifest.parent / target
    rep = values["rep"] or UNKNOWN_REP
    call_id = values["call_id"] or target.stem
    if not values["path"] or not target.is_file():
        reason = f"manifest {manifest.name} line {line}: file not found"
        return None, CallError(call_id, rep, str(target), "input", reason)
    channel = values["rep_channel"].lower()
    if channel and channel not in ("left", "right"):
        reason = f"manifest {manifest.name} line {line}: rep_channel must be left or right"
        return None, CallError(call_id, rep, str(target), "input", reason)
    return CallSource(call_id, rep, str(target), values["date"], channel,
                      values["rep_speaker"]), None


def _apply_manifest(found: list[CallSource], rows: list[CallSource]) -> list[CallSource]:
    """Manifest rows replace the same files found by path, and add the rest."""
    by_path = {Path(r.path).resolve(): r for r in rows}
    kept = [c for c in found if Path(c.path).resolve() not in by_path]
    return kept + rows


def _from_folder(root: Path, transcripts: bool) -> Iterable[CallSource]:
    suffixes = AUDIO_SUFFIXES + (TRANSCRIPT_SUFFIXES if transcripts else ())
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in suffixes
                   and not p.name.startswith("."))
    for path in _skip_linked_audio(files):
        parts = path.relative_to(root).parts
        rep = parts[0] if len(parts) > 1 else UNKNOWN_REP
        call_id = path.relative_to(root).with_suffix("").as_posix()
        yield _source(path, rep, call_id)


def _inside(path: str, folder: str | Path | None) -> bool:
    if folder is None:
        return False
    return Path(folder).resolve() in Path(path).resolve().parents


def _skip_linked_audio(files: list[Path]) -> list[Path]:
    """Audio that sits next to a transcript of the same stem belongs to that transcript."""
    stems = {p.with_suffix("") for p in files if p.suffix.lower() in TRANSCRIPT_SUFFIXES}
    return [p for p in files
            if p.suffix.lower() in TRANSCRIPT_SUFFIXES or p.with_suffix("") not in stems]


def _source(path: Path, rep: str, call_id: str = "") -> CallSource:
    linked = linked_audio(path) if path.suffix.lower() in TRANSCRIPT_SUFFIXES else ""
    return CallSource(call_id or path.stem, rep, str(path), audio_path=linked)


def _unique_ids(calls: list[CallSource]) -> tuple[CallSource, ...]:
    """Give every call a distinct id (two reps may both have a ``call1.wav``)."""
    seen: dict[str, int] = {}
    unique = []
    for call in calls:
        count = seen.get(call.call_id, 0)
        seen[call.call_id] = count + 1
        unique.append(call if count == 0 else replace(call, call_id=f"{call.call_id}-{count + 1}"))
    return tuple(unique)
