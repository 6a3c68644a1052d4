"""DOT text for a `Graph`: the variable-centred view (the book's) and the op-node view (micrograd's).

The DOT source is the product: it is deterministic (ids from `Graph.id_of`, nodes in the
graph's topological order, numbers printed to four significant digits, no ``id()``, no
dates), so tests compare it as text and a figure changes only when the graph does.

Roles are told apart twice, by colour and by shape or line style, so the print style (greys
only) reads the same as the screen style: parameters are boxes with a heavy outline, inputs
light grey ellipses, constants dotted, losses double-outlined, gradients dashed.

Every style sets its text in Latin Modern, the LaTeX font (`autodiff.fonts`); the page is
the drawing (``margin=0``, a small ``pad`` in the background colour), so PDFs need no
cropping and the dark style is dark to the page's edges.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import StyleError
from .fonts import SERIF, dot_fontname
from .labels import dot_escape, dot_quote, format_array, format_shape, html_label, script_size

ROLE_ORDER = ("parameter", "input", "constant", "intermediate", "loss", "gradient")
VIEWS = ("variable", "op")
RANKDIRS = ("BT", "TB", "LR", "RL")


class HTML(str):
    """An attribute value written as a Graphviz HTML-like label ``<...>``, not quoted."""


@dataclass(frozen=True)
class RoleLook:
    """How one role is drawn: shape, fill, outline colour, line style, number of outlines."""
    shape: str
    fill: str
    color: str
    line: str = "solid"
    peripheries: int = 1
    penwidth: float = 1.0


@dataclass(frozen=True)
class Style:
    """A look for whole figures: one `RoleLook` per role plus the page, edge and highlight colours."""
    name: str
    roles: dict = field(hash=False)
    background: str = "white"
    text: str = "black"
    edge: str = "#333333"
    op_fill: str = "white"
    cluster: str = "#999999"
    highlight: str = "#d62728"
    secondary: str = "#1f77b4"
    fontname: str = SERIF

    @classmethod
    def get(cls, style):
        """The `Style` called `style` (``'screen'``, ``'print'``, ``'dark'``), or `style` itself."""
        if isinstance(style, Style):
            return style
        try:
            return STYLES[style]
        except KeyError:
            raise StyleError(f"unknown style {style!r}; use one of {', '.join(STYLES)}") from None


STYLES = {
    "screen": Style("screen", {
        "parameter": RoleLook("box", "#fdd9a0", "#b86e00", "bold", penwidth=1.6),
        "input": RoleLook("ellipse", "#cfe2ff", "#1f5fbf"),
        "constant": RoleLook("ellipse", "#eeeeee", "#777777", "dotted"),
        "intermediate": RoleLook("ellipse", "white", "#444444"),
        "loss": RoleLook("ellipse", "#f6c1c1", "#b22222", peripheries=2),
        "gradient": RoleLook("ellipse", "#d4efd0", "#2e7d32", "dashed"),
    }, op_fill="#f4f4f4"),
    "print": Style("print", {
        "parameter": RoleLook("box", "#d9d9d9", "black", "bold", penwidth=1.6),
        "input": RoleLook("ellipse", "#e8e8e8", "black"),
        "constant": RoleLook("ellipse", "white", "black", "dotted"),
        "intermediate": RoleLook("ellipse", "white", "black"),
        "loss": RoleLook("ellipse", "#f0f0f0", "black", peripheries=2),
        "gradient": RoleLook("ellipse", "white", "black", "dashed"),
    }, edge="black", cluster="#808080", highlight="black", secondary="#606060"),
    "dark": Style("dark", {
        "parameter": RoleLook("box", "#6b4a12", "#f0b450", "bold", penwidth=1.6),
        "input": RoleLook("ellipse", "#1d3d6b", "#7fb0ff"),
        "constant": RoleLook("ellipse", "#3a3a3a", "#aaaaaa", "dotted"),
        "intermediate": RoleLook("ellipse", "#2b2b2b", "#cccccc"),
        "loss": RoleLook("ellipse", "#6b1f1f", "#ff8a80", peripheries=2),
        "gradient": RoleLook("ellipse", "#1f4d27", "#81c784", "dashed"),
    }, background="#1e1e1e", text="#e6e6e6", edge="#bbbbbb", op_fill="#333333", cluster="#777777",
        highlight="#ffb000", secondary="#4fc3f7"),
}


#: Point sizes: node names, the small lines under them (shape, value, gradient), op nodes.
NODE_SIZE, SMALL_SIZE, OP_SIZE = 12, 9, 10
#: Space around the drawing, in inches (Graphviz's ``pad``), filled with the background.
PAD = 0.08


def op_html(node, size=None):
    """What the op of `node` is called on a figure: its symbol, with an exponent or axis.

    `size` is the label's point size: the exponent is then set script-sized.
    """
    prim = node.prim
    if prim is None:
        return ""
    if prim.name == "pow":
        exponent = f"<SUP>{dot_escape(_param(node.params.get('exponent')))}</SUP>"
        if size is not None:
            exponent = f'<FONT POINT-SIZE="{script_size(size)}">{exponent}</FONT>'
        return f"(\u00b7){exponent}"
    text = "matmul" if prim.symbol == "@" else prim.symbol
    axis = node.params.get("axis")
    if axis is not None and prim.name not in ("softmax", "log_softmax", "nll"):
        text += f" (axis {_param(axis)})"
    if prim.name == "getitem" and isinstance(node.params.get("index"), (int, np.integer)):
        text = f"[{int(node.params['index'])}]"
    return dot_escape(text)


def _param(value):
    if isinstance(value, (tuple, list)):
        return ",".join(_param(v) for v in value)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def has_own_label(node):
    """Whether `node` was named or labelled (else its label is just its op symbol or 'const')."""
    default = node.prim.symbol if node.prim is not None else "const"
    return node.name is not None or node.label != default


class _Options:
    """The resolved drawing options shared by the node and edge writers."""

    def __init__(self, graph, view, values, grads, style, highlight, node_attrs, edge_attrs, font=None,
                 boxes=False):
        if view not in VIEWS:
            raise StyleError(f"unknown view {view!r}; use 'variable' (the book's) or 'op' (micrograd's)")
        self.graph = graph
        self.view = view
        #: the op view's shapes (boxes, rounded where the role is not a box) in either view
        self.shapes = "op" if boxes else view
        self.values = values
        self.grads = grads
        self.style = Style.get(style)
        self.node_level, self.edge_level = _highlight_levels(highlight)
        self.node_attrs = node_attrs
        self.edge_attrs = edge_attrs
        self.fontname = dot_fontname(font or self.style.fontname)

    def shows_grad(self, node):
        if self.grads is True:
            return node.grad is not None
        if not self.grads:
            return False
        return node in self.grads and node.grad is not None


def _highlight_levels(highlight):
    """Split `highlight` (nodes and edges, or a mapping to 'primary'/'secondary') by kind."""
    nodes, edges = {}, {}
    if not highlight:
        return nodes, edges
    items = highlight.items() if isinstance(highlight, dict) else ((h, "primary") for h in highlight)
    for item, level in items:
        if level not in ("primary", "secondary"):
            raise StyleError(f"highlight level {level!r} for {item!r}; use 'primary' or 'secondary'")
        (edges if isinstance(item, tuple) else nodes)[item] = level
    return nodes, edges


def _attrs(attrs):
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, HTML):
            parts.append(f"{key}=<{value}>")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            parts.append(f"{key}={value:g}")
        else:
            parts.append(f"{key}={dot_quote(value)}")
    return "[" + ", ".join(parts) + "]" if parts else ""


def _small(text):
    return f'<FONT POINT-SIZE="{SMALL_SIZE}">{text}</FONT>'


def _look_attrs(look, style, view):
    styles = [look.line] if look.line != "solid" else []
    shape = look.shape
    if view == "op":
        shape = "box"
        if look.shape != "box":
            styles.append("rounded")
    styles.append("filled")
    return {"shape": shape, "style": ",".join(styles), "fillcolor": look.fill, "color": look.color,
            "fontcolor": style.text, "peripheries": look.peripheries if look.peripheries > 1 else None,
            "penwidth": look.penwidth if look.penwidth != 1.0 else None}


def _name_html(node):
    return html_label(node.label, NODE_SIZE) if has_own_label(node) else ""


def _variable_label(node, opts):
    """Book style: ``h⁽³⁾ = tanh`` on the first line, then shape, value and gradient."""
    name, op = _name_html(node), op_html(node, NODE_SIZE)
    head = f"{name} = {op}" if name and op else (name or op)
    lines = [head, _small(format_shape(node.shape))]
    if opts.values:
        lines.append(_small(dot_escape(format_array(node.value))))
    if opts.shows_grad(node):
        lines.append(_small("\u2207 " + dot_escape(format_array(node.grad))))
    return HTML("<BR/>".join(lines))


def _record_label(node, opts):
    """Micrograd style: one row of cells, name | shape | data | grad."""
    cells = []
    name = _name_html(node)
    if name:
        cells.append(name)
    cells.append(_small(format_shape(node.shape)))
    if opts.values:
        cells.append("data " + dot_escape(format_array(node.value)))
    if opts.shows_grad(node):
        cells.append("grad " + dot_escape(format_array(node.grad)))
    row = "<VR/>".join(f"<TD>{c}</TD>" for c in cells)
    return HTML(f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3"><TR>{row}</TR></TABLE>')


def _node_lines(node, opts):
    """DOT statements for one tensor: its node, and in the op view its op node."""
    gid = opts.graph.id_of(node)
    look = opts.style.roles.get(node.role, opts.style.roles["intermediate"])
    attrs = {"label": _variable_label(node, opts) if opts.view == "variable" else _record_label(node, opts)}
    attrs.update(_look_attrs(look, opts.style, opts.shapes))
    # display_name would carry the process-wide sequence number, which is not stable
    attrs["tooltip"] = f"{gid} {node.name or node.op or 'const'} ({node.role})"
    level = opts.node_level.get(node)
    if level:
        attrs["color"] = opts.style.highlight if level == "primary" else opts.style.secondary
        attrs["penwidth"] = 3.0 if level == "primary" else 2.2
    if opts.node_attrs:
        attrs.update(_extra(opts.node_attrs(node), NODE_SIZE))
    lines = [f"{gid} {_attrs(attrs)};"]
    if opts.view == "op" and node.prim is not None:
        lines.append(f"{gid}_op {_attrs(_op_node_attrs(node, opts))};")
    return lines


def _op_node_attrs(node, opts):
    return {"label": HTML(op_html(node, OP_SIZE)), "shape": "circle", "width": 0.3, "margin": 0.02,
            "fontsize": OP_SIZE, "style": "filled", "fillcolor": opts.style.op_fill,
            "color": opts.style.edge, "fontcolor": opts.style.text}


def _extra(attrs, size):
    """Extra attributes from a hook; a ``label`` is LaTeX-ish and becomes an HTML label."""
    attrs = dict(attrs or {})
    if "label" in attrs and not isinstance(attrs["label"], HTML):
        attrs["label"] = HTML(html_label(attrs["label"], attrs.get("fontsize", size)))
    return attrs


def _edge_lines(opts):
    graph, lines = opts.graph, []
    for inp, out, k in graph.edges():
        head = graph.id_of(out) + ("_op" if opts.view == "op" else "")
        attrs = {}
        if len(out.inputs) > 1:
            # The argument position as an xlabel, placed after the layout: a `label` would turn
            # the edge into a chain through a virtual node, doubling the ranks each long edge
            # from a shared parameter crosses (tau = 20 op-level graph: 10-70 s, now 1.5 s).
            attrs["xlabel"] = str(k)
        level = opts.edge_level.get((inp, out, k)) or opts.edge_level.get((inp, out))
        if level:
            attrs["color"] = opts.style.highlight if level == "primary" else opts.style.secondary
            attrs["penwidth"] = 2.5 if level == "primary" else 1.8
        if opts.edge_attrs:
            attrs.update(_extra(opts.edge_attrs(inp, out, k), SMALL_SIZE))
        lines.append(f"{graph.id_of(inp)} -> {head} {_attrs(attrs)};".replace(" ;", ";"))
    if opts.view == "op":
        for node in graph.nodes:
            if node.prim is not None:
                gid = graph.id_of(node)
                level = opts.node_level.get(node)
                attrs = {"color": opts.style.highlight, "penwidth": 2.5} if level == "primary" else {}
                lines.append(f"{gid}_op -> {gid} {_attrs(attrs)};".replace(" ;", ";"))
    return lines


def _sort_key(value):
    return (type(value).__name__, value) if isinstance(value, (int, float, str)) else ("~", str(value))


def _slug(value):
    return "".join(ch if ch.isalnum() else "_" for ch in str(value))


def _legend_lines(graph, opts):
    roles = [r for r in ROLE_ORDER if any(n.role == r for n in graph.nodes)]
    lines = ["subgraph cluster_legend {",
             f"  graph {_attrs({'label': 'roles', 'fontsize': 10, 'style': 'rounded', 'color': opts.style.cluster})};"]
    for role in roles:
        attrs = {"label": role, "fontsize": 9}
        attrs.update(_look_attrs(opts.style.roles[role], opts.style, opts.shapes))
        lines.append(f"  legend_{role} {_attrs(attrs)};")
    if opts.view == "op":
        attrs = {"label": "op", "shape": "circle", "width": 0.3, "fontsize": 9, "style": "filled",
                 "fillcolor": opts.style.op_fill, "color": opts.style.edge, "fontcolor": opts.style.text}
        lines.append(f"  legend_op {_attrs(attrs)};")
    # No edges and no rank=same: unconnected nodes all take the first rank, i.e. one row,
    # and the legend does not force the (slower) newrank layout on the whole figure.
    lines.append("}")
    return lines


def to_dot(graph, view="variable", values=False, grads=False, style="screen", rankdir="BT",
           legend=True, highlight=None, cluster_by=None, title=None, same_rank=None,
           node_attrs=None, edge_attrs=None, font=None, boxes=False):
    """Deterministic DOT text for `graph` (a `Graph`, or a Tensor whose graph is traced).

    view: ``'variable'`` (one node per tensor, the op written on it, ``h⁽³⁾ = tanh``; the
    book's computational graphs, Fig. 6.8) or ``'op'`` (a small op node between value records).
    values / grads: print each node's value / gradient (``grads`` may be a set of nodes: only
    those show theirs). style: ``'screen'``, ``'print'`` (greys only) or ``'dark'``, or a `Style`.
    highlight: nodes and edges (``(input, output)`` or ``(input, output, position)``) to
    emphasise, or a mapping of them to ``'primary'``/``'secondary'``. cluster_by: a meta key
    (e.g. ``'t'``): nodes sharing its value are boxed together. same_rank: groups of nodes
    drawn on one row, left to right in the order given. node_attrs(node) / edge_attrs(input,
    output, position): extra DOT attributes; a ``label`` there is LaTeX-ish (an edge labelled
    ``\\mathbf{W}``). font: a font family instead of the style's (Latin Modern Roman; see
    `autodiff.fonts`). boxes: draw every value as the op view does, a box (rounded unless its
    role is drawn as a box), in the variable view too: no ellipse, which TikZ draws only with
    its ``shapes.geometric`` library.
    """
    from .graph import Graph
    if not isinstance(graph, Graph):
        graph = Graph(graph)
    if rankdir not in RANKDIRS:
        raise StyleError(f"unknown rankdir {rankdir!r}; use one of {', '.join(RANKDIRS)}")
    opts = _Options(graph, view, values, grads, style, highlight, node_attrs, edge_attrs, font, boxes)
    st = opts.style
    # newrank=true lets rank=same work across clusters; it costs a global ranking pass
    # (about 4x slower on a 60-node graph), so it is set only when both are present.
    needs_newrank = bool(same_rank) and (cluster_by is not None or legend)
    graph_attrs = {"rankdir": rankdir, "newrank": "true" if needs_newrank else None, "bgcolor": st.background,
                   "pad": PAD, "margin": 0, "fontname": opts.fontname, "fontcolor": st.text, "nodesep": 0.3, "ranksep": 0.35}
    if title:
        graph_attrs.update({"label": HTML(f"<B>{dot_escape(title)}</B>"), "labelloc": "t"})
    lines = ["digraph gradbook {",
             f"  graph {_attrs(graph_attrs)};",
             f"  node {_attrs({'fontname': opts.fontname, 'fontsize': NODE_SIZE, 'margin': '0.06,0.03'})};",
             f"  edge {_attrs({'color': st.edge, 'fontcolor': st.text, 'fontname': opts.fontname, 'fontsize': SMALL_SIZE, 'arrowsize': 0.7})};"]
    clusters = {}
    for node in graph.nodes:
        if cluster_by is not None and cluster_by in node.meta:
            clusters.setdefault(node.meta[cluster_by], []).append(node)
        else:
            lines.extend("  " + s for s in _node_lines(node, opts))
    for value in sorted(clusters, key=_sort_key):
        lines.append(f"  subgraph cluster_{_slug(cluster_by)}_{_slug(value)} {{")
        cluster_attrs = {"label": f"{cluster_by} = {value}", "style": "rounded,dashed",
                         "color": st.cluster, "fontsize": 10}
        lines.append(f"    graph {_attrs(cluster_attrs)};")
        for node in clusters[value]:
            lines.extend("    " + s for s in _node_lines(node, opts))
        lines.append("  }")
    for group in same_rank or ():
        ids = [graph.id_of(n) for n in group]
        lines.append(f"  {{ rank=same; {'; '.join(ids)}; }}")
        # a flat edge puts its tail left of its head: the row keeps the order given
        lines.extend(f"  {a} -> {b} [style=\"invis\"];" for a, b in zip(ids, ids[1:]))
    lines.extend("  " + s for s in _edge_lines(opts))
    if legend:
        lines.extend("  " + s for s in _legend_lines(graph, opts))
    lines.append("}")
    return "\n".join(lines) + "\n"
