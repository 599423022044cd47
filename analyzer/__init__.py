"""CallCoach: measure who talks and who listens across an archive of sales calls."""

__version__ = "0.1.0"
