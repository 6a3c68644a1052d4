"""TikZ export of the lecture figures (issue 12): compiled in Beamer, checked against Graphviz's own SVG."""
import contextlib
import html
import io
import re
from pathlib import Path

import pytest

import doccommands
from autodiff.cli import main
from autodiff.render import svg_text
from rnn.figures import KINDS, figure_dot
from rnn.figures.catalog import figure
from rnn.figures.tikz import (CM_PER_BP, FRAME_CM, TikzError, colour, figure_tikz, tex_math, tex_text, tikz_names,
                               tikz_of)
from tests import consumers

DOCS = Path(__file__).resolve().parent.parent / "docs"
NODE = re.compile(r"^\s*\\node\[gb node, (.*?)\] \((\S+)\) at \(([-\d.]+),([-\d.]+)\) \{(.*)\};$", re.M)
EDGE = re.compile(r"^\s*\\draw\[gb edge, [^\]]*\] \(([-\d.]+),([-\d.]+)\).*; % (\S+) -> (\S+)$", re.M)
LABEL = re.compile(r"^\s*\\node\[gb label, [^\]]*\] at \(([-\d.]+),([-\d.]+)\) \{(.*)\};$", re.M)
SCALE = re.compile(r"\\begin\{tikzpicture\}\[scale=([\d.]+),")


def tikz_nodes(text):
    """{name: (options, x cm, y cm, text)} of the picture's diagram nodes."""
    return {name: (opts, float(x), float(y), body) for opts, name, x, y, body in NODE.findall(text)}


def svg_shapes(dot):
    """Graphviz's own SVG of `dot`: {node: (x, y, width) in bp, y up} and {(tail, head): [start points]}.

    Read with regular expressions: Graphviz writes a duplicate attribute for some bold italic
    HTML labels, which an XML parser rejects.
    """
    nodes, edges = {}, {}
    for kind, title, body in re.findall(r'<g id="\w+" class="(node|edge)">\s*<title>(.*?)</title>(.*?)</g>',
                                        svg_text(dot), re.S):
        title = html.unescape(title)
        if kind == "node":
            ellipse = re.search(r'<ellipse [^>]*cx="([-\d.]+)" cy="([-\d.]+)" rx="([\d.]+)"', body)
            if not ellipse and "<polygon" not in body:
                continue  # a plain-text note has no outline to compare
            if ellipse:
                x, y, w = float(ellipse.group(1)), -float(ellipse.group(2)), 2 * float(ellipse.group(3))
            else:
                points = re.search(r'<polygon [^>]*points="([^"]+)"', body).group(1)
                pts = [tuple(map(float, p.split(","))) for p in points.split()]
                xs, ys = [p[0] for p in pts], [-p[1] for p in pts]
                x, y, w = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, max(xs) - min(xs)
            nodes[title] = (x, y, w)
        else:
            start = re.search(r'<path [^>]*d="M([-\d.]+),([-\d.]+)', body)
            if start is None:
                continue  # an invisible layout edge
            # an edge with ports is titled tail:port->head:port
            tail, head = (end.split(":")[0] for end in title.split("->"))
            edges.setdefault((tail, head), []).append((float(start.group(1)), -float(start.group(2))))
    return nodes, edges


# --- text conversion (no consumer needed) -------------------------------------------------

def test_labels_become_tex_math_with_boldsymbol_vectors():
    """The book's bold italic vectors: \\mathbf and \\bm become amsmath's \\boldsymbol."""
    assert tex_math("\\mathbf{h}^{(t\u22121)}") == r"$\boldsymbol{h}^{(t-1)}$"
    assert tex_math(r"\hat{\bm{y}}^{(2)}") == r"$\hat{\boldsymbol{y}}^{(2)}$"
    assert tex_math("\\operatorname{diag}(1 \u2212 (\\mathbf{h})^2)") == r"$\operatorname{diag}(1 - (\boldsymbol{h})^2)$"


def test_plain_names_keep_their_whole_subscript_as_the_html_labels_do():
    assert tex_math("h_12") == "$h_{12}$"


def test_text_inside_a_label_is_escaped_for_tex():
    assert tex_math(r"\text{<eos>}") == r"$\text{\textless{}eos\textgreater{}}$"
    assert tex_text("50% & [0.5 \u22120.25]\u22a4") == r"50\% \& [0.5 $-$0.25]${}^{\top}$"


def test_a_character_tex_cannot_take_is_a_one_line_error_naming_it():
    with pytest.raises(TikzError, match=r"U\+2603.*write it as a LaTeX command") as err:
        tex_math("x\u2603")
    assert "\n" not in str(err.value)


def test_colours_become_xcolor_expressions():
    assert colour("#c0392b") == "{rgb,255:red,192;green,57;blue,43}"
    assert colour("black") == "black"
    with pytest.raises(TikzError, match="chartreuse"):
        colour("chartreuse")


# --- structure and geometry against Graphviz ----------------------------------------------

@pytest.mark.needs_graphviz
@pytest.mark.parametrize("name", ["rnn", "bptt", "lstm-cell", "dynamical-system", "teacher-forcing"])
def test_one_node_per_diagram_node_and_one_path_per_edge(name):
    diagram = figure(name)
    text, _ = tikz_of(diagram, name)
    names = {nid: tikz_names(diagram).get(nid, nid) for nid in diagram.nodes}
    nodes = tikz_nodes(text)
    assert sorted(nodes) == sorted(names.values())
    for nid, node in diagram.nodes.items():
        if node.label:
            assert nodes[names[nid]][3].startswith(tex_math(node.label)), nid
    drawn = sorted((tail, head) for *_, tail, head in EDGE.findall(text))
    assert drawn == sorted((names[e.src], names[e.dst]) for e in diagram.edges)
    labels = [body for *_, body in LABEL.findall(text)]
    for edge in diagram.edges:
        if edge.label:
            assert tex_math(edge.label) in labels, (edge.src, edge.dst)


@pytest.mark.needs_graphviz
def test_fig_10_3_reads_as_the_book_draws_it():
    """h^(t) a circle with tanh under its name, W on h^(t-1) -> h^(t), no \\mathbf left."""
    text, _ = figure_tikz("rnn", steps=3)
    nodes = tikz_nodes(text)
    opts, _, _, body = nodes["h_1"]
    assert opts.startswith("circle, minimum size=") and "draw=black" in opts
    assert body == r"$\boldsymbol{h}^{(1)}$\\{\fontsize{11}{13.2}\selectfont $\tanh$}"
    assert [b for *_, b in LABEL.findall(text)].count(r"$\boldsymbol{W}$") == 3
    assert r"\mathbf" not in text and "\u2212" not in text


@pytest.mark.needs_graphviz
def test_parameters_are_boxes_and_the_delay_a_filled_square():
    bptt = tikz_nodes(figure_tikz("bptt")[0])
    assert bptt["W_copy_1"][0].startswith("rectangle, minimum width=")  # the dummy copy W^(1)
    folded = tikz_nodes(figure_tikz("rnn", view="folded")[0])
    delay = next(v for k, v in folded.items() if k.startswith("delay_"))
    assert delay[0].startswith("rectangle") and "fill=black" in delay[0] and delay[3] == ""


@pytest.mark.needs_graphviz
@pytest.mark.parametrize("name", ["rnn", "bptt", "hidden-state-types"])
def test_positions_agree_with_graphviz_svg(name):
    """Node centres, sizes and edge starts of the TikZ are those of Graphviz's SVG (to 0.01 cm)."""
    diagram = figure(name)
    text, dot = tikz_of(diagram, name, scale=1)
    svg_nodes, svg_edges = svg_shapes(dot)
    names = tikz_names(diagram)
    svg_nodes = {names.get(k, k): v for k, v in svg_nodes.items()}
    svg_edges = {(names.get(a, a), names.get(b, b)): v for (a, b), v in svg_edges.items()}
    nodes = {k: v for k, v in tikz_nodes(text).items() if k in svg_nodes or "draw=" in v[0]}
    assert set(nodes) == set(svg_nodes)
    for nid, (opts, x, y, _) in nodes.items():
        sx, sy, sw = svg_nodes[nid]
        assert abs(x - sx * CM_PER_BP) < 0.01 and abs(y - sy * CM_PER_BP) < 0.01, nid
        size = float(re.search(r"minimum (?:size|width)=([\d.]+)cm", opts).group(1))
        assert abs(size - sw * CM_PER_BP) < 0.02, nid
    starts = {}
    backward = {(names.get(a, a), names.get(b, b)) for a, b in re.findall(r'"([^"]+)" -> "([^"]+)" \[[^\n]*dir="back"', dot)}
    for x, y, tail, head in EDGE.findall(text):
        # the comment names the arrow's direction; Graphviz's SVG the DOT tail and head
        key = (head, tail) if (head, tail) in backward else (tail, head)
        starts.setdefault(key, []).append((float(x), float(y)))
    for key, points in svg_edges.items():
        want = sorted((round(px * CM_PER_BP, 2), round(py * CM_PER_BP, 2)) for px, py in points)
        got = sorted((round(px, 2), round(py, 2)) for px, py in starts[key])
        assert all(abs(a - b) <= 0.011 for w, g in zip(want, got) for a, b in zip(w, g)), key


@pytest.mark.needs_graphviz
@pytest.mark.parametrize("name", ["bptt", "lstm-cell"])
def test_same_figure_same_text(name):
    """Also for a cell, whose unnamed ops carry a process-wide number in their DOT ids."""
    assert figure_tikz(name, theme="screen")[0] == figure_tikz(name, theme="screen")[0]


@pytest.mark.needs_graphviz
def test_default_scale_fits_a_beamer_frame():
    for name in ("rnn", "hidden-state-types"):
        text, _ = figure_tikz(name)
        scale = float(SCALE.search(text).group(1))
        width, height = map(float, re.search(r"Natural size ([\d.]+) cm x ([\d.]+) cm", text).groups())
        assert width * scale <= FRAME_CM[0] + 1e-9 and height * scale <= FRAME_CM[1] + 1e-9
        assert scale > 0.9 * min(FRAME_CM[0] / width, FRAME_CM[1] / height)


# --- the real consumer: pdflatex ----------------------------------------------------------

@pytest.mark.needs_tex
@pytest.mark.needs_graphviz
def test_every_kind_compiles_inside_a_beamer_frame(tmp_path):
    """All kinds (book style, print) plus d2l/screen and dark with numbers, in one document."""
    frames = [figure_tikz(name)[0] for name in KINDS]
    frames.append(figure_tikz("rnn", style="d2l", theme="screen")[0])
    frames.append(figure_tikz("bptt", steps=2, theme="dark", values=True, grads=True)[0])
    pdf, errors = consumers.compile_beamer(frames, tmp_path, preamble="\\usepackage{tikz}\n")
    assert errors == [] and pdf is not None
    assert int(consumers.pdf_info(pdf)["Pages"]) == len(frames)


@pytest.mark.needs_tex
@pytest.mark.needs_graphviz
def test_cli_writes_tikz_and_a_standalone_document_that_compiles_to_the_picture_size(tmp_path, capsys):
    assert main(["draw", "rnn", "--format", "tikz", "-o", str(tmp_path / "fig")]) == 0
    assert (tmp_path / "fig.tex").read_text().startswith("% rnn: Fig. 10.3")
    assert (tmp_path / "fig.dot").read_text() == figure_dot("rnn")
    out = tmp_path / "alone.tex"
    assert main(["draw", "lstm-cell", "-o", str(out), "--tikz-standalone"]) == 0
    source = out.read_text()
    width, height = map(float, re.search(r"Natural size ([\d.]+) cm x ([\d.]+) cm", source).groups())
    pdf, errors = consumers.compile_document(source, tmp_path / "tex", name="alone")
    assert errors == [] and pdf is not None
    info = consumers.pdf_info(pdf)
    page = re.match(r"([\d.]+) x ([\d.]+) pts", info["Page size"]).groups()
    border = 4 / 72.27 * 72  # 2 pt each side, in bp
    assert info["Pages"] == "1"
    assert abs(float(page[0]) - (width / CM_PER_BP + border)) < 1
    assert abs(float(page[1]) - (height / CM_PER_BP + border)) < 1


def test_cli_format_and_suffix_must_agree(tmp_path, capsys):
    assert main(["draw", "rnn", "--format", "tikz", "-o", str(tmp_path / "fig.svg")]) == 2
    assert "--format tikz does not match" in capsys.readouterr().err
    assert main(["draw", "rnn", "--tikz-scale", "0.5", "-o", str(tmp_path / "fig.svg")]) == 2
    assert not list(tmp_path.iterdir())


@pytest.mark.needs_tex
@pytest.mark.needs_graphviz
def test_the_gallerys_beamer_example_compiles_with_the_exported_figure(tmp_path):
    """docs/gallery.md's slide, as printed, around `gradbook draw rnn --format tikz -o fig10_3_rnn.tex`."""
    example = next(b.text for b in doccommands.blocks(DOCS / "gallery.md", "latex") if "\\input{" in b.text)
    name = re.search(r"\\input\{([^}]+)\}", example).group(1)
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["draw", "rnn", "--format", "tikz", "-o", str(tmp_path / name)]) == 0
    pdf, errors = consumers.compile_document(example, tmp_path, name="example")
    assert errors == [] and pdf is not None and consumers.pdf_info(pdf)["Pages"] == "1"
