"""CallCoach: measure who talks and who listens across an archive of sales calls.

The library API the command line wraps::

    import analyzer
    results = analyzer.analyze(["archive/"], "report/")
    results.calls      # one row per call (pandas DataFrame)
    results.reps       # one row per rep
"""

from __future__ import annotations

from typing import Any

__version__ = "0.2.0"
__all__ = ["analyze", "Execution", "Options", "__version__"]  # noqa: F822 (see __getattr__)


def __getattr__(name: str) -> Any:
    # Imported on first use so that `import analyzer` stays cheap for the CLI's --help.
    if name == "analyze":
        from analyzer.run.batch import analyze

        return analyze
    if name in ("Options", "Execution"):
        from analyzer import types

        return getattr(types, name)
    raise AttributeError(name)
