"""Write a `Diagram` as DOT text, in a style and a theme (see `rnn.figures.themes`).

Output is deterministic: nodes and edges come out in the diagram's order (the engine's
topological order), attributes in a fixed order, so the same figure gives the same bytes.
"""
from __future__ import annotations

from autodiff.fonts import dot_fontname
from autodiff.labels import dot_escape, dot_quote, html_label

from .themes import fill_for, style as get_style, theme as get_theme


#: Space around the drawing, in inches (Graphviz's ``pad``), filled with the background.
PAD = "0.08"
#: Fill of an emphasised node where the theme names none: a light grey, safe in print.
EMPHASIS_FILL = "#d9d9d9"
#: The equation box of a step-through frame (rnn.figures.steps), in inches.
EQUATION_BOX = ("7.4", "0.7")
#: Graphviz's default font size, which cluster captions keep.
CAPTION_SIZE = 14
#: Space between a panel's (cluster's) box and its nodes, in points: set on every cluster,
#: which otherwise inherits the graph's ``margin=0`` and draws its nodes on its box.
CLUSTER_MARGIN = "6"
#: Half the least space between two side-by-side panels, in points: each panel sits in an
#: invisible cluster with this margin, since Graphviz lets neighbouring clusters' boxes meet.
PANEL_GAP = "5"


def _attrs(pairs):
    parts = []
    for key, value in pairs:
        if value is None:
            continue
        if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
            parts.append(f"{key}={value}")
        else:
            parts.append(f"{key}={dot_quote(value)}")
    return "[" + ", ".join(parts) + "]"


def _small(text, size):
    return f'<FONT POINT-SIZE="{size}">{text}</FONT>'


def node_label(node, st):
    """HTML-like label: the name, then the op (the numbers go beside it, `number_table`)."""
    lines = [html_label(node.label, st.label_font_size)] if node.label else []
    size = st.label_font_size - 5
    if node.op:
        lines.append(_small(html_label(node.op, size), size))
    return "<" + "<BR/>".join(lines) + ">" if lines else '""'


def number_table(node, st, th):
    """The values-and-gradients record of a ``numbers`` node: a small table, one row for the
    gradient's name (BPTT's grad_{h^(t)} L, held as the node's `op`), one for the value, one
    for the gradient."""
    # a gradient's name alone (the BPTT figure without numbers) keeps an edge label's size
    size = st.label_font_size - (4 if node.value or node.grad else 3)
    rows = []
    if node.op:
        rows.append(html_label(node.op, size))
    if node.value:
        rows.append(dot_escape(node.value))
    if node.grad:
        rows.append("\u2207 " + dot_escape(node.grad))
    cells = "".join(f'<TR><TD ALIGN="LEFT">{_small(r, size)}</TD></TR>' for r in rows)
    border = "1" if node.value or node.grad else "0"
    return (f'<<TABLE BORDER="0" CELLBORDER="{border}" CELLSPACING="0" CELLPADDING="2" COLOR="{th.muted}">'
            f"{cells}</TABLE>>")


def _node_attrs(node, st, th, timed=False):
    fill = fill_for(th, node.kind, node.shape)
    # one group per step keeps a column's vertical edges straight (Graphviz's ``group``)
    in_column = node.t is not None and node.order is None and node.shape not in ("parameter", "note")
    group = f"t{node.t}" if timed and in_column else None
    styles, extra = [], []
    if node.shape == "delay":
        return [("shape", "square"), ("style", "filled"), ("fillcolor", th.ink), ("color", th.ink),
                ("label", ""), ("width", "0.13"), ("height", "0.13"), ("fixedsize", "true")]
    if node.shape == "numbers":
        # as small as the table: a plaintext node is otherwise at least 0.75 x 0.5 in, which
        # leaves blank space beside a short gradient name at the drawing's edge
        return [("shape", "plaintext"), ("label", number_table(node, st, th)), ("fontcolor", th.ink),
                ("margin", "0"), ("width", "0"), ("height", "0")]
    if node.shape == "equation":
        # a step-through frame's equation: a box of one size in every frame, so the layout
        # (and the picture) stays put from frame to frame
        width, height = EQUATION_BOX
        return [("shape", "box"), ("style", "rounded"), ("color", th.muted), ("fontcolor", th.ink),
                ("label", node_label(node, st)), ("fixedsize", "true"), ("width", width), ("height", height)]
    if node.shape == "room":
        # empty space kept in a panel (the folded loop's, rnn.figures.folded)
        return [("shape", "plaintext"), ("label", ""), ("width", "0.2"), ("height", "0.2")]
    if node.shape == "note":
        return [("shape", "plaintext"), ("label", node_label(node, st)), ("fontcolor", th.ink)]
    if node.shape == "token":
        shape = "box"
        styles.append("rounded")
    elif node.shape == "bus":
        # the input [h^(t-1); x^(t)] of a gate-level cell (Fig. 10.16): a vector, drawn as a box
        shape = "box"
    elif node.shape == "parameter":
        shape = st.parameter_shape
    elif node.shape == "op":
        shape = "circle"
        extra = [("width", "0.3"), ("height", "0.3"), ("fontsize", str(st.label_font_size - 3))]
    else:
        shape = st.variable_shape
        if st.variable_style != "solid":
            styles.append(st.variable_style)
        if node.min_size:
            extra = [("width", node.min_size), ("height", node.min_size)]
    if node.emphasis:
        # the node a step-through frame is about: heavy outline, and a fill that photocopies
        fill = th.fills.get("emphasis", EMPHASIS_FILL)
    if fill:
        styles.append("filled")
    pen = "2.4" if node.emphasis else None
    attrs = [("shape", shape), ("label", node_label(node, st))]
    if styles:
        attrs.append(("style", ",".join(styles)))
    if fill:
        attrs.append(("fillcolor", fill))
    attrs += [("color", th.ink), ("fontcolor", th.ink), ("penwidth", pen), ("group", group)] + extra
    if node.xlabel:
        size = st.label_font_size - 3
        attrs.append(("xlabel", "<" + _small(html_label(node.xlabel, size), size) + ">"))
    return attrs


#: Edge kinds drawn against the layout's direction: the backward pass (eqs 10.18-10.28), and
#: truncated BPTT's cut, which runs from h^(t-k) down to its detached copy on the band below.
BACKWARD_KINDS = ("gradient", "contribution", "cut")


def drawn_ends(edge):
    """(tail, head) as written in DOT: a backward edge is written forward with ``dir=back``,
    so every edge between two nodes points the same way for Graphviz's ranking and ordering
    (an opposite pair forms a cycle, and a rank-climbing edge breaks a row's time order)."""
    return (edge.dst, edge.src) if edge.kind in BACKWARD_KINDS else (edge.src, edge.dst)


def _edge_attrs(edge, st, th):
    color, style, pen, head = th.ink, None, None, None
    if edge.kind == "forward-muted":
        color, style = th.muted, None
    elif edge.kind in ("gradient", "contribution"):
        color = th.gradient
    elif edge.kind == "cut":
        color, style, head = th.muted, "dashed", "tee"
    if edge.highlight:
        color, pen = th.highlight, "2.6"
    label = None
    if edge.label and st.edge_labels:
        size = st.label_font_size - 3
        label = "<" + _small(html_label(edge.label, size), size) + ">"
    backward = edge.kind in BACKWARD_KINDS
    return [("label", label), ("color", color), ("fontcolor", th.ink if edge.kind != "gradient" else color),
            ("style", style), ("penwidth", pen), ("arrowtail" if backward else "arrowhead", head),
            ("dir", "back" if backward else None),
            ("constraint", None if edge.constraint or backward else "false")]


def to_dot(diagram, style="book", theme="print", name="figure", font=None):
    """DOT source of `diagram` (see module docstring); `font` replaces the style's font family.

    The page is the drawing: ``margin=0`` drops the half-inch white border Graphviz gives
    PDF pages, and the ``pad`` around the drawing takes the theme's background, so a dark
    figure is dark to its edges in SVG, PDF and PNG.
    """
    st, th = get_style(style), get_theme(theme)
    fontname = dot_fontname(font or st.fontname)
    out = [f"digraph {dot_quote(name)} {{"]
    graph_attrs = [("rankdir", diagram.rankdir), ("bgcolor", th.background), ("pad", PAD), ("margin", "0"),
                   ("fontname", fontname), ("fontcolor", th.ink), ("nodesep", "0.35"), ("ranksep", "0.45"),
                   ("forcelabels", "true")]
    if any(node.recomputed for node in diagram.nodes.values()):
        # rank the whole graph at once, so each window of truncated BPTT (a cluster) sits on
        # the band between the inputs and the states instead of being ranked on its own
        graph_attrs.append(("newrank", "true"))
    if diagram.title:
        graph_attrs += [("label", diagram.title), ("labelloc", "t"), ("fontsize", "14")]
    out.append("  graph " + _attrs(graph_attrs) + ";")
    out.append("  node " + _attrs([("fontname", fontname), ("fontsize", str(st.label_font_size)),
                                   ("margin", st.node_margin)]) + ";")
    out.append("  edge " + _attrs([("fontname", fontname), ("arrowsize", "0.7")]) + ";")
    owner = _cluster_owner(diagram)
    _emit_block(out, diagram, None, owner, st, th, depth=1)
    for edge in diagram.edges:
        tail, head = drawn_ends(edge)
        attrs = _edge_attrs(edge, st, th) + _delay_ports(diagram, edge)
        if _on_band(diagram, edge):
            # Graphviz lifts a flat edge's label to the rank above, far from a band edge, and
            # places an edge label before the nodes' xlabels; an xlabel is placed after
            # layout with the others, beside the edge
            attrs = [("xlabel" if key == "label" else key, value) for key, value in attrs]
        out.append(f"  {dot_quote(tail)} -> {dot_quote(head)} " + _attrs(attrs) + ";")
    for a, b, weight in _layout_edges(diagram):
        out.append(f"  {dot_quote(a)} -> {dot_quote(b)} " + _attrs([("style", "invis"), ("weight", weight)]) + ";")
    out.append("}")
    return "\n".join(out) + "\n"


def _delay_ports(diagram, edge):
    """Fig. 10.2's self-loop: out of the state's top right, over into the delay square beside
    it, out of the square's bottom and back under into the state: one loop, not two arrows.
    Fig. 10.16's loop on the LSTM state (into the forget gate's product below it, not back
    into the state) takes no ports: Graphviz routes it, the square a rank above s^(t)."""
    if edge.kind == "cut":
        # truncated BPTT's cut leaves h^(t-k) from below, under the label of the main row's
        # edge to its right, and enters the window's cut leaf from its left
        # (written leaf -> h^(t-k) with dir=back, see `drawn_ends`)
        return [("tailport", "w"), ("headport", "s")]
    if edge.kind == "contribution":
        # a dummy copy W^(t) sits below and right of h^(t): its edge leaves h^(t) from the
        # lower right, under the label of the main row's edge to the right
        return [("headport", "se")]
    if edge.kind != "delay":
        return []
    square = edge.dst if diagram.nodes[edge.dst].shape == "delay" else edge.src
    if {e.src for e in diagram.edges if e.dst == square} != {e.dst for e in diagram.edges if e.src == square}:
        return []
    return [("tailport", "ne"), ("headport", "n")] if edge.dst == square else [("tailport", "s"), ("headport", "se")]


def _on_band(diagram, edge):
    """An edge from or to truncated BPTT's band of recomputed steps."""
    return diagram.nodes[edge.src].recomputed or diagram.nodes[edge.dst].recomputed


def _order(node):
    """Sort key in a time-laid-out row: the node's own `order`, else its step, the step's
    variable before what hangs off it (a dummy copy W^(t))."""
    return node.order if node.order is not None else (node.t, node.shape != "variable", node.id)


def _layout_edges(diagram):
    """Invisible edges that fix the time layout: ``(tail, head, weight)``.

    Within each same-rank row the nodes are chained in time order (a flat edge puts its tail
    left of its head), so step t always sits left of step t+1 whatever the crossing
    minimiser prefers; each ``above`` pair puts one node a rank over the other.
    """
    out = []
    if diagram.time_layout:
        for group in diagram.ranks:
            # within a step: the step's variable, then what hangs off it (a dummy copy W^(t))
            row = sorted((i for i in group if diagram.nodes[i].t is not None), key=lambda i: _order(diagram.nodes[i]))
            out += [(a, b, "1") for a, b in zip(row, row[1:])]
    # a table of numbers (or a gradient's name) is pulled hard to its node's column, so it
    # reads as that node's and not as its neighbour's
    def weight(lower, upper):
        table = diagram.nodes[upper].shape == "numbers" and diagram.nodes[lower].shape != "numbers"
        return "8" if table else "1"
    out += [(a, b, weight(a, b)) for a, b in diagram.above]
    out += [(a, b, "1") for a, b in diagram.beside]
    return out


def _cluster_owner(diagram):
    """Each node's innermost cluster, and each cluster's parent, by containment."""
    sets = [(cid, set(ids)) for cid, _, ids in diagram.clusters]
    node_owner = {}
    for nid in diagram.nodes:
        best = None
        for cid, ids in sets:
            if nid in ids and (best is None or len(ids) < len(dict(sets)[best])):
                best = cid
        node_owner[nid] = best
    parent = {}
    for cid, ids in sets:
        best = None
        for other, oids in sets:
            if other != cid and ids < oids and (best is None or len(oids) < len(dict(sets)[best])):
                best = other
        parent[cid] = best
    return node_owner, parent


def _emit_block(out, diagram, cluster, owner, st, th, depth):
    node_owner, parent = owner
    pad = "  " * depth
    for nid, node in diagram.nodes.items():
        if node_owner[nid] == cluster:
            out.append(f"{pad}{dot_quote(nid)} " + _attrs(_node_attrs(node, st, th, diagram.time_layout)) + ";")
    for group in diagram.ranks:
        if group and node_owner.get(group[0]) == cluster:
            out.append(pad + "{ rank=same; " + " ".join(dot_quote(i) for i in group) + "; }")
    for cid, caption, _ in diagram.clusters:
        if parent[cid] != cluster:
            continue
        spaced = cid.startswith("panel")
        if spaced:
            out.append(f"{pad}subgraph {dot_quote('cluster_space_' + cid)} {{")
            out.append(pad + "  graph " + _attrs([("label", ""), ("style", "invis"), ("margin", PANEL_GAP)]) + ";")
        out.append(f"{pad}subgraph {dot_quote('cluster_' + cid)} {{")
        attrs = [("label", "<" + html_label(r"\text{" + caption + "}", CAPTION_SIZE) + ">" if caption else ""),
                 ("color", th.muted),
                 ("style", "rounded"), ("fontcolor", th.ink), ("labeljust", "l"), ("margin", CLUSTER_MARGIN)]
        out.append(pad + "  graph " + _attrs(attrs) + ";")
        _emit_block(out, diagram, cid, owner, st, th, depth + 1)
        out.append(pad + "}")
        if spaced:
            out.append(pad + "}")
