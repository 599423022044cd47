"""Dask: a LocalCluster gives the tables of the local path; an unreachable scheduler is one
clear error."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import write_transcript_archive

from analyzer.run import dask_cluster as cluster
from analyzer.run.batch import analyze
from analyzer.types import Execution, Options

pytest.importorskip("distributed")

TABLES = ("calls", "reps", "utterances", "flags", "errors")


@pytest.mark.slow
def test_cluster_local_cluster_tables_identical_to_the_local_path(tmp_path):
    archive = write_transcript_archive(tmp_path / "archive", 8)
    (archive / "alice" / "broken.vtt").write_text("WEBVTT\n\n00:03.000 --> 00:02.000\nA: hi\n")
    options = Options()
    local = analyze([archive], tmp_path / "local", options=options)
    dask = analyze([archive], tmp_path / "dask", options=options,
                   execution=Execution(dask_local=2))
    assert len(local.calls) == 8 and len(local.errors) == 1
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(local, name), getattr(dask, name))
    for name in ("calls", "utterances", "flags"):
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "local" / f"{name}.parquet"),
                                      pd.read_parquet(tmp_path / "dask" / f"{name}.parquet"))
    assert (tmp_path / "local" / "calls.csv").read_text() == \
        (tmp_path / "dask" / "calls.csv").read_text()


def test_cluster_unreachable_scheduler_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", "1s")
    archive = write_transcript_archive(tmp_path / "archive", 1)
    with pytest.raises(cluster.ClusterUnavailable, match="tcp://127.0.0.1:9"):
        analyze([archive], tmp_path / "out", execution=Execution(scheduler="tcp://127.0.0.1:9"))
