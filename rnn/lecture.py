"""``gradbook lecture -o DIR``: every figure and derivation of the RNN lecture, in one folder.

The folder holds each figure as SVG, PDF and DOT (PNG with ``--png``), rendered in one
batch; the BPTT formulas derived by `rnn.derive` as LaTeX and MathML; a worked tau = 3
example with the engine's numbers; and ``index.html``, which follows the lecture's sections
and works offline (figures inlined, LaTeX shown as source, MathML rendered by the browser).
"""
from __future__ import annotations

import html
import importlib
import os
import sys
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

import rnn
from autodiff.files import write_text
from autodiff.labels import format_number
from autodiff.outputs import output_folder, replacing_note
from autodiff.render import add_export_arguments, announce_font, render_many
from autodiff.stepthrough import write_stepthrough
from autodiff.workers import worker_pool

from .figures.catalog import KINDS, figure_dot, inputs, targets
from .figures.steps import write_book_stepthrough
from .figures.themes import STYLES, THEMES

#: The lecture's sections, in its order: (anchor, heading, figure kinds, derivations).
SECTIONS = (
    ("sequences", "Sequences and dynamical systems", ("dynamical-system",), ()),
    ("architecture", "The RNN architecture", ("sliding-window", "hidden-state-types", "example-sentence"), ()),
    ("simple-rnn", "The simple RNN and BPTT",
     ("rnn", "output-recurrence", "r-connection", "teacher-forcing", "seq-to-one", "bptt", "truncated-bptt",
      "op-graph"), ("rnn",)),
    ("vanishing", "Vanishing gradients", (), ()),
    ("lstm", "LSTM", ("lstm-cell",), ("lstm", "lstm-tanh")),
    ("gru", "GRU", ("gru-cell",), ("gru",)),
)


def add_arguments(parser):
    parser.add_argument("-o", "--output", default="lecture", help="output folder (default: lecture)")
    parser.add_argument("--style", choices=sorted(STYLES), default="book", help="book (default) or d2l")
    parser.add_argument("--theme", choices=sorted(THEMES), default="print", help="print (default), screen or dark")
    parser.add_argument("--png", action="store_true", help="also write PNG files (at --dpi, default 72)")
    parser.add_argument("--force", action="store_true", help="replace the files of an earlier lecture in the folder")
    add_export_arguments(parser)


#: What `run` writes, relative to the folder: the subfolders are the lecture's own.
PRODUCES = ("index.html", "worked_example.html", "figures/*", "derivations/*", "stepthrough/*", "stepthrough-book/*",
            "vanishing/*")


def run(args):
    started = time.perf_counter()
    out = Path(args.output)
    replaced = output_folder(out, PRODUCES, force=args.force)
    if replaced:
        print(replacing_note("lecture", replaced, out), file=sys.stderr)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    kinds = [k for _, _, figs, _ in SECTIONS for k in figs]
    formats = ("svg", "pdf") + (("png",) if args.png else ())
    # The vanishing lab (training and matplotlib) runs in a child process while this one
    # writes and renders the graph figures: on two cores the lab's time hides the rest.
    pool = worker_pool()
    vanishing = pool.submit(vanishing_figures, out / "vanishing")
    pool.shutdown(wait=False)
    bar = tqdm(total=len(kinds) + 5, desc="lecture", unit="step", file=sys.stderr,
               disable=not sys.stderr.isatty())
    jobs, missing = [], {}
    for name in kinds:
        bar.set_postfix_str(name)
        try:
            source = figure_dot(name, style=args.style, theme=args.theme, font=args.font)
        except (ImportError, AttributeError) as exc:
            # a model of the rnn package that this installation does not have yet
            missing[name] = str(exc)
            bar.update()
            continue
        jobs += [(source, out / "figures" / f"{KINDS[name].stem}.{fmt}") for fmt in formats]
        bar.update()
    bar.set_postfix_str("rendering")
    announce_font(args.font or STYLES[args.style].fontname)
    render_many(jobs, dpi=args.dpi)
    bar.update()
    bar.set_postfix_str("derivations")
    derivations = derive_all([d for _, _, _, ds in SECTIONS for d in ds], out / "derivations")
    bar.update()
    bar.set_postfix_str("step-through")
    write_stepthrough(stepthrough_graph(), out / "stepthrough", title=STEPTHROUGH_TITLE, font=args.font,
                      style="dark" if args.theme == "dark" else "screen")
    write_book_stepthrough(out / "stepthrough-book", tau=3, style=args.style, theme=args.theme,
                           font=args.font)
    bar.update()
    bar.set_postfix_str("vanishing")
    vanishing = vanishing.result()
    bar.update()
    example = worked_example()
    write_text(out / "worked_example.html", example)
    index = write_text(out / "index.html", page(out, derivations, vanishing, example, missing, theme=args.theme))
    bar.update()
    bar.close()
    elapsed = time.perf_counter() - started
    if missing:
        print(f"gradbook lecture: skipped {', '.join(missing)} (model not available)", file=sys.stderr)
    print(f"gradbook lecture: {len(kinds) - len(missing)} figures ({', '.join(formats)}) and "
          f"{sum(1 for d in derivations.values() if d)} derivations in {index.resolve()} ({elapsed:.1f} s)")
    return 0


# ----- derivations -----------------------------------------------------------------------------

def _derive_function():
    """`rnn.derive`'s matrix-form derivation, or None when that module is not installed."""
    for module, name in (("rnn.derive", "derive_matrix"), ("rnn.derive.matrix", "derive_matrix")):
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
    return None


def derive_all(cells, folder):
    """{cell: (title, latex, mathml)} for each cell, written as .tex and .mathml files;
    empty when `rnn.derive` is not available."""
    derive = _derive_function()
    if derive is None:
        return {}
    folder.mkdir(parents=True, exist_ok=True)
    found = {}
    for cell in cells:
        result = derive(cell)
        latex, mathml = result.latex(), result.mathml()
        write_text(folder / f"{cell}.tex", latex + "\n")
        write_text(folder / f"{cell}.mathml", mathml + "\n")
        found[cell] = (result.cell.title, latex, mathml)
    return found


# ----- vanishing gradients ------------------------------------------------------------------------

def vanishing_figures(folder):
    """[(path, caption)] from `rnn.vanishing.lecture_figures(folder)` when that module offers it.

    Its items may be ``(title, path, caption)``, ``(path, caption)``, or objects with
    ``path`` and ``caption``.
    """
    try:
        module = importlib.import_module("rnn.vanishing")
    except ImportError:
        return None
    make = getattr(module, "lecture_figures", None)
    if make is None:
        return None
    found = []
    for item in make(folder):
        if hasattr(item, "path"):
            path, caption = item.path, item.caption
        else:
            path, caption = item[-2:]
        found.append((Path(path), caption))
    return found


# ----- the step-through backward pass ------------------------------------------------------------

STEPTHROUGH_TAU = 2
STEPTHROUGH_TITLE = f"The backward pass of a \u03c4 = {STEPTHROUGH_TAU} simple RNN, one node at a time"


def stepthrough_graph(tau=STEPTHROUGH_TAU):
    """The engine's graph of a tau = 2 simple RNN (eqs 10.8-10.14) after ``backward()``:
    small enough that every frame of the step-through page reads at a glance."""
    u = rnn.unroll(rnn.SimpleRNN(2, 2, 2, seed=0), inputs(tau, n_in=2), targets(tau, n_out=2))
    u.loss.backward()
    return u.graph


# ----- the worked example -------------------------------------------------------------------------

def worked_example(tau=3):
    """An HTML table of one tau = 3 forward and backward pass, every number from the engine.

    Rows per step t: x^(t), h^(t), o^(t), yhat^(t), y^(t), L^(t) (eqs 10.8-10.14) and the
    gradients grad_o L (10.18), grad_h L (10.19-10.21) and W's contribution at step t,
    whose sum over t is grad_W L (eq. 10.26).
    """
    model = rnn.SimpleRNN(2, 2, 2, seed=0)
    u = rnn.unroll(model, inputs(tau, n_in=2), targets(tau, n_out=2))
    u.loss.backward()
    W = model.params["W"]
    uses = {use.meta.get("t"): use for use in u.graph.nodes if W in use.inputs}
    head = ["t", "x", "h", "o", "ŷ", "y", "L", "∇<sub>o</sub>L", "∇<sub>h</sub>L", "W's term"]
    rows = []
    total = np.zeros_like(W.value)
    for t in range(1, tau + 1):
        use = uses[t]
        other = use.inputs[1]
        term = use.grad @ other.value.T
        total += term
        cells = [str(t), _vec(u.x[t].value), _vec(u.h[t].value), _vec(u.o[t].value), _vec(u.yhat[t].value),
                 str(int(u.node("y", t).value.ravel()[0])), format_number(float(u.L[t].value)),
                 _vec(u.o[t].grad), _vec(u.h[t].grad), _mat(term)]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    check = np.allclose(total, W.grad)
    return ("<table class='worked'><thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>"
            f"<p>L = {format_number(float(u.loss.value))}; ∇<sub>W</sub>L = {_mat(W.grad)} "
            f"({'equals' if check else 'differs from'} the sum of the three terms, eq. 10.26).</p>")


def _vec(value):
    return "[" + " ".join(format_number(float(v)) for v in np.ravel(value)) + "]"


def _mat(value):
    return "[" + "; ".join(" ".join(format_number(float(v)) for v in row) for row in np.atleast_2d(value)) + "]"


# ----- the page -------------------------------------------------------------------------------------

CSS = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #1a1a1a; background: #fff; line-height: 1.45; }
nav a { margin-right: 1em; }
figure { margin: 1.5em 0; border-top: 1px solid #ddd; padding-top: 1em; }
figure svg, figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.95em; color: #333; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
.derivation { overflow-x: auto; padding: 0.3em 0; display: flex; flex-direction: column; align-items: flex-start; }
.derivation math { margin: 0.45em 0 0.45em 1em; }
table.worked { border-collapse: collapse; font-size: 0.85em; }
table.worked td, table.worked th { border: 1px solid #ccc; padding: 0.2em 0.5em; font-family: monospace; }
.missing { color: #8a1c1c; }
"""


def theme_css(theme):
    """The page's colours for a figure theme: a dark theme gets a dark page, and every figure
    sits on its own background colour (also where the SVG is shrunk or letterboxed)."""
    th = THEMES[theme]
    figure = f"figure svg, figure img {{ background: {th.background}; }}\n"
    if theme != "dark":
        return figure
    return figure + (f"body {{ color: {th.ink}; background: {th.panel}; }}\n"
                     f"a {{ color: #8ab4f8; }} figcaption {{ color: {th.ink}; }}\n"
                     f"figure {{ border-top-color: {th.muted}; }}\n"
                     f"pre {{ background: {th.background}; }}\n"
                     f"table.worked td, table.worked th {{ border-color: {th.muted}; }}\n")


STEPTHROUGH_LINK = (
    "<h3>Step through the backward pass</h3><p><a href='stepthrough-book/index.html'>BPTT step by step on "
    "Fig. 10.3</a>: the book's unrolled graph, one frame per adjoint in the order of eqs 10.18-10.28, the "
    "frame's equation beside it; also as <a href='stepthrough-book/frames.pdf'>a PDF, one page per frame</a> "
    "(for Beamer: <code>\\includegraphics[page=k]</code>) and <a href='stepthrough-book/frames.gif'>an "
    "animated GIF</a>.</p><p>The second view, <a href='stepthrough/index.html'>"
    f"{html.escape(STEPTHROUGH_TITLE)}</a>: the engine's own graph (eqs 10.8-10.14), one frame per node in "
    "reverse topological order, each showing which gradient was just computed and from which edges "
    "(eqs 10.18-10.21). Previous/next buttons or the arrow keys; works offline.</p>")


LARGE = ("op-graph",)
"""Figures whose labels are too small to read at page width: the caption says where to zoom."""


def _svg_inline(path):
    text = path.read_text(encoding="utf-8")
    start = text.find("<svg")
    return text[start:] if start >= 0 else text


def _figure(name, root):
    """A figure with its SVG inlined (so the page is one file) and links to every format."""
    k = KINDS[name]
    links = " · ".join(f"<a href='figures/{k.stem}.{fmt}'>{fmt.upper()}</a>" for fmt in ("svg", "pdf", "dot"))
    if name in LARGE:
        links += f" (shrunk to the page: <a href='figures/{k.stem}.svg'>open the SVG</a> to read every value)"
    return (f"<figure id='{name}'>{_svg_inline(root / 'figures' / f'{k.stem}.svg')}<figcaption>"
            f"<b>{html.escape(k.description)}</b> (<code>gradbook draw {name}</code>) {links}</figcaption></figure>")


def _derivation(cell, found):
    title, latex, mathml = found[cell]
    return (f"<h3>Derived: {html.escape(title)}</h3><div class='derivation'>{mathml}</div>"
            f"<details><summary>LaTeX source</summary><pre>{html.escape(latex)}</pre></details>")


def page(root, derivations, vanishing, example, missing=None, theme="print"):
    """The HTML of index.html for the lecture folder `root` (its figures already rendered in `theme`)."""
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
             "<title>Lecture 4b: Recurrent neural networks, figures and derivations</title>",
             f"<style>{CSS}{theme_css(theme)}</style></head><body>",
             "<h1>Sequences and Recurrent Neural Networks: figures and derivations</h1>",
             "<p>Every figure below was drawn from the graph the engine built; every formula was derived "
             "from that graph by <code>rnn.derive</code>. Rerun with <code>gradbook lecture -o DIR</code>.</p>",
             "<nav>" + "".join(f"<a href='#{a}'>{html.escape(h)}</a>" for a, h, _, _ in SECTIONS) + "</nav>"]
    for anchor, heading, figures, cells in SECTIONS:
        parts.append(f"<section id='{anchor}'><h2>{html.escape(heading)}</h2>")
        for name in figures:
            if missing and name in missing:
                parts.append(f"<p class='missing'>Figure <code>{name}</code> is not available: "
                             f"{html.escape(missing[name])}.</p>")
            else:
                parts.append(_figure(name, root))
        if anchor == "simple-rnn":
            parts.append("<h3>Worked example: tau = 3, one forward and backward pass</h3>" + example)
            parts.append(STEPTHROUGH_LINK)
        if anchor == "vanishing":
            parts.append(_vanishing_html(root, vanishing))
        for cell in cells:
            if cell in derivations:
                parts.append(_derivation(cell, derivations))
        if cells and not derivations:
            parts.append("<p class='missing'>The derivation module <code>rnn.derive</code> is not available "
                         "in this installation, so no derived formulas are shown here.</p>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _vanishing_html(root, vanishing):
    if not vanishing:
        return ("<p class='missing'>The vanishing-gradients figures come from <code>rnn.vanishing</code>, "
                "which offers no <code>lecture_figures</code> in this installation.</p>")
    out = []
    for path, caption in vanishing:
        rel = Path(os.path.relpath(path.resolve(), root.resolve()))
        out.append(f"<figure><img src='{rel.as_posix()}' alt='{html.escape(caption)}'>"
                   f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    return "\n".join(out)
