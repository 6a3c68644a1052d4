"""docs/example.ipynb runs top to bottom: a graph shown as SVG, a derived formula as LaTeX."""
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "example.ipynb"


@pytest.mark.needs_graphviz
def test_example_notebook_shows_svg_and_latex(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    mimes = {mime for out in outputs for mime in out.get("data", {})}
    assert {"image/svg+xml", "text/latex"} <= mimes
    latex = next(out["data"]["text/latex"] for out in outputs if "text/latex" in out.get("data", {}))
    assert r"\nabla_{\boldsymbol{W}}" in latex
