"""Gradient heat on the unrolled graph: every node coloured by log10 ||grad|| (book 10.7).

A figure for the lecture gallery: with a loss at the last step, the nodes of late steps
glow and the early ones fade (vanishing) or burn (exploding). Two drawings:

* :func:`heat_dot_full`: the engine's own drawing, `autodiff.render.to_dot`, every op node,
  coloured through its ``node_attrs`` hook;
* :func:`heat_dot`: only the named nodes (x^(t), h^(t), o^(t), L, the parameters), with an
  edge wherever one reaches another through unnamed ops, written by the small DOT writer
  below (labels from `autodiff.render.html_label`), one row per time step.

Gradients are read with `autodiff.backprop`, so no ``.grad`` is touched.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_hex

import autodiff
from autodiff.errors import GradbookError
from autodiff.render import dot_escape, html_label, render_source, to_dot

CMAP = "YlOrRd"


class HeatError(GradbookError):
    """A loss that cannot be drawn as a gradient heat map."""


def gradient_norms(loss) -> dict:
    """{node: ||grad_node L||} for every node the loss depends on through a trainable tensor."""
    if loss.size != 1:
        raise HeatError(f"the loss {loss.display_name} has shape {loss.shape}; reduce it to a scalar")
    return {node: float(np.linalg.norm(np.asarray(g))) for node, g in autodiff.backprop(loss).items()}


class HeatScale:
    """Maps a gradient norm to a colour on a log10 scale spanning the norms of the figure."""

    def __init__(self, norms, cmap: str = CMAP):
        logs = [np.log10(v) for v in norms if v > 0 and np.isfinite(v)]
        self.low, self.high = (min(logs), max(logs)) if logs else (0.0, 1.0)
        if self.high - self.low < 1e-12:
            self.low -= 1.0
        self.cmap = colormaps[cmap]

    def fraction(self, norm: float) -> float:
        if not norm > 0:
            return 0.0
        return float(np.clip((np.log10(norm) - self.low) / (self.high - self.low), 0.0, 1.0))

    def colour(self, norm: float) -> str:
        return to_hex(self.cmap(0.08 + 0.92 * self.fraction(norm)))

    def text_colour(self, norm: float) -> str:
        return "white" if self.fraction(norm) > 0.6 else "black"

    def ticks(self, n: int = 5) -> list[tuple[float, str]]:
        """(norm, colour) for `n` evenly spaced powers of ten across the scale."""
        return [(10.0 ** v, self.colour(10.0 ** v)) for v in np.linspace(self.low, self.high, n)]


def _node_heat(norm, scale):
    return {"style": "filled", "fillcolor": scale.colour(norm), "fontcolor": scale.text_colour(norm)}


def heat_dot_full(loss, title: str | None = None, **options) -> str:
    """The engine's drawing of the whole graph of `loss`, nodes filled by ||grad||.

    Uses the ``node_attrs`` hook of `autodiff.render.to_dot`; nodes without a gradient
    (inputs, constants) keep their role's look. `options` go to `to_dot`.
    """
    norms = gradient_norms(loss)
    scale = HeatScale(norms.values())

    def attrs(node):
        return _node_heat(norms[node], scale) if node in norms else {}
    return to_dot(autodiff.trace(loss), node_attrs=attrs, title=title, **options)


def _named_edges(graph, keep):
    """(source, target) for kept nodes where target reaches source through unkept nodes only."""
    edges = []
    for node in graph.nodes:
        if node not in keep:
            continue
        seen, stack = set(), list(node.inputs)
        while stack:
            inp = stack.pop()
            if inp in seen:
                continue
            seen.add(inp)
            if inp in keep:
                edges.append((inp, node))
            else:
                stack.extend(inp.inputs)
    position = {node: k for k, node in enumerate(graph.nodes)}
    return sorted(set(edges), key=lambda e: (position[e[0]], position[e[1]]))


def _quote(text):
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def heat_dot(loss, title: str | None = None, kinds=("x", "h", "o", "yhat", "L")) -> str:
    """DOT for the named nodes of the graph of `loss` (those of `kinds`, the parameters and
    the loss), filled by log10 ||grad|| with a colour legend; one row per time step.

    Node labels are the book's (``h^(3)``) with the norm underneath.
    """
    graph = autodiff.trace(loss)
    norms = gradient_norms(loss)
    keep = {n for n in graph.nodes
            if n is loss or n.role == "parameter" or (n.name and n.meta.get("kind", _kind(n.name)) in kinds)}
    scale = HeatScale([norms[n] for n in keep if n in norms])
    lines = ["digraph gradient_heat {",
             '  graph [rankdir=BT, newrank=true, nodesep=0.25, ranksep=0.4, fontname="Helvetica"'
             + (f", label=<<B>{dot_escape(title)}</B>>, labelloc=t" if title else "") + "];",
             '  node [fontname="Helvetica", fontsize=11, shape=ellipse, margin="0.05,0.02"];',
             '  edge [color="#777777", arrowsize=0.6];']
    h_row = []
    for node in graph.nodes:
        if node not in keep:
            continue
        gid = graph.id_of(node)
        norm = norms.get(node)
        label = html_label(node.label)
        attrs = {"shape": "box" if node.role == "parameter" else "ellipse"}
        if norm is None:
            attrs.update({"style": "dashed", "color": "#999999"})
        else:
            label += f'<BR/><FONT POINT-SIZE="8">{norm:.1e}</FONT>'
            attrs.update(_node_heat(norm, scale))
        attr_text = ", ".join(f"{k}={_quote(v)}" for k, v in attrs.items())
        lines.append(f"  {gid} [label=<{label}>, {attr_text}, tooltip={_quote(node.name or gid)}];")
        if node.role != "parameter" and "t" in node.meta and _kind(node.name) == "h":
            h_row.append((node.meta["t"], gid))
    # the states side by side make the time axis horizontal, as in the book's unrolled figures
    if len(h_row) > 1:
        lines.append("  { rank=same; " + "; ".join(gid for _, gid in sorted(h_row)) + "; }")
    for src, dst in _named_edges(graph, keep):
        lines.append(f"  {graph.id_of(src)} -> {graph.id_of(dst)};")
    lines.extend(_legend(scale))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _kind(name):
    return name.split(".")[-1].rsplit("_", 1)[0] if name else ""


def _legend(scale):
    lines = ['  subgraph cluster_legend {',
             '    graph [label=<||&nabla; L||>, fontsize=10, style=rounded, color="#999999"];']
    ticks = scale.ticks()
    for k, (norm, colour) in enumerate(ticks):
        lines.append(f'    legend{k} [shape=box, style=filled, fillcolor="{colour}", '
                     f'fontcolor="{scale.text_colour(norm)}", fontsize=9, label="{norm:.0e}"];')
    lines.append("    { rank=same; " + "; ".join(f"legend{k}" for k in range(len(ticks))) + "; }")
    lines.append("  }")
    return lines


def render_heat(loss, path, title: str | None = None, full: bool = False) -> Path:
    """Write the heat figure to `path` (.svg, .png, .pdf or .dot) through `autodiff.render`."""
    source = heat_dot_full(loss, title=title) if full else heat_dot(loss, title=title)
    return render_source(source, path)
