"""Run one `callcoach` command in this process, then write its peak memory (for make bench).

    python -m analyzer.evaluate.measured REPORT.json [--unbatched] -- analyze ARGS...

``--unbatched`` transcribes with sequential ``WhisperModel.transcribe`` instead of the batched
pipeline models/transcription.json chooses, to show what batching gains.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path


def main() -> None:
    """Run the command after ``--``; write {"peak_rss_mb": ...} into the report file."""
    args = sys.argv[1:]
    split = args.index("--")
    report, flags, command = Path(args[0]), args[1:split], args[split + 1:]
    if "--unbatched" in flags:
        import analyzer.run.engines

        analyzer.run.engines.batched = lambda *_: False  # type: ignore[assignment]
    from analyzer.cli import cli

    code = 0
    try:
        cli.main(command, prog_name="callcoach", standalone_mode=False)
    except SystemExit as exc:
        code = int(exc.code or 0)
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    report.write_text(json.dumps({"peak_rss_mb": usage, "children_peak_rss_mb": children}))
    sys.exit(code)


if __name__ == "__main__":
    main()
