"""The book-level step-through of BPTT: Fig. 10.3, one frame per adjoint of eqs 10.18-10.28,
fixed layout and a 16:9 canvas, exported as SVG, PNG, a multi-page PDF, a GIF and a page."""
import re
import xml.etree.ElementTree as ET

import pytest

from rnn.figures.steps import CANVAS, adjoints, frame_dots, write_book_stepthrough
from rnn.figures.tikz import layout
from tests import consumers
from tests.consumers import dump_dom, screenshot


def test_one_frame_per_adjoint_in_the_books_order():
    """eq. 10.18 (every o^(t)), 10.19 (h^(tau)), 10.21 (h^(t), t = tau-1..1), 10.22-10.28 (c b V W U)."""
    steps = adjoints(3)
    assert [a.equation for a in steps] == ["10.18", "10.19", "10.21", "10.21", "10.22", "10.23", "10.24",
                                           "10.26", "10.28"]
    assert [a.nodes for a in steps[1:4]] == [("h_3",), ("h_2",), ("h_1",)]
    assert steps[7].nodes == ("W_copy_1", "W_copy_2", "W_copy_3")
    assert len(adjoints(5)) == 5 + 6


@pytest.mark.needs_graphviz
def test_every_frame_has_the_same_layout():
    """Only the emphasis and the equation's text change: node positions and the drawing's
    size are identical in every frame, so the picture does not jump."""
    laid = [layout(source) for _, source in frame_dots(3)]
    boxes = {lay["bb"] for lay in laid}
    places = [{o["name"]: o["pos"] for o in lay["objects"] if "pos" in o} for lay in laid]
    assert len(boxes) == 1 and all(p == places[0] for p in places)
    heavy = [re.findall(r'"(\w+)" \[[^\n]*penwidth="2.4"', source) for _, source in frame_dots(3)]
    assert heavy[1] == ["h_3"] and sorted(heavy[0]) == ["o_1", "o_2", "o_3"]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("book-steps")
    write_book_stepthrough(out, tau=3)
    return out


@pytest.mark.needs_graphviz
def test_frames_are_16_9_and_gathered_in_a_pdf_and_a_gif(written):
    from PIL import Image
    pngs = sorted(written.glob("frame_*.png"))
    assert len(pngs) == 9
    for png in pngs:
        with Image.open(png) as im:
            assert im.size == CANVAS
    with Image.open(written / "frames.gif") as gif:
        assert gif.n_frames == 9 and gif.size == CANVAS
    for svg in written.glob("frame_*.svg"):
        ET.parse(svg)
    if consumers.have_poppler():
        info = consumers.pdf_info(written / "frames.pdf")
        assert int(info["Pages"]) == 9
        w, h = map(float, re.match(r"([\d.]+) x ([\d.]+) pts", info["Page size"]).groups())
        assert abs(w / h - 16 / 9) < 1e-3


@pytest.mark.needs_chromium
@pytest.mark.needs_graphviz
def test_page_at_1920x1080_shows_the_whole_frame_and_its_caption(written, tmp_path):
    """Headless Chromium at 1920 x 1080: the frame's caption and the buttons are on screen."""
    url = (written / "index.html").as_uri() + "?frame=3"
    dom = dump_dom(url, profile=tmp_path / "profile", size=(1920, 1080))
    assert 'data-frame="3"' in dom
    caption = int(re.search(r'data-caption-bottom="(\d+)"', dom).group(1))
    nav = int(re.search(r'data-nav-bottom="(\d+)"', dom).group(1))
    assert 0 < caption <= 1080 and 0 < nav <= 1080
    assert "Step 3 of 9: eq. 10.21" in dom
    shot = screenshot(url, tmp_path / "frame3.png", profile=tmp_path / "profile", size=(1920, 1080))
    from PIL import Image
    with Image.open(shot) as im:
        assert im.size == (1920, 1080)
        assert im.convert("L").getextrema()[0] < 100  # ink: the graph is drawn
