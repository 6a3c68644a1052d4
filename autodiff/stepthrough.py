"""The backward pass, one frame at a time: numbered SVGs and one offline HTML page.

Reverse mode visits the nodes in reverse topological order; when it reaches a node, every
consumer of that node already holds its gradient, and the node's gradient is the sum of one
vector-Jacobian product per out-edge (eq. 6.54 of the book, the chain rule summed over
paths; for a shared RNN weight, eqs. 10.26-10.28). Each frame shows that moment: the node
just computed (primary highlight), the consumers and out-edges it came from (secondary),
the values everywhere, and the gradients known so far.

The page works offline: SVGs are inlined, the script is inline, nothing is fetched. It
honours ``?frame=N`` (open at frame N, counted from 1) and ``#autoclick=K`` (press "next" K
times, or "previous" for negative K, through the buttons' own ``click()``), so a headless
browser can check what a reader would see.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .dot import has_own_label, to_dot
from .errors import StepThroughError
from .files import write_text
from .graph import Graph
from .labels import dot_escape, format_array, html_label, plain_text
from .renderers import render_many


@dataclass(frozen=True)
class Frame:
    """One step of the backward pass: the node whose gradient was just computed, and from what."""
    index: int
    node: object
    edges: tuple
    sources: tuple
    done: frozenset
    caption_text: str
    caption_html: str


def _name_text(graph, node):
    if has_own_label(node):
        return plain_text(node.label)
    return f"{node.op or 'const'} node {graph.id_of(node)}"


def _name_html(graph, node):
    if has_own_label(node):
        return html_label(node.label)
    return dot_escape(_name_text(graph, node))


def _captions(graph, frame_no, count, node, edges, sources):
    head = f"Step {frame_no} of {count}: "
    value = format_array(node.grad)
    if not edges:
        text = f"\u2207 of {_name_text(graph, node)} = {value}: the seed of the backward pass"
        html = f"\u2207 of {_name_html(graph, node)} = {dot_escape(value)}: the seed of the backward pass"
        return head + text, dot_escape(head) + html
    parts_text, parts_html = [], []
    for source in sources:
        positions = [k for _, out, k in edges if out is source]
        via = "argument " + " and ".join(str(k) for k in positions) if len(source.inputs) > 1 else ""
        suffix = f" (via {via})" if via else ""
        parts_text.append(f"\u2207 of {_name_text(graph, source)}{suffix}")
        parts_html.append(f"\u2207 of {_name_html(graph, source)}{dot_escape(suffix)}")
    text = f"\u2207 of {_name_text(graph, node)} = {value}, computed from " + ", ".join(parts_text)
    html = (f"\u2207 of {_name_html(graph, node)} = {dot_escape(value)}, computed from "
            + ", ".join(parts_html))
    return head + text, dot_escape(head) + html


def backward_frames(graph):
    """The frames of the backward pass of `graph` (a `Graph` or its root, after ``backward()``).

    One frame per node that has a gradient, in reverse topological order; frame k knows
    the gradients of its own node and of every node of frames before it.
    """
    graph = graph if isinstance(graph, Graph) else Graph(graph)
    if not any(root.grad is not None for root in graph.roots):
        names = ", ".join(r.name or r.op or "root" for r in graph.roots)
        raise StepThroughError(f"no gradients on {names}: call backward() on it before stepping "
                               f"through the backward pass")
    out_edges = {}
    for inp, out, k in graph.edges():
        out_edges.setdefault(inp, []).append((inp, out, k))
    order = [n for n in reversed(graph.nodes) if n.grad is not None]
    frames, done = [], set()
    for index, node in enumerate(order):
        edges = tuple(e for e in out_edges.get(node, ()) if e[1].grad is not None)
        sources = tuple(dict.fromkeys(out for _, out, _ in edges))
        done.add(node)
        text, html = _captions(graph, index + 1, len(order), node, edges, sources)
        frames.append(Frame(index, node, edges, sources, frozenset(done), text, html))
    return frames


def frame_dot(graph, frame, **options):
    """DOT for one frame: values everywhere, gradients known so far, the current step highlighted.

    `options` are those of `autodiff.render.to_dot` (view, style, rankdir...).
    """
    highlight = {frame.node: "primary"}
    highlight.update({source: "secondary" for source in frame.sources})
    highlight.update({edge: "primary" for edge in frame.edges})
    options.setdefault("values", True)
    return to_dot(graph, grads=frame.done, highlight=highlight, **options)


_XML_PROLOGUE = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", re.S)


def _inline_svg(svg, prefix):
    """An SVG ready to sit inside HTML: no XML prologue, ids made unique per frame."""
    svg = _XML_PROLOGUE.sub("", svg).strip()
    svg = re.sub(r'\bid="', f'id="{prefix}', svg)
    return re.sub(r'(xlink:href|href)="#', rf'\1="#{prefix}', svg)


def write_stepthrough(graph, out_dir, title=None, **options):
    """Write ``frame_000.svg``... and one self-contained ``index.html`` to `out_dir`; its Path.

    `graph` is a `Graph` or its root, after ``backward()``; `options` go to `to_dot`.
    """
    graph = graph if isinstance(graph, Graph) else Graph(graph)
    frames = backward_frames(graph)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = render_many([(frame_dot(graph, f, **options), out_dir / f"frame_{f.index:03d}.svg")
                         for f in frames])
    svgs = [p.read_text(encoding="utf-8") for p in paths]
    root_name = _name_text(graph, graph.roots[0])
    title = title or f"The backward pass of {root_name}, step by step"
    page = _page(title, frames, svgs)
    return write_text(out_dir / "index.html", page)


_CSS = """
body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 1.5em; color: #222; }
nav { display: flex; gap: 1em; align-items: center; margin: 0.5em 0 1em; }
button { font-size: 1em; padding: 0.3em 0.9em; }
figure { margin: 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 1.1em; margin-top: 0.6em; }
#state { display: none; }
"""

_SCRIPT = """
(function () {
  var frames = document.querySelectorAll("figure.frame");
  var prev = document.getElementById("prev"), next = document.getElementById("next");
  var counter = document.getElementById("counter"), state = document.getElementById("state");
  var current = 0;
  function show(k) {
    current = Math.max(0, Math.min(frames.length - 1, k));
    for (var i = 0; i < frames.length; i++) { frames[i].hidden = (i !== current); }
    counter.textContent = "frame " + (current + 1) + " of " + frames.length;
    document.body.setAttribute("data-frame", String(current + 1));
    state.textContent = frames[current].getAttribute("data-caption");
    prev.disabled = (current === 0);
    next.disabled = (current === frames.length - 1);
  }
  prev.addEventListener("click", function () { show(current - 1); });
  next.addEventListener("click", function () { show(current + 1); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "ArrowRight" || e.key === "PageDown") { show(current + 1); }
    else if (e.key === "ArrowLeft" || e.key === "PageUp") { show(current - 1); }
    else if (e.key === "Home") { show(0); }
    else if (e.key === "End") { show(frames.length - 1); }
  });
  var start = parseInt(new URLSearchParams(window.location.search).get("frame") || "1", 10);
  show(isNaN(start) ? 0 : start - 1);
  var clicks = /autoclick=(-?[0-9]+)/.exec(window.location.hash);
  if (clicks) {
    var n = parseInt(clicks[1], 10), button = n < 0 ? prev : next;
    for (var j = 0; j < Math.abs(n); j++) { button.click(); }
  }
})();
"""


def _page(title, frames, svgs):
    figures = []
    for frame, svg in zip(frames, svgs):
        hidden = "" if frame.index == 0 else " hidden"
        figures.append(
            f'<figure class="frame" id="frame-{frame.index + 1}" '
            f'data-caption="{dot_escape(frame.caption_text)}"{hidden}>\n'
            f"{_inline_svg(svg, f'f{frame.index}_')}\n"
            f"<figcaption>{frame.caption_html}</figcaption>\n</figure>")
    count = len(frames)
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{dot_escape(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        '<body data-frame="1">',
        f"<h1>{dot_escape(title)}</h1>",
        "<nav>",
        '<button id="prev" type="button" disabled>\u25c0 previous</button>',
        f'<span id="counter">frame 1 of {count}</span>',
        f'<button id="next" type="button"{" disabled" if count == 1 else ""}>next \u25b6</button>',
        "<small>(arrow keys work too)</small>",
        "</nav>",
        f'<output id="state">{dot_escape(frames[0].caption_text)}</output>',
        "<main>",
        *figures,
        "</main>",
        f"<script>{_SCRIPT}</script>",
        "</body>",
        "</html>",
        ""])
