"""Find inputs: turn the paths and manifest a user gives into the list of calls to analyze.

Whatever is wrong with an input (missing, a broken or looping link, an unreadable folder, a bad
manifest row) becomes an error row naming it; only a manifest that cannot be read at all stops
the run (``ManifestError``).
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import errno
import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from analyzer.call.roles import ROSTER_ROLES, Roster, RosterEntry
from analyzer.errors import InputError, ManifestError
from analyzer.run.files import AUDIO_SUFFIXES, TRANSCRIPT_SUFFIXES, linked_audio
from analyzer.types import CallError, CallSource, Correction

UNKNOWN_REP = "unknown"
MANIFEST_COLUMNS = ("path", "rep", "call_id", "date", "rep_channel", "rep_speaker")
DATE_IN_NAME_RE = re.compile(r"(\d{4}-\d{2}-\d{2})(?![0-9])")
MANIFEST_HELP = "expected path,rep and optional call_id,date,rep_channel,rep_speaker"


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
    Files under ``skip`` (the run's own output folder) are never taken for calls. Raises
    ManifestError when the manifest cannot be read at all.
    """
    found: list[CallSource] = []
    errors: list[CallError] = []
    for path in map(Path, paths):
        if os.path.isdir(path):
            calls, bad = _from_folder(path, transcripts)
            found.extend(c for c in calls if not _inside(c.path, skip))
            errors.extend(bad)
        elif os.path.isfile(path):
            found.append(_source(path, rep or UNKNOWN_REP))
        else:
            errors.append(CallError(path.stem, rep or UNKNOWN_REP, str(path), "input",
                                    missing_reason(path)))
    if manifest is not None:
        rows, bad = read_manifest(manifest)
        found = _apply_manifest(found, rows)
        errors.extend(bad)
    return Inputs(_unique_ids(found), tuple(errors))


class RosterError(InputError):
    """A roster file that cannot be read; the message names the line at fault."""


def load_roster(path: str | Path) -> Roster | None:
    """The run's roster: a CSV with columns ``rep,name[,role]`` (role ``rep`` or
    ``colleague``), read once; None without one."""
    if not path:
        return None
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
            columns = {c.strip().lower() for c in rows[0]} if rows else set()
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise RosterError(str(path), f"cannot read roster ({exc})") from None
    missing = {"rep", "name"} - columns
    if missing:
        raise RosterError(str(path), f"line 1: missing column(s) {', '.join(sorted(missing))}"
                                     " (expected rep,name[,role])")
    return Roster(tuple(_roster_entry(row, line, str(path)) for line, row in enumerate(rows, 2)))


def _roster_entry(row: dict[str, str | None], line: int, path: str) -> RosterEntry:
    row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
    rep, name, role = row.get("rep", ""), row.get("name", ""), row.get("role") or "rep"
    if not rep or not name:
        raise RosterError(path, f"line {line}: rep and name must not be empty")
    if role.lower() not in ROSTER_ROLES:
        raise RosterError(path, f"line {line}: role {role!r} is not one of "
                                f"{', '.join(ROSTER_ROLES)}")
    return RosterEntry(rep, name, role.lower())


CORRECTION_COLUMNS = ("call_id", "label", "text", "verdict", "note")


class CorrectionsError(InputError):
    """A corrections file that cannot be read; the message names the line at fault."""


def load_corrections(path: Path) -> dict[str, tuple[Correction, ...]]:
    """A coach's corrections (``callcoach correct`` writes them), by call; {} without a file."""
    try:
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CorrectionsError(str(path), f"cannot read the corrections ({exc})") from None
    found: dict[str, list[Correction]] = {}
    for line, row in enumerate(rows, 2):
        values = {k: (row.get(k) or "").strip() for k in CORRECTION_COLUMNS}
        if not (values["call_id"] and values["label"] and values["text"]) \
                or values["verdict"] not in ("wrong", "missed"):
            raise CorrectionsError(str(path), f"line {line}: needs call_id, label, text and "
                                              f"verdict wrong or missed")
        found.setdefault(values["call_id"], []).append(Correction(**values))
    return {call_id: tuple(items) for call_id, items in found.items()}


def append_correction(path: Path, correction: Correction) -> None:
    """Add one correction to the file (written with its header when new)."""
    new = not path.is_file()
    with open(path, "a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, CORRECTION_COLUMNS)
        if new:
            writer.writeheader()
        writer.writerow(dataclasses.asdict(correction))


def missing_reason(path: str | Path) -> str:
    """Why ``path`` is not a file that can be read: not found, a broken or looping link, ..."""
    try:
        os.stat(path)
    except (OSError, ValueError) as exc:
        code = getattr(exc, "errno", None)
        if code == errno.ELOOP:
            return "symbolic link loop"
        if os.path.islink(path):
            return f"broken symbolic link (to {os.readlink(path)})"
        if code == errno.ENAMETOOLONG:
            return "file name too long"
        return "file not found"
    return "a folder, not a file" if os.path.isdir(path) else "not a regular file"


def read_manifest(path: str | Path) -> tuple[list[CallSource], list[CallError]]:
    """Read a manifest CSV; rows that cannot become calls become errors naming their line.

    Column names are matched without regard to case or surrounding spaces. Raises
    ManifestError when the file is unreadable, not UTF-8 CSV text, or lacks ``path``/``rep``.
    """
    path = Path(path)
    reader = csv.DictReader(io.StringIO(_manifest_text(path), newline=""))
    rows: list[CallSource] = []
    errors: list[CallError] = []
    first_line: dict[str, int] = {}
    try:
        reader.fieldnames = [(f or "").strip().lower() for f in reader.fieldnames or ()]
        missing = {"path", "rep"} - set(reader.fieldnames)
        if missing:
            raise ManifestError(str(path), f"line 1: missing column(s) "
                                           f"{', '.join(sorted(missing))} ({MANIFEST_HELP})")
        for row in reader:
            source, error = _manifest_row(path, reader.line_num, row, first_line)
            rows.extend([source] if source else [])
            errors.extend([error] if error else [])
    except csv.Error as exc:
        raise ManifestError(str(path), f"line {reader.line_num + 1}: not valid CSV ({exc})"
                            ) from None
    return rows, errors


def _manifest_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ManifestError(str(path), f"cannot read the manifest ({exc.strerror or exc})"
                            ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ManifestError(str(path), f"line {line}: not UTF-8 text (save the manifest as "
                                       "UTF-8 CSV)") from None
    if "\0" in text:
        raise ManifestError(str(path), "not a CSV file (it holds binary data)")
    return text


def _manifest_row(manifest: Path, line: int, row: dict[str, str], first_line: dict[str, int]
                  ) -> tuple[CallSource | None, CallError | None]:
    """One manifest row as a call, or as an error naming the manifest and the line."""
    values = {k: str(row.get(k) or "").strip() for k in MANIFEST_COLUMNS}
    target = _manifest_target(manifest, values["path"])
    rep = values["rep"] or UNKNOWN_REP
    call_id = values["call_id"] or target.stem or "call"
    problem = _row_problem(values, target, first_line.get(values["call_id"]))
    if problem:
        reason = f"manifest {manifest.name} line {line}: {problem}"
        where = str(target) if values["path"] else str(manifest)
        return None, CallError(call_id, rep, where, "input", reason)
    if values["call_id"]:
        first_line[values["call_id"]] = line
    return CallSource(call_id, rep, str(target), values["date"] or date_in_name(target),
                      values["rep_channel"].lower(), values["rep_speaker"]), None


def _manifest_target(manifest: Path, value: str) -> Path:
    target = Path(value)
    with contextlib.suppress(RuntimeError):  # "~someone" with no such user stays as written
        target = target.expanduser()
    return target if target.is_absolute() else manifest.parent / target


def _row_problem(values: dict[str, str], target: Path, used_on: int | None) -> str:
    """What is wrong with a manifest row ("" when nothing is)."""
    if not values["path"]:
        return "no path"
    if not os.path.isfile(target):
        return missing_reason(target)
    if values["rep_channel"].lower() not in ("", "left", "right"):
        return f"rep_channel must be left or right, not {values['rep_channel']!r}"
    if values["date"] and not _is_iso_date(values["date"]):
        return f"date {values['date']!r} is not an ISO date (YYYY-MM-DD)"
    if used_on is not None:
        return f"call_id {values['call_id']!r} is already used on line {used_on}"
    return ""


def _is_iso_date(value: str) -> bool:
    for parse in (date.fromisoformat, datetime.fromisoformat):
        try:
            parse(value)
            return True
        except ValueError:
            continue
    return False


def _apply_manifest(found: list[CallSource], rows: list[CallSource]) -> list[CallSource]:
    """Manifest rows replace the same files found by path, and add the rest."""
    by_path = {os.path.realpath(r.path): r for r in rows}
    kept = [c for c in found if os.path.realpath(c.path) not in by_path]
    return kept + rows


def _from_folder(root: Path, transcripts: bool) -> tuple[list[CallSource], list[CallError]]:
    suffixes = AUDIO_SUFFIXES + (TRANSCRIPT_SUFFIXES if transcripts else ())
    files, problems = walk_files(root, suffixes)
    calls = [_source(path, *_place(root, path)) for path in _skip_linked_audio(files)]
    errors = [CallError(_place(root, p)[1], _place(root, p)[0], str(p), "input", reason)
              for p, reason in problems]
    return calls, errors


def walk_files(root: Path, suffixes: Sequence[str]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The files under ``root`` whose suffix is one of ``suffixes``, sorted, and the problems
    met on the way as (path, reason).

    Links to folders are followed (a rep's folder may live on another disk), each real folder
    is read once, and a link back to a folder above it is not followed, so a symlink loop
    neither hangs nor repeats calls. A broken or looping link with a call's suffix, and a
    folder that cannot be read, are problems; hidden files are skipped.
    """
    files: list[Path] = []
    problems: list[tuple[Path, str]] = []
    seen: set[str] = set()

    def unreadable(exc: OSError) -> None:
        problems.append((Path(exc.filename or root),
                         f"cannot read the folder ({exc.strerror or exc})"))

    for folder, dirs, names in os.walk(root, onerror=unreadable, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        dirs[:] = sorted(d for d in dirs
                         if not _is_ancestor(os.path.realpath(os.path.join(folder, d)), real))
        for name in names:
            path = Path(folder, name)
            if name.startswith(".") or path.suffix.lower() not in suffixes:
                continue
            if os.path.isfile(path):
                files.append(path)
            else:
                problems.append((path, missing_reason(path)))
    return sorted(files), sorted(problems)


def _is_ancestor(folder: str, of: str) -> bool:
    return of == folder or of.startswith(folder.rstrip(os.sep) + os.sep)


def _place(root: Path, path: Path) -> tuple[str, str]:
    """(rep, call id) of a file under ``root``: its first folder and its path without suffix."""
    parts = path.relative_to(root).parts
    if not parts:
        return UNKNOWN_REP, root.name or str(root)
    rep = parts[0] if len(parts) > 1 else UNKNOWN_REP
    return rep, "/".join([*parts[:-1], Path(parts[-1]).stem])


def _inside(path: str, folder: str | Path | None) -> bool:
    if folder is None:
        return False
    return _is_ancestor(os.path.realpath(folder), os.path.realpath(os.path.dirname(path)))


def _skip_linked_audio(files: list[Path]) -> list[Path]:
    """Audio that sits next to a transcript of the same stem belongs to that transcript."""
    stems = {p.with_suffix("") for p in files if p.suffix.lower() in TRANSCRIPT_SUFFIXES}
    return [p for p in files
            if p.suffix.lower() in TRANSCRIPT_SUFFIXES or p.with_suffix("") not in stems]


def _source(path: Path, rep: str, call_id: str = "") -> CallSource:
    linked = linked_audio(path) if path.suffix.lower() in TRANSCRIPT_SUFFIXES else ""
    return CallSource(call_id or path.stem, rep, str(path), date_in_name(path),
                      audio_path=linked)


def date_in_name(path: str | Path) -> str:
    """The ISO date a file's name starts with (``2026-10-01-acme.wav``: "2026-10-01"), or ""
    when it starts with none; used when no manifest gives the call's date."""
    match = DATE_IN_NAME_RE.match(Path(path).name)
    if match is None:
        return ""
    try:
        return date.fromisoformat(match.group(1)).isoformat()
    except ValueError:  # 2026-13-45 has the shape of a date but is none
        return ""


def _unique_ids(calls: list[CallSource]) -> tuple[CallSource, ...]:
    """Give every call a distinct id (two reps may both have a ``call1.wav``)."""
    seen: dict[str, int] = {}
    unique = []
    for call in calls:
        count = seen.get(call.call_id, 0)
        seen[call.call_id] = count + 1
        unique.append(call if count == 0 else replace(call, call_id=f"{call.call_id}-{count + 1}"))
    return tuple(unique)
