"""The renderer chain: system dot, else pygraphviz in a child process, else the DOT and a hint."""
import importlib.util
import os
import xml.etree.ElementTree as ET

import pytest

import autodiff as ad
from autodiff import renderers
from autodiff.errors import RendererMissing
from autodiff.render import mimebundle, render, render_many, render_source, to_dot

SVG = "{http://www.w3.org/2000/svg}"


def graph():
    x = ad.Tensor(3.0, name="x", requires_grad=True)
    y = (x * x).tag(name="y", role="loss")
    y.backward()
    return ad.trace(y)


def svg_titles(path):
    """The <title> of every node and edge group in a Graphviz SVG."""
    root = ET.parse(path).getroot()
    return [t.text for g in root.iter(SVG + "g") for t in g.findall(SVG + "title")]


@pytest.mark.needs_graphviz
def test_svg_parses_and_names_every_node(tmp_path):
    out = render(graph(), tmp_path / "square.svg", values=True, grads=True)
    titles = svg_titles(out)
    assert {"n0", "n1"} <= set(titles)
    assert titles.count("n0&#45;&gt;n1") + titles.count("n0->n1") == 2  # x*x: two edges


@pytest.mark.needs_graphviz
@pytest.mark.parametrize("suffix, magic", [(".pdf", b"%PDF"), (".png", b"\x89PNG")])
def test_pdf_and_png_are_written(tmp_path, suffix, magic):
    out = render(graph(), tmp_path / f"square{suffix}")
    assert out.read_bytes()[:4] == magic


@pytest.mark.needs_graphviz
def test_dot_source_is_written_beside_every_figure(tmp_path):
    render(graph(), tmp_path / "square.svg")
    assert (tmp_path / "square.dot").read_text(encoding="utf-8") == to_dot(graph())


def test_dot_suffix_writes_only_the_source_and_needs_no_renderer(tmp_path, monkeypatch):
    monkeypatch.setattr(renderers, "find_renderer", lambda: None)
    out = render(graph(), tmp_path / "square.dot", style="print")
    assert out.read_text(encoding="utf-8") == to_dot(graph(), style="print")


@pytest.mark.needs_graphviz
def test_one_call_renders_many_figures(tmp_path):
    sources = [to_dot(graph(), style=s) for s in ("screen", "print", "dark")]
    paths = render_many([(src, tmp_path / f"{k}.svg") for k, src in enumerate(sources)])
    assert [p.name for p in paths] == ["0.svg", "1.svg", "2.svg"]
    assert all("n0" in svg_titles(p) for p in paths)


@pytest.mark.needs_graphviz
def test_pygraphviz_child_process_renders(tmp_path):
    if importlib.util.find_spec("pygraphviz") is None:
        pytest.skip("pygraphviz not installed")
    (out,) = render_many([(to_dot(graph()), tmp_path / "child.svg")], renderer="pygraphviz")
    assert "n1" in svg_titles(out)


@pytest.mark.needs_graphviz
def test_broken_dot_reports_the_figure_and_renders_the_rest(tmp_path):
    with pytest.raises(renderers.RenderFailed, match="bad.svg"):
        render_many([("digraph { a -> }", tmp_path / "bad.svg"), (to_dot(graph()), tmp_path / "good.svg")])
    assert "n0" in svg_titles(tmp_path / "good.svg")


def test_missing_renderer_writes_dot_and_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(renderers, "find_renderer", lambda: None)
    with pytest.raises(RendererMissing) as info:
        render(graph(), tmp_path / "square.svg")
    message = str(info.value)
    assert "pip install pygraphviz" in message and "apt-get install graphviz" in message
    assert "\n" not in message
    assert (tmp_path / "square.dot").read_text(encoding="utf-8") == to_dot(graph())
    assert not (tmp_path / "square.svg").exists()


def test_renderer_missing_is_a_value_error():
    assert issubclass(RendererMissing, ValueError)


def test_missing_renderer_falls_back_to_text_in_jupyter(monkeypatch):
    monkeypatch.setattr(renderers, "find_renderer", lambda: None)
    bundle = graph()._repr_mimebundle_()
    assert list(bundle) == ["text/plain"] and bundle["text/plain"].startswith("digraph")


@pytest.mark.needs_graphviz
def test_jupyter_gets_svg_when_a_renderer_exists():
    bundle = mimebundle(graph())
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")


def test_unknown_suffix_is_an_error_naming_the_formats(tmp_path):
    with pytest.raises(renderers.RenderFailed, match=r"\.svg, \.pdf, \.png or \.dot"):
        render_source("digraph {}", tmp_path / "figure.jpeg")


def test_format_argument_overrides_a_missing_suffix(tmp_path, monkeypatch):
    monkeypatch.setattr(renderers, "find_renderer", lambda: None)
    out = render_source("digraph {}", tmp_path / "figure", format="dot")
    assert out == tmp_path / "figure.dot"


def test_chain_prefers_system_dot(monkeypatch):
    monkeypatch.setattr(renderers.shutil, "which", lambda name: "/usr/bin/dot")
    assert renderers.find_renderer() == "dot"


def test_chain_falls_back_to_pygraphviz(monkeypatch):
    monkeypatch.setattr(renderers.shutil, "which", lambda name: None)
    monkeypatch.setattr(renderers.importlib.util, "find_spec", lambda name: object())
    assert renderers.find_renderer() == "pygraphviz"


def test_chain_ends_with_none(monkeypatch):
    monkeypatch.setattr(renderers.shutil, "which", lambda name: None)
    monkeypatch.setattr(renderers.importlib.util, "find_spec", lambda name: None)
    assert renderers.find_renderer() is None


_ABORTING_CHILD = r"""
import json, os, sys
for k, (src, out, fmt, attrs) in enumerate(json.load(sys.stdin)):
    if src.endswith("crash.dot"):
        print('Fontconfig warning: "/etc/fonts/conf.d/05-reset-dirs-sample.conf", line 6', file=sys.stderr)
        os.abort()
    if src.endswith("slow.dot"):
        import time
        time.sleep(30)
    open(out, "w").write("<svg/>")
    print("ok", k, flush=True)
"""


def test_a_crashing_layout_costs_only_its_own_figure(tmp_path, monkeypatch):
    """A C assertion in Graphviz kills the child; the parent survives and renders the rest,
    and says the child crashed (not the Fontconfig warning it printed before dying)."""
    monkeypatch.setattr(renderers, "_CHILD", _ABORTING_CHILD)
    (tmp_path / "crash.svg").write_text("old figure")
    jobs = [("digraph {}", tmp_path / name) for name in ("first.svg", "crash.svg", "last.svg")]
    with pytest.raises(renderers.RenderFailed) as failed:
        render_many(jobs, renderer="pygraphviz")
    message = str(failed.value)
    assert "crash.svg" in message and "crashed with SIGABRT" in message
    assert "Fontconfig" not in message and "\n" not in message
    assert (tmp_path / "first.svg").exists() and (tmp_path / "last.svg").exists()
    assert (tmp_path / "crash.svg").read_text() == "old figure"
    assert not [p.name for p in tmp_path.iterdir() if ".part" in p.name]


def test_a_render_timeout_names_the_figure_and_the_limit(tmp_path, monkeypatch):
    """One line: which figure hung, after how long; its old file stays, no temp file is left."""
    monkeypatch.setattr(renderers, "_CHILD", _ABORTING_CHILD)
    monkeypatch.setattr(renderers, "_TIMEOUT", 2)
    (tmp_path / "slow.svg").write_text("old figure")
    jobs = [("digraph {}", tmp_path / name) for name in ("first.svg", "slow.svg")]
    with pytest.raises(renderers.RenderFailed) as failed:
        render_many(jobs, renderer="pygraphviz")
    message = str(failed.value)
    assert "slow.svg" in message and "timed out after 2 s" in message and "\n" not in message
    assert (tmp_path / "first.svg").exists()
    assert (tmp_path / "slow.svg").read_text() == "old figure"
    assert not [p.name for p in tmp_path.iterdir() if ".part" in p.name]


_FAKE_DOT = """#!{python}
# The system `dot`, played by the pygraphviz wheel: -Tformat, -Gname=value, -o file, source.
import sys, pygraphviz
args = sys.argv[1:]
fmt = next(a[2:] for a in args if a.startswith("-T"))
attrs = dict(a[2:].split("=", 1) for a in args if a.startswith("-G"))
out = args[args.index("-o") + 1] if "-o" in args else None
graph = pygraphviz.AGraph(filename=args[-1])
graph.graph_attr.update(attrs)
data = graph.draw(out, format=fmt, prog="dot")
if out is None:
    sys.stdout.write(data.decode())
"""


@pytest.mark.skipif(importlib.util.find_spec("pygraphviz") is None, reason="NO PYGRAPHVIZ to play the system dot")
def test_system_dot_path_renders_whole_pages(tmp_path, monkeypatch):
    """With a `dot` on PATH: the size from -Tplain, then the page padded to whole points/pixels."""
    import sys
    from tests import consumers
    import matplotlib.image as mpimg
    from pixels import background, image_size
    fake = tmp_path / "bin" / "dot"
    fake.parent.mkdir()
    fake.write_text(_FAKE_DOT.format(python=sys.executable))
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    assert renderers.find_renderer() == "dot"
    source = to_dot(graph(), values=True, grads=True, style="dark")
    pdf, png, svg = render_many([(source, tmp_path / f"g.{fmt}") for fmt in ("pdf", "png", "svg")], dpi=150)
    width_pt = float(ET.parse(svg).getroot().get("width").rstrip("pt"))
    assert abs(image_size(png)[0] - width_pt * 150 / 72) <= 3
    dark = background(png)
    assert dark.max() < 0.2 and mpimg.imread(str(png))[-1, -1, 3] > 0.95  # opaque to the last pixel
    if consumers.have_poppler():
        raster = consumers.pdf_to_png(pdf, tmp_path / "g-pdf.png", dpi=72)
        assert mpimg.imread(str(raster))[-1, -1, :3] == pytest.approx(dark, abs=0.02)
