"""docs/querying.ipynb runs headless (nbclient) against a served bundled store: no cell fails,
its tables have rows and its plot is drawn."""

from __future__ import annotations

from pathlib import Path

import pytest

from serving import served
from urbankg.graph import KnowledgeGraph
from urbankg.server.app import create_app
from urbankg.server.settings import Settings

pytestmark = pytest.mark.slow  # a Jupyter kernel and a server: about 10 s

NOTEBOOK = Path(__file__).parent.parent / "docs" / "querying.ipynb"


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    kg = KnowledgeGraph.open(tmp_path_factory.mktemp("notebook") / "store")
    kg.ensure_bundled()
    with served(create_app(kg, Settings(workers=1))) as url:
        yield url + "/sparql"
    kg.close()


def test_the_notebook_runs_and_draws_its_plot(endpoint, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("URBANKG_SPARQL_URL", endpoint)  # the kernel inherits the environment
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert not any(cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), (
        "docs/querying.ipynb is kept without outputs: clear them before committing"
    )
    # Raises CellExecutionError, naming the cell and the exception, if any cell fails.
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute(cwd=str(NOTEBOOK.parent))
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any(endpoint in o.get("data", {}).get("text/plain", "") for o in outputs), (
        "the notebook asks another endpoint"
    )
    pictures = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(pictures) == 1, "the notebook draws one plot"
    tables = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert len(tables) == 2
    assert "7023" in tables[0]  # the 2021 count of Taobao villages in China (Sun 2025)
    assert "citesAsAuthority" in tables[1]
