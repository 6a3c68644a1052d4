"""The backward pass, frame by frame (reverse topological order), and its offline HTML page."""
import re
from html.parser import HTMLParser

import pytest

import autodiff as ad
from autodiff.stepthrough import StepThroughError, backward_frames, frame_dot, write_stepthrough
from pixels import image_size, ink_fraction
from tests.consumers import dump_dom, is_xml_error_page, screenshot


def neuron():
    """y = tanh(w x + b), then L = y * y: y has two out-edges into the product."""
    w = ad.Tensor(0.5, name="w", requires_grad=True)
    x = ad.Tensor(2.0, name="x")
    b = ad.Tensor(-0.25, name="b", requires_grad=True)
    y = ad.tanh(w * x + b).tag(name="y")
    L = (y * y).tag(name="L", role="loss")
    L.backward()
    return ad.trace(L)


def test_frames_follow_reverse_topological_order():
    """Every consumer's gradient is known before the gradient of what it consumes."""
    graph = neuron()
    frames = backward_frames(graph)
    order = [f.node for f in frames]
    assert order == [n for n in reversed(graph.nodes) if n.grad is not None]
    seen = set()
    for frame in frames:
        assert all(source in seen for source in frame.sources)
        seen.add(frame.node)


def test_inputs_without_gradients_get_no_frame():
    graph = neuron()
    assert graph.find("x") not in [f.node for f in backward_frames(graph)]


def test_first_frame_is_the_seed():
    first = backward_frames(neuron())[0]
    assert first.node.name == "L" and first.sources == ()
    assert "seed" in first.caption_text


def test_reused_node_names_both_argument_positions():
    """y is used twice by y * y: its gradient sums two contributions (eq. 6.54)."""
    graph = neuron()
    frame = next(f for f in backward_frames(graph) if f.node.name == "y")
    assert [k for _, _, k in frame.edges] == [0, 1]
    assert frame.caption_text.endswith("computed from \u2207 of L (via argument 0 and 1)")


def test_caption_names_the_consumers():
    graph = neuron()
    frame = next(f for f in backward_frames(graph) if f.node.name == "b")
    assert re.search(r"\u2207 of b = .*computed from \u2207 of add node n\d", frame.caption_text)


def test_frame_shows_only_gradients_known_so_far():
    graph = neuron()
    frames = backward_frames(graph)
    dot = frame_dot(graph, frames[1], legend=False)
    assert dot.count("\u2207 ") == 2
    assert frames[1].done == {frames[0].node, frames[1].node}


def test_frame_highlights_the_node_and_its_out_edges():
    graph = neuron()
    frame = next(f for f in backward_frames(graph) if f.node.name == "y")
    dot = frame_dot(graph, frame, legend=False)
    y = graph.id_of(frame.node)
    assert re.search(rf"^\s*{y} \[.*penwidth=3", dot, re.M)
    assert len(re.findall(rf"^\s*{y} -> \w+ \[.*penwidth=2.5", dot, re.M)) == 2


def test_frames_need_a_backward_pass_first():
    x = ad.Tensor(1.0, name="x", requires_grad=True)
    with pytest.raises(StepThroughError, match="call backward"):
        backward_frames(ad.exp(x).tag(name="y"))


class _Page(HTMLParser):
    """The figures of a step-through page: (id, hidden, caption text)."""

    def __init__(self):
        super().__init__()
        self.figures, self.state, self._in_caption, self._in_state = [], "", False, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure":
            self.figures.append([attrs.get("id"), "hidden" in attrs, attrs.get("data-caption")])
        if tag == "output" and attrs.get("id") == "state":
            self._in_state = True

    def handle_endtag(self, tag):
        if tag == "output":
            self._in_state = False

    def handle_data(self, data):
        if self._in_state:
            self.state += data


def read_page(html):
    page = _Page()
    page.feed(html)
    return page


@pytest.fixture(scope="module")
def page_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("steps")
    write_stepthrough(neuron(), out)
    return out


@pytest.mark.needs_graphviz
def test_numbered_svgs_one_per_frame(page_dir):
    count = len(backward_frames(neuron()))
    assert sorted(p.name for p in page_dir.glob("frame_*.svg")) == [f"frame_{k:03d}.svg" for k in range(count)]


@pytest.mark.needs_graphviz
def test_page_is_self_contained(page_dir):
    """Works offline: no external script, style or image."""
    html = (page_dir / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
    assert "<svg" in html and html.count("<figure") == len(backward_frames(neuron()))


@pytest.mark.needs_graphviz
def test_page_without_script_shows_the_first_frame(page_dir):
    page = read_page((page_dir / "index.html").read_text(encoding="utf-8"))
    assert [hidden for _, hidden, _ in page.figures] == [False] + [True] * (len(page.figures) - 1)


@pytest.mark.needs_graphviz
def test_svg_ids_are_unique_across_frames(page_dir):
    ids = re.findall(r'\bid="([^"]+)"', (page_dir / "index.html").read_text(encoding="utf-8"))
    assert len(ids) == len(set(ids))


@pytest.mark.needs_chromium
@pytest.mark.needs_graphviz
def test_clicking_next_twice_shows_the_third_frame(page_dir, tmp_path):
    """In a real browser: the "next" button's click(), twice, from frame 1."""
    url = (page_dir / "index.html").as_uri() + "#autoclick=2"
    dom = dump_dom(url, profile=tmp_path / "profile")
    page = read_page(dom)
    visible = [(fid, caption) for fid, hidden, caption in page.figures if not hidden]
    third = backward_frames(neuron())[2]
    assert visible == [("frame-3", third.caption_text)]
    assert page.state == third.caption_text
    assert 'data-frame="3"' in dom and "frame 3 of" in dom


@pytest.mark.needs_chromium
@pytest.mark.needs_graphviz
def test_frame_query_then_previous_click(page_dir, tmp_path):
    url = (page_dir / "index.html").as_uri() + "?frame=4#autoclick=-1"
    page = read_page(dump_dom(url, profile=tmp_path / "profile"))
    assert [fid for fid, hidden, _ in page.figures if not hidden] == ["frame-3"]


@pytest.mark.needs_chromium
@pytest.mark.needs_graphviz
def test_screenshot_of_the_page(page_dir, tmp_path):
    """Frame 2 as a reader sees it: real ink, and no XML error page from an inlined frame."""
    url = (page_dir / "index.html").as_uri() + "?frame=2"
    shot = screenshot(url, tmp_path / "page.png", profile=tmp_path / "profile", size=(1000, 800))
    assert image_size(shot) == (1000, 800) and 0.002 < ink_fraction(shot) < 0.5
    assert not is_xml_error_page(dump_dom(url, profile=tmp_path / "profile"))
