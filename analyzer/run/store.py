"""Per-call results on disk: written as each call finishes, so a killed run resumes.

Every file is written to a temporary name and renamed, so a reader (another worker, a
resumed run) never sees half a file. Results carry the key they were computed under; a
result whose key differs from the current one is recomputed.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import math
import os
import re
import secrets
import socket
import time
import types as pytypes
import typing
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from analyzer import types as t
from analyzer.errors import RunError
from analyzer.settings import MODELS_DIR

T = TypeVar("T")
EMPTY_LOCK_STALE_S = 60.0
# A lock older than this is stale whoever holds it (a worker on another machine that never
# came back).
LOCK_STALE_S = 6 * 3600.0
# Data that only shapes the pages (coaching rules, cards), says how fast or how wide a run
# goes, sets `make bench` targets, or evaluates the analysis (`eval/`): editing it must not
# redo any call.
NOT_ANALYSIS = frozenset({"reports", "eval", "benchmarks.json", "runtime.json"})


@dataclasses.dataclass(frozen=True)
class Run:
    """Where a run keeps its per-call files, and the keys its results are valid under."""

    out: Path
    options: t.Options
    data_version: str
    roster: Any = None
    force: bool = False  # redo: ignore stored results and cached transcripts
    corrections: Mapping[str, tuple[t.Correction, ...]] = dataclasses.field(default_factory=dict)

    def corrections_path(self) -> Path:
        """A coach's corrections of the labels (``callcoach correct``), read by every run."""
        return self.out / "corrections.csv"

    def result_path(self, call: t.CallSource) -> Path:
        """File of one call's finished result."""
        return self.out / "calls" / f"{safe_name(call.call_id)}.json"

    def error_path(self, call: t.CallSource) -> Path:
        """File of one call's failure."""
        return self.out / "calls" / f"{safe_name(call.call_id)}.error.json"

    def voices_path(self) -> Path:
        """The reps' voice prints, learned over every run into this folder."""
        return self.out / "voices.json"

    def lock_path(self, call: t.CallSource) -> Path:
        """Lock a worker holds while it analyzes one call."""
        return self.out / "calls" / f"{safe_name(call.call_id)}.lock"

    def transcript_path(self, key: str) -> Path:
        """Cached transcript of one recording under one set of transcription options."""
        return self.out / "cache" / "transcripts" / f"{key}.json"

    def audio_copy_path(self, call: t.CallSource) -> Path:
        """The redacted (bleeped) copy of a call's recording."""
        return self.out / "audio" / f"{safe_name(call.call_id)}.wav"


def models_version(*parts: str) -> str:
    """Digest of the data files under models/ (all, or the named files and folders).

    Results are keyed by it: editing a phrase list recomputes the labels, not the transcripts.
    """
    sha = hashlib.sha256()
    roots = [MODELS_DIR / p for p in parts] or [MODELS_DIR]
    files = [f for r in roots for f in ([r] if r.is_file() else r.rglob("*"))
             if parts or f.relative_to(MODELS_DIR).parts[0] not in NOT_ANALYSIS]
    for path in sorted(files):
        if path.is_file() and path.suffix in (".json", ".jsonl", ".csv", ".txt"):
            sha.update(path.relative_to(MODELS_DIR).as_posix().encode())
            sha.update(path.read_bytes())
    return sha.hexdigest()[:16]


def run_key(*parts: object) -> str:
    """Hash the things a result depends on (content digest, options, data versions)."""
    text = json.dumps([_plain(p) for p in parts], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


# Ids made of these pieces joined by "/" or "_" map one-to-one onto file names ("/" -> "__").
_PLAIN_ID_RE = re.compile(r"[A-Za-z0-9.-]+(?:[/_][A-Za-z0-9.-]+)*")
_MAX_NAME = 100
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def safe_name(call_id: str) -> str:
    """Turn a call id (which may hold folders) into one file name, distinct for distinct ids.

    ``alice/2026/c1`` becomes ``alice__2026__c1``. An id that loses characters on the way
    (spaces, accents, other scripts) or is very long also gets a short digest of the id, so
    ``café`` and ``cafè`` never share a file.
    """
    name = re.sub(r"[^A-Za-z0-9._-]+", "__", call_id).strip("_") or "call"
    if _PLAIN_ID_RE.fullmatch(call_id) and len(name) <= _MAX_NAME:
        return name
    digest = hashlib.sha256(call_id.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{name[:_MAX_NAME]}-{digest}"


def write_json(path: Path, payload: Any) -> None:
    """Write JSON atomically (temporary file, then rename)."""
    with atomic_path(path) as tmp, tmp.open("x", encoding="utf-8") as handle:
        json.dump(_plain(payload), handle, ensure_ascii=False, allow_nan=True)


def check_writable(folder: Path) -> None:
    """Make ``folder`` if needed and check that files can be created in it; RunError if not."""
    probe = folder / f".write-test.{os.getpid()}.{secrets.token_hex(4)}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.touch(exist_ok=False)
        probe.unlink()
    except OSError as exc:
        raise RunError(str(folder), "cannot write to the output folder "
                                    f"({exc.strerror or exc})") from None


def is_disk_full(exc: OSError) -> bool:
    """True when writing failed because the disk (or the user's quota) is full."""
    return exc.errno in _DISK_FULL


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary name beside ``path`` to write to; renamed to ``path`` only when the block
    ends without an error, so no reader ever sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    unique = f"{socket.gethostname()}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
    tmp = path.with_name(f".{path.name}.{unique}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    """Write a text file atomically (temporary file, then rename)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def sweep_temporaries(folder: Path) -> None:
    """Delete temporary files that a killed process of this host left in ``folder``."""
    host = socket.gethostname()
    for tmp in folder.glob(f".*.{host}.*.tmp"):
        pid = tmp.name.split(".")[-3]
        if pid.isdigit() and not _alive(int(pid)):
            tmp.unlink(missing_ok=True)


def read_key(path: Path) -> str | None:
    """The key a stored result was computed under, read from the head of its file (a whole
    result can be large; the key comes first), or None when there is none."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(128).decode("ascii", "replace")
    except OSError:
        return None
    found = re.match(r'\{"key": "([0-9a-f]+)"', head)
    return found.group(1) if found else None


@contextmanager
def locked(path: Path, poll_s: float = 0.05) -> Iterator[None]:
    """Hold the lock file ``path`` for the block, waiting while another process has it."""
    while not claim(path):
        time.sleep(poll_s)
    try:
        yield
    finally:
        release(path)


def claim(path: Path, stale_after_s: float = LOCK_STALE_S) -> bool:
    """Take the lock file ``path`` for this process; False when a live worker holds it.

    A lock is stale (and taken over) when its process has died on this host, or when it is
    older than ``stale_after_s`` (a worker on another machine that never came back).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            if not _stale(path, stale_after_s):
                return False
            path.unlink(missing_ok=True)
            continue
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump({"pid": os.getpid(), "host": socket.gethostname(),
                           "time": time.time()}, handle)
        except BaseException:
            path.unlink(missing_ok=True)  # leave no half-written lock behind
            raise
        return True
    return False


def release(path: Path) -> None:
    """Give up a lock taken with ``claim``."""
    path.unlink(missing_ok=True)


def drop_stale(path: Path) -> None:
    """Remove the lock file ``path`` if its holder is gone. A worker killed after storing its
    result leaves its lock behind, and a later run that finds the result stored never claims
    the lock again."""
    if path.exists() and _stale(path, LOCK_STALE_S):
        path.unlink(missing_ok=True)


def _stale(path: Path, stale_after_s: float) -> bool:
    holder = read_json(path)
    if not holder:  # its holder is writing it this very moment, unless it is old
        try:
            return time.time() - path.stat().st_mtime > EMPTY_LOCK_STALE_S
        except OSError:
            return False
    if time.time() - float(holder.get("time", 0)) > stale_after_s:
        return True
    if holder.get("host") != socket.gethostname():
        return False
    try:
        return not _alive(int(holder.get("pid", 0)))
    except ValueError:
        return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_json(path: Path) -> Any:
    """Read a JSON file written by write_json, or None when it is absent or damaged."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def to_dataclass(cls: type[T], data: Any) -> T:
    """Rebuild a (nested) frozen dataclass of analyzer.types from its JSON form."""
    hints = typing.get_type_hints(cls, vars(t))
    kwargs = {f.name: _decode(hints[f.name], data[f.name])
              for f in dataclasses.fields(cls) if f.name in data}  # type: ignore[arg-type]
    return cls(**kwargs)


def _decode(hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if dataclasses.is_dataclass(hint):
        return to_dataclass(hint, value)  # type: ignore[arg-type]
    if origin is tuple:
        return tuple(_decode(args[0], v) for v in value)
    if origin in (typing.Union, pytypes.UnionType) and value is None:
        return None
    if hint is float and value is None:
        return math.nan
    return value


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict | typing.Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value
