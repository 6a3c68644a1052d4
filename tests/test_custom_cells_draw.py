"""`gradbook draw path/to/cell.py:NAME` (issue 17): the unrolled figure of a lecturer's cell,
from a real `rnn.unroll` of it, as SVG (parsed as XML) and TikZ (compiled by pdflatex)."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autodiff.cli import main
from rnn.custom_figure import figure
from tests.consumers import compile_document

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
FILES = sorted(p.stem for p in EXAMPLES.glob("*.py"))


def test_the_figure_has_one_node_per_state_and_step():
    made, name = figure(str(EXAMPLES / "peephole_lstm.py"), steps=3)
    assert name == "peephole_lstm"
    labels = {n.label for n in made.nodes.values()}
    assert {r"\boldsymbol{h}^{(3)}", r"\boldsymbol{s}^{(3)}", r"\boldsymbol{x}^{(1)}", "L^{(2)}"} <= labels


def test_a_skip_connection_draws_the_edge_from_two_steps_back():
    made, _ = figure(str(EXAMPLES / "skip_rnn.py"), steps=3)
    edges = {(made.nodes[e.src].label, made.nodes[e.dst].label) for e in made.edges}
    assert (r"\boldsymbol{h}^{(1)}", r"\boldsymbol{h}^{(3)}") in edges
    assert (r"\boldsymbol{h}^{(-1)}", r"\boldsymbol{h}^{(1)}") in edges


@pytest.mark.needs_graphviz
@pytest.mark.parametrize("name", FILES)
def test_each_example_draws_as_svg(name, tmp_path, capsys):
    out = tmp_path / f"{name}.svg"
    assert main(["draw", str(EXAMPLES / f"{name}.py"), "--grads", "-o", str(out)]) == 0
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg") and len(list(root.iter())) > 50
    assert Path(capsys.readouterr().out.strip()) == out.resolve()


@pytest.mark.needs_graphviz
@pytest.mark.needs_tex
def test_each_example_s_tikz_compiles(tmp_path, capsys):
    for name in FILES:
        out = tmp_path / f"{name}.tex"
        assert main(["draw", str(EXAMPLES / f"{name}.py"), "-o", str(out), "--tikz-standalone"]) == 0
        pdf, errors = compile_document(out.read_text(encoding="utf-8"), tmp_path / name, name)
        assert not errors and pdf is not None, (name, errors[:3])


@pytest.mark.needs_graphviz
def test_views_and_one_line_errors(tmp_path, capsys):
    skip = str(EXAMPLES / "skip_rnn.py")
    assert main(["draw", skip, "--view", "backward", "-o", str(tmp_path / "b.svg")]) == 0
    assert main(["draw", str(EXAMPLES / "relu_rnn.py"), "--view", "folded", "-o", str(tmp_path / "f.svg")]) == 0
    capsys.readouterr()
    for argv, message in [([skip, "--view", "folded"], "spans 2 steps"), ([skip, "--view", "cell"], "has the views"),
                          (["missing.py"], "no such cell file")]:
        assert main(["draw", *argv, "-o", str(tmp_path / "x.svg")]) == 2
        err = capsys.readouterr().err.strip()
        assert "\n" not in err and message in err
