"""The `callcoach` command line: parses options, calls the library, reports errors."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from analyzer import __version__
from analyzer.errors import PathError
from analyzer.transcripts import FORMAT_ALIASES, FORMATS
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


@cli.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the tables and reports (created if needed).")
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV with columns path,rep and optional call_id,date,rep_channel,rep_speaker.")
@model_option
@role_options
@click.option("--format", "transcript_format", default="",
              type=click.Choice(("",) + FORMATS + tuple(FORMAT_ALIASES), case_sensitive=False),
              help="Force the transcript format instead of detecting it: "
                   + ", ".join(FORMATS) + ".")
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
            rep_channel: str | None, rep: str, rep_name: str, roster: str | None,
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
    from analyzer.batch import analyze as run_analysis
    from analyzer.cluster import ClusterUnavailable
    from analyzer.progress import Tracker
    from analyzer.transcribe import ModelNotFound

    if not inputs and manifest is None:
        raise click.UsageError("give at least one INPUT or --manifest")
    if scheduler and dask_local:
        raise click.UsageError("give --scheduler or --dask-local, not both")
    options = Options(model=model, rep_channel=rep_channel or "", rep=rep, rep_name=rep_name,
                      roster=roster or "", transcript_format=transcript_format,
                      diarize=not no_diarize, redact=redact or redact_audio,
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
    summary = f"{analyzed} calls analyzed"
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
    "title": {"bold": True}}


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
    from analyzer.report import write_reports
    from analyzer.tables import read_tables

    try:
        tables = read_tables(folder)
        write_reports(tables, folder)
    except (PathError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{len(tables.calls)} call pages, {tables.calls['rep'].nunique()} rep pages.")
    click.echo(f"Report: {(folder / 'index.html').resolve()}")


@cli.command()
@click.argument("call", type=click.Path(path_type=Path))
@role_options
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path),
              default=Path("callcoach-audit"), show_default=True,
              help="Folder for the call's page (and its tables).")
@model_option
def audit(call: Path, rep_channel: str | None, rep: str, rep_name: str, roster: str | None,
          out: Path, model: str) -> None:
    """Audit one of your own calls (a recording or a transcript): write its page and print
    your talk share, questions about the customer against self-promotion, and every pushy
    closing line with its time.

    \b
    Example:
        callcoach audit calls/2026-10-01-acme.m4a --rep priya
        callcoach audit acme.vtt --rep priya --rep-name "Priya Shah" --out my-audit/
        callcoach audit stereo-call.wav --rep priya --rep-channel right
    """
    from analyzer.batch import analyze as run_analysis
    from analyzer.report import call_file, group_flags
    from analyzer.report.summary import audit_summary
    from analyzer.transcribe import ModelNotFound

    options = Options(model=model, rep_channel=rep_channel or "", rep=rep, rep_name=rep_name,
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
        click.echo(click.style(line.text, **TONES.get(line.tone, {})), color=None)
    page = out / "call-pages" / call_file(str(record["call_id"]))
    click.echo(f"Call page: {page.resolve()}")


@cli.command()
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
def label(file) -> None:  # type: ignore[no-untyped-def]
    """Label sentences: one utterance per line in, one JSON object per line out.

    \b
    Example:
        echo "We are the market leader." | callcoach label
    """
    import json

    from analyzer.language import Labeler

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
    from analyzer.audio import load_audio, mixdown
    from analyzer.errors import InputError

    try:
        from analyzer.diarize import Diarizer, write_rttm
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
