"""The book-level step-through of BPTT: Fig. 10.3 unrolled, one frame per adjoint of eqs 10.18-10.28.

The frames follow the book's order: grad_{o^(t)} L for every t (eq. 10.18), grad_{h^(tau)} L
(eq. 10.19), grad_{h^(t)} L for t = tau-1 down to 1 (eq. 10.21), then the parameters c, b,
V, W, U (eqs 10.22-10.28). Every frame is the same BPTT figure (`bptt.backward_view`, with
the dummy copies W^(t)), the nodes of the frame's adjoint drawn heavy, and the frame's
equation set beside it by the project's label printer (`autodiff.labels.html_label`) in a
box of fixed size; so every frame has the same layout and the same size, and the picture
never jumps. Frames are written as SVG and PNG, put on a fixed 16:9 canvas, and gathered
into a multi-page PDF (one page per frame, for ``\\includegraphics[page=k]`` in Beamer
overlays), an animated GIF and an offline HTML page. The op-level step-through of
`autodiff.stepthrough` stays as the second view.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import rnn
from autodiff.files import atomic_path, write_text
from autodiff.renderers import render_many
from rnn.names import bold, one_hot_latex, param_latex

from .book import number_nodes
from .bptt import backward_view
from .diagram import DNode
from .dot import to_dot
from .jacobians import MINUS

#: Canvas of every exported frame, in pixels (16:9).
CANVAS = (1920, 1080)

def _diag(h):
    """diag(1 - (h)^2), the tanh derivative of eqs 10.21-10.28."""
    return r"\operatorname{diag}(1" + MINUS + "(" + h + ")^2)"


@dataclass(frozen=True)
class Adjoint:
    """One frame: the node ids it highlights, the book equation number, the equation (LaTeX)."""

    nodes: tuple
    equation: str
    latex: str


def _h(t):
    return f"{bold('h')}^{{({t})}}"


def _grad(x):
    return rf"\nabla_{{{x}}}L"


def adjoints(tau):
    """The adjoints of eqs 10.18-10.28 in the book's order, for a sequence of length `tau`."""
    o = lambda t: f"{bold('o')}^{{({t})}}"  # noqa: E731 - the book's o^(t)
    out = [Adjoint(tuple(f"o_{t}" for t in range(tau, 0, -1)), "10.18",
                   _grad(o("t")) + rf"=\hat{{{bold('y')}}}^{{(t)}}" + MINUS + one_hot_latex("y^{(t)}"))]
    out.append(Adjoint((f"h_{tau}",), "10.19",
                       _grad(_h(r"\tau")) + "=" + param_latex("V") + r"^\top" + _grad(o(r"\tau"))))
    for t in range(tau - 1, 0, -1):
        out.append(Adjoint((f"h_{t}",), "10.21",
                           _grad(_h(t)) + "=" + param_latex("W") + r"^\top" + _diag(_h(t + 1))
                           + _grad(_h(t + 1)) + "+" + param_latex("V") + r"^\top" + _grad(o(t))))
    every_o = tuple(f"o_{t}" for t in range(1, tau + 1))
    every_h = tuple(f"h_{t}" for t in range(1, tau + 1))
    sum_t = r"\sum_t"
    out += [
        Adjoint(every_o, "10.22", _grad(param_latex("c")) + "=" + sum_t + _grad(o("t"))),
        Adjoint(every_h, "10.23", _grad(param_latex("b")) + "=" + sum_t + _diag(_h("t")) + _grad(_h("t"))),
        Adjoint(every_o + every_h, "10.24",
                _grad(param_latex("V")) + "=" + sum_t + "(" + _grad(o("t")) + ")" + _h("t") + r"^\top"),
        Adjoint(tuple(f"W_copy_{t}" for t in range(1, tau + 1)), "10.26",
                _grad(param_latex("W")) + "=" + sum_t + _diag(_h("t")) + "(" + _grad(_h("t")) + ")"
                + _h("t" + MINUS + "1") + r"^\top"),
        Adjoint(every_h + tuple(f"x_{t}" for t in range(1, tau + 1)), "10.28",
                _grad(param_latex("U")) + "=" + sum_t + _diag(_h("t")) + "(" + _grad(_h("t")) + ")"
                + f"{bold('x')}^{{(t)}}" + r"^\top"),
    ]
    return out


def _figure(tau):
    from .catalog import HIDDEN, N_IN, N_OUT, inputs, targets
    u = rnn.unroll(rnn.SimpleRNN(N_IN, HIDDEN, N_OUT, seed=0), inputs(tau), targets(tau))
    return number_nodes(backward_view(u, parameter="W"))


def frame_dots(tau=3, style="book", theme="print", font=None):
    """DOT of every frame, in order: ``[(Adjoint, dot source)]``."""
    out = []
    steps = adjoints(tau)
    for k, adj in enumerate(steps, start=1):
        diagram = _figure(tau)
        for nid in adj.nodes:
            diagram.nodes[nid].emphasis = True
        last = max(n.t for n in diagram.nodes.values() if n.t is not None)
        text = rf"\text{{Step {k} of {len(steps)}, eq. {adj.equation}:}}\quad " + adj.latex
        diagram.add_node(DNode("equation", text, kind="note", shape="equation", t=last + 1))
        diagram.ranks.append([n.id for n in diagram.nodes.values() if n.kind == "L"] + ["equation"])
        out.append((adj, to_dot(diagram, style=style, theme=theme, name="bptt-step", font=font)))
    return out


def write_book_stepthrough(out_dir, tau=3, style="book", theme="print", font=None, dpi=96):
    """Write the frames (SVG, PNG on a 16:9 canvas), ``frames.pdf``, ``frames.gif`` and
    ``index.html`` into `out_dir`; the path of the page."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    dots = frame_dots(tau, style, theme, font)
    jobs = []
    for k, (_, source) in enumerate(dots, start=1):
        jobs += [(source, out / f"frame_{k:02d}.svg"), (source, out / f"frame_{k:02d}.png")]
    render_many(jobs, dpi=dpi)
    pngs = [out / f"frame_{k:02d}.png" for k in range(1, len(dots) + 1)]
    _canvas_exports(pngs, out / "frames.pdf", out / "frames.gif")
    svgs = [(out / f"frame_{k:02d}.svg").read_text(encoding="utf-8") for k in range(1, len(dots) + 1)]
    return write_text(out / "index.html", page([adj for adj, _ in dots], svgs))


def _on_canvas(png):
    """The frame centred on a white 16:9 canvas, scaled down (never up) to fit."""
    from PIL import Image  # Pillow (setup.cfg); imported here so drawing alone never loads it
    with Image.open(png) as im:
        frame = im.convert("RGB")
    scale = min(1.0, CANVAS[0] / frame.width, CANVAS[1] / frame.height)
    if scale < 1.0:
        frame = frame.resize((round(frame.width * scale), round(frame.height * scale)), Image.LANCZOS)
    canvas = Image.new("RGB", CANVAS, "white")
    canvas.paste(frame, ((CANVAS[0] - frame.width) // 2, (CANVAS[1] - frame.height) // 2))
    return canvas


def _canvas_exports(pngs, pdf, gif):
    """Every PNG put on the canvas (rewritten in place), then one PDF page and one GIF frame each."""
    frames = [_on_canvas(p) for p in pngs]
    for image, path in zip(frames, pngs):
        with atomic_path(path) as tmp:
            image.save(tmp, format="PNG")
    with atomic_path(pdf) as tmp:
        frames[0].save(tmp, format="PDF", save_all=True, append_images=frames[1:], resolution=96.0)
    with atomic_path(gif) as tmp:
        frames[0].save(tmp, format="GIF", save_all=True, append_images=frames[1:], duration=1500, loop=0)


_STYLE = """
body { margin: 0; background: #fff; font-family: 'Latin Modern Roman', serif; }
#stage { width: 100vw; height: 56.25vw; max-height: 100vh; max-width: 177.78vh; margin: 0 auto;
         display: flex; flex-direction: column; }
.frame { display: none; flex: 1; min-height: 0; }
.frame.current { display: flex; flex-direction: column; }
.frame .graph { flex: 1; min-height: 0; display: flex; align-items: center; justify-content: center; }
.frame .graph svg { width: 100%; height: 100%; }
.frame p.caption { margin: 0.3em 1em; font-size: 1.4em; }
nav { text-align: center; padding: 0.3em; }
"""

_SCRIPT = """
var frames = document.querySelectorAll('.frame'); var k = 0;
function show(i) { k = Math.max(0, Math.min(frames.length - 1, i));
  frames.forEach(function (f, j) { f.classList.toggle('current', j === k); });
  document.getElementById('count').textContent = (k + 1) + ' / ' + frames.length;
  // where the caption and buttons end up, for a headless browser to check they are on screen
  var nav = document.querySelector('nav').getBoundingClientRect();
  document.body.setAttribute('data-frame', k + 1);
  document.body.setAttribute('data-caption-bottom',
    Math.round(frames[k].querySelector('.caption').getBoundingClientRect().bottom));
  document.body.setAttribute('data-nav-bottom', Math.round(nav.bottom)); }
document.getElementById('prev').onclick = function () { show(k - 1); };
document.getElementById('next').onclick = function () { show(k + 1); };
document.addEventListener('keydown', function (e) {
  if (e.key === 'ArrowRight' || e.key === ' ') show(k + 1); if (e.key === 'ArrowLeft') show(k - 1); });
var q = /[?&]frame=(\\d+)/.exec(location.search); show(q ? parseInt(q[1], 10) - 1 : 0);
"""


def page(steps, svgs, title="BPTT step by step (Fig. 10.3, eqs 10.18-10.28)"):
    """The offline page: one 16:9 stage, one frame shown at a time (arrow keys, buttons, ?frame=N)."""
    from autodiff.stepthrough import _inline_svg
    parts = []
    for k, (adj, svg) in enumerate(zip(steps, svgs), start=1):
        caption = f"Step {k} of {len(steps)}: eq. {adj.equation}"
        parts.append(f'<section class="frame" id="frame-{k}"><div class="graph">{_inline_svg(svg, f"f{k}-")}</div>'
                     f'<p class="caption">{html.escape(caption)}</p></section>')
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
            f"<div id='stage'>{''.join(parts)}<nav><button id='prev'>previous</button> <span id='count'></span> "
            f"<button id='next'>next</button></nav></div><script>{_SCRIPT}</script></body></html>\n")

