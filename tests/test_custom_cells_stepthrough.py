"""The step-through of a lecturer's own cell (issue 17): ``gradbook graph --rnn cell.py:NAME
--step-through -o DIR`` writes the backward pass of the cell's unrolled graph frame by frame,
read here in headless Chromium as test_stepthrough.py reads the built-in one."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from autodiff.cli import main
from autodiff.stepthrough import backward_frames
from pixels import image_size, ink_fraction
from rnn.custom import load_cell
from tests.consumers import dump_dom, is_xml_error_page, screenshot
from tests.test_stepthrough import read_page

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
RELU = str(EXAMPLES / "relu_rnn.py") + ":relu_rnn"
STEPS = 2


def relu_graph():
    return load_cell(RELU).example_graph(STEPS)


def frame_of(graph, name):
    """(number counted from 1, frame) of the frame that computes node `name`'s gradient."""
    return next((k, f) for k, f in enumerate(backward_frames(graph), 1) if f.node.name == name)


@pytest.fixture(scope="module")
def page_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("cell-steps")
    assert main(["graph", "--rnn", RELU, "--steps", str(STEPS), "--step-through", "-o", str(out)]) == 0
    return out


def test_the_graph_is_the_cells_after_backward():
    """Every step's a^(t), h^(t) is a node with its gradient; ReLU's derivative zeroes the
    adjoint where a^(t) <= 0 (eq. 10.21 with step(a) for 1 - h^2)."""
    graph = relu_graph()
    for t in range(1, STEPS + 1):
        a, h = graph.find(f"a_{t}"), graph.find(f"h_{t}")
        np.testing.assert_allclose(a.grad, np.heaviside(a.value, 0.0) * h.grad, rtol=0, atol=1e-12)
    assert {"W", "U", "b", "V", "c"} <= {f.node.name for f in backward_frames(graph)}


@pytest.mark.needs_graphviz
def test_one_frame_per_backward_step(page_dir):
    count = len(backward_frames(relu_graph()))
    assert sorted(p.name for p in page_dir.glob("frame_*.svg")) == [f"frame_{k:03d}.svg" for k in range(count)]
    html = (page_dir / "index.html").read_text(encoding="utf-8")
    assert html.count("<figure") == count


@pytest.mark.needs_chromium
@pytest.mark.needs_graphviz
def test_browser_opens_at_the_relu_frame_and_steps_on(page_dir, tmp_path):
    """In a real browser: ?frame=N opens at the frame of grad a^(2), and one "next" click
    shows the frame after it."""
    graph = relu_graph()
    number, frame = frame_of(graph, f"a_{STEPS}")
    assert "a\u207d\u00b2\u207e" in frame.caption_text        # a^(2), in book notation
    url = (page_dir / "index.html").as_uri() + f"?frame={number}#autoclick=1"
    page = read_page(dump_dom(url, profile=tmp_path / "profile"))
    following = backward_frames(graph)[number]
    assert [(fid, caption) for fid, hidden, caption in page.figures if not hidden] == [
        (f"frame-{number + 1}", following.caption_text)]


@pytest.mark.needs_chromium
@pytest.mark.needs_graphviz
def test_screenshot_of_the_cells_frame(page_dir, tmp_path):
    """The frame of grad h^(2) as a reader sees it: real ink, no XML error page."""
    number, _ = frame_of(relu_graph(), f"h_{STEPS}")
    url = (page_dir / "index.html").as_uri() + f"?frame={number}"
    shot = screenshot(url, tmp_path / "page.png", profile=tmp_path / "profile", size=(1000, 800))
    assert image_size(shot) == (1000, 800) and 0.002 < ink_fraction(shot) < 0.5
    assert not is_xml_error_page(dump_dom(url, profile=tmp_path / "profile"))


def test_skip_connection_lists_its_earlier_state(capsys):
    """The listing of the same graph (one line per node) reads h^(-1), which the skip
    connection over h^(t-2) needs at t = 1."""
    assert main(["graph", "--rnn", str(EXAMPLES / "skip_rnn.py"), "--steps", "2", "--listing"]) == 0
    out = capsys.readouterr().out
    assert "h_-1 = input  # (3, 1)  t=-1" in out and "W_s = parameter" in out


@pytest.mark.parametrize("cell, message", [
    ("nope.py:relu_rnn", "nope.py: no such cell file"),
    (str(EXAMPLES / "relu_rnn.py") + ":other", "no cell 'other'"),
    ("lstmx", "neither a built-in cell"),
])
def test_a_bad_cell_is_one_line(cell, message, capsys, tmp_path):
    assert main(["graph", "--rnn", cell, "--step-through", "-o", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    assert not (tmp_path / "s").exists()
