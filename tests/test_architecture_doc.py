"""docs/architecture.md shows a figure the engine made; it must still match the engine."""
from pathlib import Path

from autodiff import trace
from autodiff.cli_draw import build_example
from autodiff.render import to_dot

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_committed_architecture_figure_is_what_the_engine_draws_today():
    committed = (DOCS / "figures" / "architecture-example.dot").read_text()
    assert committed.strip() == to_dot(trace(build_example("tanh-neuron")), values=True, grads=True).strip()


def test_architecture_page_links_its_figure():
    page = (DOCS / "architecture.md").read_text()
    assert "figures/architecture-example.svg" in page
    assert (DOCS / "figures" / "architecture-example.svg").exists()
