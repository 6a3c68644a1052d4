"""Labels stay off the edges: no label box meets an edge line other than its own edge.

Read off the SVG Graphviz drew (`svggeometry.label_edge_clashes`): every edge label's and
node xlabel's text box against every edge's spline. Checked for every figure kind the
lecture draws, every gallery picture, the values-and-gradients view, and the BPTT and
truncated-BPTT figures at tau = 2..8 (k = 2..4).
"""
import pytest

from autodiff.render import render_many
from rnn.figures.catalog import figure_dot
from rnn.figures.gallery import sources
from rnn.lecture import SECTIONS

from svggeometry import label_edge_clashes

LECTURE_KINDS = sorted({k for _, _, kinds, _ in SECTIONS for k in kinds})
TRUNCATED = [(tau, k) for k in (2, 3, 4) for tau in range(3, 9) if k < tau]


def _assert_clear(jobs):
    found = {path.name: label_edge_clashes(path) for path in render_many(jobs)}
    assert {name: c for name, c in found.items() if c} == {}


@pytest.mark.needs_graphviz
def test_no_label_of_a_lecture_figure_lies_on_an_edge(tmp_path):
    _assert_clear([(figure_dot(kind), tmp_path / f"{kind}.svg") for kind in LECTURE_KINDS])


@pytest.mark.needs_graphviz
def test_no_label_of_a_gallery_picture_lies_on_an_edge(tmp_path):
    """Every kind, the values-and-gradients view, biases and yhat shown, a step-through frame."""
    _assert_clear([(source, tmp_path / f"{stem}.svg") for stem, source in sources().items()])


@pytest.mark.needs_graphviz
def test_no_label_of_the_numbers_view_lies_on_an_edge(tmp_path):
    _assert_clear([(figure_dot(kind, steps=tau, values=True, grads=True), tmp_path / f"{kind}-{tau}.svg")
                   for kind in ("rnn", "bptt") for tau in (3, 6)])


@pytest.mark.needs_graphviz
def test_no_bptt_label_lies_on_an_edge_for_any_tau(tmp_path):
    _assert_clear([(figure_dot("bptt", steps=tau), tmp_path / f"bptt-{tau}.svg") for tau in range(2, 9)])


@pytest.mark.needs_graphviz
def test_no_truncated_bptt_label_lies_on_an_edge_for_any_tau_and_k(tmp_path):
    _assert_clear([(figure_dot("truncated-bptt", steps=tau, truncate=k), tmp_path / f"truncated-{tau}-{k}.svg")
                   for tau, k in TRUNCATED])
