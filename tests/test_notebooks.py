"""The notebooks run top to bottom (they import geoflex and hold no library logic).

Each takes under 10 s here, so they are not marked slow."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@pytest.mark.parametrize("name", ["quickstart.ipynb", "staffing.ipynb", "spark.ipynb"])
def test_notebook_runs(name, tmp_path):
    if name == "spark.ipynb" and shutil.which("java") is None:
        pytest.skip("no Java runtime for Spark (apt-get install -y openjdk-17-jre-headless)")
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any(h.startswith("<iframe") for h in html)  # a report displayed inline
    assert time.perf_counter() - start < 300
