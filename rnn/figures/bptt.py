"""Back-propagation through time drawn over the unrolled graph (eqs 10.17-10.28).

The forward edges of the book figure stay, greyed; each gets a gradient edge in the other
direction labelled with its local transposed Jacobian (W^T diag(1-(h^(t+1))^2), V^T,
yhat - 1_y), and each variable is annotated with the gradient it receives (grad_{h^(t)} L).
A shared parameter is drawn once, with one `contribution` edge per use: the dummy copies
W^(t) of eq. 10.26. The paths from every L^(t) to the parameter are found with networkx
on the engine's own graph and highlighted, so the figure shows W collecting one term per
step. Truncated BPTT draws the edges where the gradient was stopped as dashed cuts.
"""
from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from .book import BOOK_KINDS, unrolled
from .collapse import consumers, node_id
from .diagram import DEdge, DNode
from .jacobians import gradient_label, transposed_jacobian


@dataclass
class PathReport:
    """What the highlighted figure shows: per loss step, the number of paths to the parameter."""

    parameter: str
    uses: int
    paths: dict  # t -> number of simple paths from the parameter to L^(t)


def loss_nodes(graph):
    """The per-step losses L^(t) of an unrolled graph, in time order."""
    found = [n for n in graph.nodes if n.meta.get("kind") == "L" and n.meta.get("t") is not None]
    return sorted(found, key=lambda n: n.meta["t"])


def path_report(graph, parameter):
    """Count, with networkx, the simple paths from `parameter` to each L^(t) (eq. 10.26).

    Every use of W at a step s <= t opens one path to L^(t), so L^(t) reaches W along t
    paths and W has one use (one dummy copy W^(s)) per step.
    """
    g = nx.DiGraph(graph.to_networkx())
    source = graph.id_of(parameter)
    paths = {n.meta["t"]: sum(1 for _ in nx.all_simple_paths(g, source, graph.id_of(n)))
             for n in loss_nodes(graph)}
    return PathReport(parameter.name, g.out_degree(source), paths)


def _on_paths(graph, parameter):
    """Engine nodes lying on some path from `parameter` to some L^(t)."""
    g = nx.DiGraph(graph.to_networkx())
    below = nx.descendants(g, graph.id_of(parameter))
    above = set()
    for loss in loss_nodes(graph):
        lid = graph.id_of(loss)
        above |= nx.ancestors(g, lid) | {lid}
    ids = below & above
    return {n for n in graph.nodes if graph.id_of(n) in ids}


def _first_kept(start, succ, keep):
    """The first kept node downstream of `start` and the op path to it (depth first)."""
    stack = [(start, [])]
    while stack:
        node, path = stack.pop()
        for c, k in succ[node]:
            if keep(c):
                return c, path + [(c, k)]
            stack.append((c, path + [(c, k)]))
    return None, None


def backward_view(u, parameter="W", kinds=BOOK_KINDS, title=""):
    """The BPTT figure of `u`: gradient edges, gradient names, highlighted paths to `parameter`.

    With ``parameter=None`` no parameter is drawn and nothing is highlighted.
    """
    graph = u.graph
    diagram = unrolled(u, kinds=kinds, title=title)
    keep_ids = set(diagram.nodes)

    def keep(node):
        return node_id(node) in keep_ids

    param = graph.find(parameter) if isinstance(parameter, str) else parameter
    on_path = _on_paths(graph, param) if param is not None else set()
    forward = list(diagram.edges)
    for edge in forward:
        edge.kind, edge.label = "forward-muted", ""
    for edge in forward:
        a, b = diagram.nodes[edge.src], diagram.nodes[edge.dst]
        if not a.source.requires_grad:
            continue
        diagram.add_edge(DEdge(b.id, a.id, label=transposed_jacobian(edge.path), kind="gradient",
                               path=edge.path, constraint=False,
                               highlight=a.source in on_path and b.source in on_path))
    for node in diagram.nodes.values():
        if node.source is not None and node.source.requires_grad and node.kind != "L":
            node.xlabel = gradient_label(node.label)
    if param is not None:
        _contributions(diagram, graph, param, keep, on_path)
    return diagram


def _contributions(diagram, graph, param, keep, on_path):
    """The dummy copies W^(t) of eq. 10.26, one per use of the parameter, each collecting
    (grad at the use) times the other operand, transposed; their sum is grad_W L.

    Copy t sits on the input row between steps t-1 and t, so its edge from h^(t) crosses
    no other edge; the summed gradient is written once, as a note at the end of that row.
    """
    succ = consumers(graph)
    xs = diagram.by_kind("x")
    copies = []
    # the copies stand for the one parameter node the engine has
    diagram.nodes.pop(node_id(param), None)
    for use, k in succ[param]:
        target, path = _first_kept(use, succ, keep)
        if target is None:
            continue
        t = target.meta.get("t")
        factors = transposed_jacobian(path)
        other = use.inputs[1 - k] if use.op == "matmul" and len(use.inputs) == 2 else None
        grad = (factors + r"\," if factors != r"\mathbf{I}" else "") + gradient_label(target.label)
        term = grad + (rf"\,{{{other.label}}}^\top" if other is not None and other.name else "")
        copy = f"{node_id(param)}_copy_{t}"
        label = f"{{{param.label}}}^{{({t})}}"
        diagram.add_node(DNode(copy, label, kind="parameter", t=t, shape="parameter", source=param,
                               op=term, xlabel=None))
        diagram.add_edge(DEdge(node_id(target), copy, kind="contribution", constraint=False,
                               highlight=use in on_path, path=path))
        copies.append(copy)
    if not copies:
        return
    total = f"{node_id(param)}_sum"
    last = max(diagram.nodes[c].t for c in copies)
    sum_label = gradient_label(param.label) + r"=\sum_t" + gradient_label(f"{{{param.label}}}^{{(t)}}")
    diagram.add_node(DNode(total, sum_label, kind="note", shape="note", t=last + 1))
    diagram.ranks = [group for group in diagram.ranks if not set(group) & set(xs)]
    diagram.ranks.append(xs + copies + [total])


def truncated_view(u, title="", kinds=BOOK_KINDS):
    """Truncated BPTT (`rnn.unroll(..., truncate=k)`): the backward figure with cut edges dashed.

    The loss L^(t) sees its own recomputed steps t-k+1..t-1 (the engine's copies
    ``h_s~t``, drawn boxed per loss on a band of their own) starting from a detached copy of
    h^(t-k); the edge from h^(t-k) to that copy, recorded in ``u.cut_edges``, is drawn
    dashed, and no gradient edge crosses it.
    """
    diagram = backward_view(u, parameter=None, kinds=kinds, title=title)
    for edge in diagram.edges:
        if edge.kind == "gradient" and (diagram.nodes[edge.src].recomputed or diagram.nodes[edge.dst].recomputed):
            # in and out of a window every factor is the W^T diag(1 - (h)^2) of eq. 10.21,
            # written on the main row's first steps; k labels per window would cover the band
            edge.label = ""
    for source, leaf in u.cut_edges:
        if source in diagram.nodes and leaf in diagram.nodes:
            # the cut leaf belongs to the band of recomputed steps, not a rank above h^(t-k)
            # unlabelled: the leaf's own name says h^(t-k)_cut, and a "cut" laid beside a long
            # diagonal edge lands on the band's other edges
            diagram.add_edge(DEdge(source, leaf, kind="cut", constraint=False))
    _whole_forward_pass(diagram)
    return diagram


def _whole_forward_pass(diagram):
    """Truncation cuts the backward pass only: the forward pass still runs h^(t-1) -> h^(t)
    along the main row (the engine reads h^(t) off the window's last copy, whose value is
    h^(t-1)'s), so every missing main-row step is drawn as a grey forward edge, with no
    gradient edge against it."""
    main = {n.t: n.id for n in diagram.nodes.values() if n.kind == "h" and n.t is not None and not n.recomputed}
    linked = {(e.src, e.dst) for e in diagram.edges}
    for t in sorted(main):
        if t - 1 in main and (main[t - 1], main[t]) not in linked:
            diagram.add_edge(DEdge(main[t - 1], main[t], kind="forward-muted"))
