"""The `callcoach` command line: parses options, calls the library, reports errors.

Why this module is long: it holds every command (analyze, report, correct, audit, label,
diarize, search, sql), each with its options, its help text and example (which the README
quotes), and the option decorators they share; each command only parses its options, calls the
library and turns library errors into one-line click errors.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import click

from analyzer import __version__
from analyzer.errors import PathError
from analyzer.run.progress import plural
from analyzer.run.transcript_files import FORMAT_ALIASES, FORMATS
from analyzer.types import Execution, Options


@click.group()
@click.version_option(__version__, prog_name="callcoach")
def cli() -> None:
    """CallCoach: who talks and who listens, across an archive of sales calls.

    \b
    Example:
        callcoach analyze archive/ --out report/
    """


class CouldNotRun(click.ClickException):
    """The run could not start or go on: one line naming the file at fault, exit status 2."""

    exit_code = 2

    def show(self, file=None) -> None:  # type: ignore[no-untyped-def]
        """Print ``error: <path>: <reason>``, the form of every other error line."""
        click.echo(f"error: {self.format_message()}", err=True, file=file)


def model_option(command):  # type: ignore[no-untyped-def]
    """--model, shared by every command that transcribes."""
    return click.option(
        "--model", default="", metavar="NAME|PATH",
        help="faster-whisper model name (small.en, large-v3, ...) or CTranslate2 folder. "
             "Default: the bundled tiny.en, offline.")(command)


def role_options(command):  # type: ignore[no-untyped-def]
    """--rep-channel, --rep, --rep-name and --roster: who the rep is, shared by every command
    that analyzes a call. Without them the words (and the rep's known voice) decide."""
    options = [
        click.option("--rep-channel", type=click.Choice(["left", "right"]), default=None,
                     help="Channel of the rep in stereo recordings, taken as said. Without "
                          "it the left channel is only the default: the words can show the "
                          "rep is on the right (the call page says why)."),
        click.option("--rep", default="", help="Rep of files given one by one (their id)."),
        click.option("--rep-name", default="",
                     help="The rep's speaker name or label in transcripts and mono recordings."),
        click.option("--roster", type=click.Path(exists=True, dir_okay=False), default=None,
                     help="CSV rep,name[,role]: the names each rep (or colleague) appears "
                          "under.")]
    for option in reversed(options):
        command = option(command)
    return command


def device_options(command):  # type: ignore[no-untyped-def]
    """--device and --compute-type, shared by every command that transcribes."""
    command = click.option(
        "--compute-type", default="int8", show_default=True, metavar="TYPE",
        help="CTranslate2 compute type of the transcriber (int8, int8_float16, float16, "
             "float32, ...).")(command)
    return click.option(
        "--device", type=click.Choice(["auto", "cpu", "cuda"]), default="cpu",
        show_default=True,
        help="Where the transcriber runs: cuda needs an NVIDIA GPU with CUDA; auto uses one "
             "when there is one, else the CPU.")(command)


def transcriber_device(device: str, compute_type: str) -> tuple[str, str]:
    """The device and compute type for --device and --compute-type; a device that cannot run
    here stops the command with one line and exit status 2."""
    from analyzer.run.speech_to_text import DeviceUnavailable, resolve_device

    try:
        return resolve_device(device, compute_type)
    except DeviceUnavailable as exc:
        raise CouldNotRun(str(exc)) from exc


@cli.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the tables and reports (created if needed).")
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV with columns path,rep and optional call_id,date,rep_channel,rep_speaker.")
@model_option
@device_options
@role_options
@click.option("--format", "transcript_format", default="", metavar="FMT",
              type=click.Choice(("",) + FORMATS + tuple(FORMAT_ALIASES), case_sensitive=False),
              help="Force the transcript format instead of detecting it: "
                   + ", ".join(FORMATS) + " (also accepted: "
                   + ", ".join(FORMAT_ALIASES) + ").")
@click.option("--no-diarize", is_flag=True, help="Do not split speakers of mono recordings.")
@click.option("--redact", is_flag=True,
              help="Replace e-mails, phone, card and social security numbers, street addresses "
                   "and people's names by [EMAIL], [PHONE], ... in every output.")
@click.option("--redact-audio", is_flag=True,
              help="With --redact, also write a copy of each recording with those stretches "
                   "bleeped (DIR/audio/), which the pages link to instead of the original.")
@click.option("--split-by-rep", is_flag=True,
              help="Also write DIR/by-rep/<rep>/: one self-contained folder per rep.")
@click.option("--workers", "-j", type=click.IntRange(min=0), default=0, show_default=True,
              help="Processes on this machine, each loading the models once "
                   "(0 = as many as the cores and memory can take).")
@click.option("--scheduler", default="", metavar="ADDRESS",
              help="Run the calls on this Dask scheduler's workers (tcp://host:8786); "
                   "--out must be a folder every worker sees at the same path.")
@click.option("--dask-local", type=click.IntRange(min=0), default=0, metavar="N",
              help="Run the calls on a Dask LocalCluster of N worker processes.")
@click.option("--force", is_flag=True,
              help="Redo every call (ignore stored results and cached transcripts).")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors and the summary.")
def analyze(inputs: tuple[Path, ...], out: Path, manifest: Path | None, model: str,
            device: str, compute_type: str, rep_channel: str | None, rep: str, rep_name: str,
            roster: str | None,
            transcript_format: str, no_diarize: bool, redact: bool, redact_audio: bool,
            split_by_rep: bool, workers: int, scheduler: str, dask_local: int, force: bool,
            quiet: bool) -> None:
    """Analyze recorded calls (audio or transcripts) and write tables and per-rep reports.

    INPUTS are audio or transcript files, or folders searched recursively; in a folder
    given as input, the first level of sub-folders names the rep (archive/<rep>/call.wav).

    \b
    Example:
        callcoach analyze archive/ --out report/
        callcoach analyze --manifest calls.csv --out report/ --rep-channel right
        callcoach analyze exports/ --out report/ --roster team.csv
        callcoach analyze archive/ --out /shared/report/ --scheduler tcp://head:8786

    A file that cannot be analyzed prints "error: <path>: <reason>" and becomes a row of
    DIR/errors.csv; the other calls go on.

    \b
    Exit status:
        0  every call was analyzed
        1  some calls failed (listed in DIR/errors.csv), the others were analyzed
        2  no call was analyzed: every input failed, or the run could not start
           or go on (no input found, a manifest or roster that cannot be read,
           the output folder not writable or full, the model not found)
    """
    from analyzer.run.batch import analyze as run_analysis
    from analyzer.run.dask_cluster import ClusterUnavailable
    from analyzer.run.progress import Tracker
    from analyzer.run.speech_to_text import ModelNotFound

    if not inputs and manifest is None:
        raise click.UsageError("give at least one INPUT or --manifest")
    if scheduler and dask_local:
        raise click.UsageError("give --scheduler or --dask-local, not both")
    device, compute_type = transcriber_device(device, compute_type)
    options = Options(model=model, device=device, compute_type=compute_type,
                      rep_channel=rep_channel or "", rep=rep, rep_name=rep_name,
                      roster=roster or "", transcript_format=transcript_format,
                      diarize=not no_diarize, redact=redact,
                      redact_audio=redact_audio, split_by_rep=split_by_rep)
    execution = Execution(workers=workers, scheduler=scheduler, dask_local=dask_local,
                          force=force)
    tracker = Tracker(_progress(quiet), bar=not quiet)
    try:
        results = run_analysis(inputs, out, manifest=manifest, options=options,
                               progress=tracker, execution=execution, keep_rows=False)
    except (ModelNotFound, PathError, ClusterUnavailable, ValueError) as exc:
        raise CouldNotRun(str(exc)) from exc
    if tracker.summary is not None:
        click.echo(tracker.summary.line())
    analyzed, failed = len(results.calls), len(results.errors)
    summary = f"{plural(analyzed, 'call')} analyzed"
    click.echo(f"{summary}, {failed} failed (see {out / 'errors.csv'})." if failed
               else f"{summary}.")
    click.echo(f"Report: {(out / 'index.html').resolve()}")
    if failed:
        sys.exit(1 if analyzed else 2)


def _progress(quiet: bool):  # type: ignore[no-untyped-def]
    def say(message: str) -> None:
        if message.startswith("error:"):
            click.echo(message, err=True)
        elif not quiet:
            click.echo(message)
    return say


# ---- report and audit (issue 9) ---------------------------------------------------------

TONES: dict[str, dict[str, Any]] = {
    "good": {"fg": "green"}, "watch": {"fg": "yellow"}, "bad": {"fg": "red"},
    "title": {"bold": True}, "match": {"fg": "magenta", "bold": True}}


def styled(text: str, tone: str) -> str:
    """``text`` in the colour of ``tone`` (shown only by ``echo_styled`` on a terminal)."""
    return click.style(text, **TONES.get(tone, {}))


def echo_styled(text: str) -> None:
    """A line on stdout: coloured on a terminal, plain when piped or NO_COLOR is set."""
    click.echo(text, color=False if os.environ.get("NO_COLOR") else None)


@cli.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def report(folder: Path) -> None:
    """Rebuild every page in FOLDER from its tables, without analyzing any call.

    Use it after editing models/reports/ (cards, coaching rules), or to refresh pages
    written by an older version.

    \b
    Example:
        callcoach report report/
    """
    from analyzer.coach.pages import write_reports
    from analyzer.coach.tables import read_tables

    try:
        tables = read_tables(folder)
    except (PathError, ValueError) as exc:
        raise CouldNotRun(str(exc)) from exc
    try:
        write_reports(tables, folder)
    except (PathError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{plural(len(tables.calls), 'call page')}, "
               f"{plural(tables.calls['rep'].nunique(), 'rep page')}.")
    click.echo(f"Report: {(folder / 'index.html').resolve()}")


@cli.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--call", "call_id", required=True, help="The call's id (calls.csv call_id).")
@click.option("--label", required=True,
              help="The label: pushy_close, self_promotion, customer_question, question, "
                   "follow_up_question, acknowledgement, relating, ask, commitment, "
                   "next_step or objection.")
@click.option("--sentence", required=True, help="The sentence, as the call page shows it.")
@click.option("--wrong", "verdict", flag_value="wrong", help="The sentence does not deserve it.")
@click.option("--missed", "verdict", flag_value="missed", help="It does; the labels missed it.")
@click.option("--note", default="", help="Why, in your words.")
def correct(folder: Path, call_id: str, label: str, sentence: str, verdict: str | None,
            note: str) -> None:
    """Record a coach's correction of a label in FOLDER/corrections.csv.

    The next `callcoach analyze` into FOLDER applies it to that call without transcribing
    again: a flag marked wrong disappears from every count, coaching point and search (the
    call page lists it as corrected), a missed sentence is flagged; `make eval
    CORRECTIONS=FOLDER/corrections.csv` scores the labels on every correction.

    \b
    Example:
        callcoach correct report/ --call bob/2026-10-09-umbrella-pitch \\
            --label pushy_close --wrong --sentence "Good afternoon, Mr. Johnson."
    """
    from analyzer.run.inputs import append_correction
    from analyzer.types import Correction

    if verdict is None:
        raise click.UsageError("say --wrong or --missed")
    known = _call_ids(folder)
    if call_id not in known:
        raise CouldNotRun(f"{folder}: no call {call_id!r} in its calls table")
    append_correction(folder / "corrections.csv", Correction(call_id, label, sentence.strip(),
                                                             verdict, note))
    click.echo(f"Recorded in {folder / 'corrections.csv'}: {label} {verdict} on {call_id!r}. "
               f"Run the same `callcoach analyze ... --out {folder}` again to apply it.")


def _call_ids(folder: Path) -> set[str]:
    from analyzer.coach.tables import read_tables

    try:
        return set(read_tables(folder).calls["call_id"].astype(str))
    except PathError as exc:
        raise CouldNotRun(str(exc)) from exc


@cli.command()
@click.argument("call", type=click.Path(path_type=Path))
@role_options
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path),
              default=Path("callcoach-audit"), show_default=True,
              help="Folder for the call's page (and its tables).")
@model_option
@device_options
def audit(call: Path, rep_channel: str | None, rep: str, rep_name: str, roster: str | None,
          out: Path, model: str, device: str, compute_type: str) -> None:
    """Audit one of your own calls (a recording or a transcript): write its page and print
    your talk share, questions about the customer against self-promotion, and every pushy
    closing line with its time.

    \b
    Example:
        callcoach audit calls/2026-10-01-acme.m4a --rep priya
        callcoach audit acme.vtt --rep priya --rep-name "Priya Shah" --out my-audit/
        callcoach audit stereo-call.wav --rep priya --rep-channel right
    """
    from analyzer.coach.pages import call_file, group_flags
    from analyzer.coach.pages.summary import audit_summary
    from analyzer.run.batch import analyze as run_analysis
    from analyzer.run.speech_to_text import ModelNotFound

    device, compute_type = transcriber_device(device, compute_type)
    options = Options(model=model, device=device, compute_type=compute_type,
                      rep_channel=rep_channel or "", rep=rep, rep_name=rep_name,
                      roster=roster or "")
    try:
        results = run_analysis([call], out, options=options)
    except (ModelNotFound, PathError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if results.calls.empty:
        reasons = "; ".join(results.errors["reason"].astype(str)) or "nothing to analyze"
        raise click.ClickException(f"{call}: {reasons}")
    record = {str(k): v for k, v in results.calls.to_dict("records")[0].items()}
    flags = group_flags(results.flags).get(str(record["call_id"]), [])
    for line in audit_summary(record, flags):
        echo_styled(styled(line.text, line.tone))
    page = out / "call-pages" / call_file(str(record["call_id"]))
    click.echo(f"Call page: {page.resolve()}")


@cli.command()
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-",
                metavar="[FILE|-]")
def label(file) -> None:  # type: ignore[no-untyped-def]
    """Label sentences: one utterance per line in, one JSON object per line out.

    FILE holds the utterances; without it, or with -, they are read from standard input.

    \b
    Example:
        echo "We are the market leader." | callcoach label
    """
    import json

    from analyzer.call.language import Labeler

    labeler = Labeler.load()
    for record in labeler.label_jsonl(file):
        click.echo(json.dumps(record, ensure_ascii=False))


@cli.command()
@click.argument("audio", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for one RTTM file per recording.")
def diarize(audio: tuple[Path, ...], out: Path) -> None:
    """Find who spoke when in mono recordings; write one RTTM file per recording.

    \b
    Example:
        callcoach diarize call.wav --out rttm/
    """
    from analyzer.errors import InputError
    from analyzer.run.audio import load_audio, mixdown

    try:
        from analyzer.run.diarize import Diarizer, write_rttm
    except ImportError as exc:
        raise click.ClickException(
            f"diarization is not installed ({exc}); run: make install-diarization") from exc
    diarizer = Diarizer.load()
    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for path in audio:
        try:
            recording = load_audio(path)
        except InputError as exc:
            click.echo(f"error: {exc}", err=True)
            failed += 1
            continue
        turns = diarizer.diarize(mixdown(recording), recording.sample_rate)
        write_rttm(turns, path.stem, out / f"{path.stem}.rttm")
        click.echo(f"{path}: {len({t.speaker for t in turns})} speakers -> {out / path.stem}.rttm")
    if failed:
        sys.exit(1)


# ---- search and sql (issue 21) ---------------------------------------------------------

def _date(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if value and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        raise click.BadParameter(f"{value!r} is not a date (2026-10-01, 2026-10 or 2026)")
    return value


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.argument("query", nargs=-1, required=True)
@click.option("--any", "any_phrase", is_flag=True,
              help="Each QUERY is a phrase of its own: find any of them.")
@click.option("--rep", default="", help="Only this rep's calls.")
@click.option("--role", type=click.Choice(["rep", "customer"]), default=None,
              help="Only what the rep, or the customer, said.")
@click.option("--label", default="", metavar="LABEL",
              help="Only sentences with this label or tracker (question, pushy_close, "
                   "self_promotion, customer_question, ...) that hold the phrase.")
@click.option("--as-question", is_flag=True, help="Only questions that hold the phrase.")
@click.option("--since", default="", callback=_date, help="Only calls on or after this date.")
@click.option("--until", default="", callback=_date,
              help="Only calls on or before this date (2026-10: until the end of October).")
@click.option("--call", default="", help="Only this call id.")
@click.option("--format", "form", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="table for people; csv or json (one object a line) "
                                      "for scripts.")
@click.option("--html", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the results as a page whose rows open the call at the moment.")
def search(folder: Path, query: tuple[str, ...], any_phrase: bool, rep: str, role: str | None,
           label: str, as_question: bool, since: str, until: str, call: str, form: str,
           html: Path | None) -> None:
    """Find what was said in the calls of a run: every utterance of FOLDER (a folder written by
    `callcoach analyze`) holding QUERY, words in order, case and punctuation ignored ("15000"
    also finds "15,000").

    \b
    Example:
        callcoach search report/ "raise the price" --role customer
        callcoach search report/ --any discount rebate "money off" --rep priya
        callcoach search report/ competitor --label pushy_close --since 2026-10
        callcoach search report/ budget --as-question --format csv > budget.csv
        callcoach search report/ discount --html report/discount.html
    """
    from analyzer.coach.search import Query, hit_lines, table_lines, write_results_page
    from analyzer.coach.search import search as find
    from analyzer.errors import InputError

    phrases = query if any_phrase else (" ".join(query),)
    wanted = Query(phrases, rep=rep, role=role or "", label=label, as_question=as_question,
                   since=since, until=until, call=call)
    try:
        hits = list(find(folder, wanted)) if html else find(folder, wanted)
        if form == "table":
            for line in table_lines(hits, lambda text: styled(text, "match")):
                echo_styled(line)
        else:
            for line in hit_lines(hits, form):
                click.echo(line)
        if html:
            title = f"Search: {' | '.join(phrases)}"
            page = write_results_page(hits, folder, html, title)  # type: ignore[arg-type]
            click.echo(f"Results page: {page.resolve()}", err=form != "table")
    except InputError as exc:
        raise CouldNotRun(str(exc)) from exc


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.argument("statement")
@click.option("--format", "form", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="Tab-separated table, CSV, or JSON (one object a line).")
def sql(folder: Path, statement: str, form: str) -> None:
    """Ask the tables of a run anything in SQL (DuckDB), reading its files in place: the views
    calls, reps, utterances, flags and errors.

    \b
    Example:
        callcoach sql report/ "select rep, avg(rep_talk_share) from calls group by rep"
        callcoach sql report/ "select label, count(*) from flags group by label" --format csv
    """
    from analyzer.coach.search import FORMATS
    from analyzer.coach.search import sql as run_sql
    from analyzer.errors import InputError

    try:
        names, rows = run_sql(folder, statement)
    except InputError as exc:
        raise CouldNotRun(str(exc)) from exc
    for line in FORMATS[form](names, rows):
        click.echo(line)
