"""The `callcoach` command line: parses options, calls the library, reports errors."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from analyzer import __version__
from analyzer.errors import InputError
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


def model_option(command):  # type: ignore[no-untyped-def]
    """--model, shared by every command that transcribes."""
    return click.option(
        "--model", default="", metavar="NAME|PATH",
        help="faster-whisper model name (small.en, large-v3, ...) or CTranslate2 folder. "
             "Default: the bundled tiny.en, offline.")(command)


@cli.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the tables and reports (created if needed).")
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV with columns path,rep and optional call_id,date,rep_channel,rep_speaker.")
@model_option
@click.option("--rep-channel", type=click.Choice(["left", "right"]), default="left",
              show_default=True, help="Channel of the rep in stereo recordings.")
@click.option("--rep", default="", help="Rep of audio files given one by one.")
@click.option("--rep-name", default="", help="The rep's speaker name or label in transcripts.")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False), default=None,
              help="CSV rep,name[,role]: the names each rep (or colleague) appears under.")
@click.option("--format", "transcript_format", default="",
              type=click.Choice(("",) + FORMATS + tuple(FORMAT_ALIASES), case_sensitive=False),
              help="Force the transcript format instead of detecting it: "
                   + ", ".join(FORMATS) + ".")
@click.option("--no-diarize", is_flag=True, help="Do not split speakers of mono recordings.")
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
            rep_channel: str, rep: str, rep_name: str, roster: str | None,
            transcript_format: str, no_diarize: bool, workers: int, scheduler: str,
            dask_local: int, force: bool, quiet: bool) -> None:
    """Analyze recorded calls (audio or transcripts) and write tables and per-rep reports.

    INPUTS are audio or transcript files, or folders searched recursively; in a folder
    given as input, the first level of sub-folders names the rep (archive/<rep>/call.wav).

    \b
    Example:
        callcoach analyze archive/ --out report/
        callcoach analyze --manifest calls.csv --out report/ --rep-channel right
        callcoach analyze exports/ --out report/ --roster team.csv
        callcoach analyze archive/ --out /shared/report/ --scheduler tcp://head:8786
    """
    from analyzer.batch import analyze as run_analysis
    from analyzer.cluster import ClusterUnavailable
    from analyzer.progress import Tracker
    from analyzer.transcribe import ModelNotFound

    if not inputs and manifest is None:
        raise click.UsageError("give at least one INPUT or --manifest")
    if scheduler and dask_local:
        raise click.UsageError("give --scheduler or --dask-local, not both")
    options = Options(model=model, rep_channel=rep_channel, rep=rep, rep_name=rep_name,
                      roster=roster or "", transcript_format=transcript_format,
                      diarize=not no_diarize)
    execution = Execution(workers=workers, scheduler=scheduler, dask_local=dask_local,
                          force=force)
    tracker = Tracker(_progress(quiet), bar=not quiet)
    try:
        results = run_analysis(inputs, out, manifest=manifest, options=options,
                               progress=tracker, execution=execution)
    except (ModelNotFound, InputError, ValueError, ClusterUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc
    if tracker.summary is not None:
        click.echo(tracker.summary.line())
    analyzed, failed = len(results.calls), len(results.errors)
    summary = f"{analyzed} calls analyzed"
    click.echo(f"{summary}, {failed} failed (see {out / 'errors.csv'})." if failed
               else f"{summary}.")
    click.echo(f"Report: {(out / 'index.html').resolve()}")
    if failed and not analyzed:
        sys.exit(1)


def _progress(quiet: bool):  # type: ignore[no-untyped-def]
    def say(message: str) -> None:
        if message.startswith("error:"):
            click.echo(message, err=True)
        elif not quiet:
            click.echo(message)
    return say


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
