"""The run over many calls: find the calls, read or transcribe each one (cached by content),
hand it to the one-call analysis, store its result the moment it is done, and map that
per-call job over the calls in this process, in worker processes or on a Dask cluster."""
