"""The notebook reproduces the reports' key charts from the Parquet tables of a run."""

from __future__ import annotations

import json

import pytest
from conftest import REPO

NOTEBOOK = REPO / "notebooks" / "explore_calls.ipynb"
PLOTLY = "application/vnd.plotly.v1+json"


def test_notebook_is_stored_without_outputs():
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code and all(not c["outputs"] and c["execution_count"] is None for c in code)


@pytest.mark.slow
def test_notebook_runs_on_the_demo_output(demo_report, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    monkeypatch.setenv("CALLCOACH_OUT", str(demo_report))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    charts = [o for o in outputs if PLOTLY in o.get("data", {})]
    assert len(charts) == 6
    titles = {chart["data"][PLOTLY]["layout"]["title"]["text"] for chart in charts}
    assert "Rep talk share per call" in titles and "Questions per call" in titles
