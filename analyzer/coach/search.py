"""Search: the utterances of a finished run that match a phrase, and the run's tables as SQL
views, read from the Parquet files the run wrote with DuckDB (never loaded whole).

A phrase matches whole words in order, case and punctuation ignored ("raise the price" finds
"Raise, the price!"; an apostrophe separates words as any punctuation does, so "don't" is
the words "don" and "t"). DuckDB reads only the columns a query names, and
skips the row groups (a group of whole calls each, see ``gather``) whose call ids or reps
cannot match ``--call`` or ``--rep``. A search reads only the folder it is given: a redacted
run's tables are already redacted, and a ``--split-by-rep`` folder holds only its rep's rows.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import astuple, dataclass, fields
from pathlib import Path
from typing import Any

import duckdb

from analyzer.errors import InputError

TABLES = {"calls": "calls.parquet", "reps": "reps.parquet", "utterances": "utterances.parquet",
          "flags": "flags.parquet", "errors": "errors.csv"}
REQUIRED = ("calls", "utterances", "flags")
# A word is a run of letters and digits: every other character (an apostrophe too) separates
# words, so "don't" is the words "don" and "t".
WORD_RE = re.compile(r"[^\W_]+")
# Not a letter or digit, in RE2's syntax (DuckDB) and in Python's.
RE2_GAP, PYTHON_GAP = r"[^\pL\pN]", r"[\W_]"
# What may stand between the digit groups of a number: "15,000", "15.000", "15 000", "15000".
NUMBER_GROUP_GAP = "[,. ]?"
FETCH_ROWS = 5_000


@dataclass(frozen=True)
class Query:
    """What to look for in a run.

    Attributes:
        phrases: An utterance matches when it holds any of them (each: words in order).
        rep: Only this rep's calls ("" for all).
        role: Only what this side said ("rep" or "customer"; "" for both).
        label: Only sentences with this label or tracker (``flags.label``), the phrase inside.
        as_question: Only sentences labelled ``question``, the phrase inside.
        since: Only calls dated on or after this ISO date.
        until: Only calls dated on or before this ISO date (a prefix: "2026-10" is October).
        call: Only this call id.
    """

    phrases: tuple[str, ...]
    rep: str = ""
    role: str = ""
    label: str = ""
    as_question: bool = False
    since: str = ""
    until: str = ""
    call: str = ""


@dataclass(frozen=True)
class Hit:
    """One utterance that matched, with where the first match sits in its text."""

    call_id: str
    rep: str
    date: str
    start_s: float
    end_s: float
    speaker: str
    role: str
    text: str
    match_start: int
    match_end: int


def words(text: str) -> list[str]:
    """The words of ``text`` as a search compares them, in lower case."""
    return WORD_RE.findall(text.lower())


def phrase_pattern(phrase: str, gap: str = RE2_GAP) -> str:
    """A case-blind regular expression for the words of ``phrase`` in order, whole words,
    anything but letters and digits between them (``gap``: one such character, in the
    flavour of the regexp engine). The words themselves are group 1."""
    said = (_word_pattern(w) for w in _searched_words(phrase))
    return f"(?i)(?:^|{gap})({f'{gap}+'.join(said)})(?:$|{gap})"


def _word_pattern(word: str) -> str:
    """One searched word as a regular expression; a number of more than three digits with or
    without its group separators, so "15000" finds "15,000", "15.000" and "15 000"."""
    if not (word.isascii() and word.isdigit() and len(word) > 3):
        return re.escape(word)
    head = len(word) % 3 or 3
    groups = [word[:head], *(word[i:i + 3] for i in range(head, len(word), 3))]
    return NUMBER_GROUP_GAP.join(groups)


def _searched_words(phrase: str) -> list[str]:
    """The words of ``phrase``, a number written with group separators ("15,000": "15" "000")
    as one."""
    joined: list[str] = []
    for word in words(phrase):
        if joined and joined[-1].isdigit() and word.isdigit() and len(word) == 3:
            joined[-1] += word
        else:
            joined.append(word)
    return joined


def find_match(text: str, phrases: Sequence[str]) -> tuple[int, int]:
    """Where the earliest of ``phrases`` sits in ``text`` (character offsets; (0, 0) if none)."""
    found = [m for m in (re.search(phrase_pattern(p, PYTHON_GAP), text) for p in phrases) if m]
    first = min(found, key=lambda m: m.start(1), default=None)
    return (first.start(1), first.end(1)) if first else (0, 0)


def connect(out: str | Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the run's tables as views (``calls``, ``reps``, ``utterances``,
    ``flags``, ``errors``), reading the files in ``out`` in place.

    Raises InputError naming ``out`` when it is not the folder of a finished run.
    """
    folder = Path(out)
    missing = [TABLES[n] for n in REQUIRED if not (folder / TABLES[n]).is_file()]
    if missing:
        raise InputError(str(folder), f"not a finished run (no {', '.join(missing)}): give the "
                                      "folder `callcoach analyze --out` wrote")
    db = duckdb.connect(config={"threads": 1, "preserve_insertion_order": False})
    for name, file in TABLES.items():
        path = str((folder / file).resolve()).replace("'", "''")
        if not (folder / file).is_file():
            continue
        reader = (f"read_csv('{path}', header=true, all_varchar=true)" if file.endswith(".csv")
                  else f"read_parquet('{path}')")
        db.execute(f"CREATE VIEW {name} AS SELECT * FROM {reader}")
    return db


def sql(out: str | Path, statement: str) -> tuple[list[str], list[tuple]]:
    """Run one SQL statement over the run's views; its column names and rows.

    Raises InputError naming ``out`` when the folder is no run or the statement fails.
    """
    db = connect(out)
    try:
        result = db.execute(statement)
        names = [d[0] for d in result.description or ()]
        return names, result.fetchall() if names else []
    except duckdb.Error as exc:
        raise InputError(str(out), f"SQL: {str(exc).splitlines()[0]}") from None
    finally:
        db.close()


def search(out: str | Path, query: Query) -> Iterator[Hit]:
    """Every utterance of the run in ``out`` that matches ``query``, by date, call and time.

    Rows come from DuckDB a few thousand at a time, so memory stays flat however many match.
    Raises InputError naming ``out`` when it is no finished run or no phrase has a word.
    """
    phrases = tuple(p for p in query.phrases if words(p))
    if not phrases:
        raise InputError(str(out), "nothing to search for: give a phrase with a word in it")
    db = connect(out)
    statement, params = _statement(query, phrases, _indexed(db), "coach" in _columns(db, "flags"))
    return _fetch(db, db.execute(statement, params), phrases)


def _fetch(db: duckdb.DuckDBPyConnection, result: duckdb.DuckDBPyConnection,
           phrases: Sequence[str]) -> Iterator[Hit]:
    try:
        while rows := result.fetchmany(FETCH_ROWS):
            for row in rows:
                call_id, rep, date, start, end, speaker, role, text = row
                yield Hit(call_id, rep, date, start, end, speaker, role, text,
                          *find_match(text, phrases))
    finally:
        db.close()


def _columns(db: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {r[0] for r in db.execute(f"DESCRIBE {table}").fetchall()}


def _indexed(db: duckdb.DuckDBPyConnection) -> bool:
    """True when utterances and flags carry the utterance index (runs since issue 21)."""
    return all("utterance" in _columns(db, t) for t in ("utterances", "flags"))


def _matches(column: str, phrases: Sequence[str]) -> tuple[str, list[Any]]:
    """SQL that is true when ``column`` holds any phrase, and its parameters. A case-blind
    search for the phrase's longest word runs first: it is a plain string search, twice as
    fast as the whole pattern, and few rows get past it."""
    parts, params = [], []
    for phrase in phrases:
        longest = max(_searched_words(phrase), key=len)
        parts.append(f"(regexp_matches({column}, ?) AND regexp_matches({column}, ?))")
        params += [f"(?i){_word_pattern(longest)}", phrase_pattern(phrase)]
    return "(" + " OR ".join(parts) + ")", params


def _statement(query: Query, phrases: Sequence[str], indexed: bool,
               corrected: bool = False) -> tuple[str, list[Any]]:
    where, params = _matches("u.text", phrases)
    clauses = [where]
    for column, value in (("u.rep", query.rep), ("u.role", query.role),
                          ("u.call_id", query.call)):
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    if query.since:
        clauses.append("c.date >= ?")
        params.append(query.since)
    if query.until:
        clauses.append("c.date <> '' AND left(c.date, ?) <= ?")
        params += [len(query.until), query.until]
    kept = " AND f.coach <> 'wrong'" if corrected else ""  # a coach said the label is wrong
    for label in [query.label] * bool(query.label) + ["question"] * query.as_question:
        same = ("f.utterance = u.utterance" if indexed else
                "f.role = u.role AND f.start_s >= u.start_s AND f.end_s <= u.end_s "
                "AND contains(u.text, f.text)")
        inside, more = _matches("f.text", phrases)
        clauses.append(f"EXISTS (SELECT 1 FROM flags f WHERE f.call_id = u.call_id AND {same} "
                       f"AND f.label = ? AND {inside}{kept})")
        params += [label, *more]
    statement = ("SELECT u.call_id, u.rep, coalesce(CAST(c.date AS VARCHAR), '') AS date, "
                 "u.start_s, u.end_s, u.speaker, u.role, u.text FROM utterances u "
                 "LEFT JOIN calls c ON c.call_id = u.call_id WHERE "
                 + " AND ".join(clauses) + " ORDER BY date, u.call_id, u.start_s")
    return statement, params


def table_lines(hits: Iterable[Hit], mark: Callable[[str], str] = str) -> Iterator[str]:
    """The hits as tab-separated lines (call, rep, date, time, speaker, sentence), the match
    passed through ``mark`` (the command line colours it on a terminal), then the count per
    rep."""
    # The page helpers import pandas: only the outputs that need them pay for it.
    from analyzer.coach.pages.html import clock

    counts: Counter[str] = Counter()
    yield "call\trep\tdate\ttime\tspeaker\tsentence"
    for hit in hits:
        counts[hit.rep] += 1
        text, start, end = hit.text, hit.match_start, hit.match_end
        said = text[:start] + mark(text[start:end]) + text[end:] if end else text
        yield "\t".join((hit.call_id, hit.rep, hit.date or "-", clock(hit.start_s),
                         f"{hit.speaker} ({hit.role})", said))
    yield from count_lines(counts)


def count_lines(counts: Counter[str]) -> list[str]:
    """The closing lines: the number of matches, then each rep's, most first."""
    total = sum(counts.values())
    head = f"{total} match{'' if total == 1 else 'es'}" + (", by rep:" if total else ".")
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [head] + [f"  {rep}: {n}" for rep, n in ranked]


def csv_lines(names: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """Rows as CSV lines, the header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="")
    for row in itertools.chain([names], rows):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        yield buffer.getvalue()


def json_lines(names: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """Rows as JSON lines, one object per row."""
    for row in rows:
        yield json.dumps(dict(zip(names, row)), ensure_ascii=False, default=str)


def text_lines(names: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """Rows as tab-separated lines, the header first."""
    for row in itertools.chain([names], rows):
        yield "\t".join("" if v is None else str(v) for v in row)


FORMATS: dict[str, Callable[[Sequence[str], Iterable[Sequence[Any]]], Iterator[str]]] = {
    "table": text_lines, "csv": csv_lines, "json": json_lines}
HIT_FIELDS = tuple(f.name for f in fields(Hit))


def hit_lines(hits: Iterable[Hit], form: str) -> Iterator[str]:
    """The hits in ``form`` ("csv" or "json"; "table" for the plain lines), one line each."""
    return FORMATS[form](HIT_FIELDS, (astuple(h) for h in hits))


def write_results_page(hits: Sequence[Hit], out: str | Path, path: str | Path,
                       title: str) -> Path:
    """An HTML page of ``hits`` at ``path``: each row links to its call's page in ``out`` at
    the moment (``call-pages/<call>.html#t=<seconds>``), relative to where the page is."""
    from analyzer.coach.pages.html import call_file, clock, e, page, relative, table

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    here = target.parent
    rows = []
    for hit in hits:
        link = relative(str(Path(out) / "call-pages" / call_file(hit.call_id)), here)
        text, start, end = hit.text, hit.match_start, hit.match_end
        said = f"{e(text[:start])}<mark>{e(text[start:end])}</mark>{e(text[end:])}"
        rows.append([f"<a href='{e(link)}#t={hit.start_s:.1f}'>{e(hit.call_id)}</a>",
                     e(hit.rep), e(hit.date) or "&ndash;", clock(hit.start_s),
                     f"{e(hit.speaker)} ({e(hit.role)})", said])
    counts = count_lines(Counter(h.rep for h in hits))
    body = (f"<h1>{e(title)}</h1><p>{e(counts[0])} {e(', '.join(c.strip() for c in counts[1:]))}"
            "</p>" + table(["call", "rep", "date", "time", "speaker", "sentence"], rows,
                           css="sortable"))
    root = relative(str(out), here) + "/"
    target.write_text(page(title, body, root, crumbs=e(title)), encoding="utf-8")
    return target
