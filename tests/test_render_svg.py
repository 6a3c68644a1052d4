"""Every SVG gradbook writes is well-formed XML, with script-sized, raised and lowered scripts.

Graphviz marks a script inside a script with ``baseline-shift`` twice on one element (not
XML; browsers show an error page). These tests render every figure kind in every view, the
engine's examples in both views with values and gradients, and the step-through frames, and
parse each SVG with an XML parser.
"""
import xml.etree.ElementTree as ET

import pytest

from autodiff import fonts
from autodiff.cli_draw import EXAMPLES, build_example
from autodiff.graph import Graph
from autodiff.labels import SCRIPT_RATIO, html_label
from autodiff.render import render_many, to_dot
from autodiff.stepthrough import write_stepthrough
from autodiff.svg import SVGError, check_xml, fix_svg
from rnn.figures.catalog import KINDS, figure_dot

SVG = "{http://www.w3.org/2000/svg}"


def parse(path):
    """The SVG's root, parsed by xml.etree (raises on a file that is not well-formed)."""
    return ET.parse(path).getroot()


def texts(root):
    """Every <text> as (content, y, font-size), in document order."""
    return [(t.text.strip(), float(t.get("y")), float(t.get("font-size"))) for t in root.iter(SVG + "text")
            if t.text and t.text.strip()]


def figure_jobs():
    """(name, DOT) for every kind x view, and the gradient-carrying variants of the backward views."""
    jobs = []
    for name, kind in KINDS.items():
        for view in kind.views:
            jobs.append((f"{name}-{view}", figure_dot(name, view=view)))
            if view == "backward":
                jobs.append((f"{name}-{view}-grads", figure_dot(name, view=view, values=True, grads=True)))
    jobs.append(("rnn-d2l-dark", figure_dot("rnn", style="d2l", theme="dark", values=True)))
    return jobs


def engine_jobs():
    jobs = []
    for example in EXAMPLES:
        graph = Graph(build_example(example))
        for view in ("variable", "op"):
            jobs.append((f"{example}-{view}", to_dot(graph, view=view, values=True, grads=True)))
    return jobs


@pytest.mark.needs_graphviz
@pytest.mark.parametrize("which", ["figures", "engine"])
def test_every_svg_parses_as_xml(which, tmp_path):
    jobs = figure_jobs() if which == "figures" else engine_jobs()
    paths = render_many([(source, tmp_path / f"{name}.svg") for name, source in jobs])
    assert len(paths) == len(jobs) >= (20 if which == "figures" else 8)
    for path in paths:
        root = parse(path)
        assert root.tag == SVG + "svg", path.name
        assert all("baseline-shift" not in t.attrib for t in root.iter(SVG + "text")), path.name
        assert list(root.iter(SVG + "text")), path.name


@pytest.mark.needs_graphviz
def test_step_through_frames_parse_as_xml(tmp_path):
    write_stepthrough(Graph(build_example("mlp")), tmp_path)
    frames = sorted(tmp_path.glob("frame_*.svg"))
    assert len(frames) > 5
    for frame in frames:
        assert parse(frame).tag == SVG + "svg"


@pytest.mark.needs_graphviz
def test_nested_script_is_smaller_and_raised_inside_its_subscript(tmp_path):
    """∇_{h^{(0)}} L: the subscript h sits below ∇, the (0) above that h, each smaller."""
    label = html_label(r"\nabla_{\mathbf{h}^{(0)}} L", 20)
    source = f'digraph g {{ a [shape=plaintext, fontsize=20, label=<{label}>]; }}\n'
    path = render_many([(source, tmp_path / "nested.svg")])[0]
    (nabla, y0, s0), (h, y1, s1), (zero, y2, s2), (ell, y3, s3) = texts(parse(path))
    assert (nabla, h, zero, ell) == ("\u2207", "h", "(0)", "L")
    assert y1 > y0 and y2 < y1 and y3 == y0  # SVG's y grows downwards
    assert s1 == round(20 * SCRIPT_RATIO) and s2 == round(s1 * SCRIPT_RATIO) and s3 == s0 == 20


@pytest.mark.needs_graphviz
def test_superscript_is_script_sized_and_raised(tmp_path):
    """h^(3) on a 16 pt node: (3) at 11 pt, above the h's baseline (the book's figures)."""
    path = render_many([(figure_dot("rnn", steps=1), tmp_path / "rnn.svg")])[0]
    runs = texts(parse(path))
    k = next(i for i, (text, _, _) in enumerate(runs) if text == "(1)")
    (_, y_base, size_base), (_, y_sup, size_sup) = runs[k - 1], runs[k]
    assert size_sup == round(size_base * SCRIPT_RATIO) and y_sup < y_base - 0.3 * size_base


def test_duplicate_baseline_shift_is_merged_into_y():
    """Graphviz's own output for a superscript inside a subscript, fixed."""
    graphviz = ('<svg xmlns="http://www.w3.org/2000/svg"><text x="16.5" y="-100" '
                'font-family="Latin Modern Roman,Latin Modern Math,serif," baseline-shift="super" '
                'baseline-shift="sub" font-size="7.00">(0)</text></svg>')
    with pytest.raises(SVGError, match="duplicate attribute"):
        check_xml(graphviz)
    text = ET.fromstring(fix_svg(graphviz)).find(SVG + "text")
    parent = 7 / SCRIPT_RATIO
    assert float(text.get("y")) == pytest.approx(-100 + (0.2 - 0.42) * parent, abs=0.01)
    assert "baseline-shift" not in text.attrib
    assert text.get("font-family") == "'Latin Modern Roman', 'Latin Modern Math', serif"


def test_fontname_is_a_family_list_pango_cannot_misread():
    """Pango reads "Roman" in "Latin Modern Roman" as a style: a list ending in a comma keeps it."""
    assert fonts.dot_fontname("Latin Modern Roman") == "Latin Modern Roman,Latin Modern Math,serif,"
    assert fonts.dot_fontname("Latin Modern Sans") == "Latin Modern Sans,Latin Modern Math,sans-serif,"
    assert fonts.dot_fontname("Times-Roman") == "Times-Roman"
    assert 'fontname="Latin Modern Roman,Latin Modern Math,serif,"' in figure_dot("rnn")
    assert 'fontname="DejaVu Sans,Latin Modern Math,sans-serif,"' in figure_dot("rnn", font="DejaVu Sans")


def test_a_missing_font_is_one_line_never_an_error():
    note = fonts.missing_font_note("No Such Family 2026")
    if fonts.installed("No Such Family 2026") is None:
        pytest.skip("NO FC-LIST: fontconfig's fc-list is not installed, so a missing font cannot be told")
    assert note.startswith("gradbook: font 'No Such Family 2026' is not installed") and "\n" not in note
    if fonts.installed(fonts.SERIF):
        assert fonts.missing_font_note(fonts.SERIF) is None
