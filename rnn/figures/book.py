"""Book-style figures of unrolled recurrent networks (Figs. 10.3-10.6 of the Deep Learning book).

Each figure starts from `rnn.unroll`'s op-level graph and keeps the book's variables:
x^(t), h^(t), o^(t), L^(t) and the targets y^(t). Edges are what the engine computed,
labelled with the weight matrices on the way, so Fig. 10.4's o^(t-1) -> h^(t) edge or the
lecture's R connection y^(t-1) -> h^(t) appear because the model computes them, not
because a figure script draws them.
"""
from __future__ import annotations

import re

from .collapse import collapse, node_id, paths_between
from .diagram import DEdge, DNode
from .jacobians import MINUS

#: The variables of the book's unrolled figures, bottom (inputs) to top (losses).
BOOK_KINDS = ("x", "h", "s", "o", "L", "y")

#: Parts a figure can show or hide (``--show`` / ``--hide``), and which are shown by default:
#: the book's Fig. 10.3 draws the losses and targets, not yhat^(t) and not the biases b, c.
PARTS = {"losses": True, "yhat": False, "biases": False}


def parts_kinds(kinds, parts):
    """`kinds` with the losses (L^(t), y^(t)) and yhat^(t) shown or hidden as `parts` says."""
    out = tuple(k for k in kinds if parts.get("losses", True) or k not in ("L", "y"))
    return out + (("yhat",) if parts.get("yhat") and "yhat" not in out else ())


def add_biases(diagram, u):
    """One box per use of each bias (b into h^(t), c into o^(t), eqs 10.8 and 10.10).

    The engine has one b node used at every step; like the dummy copies of eq. 10.26 it is
    drawn once per step, under h^(t) (on the input row) or beside o^(t), so no edge crosses a
    column. A bias is a parameter of shape (n, 1).
    """
    graph = u.graph
    biases = [p for p in graph.nodes if p.role == "parameter" and p.value.ndim == 2 and p.value.shape[1] == 1]
    row_of = {i: group for group in diagram.ranks for i in group}
    for param in biases:
        kept = set(diagram.nodes)
        found = paths_between(graph, lambda n: n is param or node_id(n) in kept, sources=[param])
        for (_, target), paths in found.items():
            dst = diagram.nodes.get(node_id(target))
            if dst is None or dst.t is None:
                continue
            bid = f"{node_id(param)}_{dst.t}"
            diagram.add_node(DNode(bid, param.label, kind="parameter", t=dst.t, shape="parameter", source=param))
            # in a backward figure the forward edges are greyed (rnn.figures.bptt)
            muted = any(e.kind == "gradient" for e in diagram.edges)
            diagram.add_edge(DEdge(bid, dst.id, params=(param.name,), path=paths[0],
                                   kind="forward-muted" if muted else "forward"))
            xs = [n.id for n in diagram.nodes.values() if n.kind == "x" and n.t == dst.t]
            row = row_of.get(xs[0]) if dst.kind == "h" and xs else row_of.get(dst.id)
            if row is not None:
                row.append(bid)
    return diagram

_TIME = re.compile(r"\^\{\((\d+)\)\}")


def is_target(node):
    """Integer targets y^(t) fed to a loss: constants tagged with kind 'y'."""
    return node.meta.get("kind") == "y"


def book_keep(kinds=BOOK_KINDS):
    """The `keep` predicate of `collapse`: per-step variables of the listed kinds."""
    def keep(node):
        return node.meta.get("kind") in kinds and node.meta.get("t") is not None
    return keep


def generic_time(label, anchor):
    """Rewrite the step numbers of a label relative to step `anchor`: (3) -> (t), (2) -> (t-1)."""
    def repl(match):
        k = int(match.group(1)) - anchor
        return "^{(t)}" if k == 0 else f"^{{(t{'+' if k > 0 else MINUS}{abs(k)})}}"
    return _TIME.sub(repl, label)


def unrolled(u, kinds=BOOK_KINDS, title=""):
    """The unrolled figure of `u` (an `rnn.unroll` result): one circle per variable and step.

    Nodes of a kind share a rank, so time runs left to right and x, h, o, L stack bottom
    to top as in Fig. 10.3.
    """
    diagram = collapse(u.graph, book_keep(kinds), title=title)
    first_consumer = {}
    for edge in diagram.edges:
        first_consumer.setdefault(edge.src, diagram.nodes[edge.dst].kind)
    rows = {}
    band = _recomputed_band(diagram)
    for node in diagram.nodes.values():
        if node.id in band:
            continue
        # an initial state sits beside the step that reads it (h^(0) by h^(1), o^(0) by h^(1))
        kind = first_consumer.get(node.id, node.kind) if node.t == 0 else node.kind
        if kind == "yprev":
            # the previous target y^(t-1) fed to h^(t) (R connection, teacher forcing) shares
            # the input row, between steps t-1 and t, so x^(t) stays straight under h^(t)
            kind, node.order = "x", (node.t - 0.5,)
        rows.setdefault(kind, []).append(node.id)
    windows = {}
    for nid, (window, _, _) in band.items():
        windows.setdefault(window, []).append(nid)
    for window, ids in sorted(windows.items()):
        # a box per loss's window: Graphviz keeps a cluster's nodes together and in the
        # order of its flat edges, which it does not do for one long band row
        ids.sort(key=lambda i: band[i])
        diagram.clusters.append((f"window_{window}", "", ids))
        diagram.ranks.append(ids)
    for ids in rows.values():
        if len(ids) > 1:
            diagram.ranks.append(ids)
    linked = {e.src for e in diagram.edges} | {e.dst for e in diagram.edges}
    for nid in [n for n in diagram.nodes if n not in linked]:
        # e.g. yhat^(0) at test time: carried as state but never read (step 1 reads y^(0) = 0)
        del diagram.nodes[nid]
    diagram.ranks = [[i for i in group if i in diagram.nodes] for group in diagram.ranks]
    diagram.time_layout = True
    _targets_above_losses(diagram)
    return diagram


def _recomputed_band(diagram):
    """Truncated BPTT's recomputed steps and cut leaves, on one band between inputs and states:
    {node id: (window, t, 0 for the cut leaf or 1 for a copy)}.

    L^(t) reads its own copies of steps t-k+1..t-1 (``h_s~t``), started from a detached
    h^(t-k) (``h_s_cut``); each loss's chain (its window) is kept together in a box, in time
    order, so the band reads left to right like the main rows and no node floats among the
    hidden states.
    """
    consumer = {}
    for edge in diagram.edges:
        consumer.setdefault(edge.src, diagram.nodes[edge.dst])
    band = {}
    for node in diagram.nodes.values():
        meta = node.source.meta
        if meta.get("cut"):
            reader = consumer.get(node.id)
            window = (reader.source.meta.get("copy_for", reader.t) if reader is not None else node.t + 1)
            band[node.id] = (window, node.t, 0)
        elif meta.get("copy_for") is not None:
            band[node.id] = (meta["copy_for"], node.t, 1)
    for nid, order in band.items():
        diagram.nodes[nid].order = order
    return band


def _targets_above_losses(diagram):
    """Fig. 10.3 draws y^(t) above L^(t), its arrow pointing down into the loss."""
    for edge in diagram.edges:
        a, b = diagram.nodes[edge.src], diagram.nodes[edge.dst]
        if a.kind == "y" and b.kind == "L" and a.t == b.t:
            edge.constraint = False
            diagram.above.append((b.id, a.id))


def _latex_text(word):
    return str(word).replace("\\", "").replace("{", "").replace("}", "")


def token_nodes(diagram, tokens, attach_to="x"):
    """Put the words of a sentence under the nodes of kind `attach_to`, one per step."""
    ids = diagram.by_kind(attach_to)
    steps = [diagram.nodes[i] for i in ids if diagram.nodes[i].t is not None and diagram.nodes[i].t >= 1]
    for node, word in zip(steps, tokens):
        tid = f"word_{node.t}"
        diagram.add_node(DNode(tid, r"\text{" + _latex_text(word) + "}", kind="token", t=node.t, shape="token"))
        diagram.add_edge(DEdge(tid, node.id, kind="forward-muted"))
    words = [f"word_{n.t}" for n in steps[:len(tokens)]]
    if len(words) > 1:
        diagram.ranks.append(words)
    return diagram


def number_nodes(diagram):
    """Move each node's value, gradient and gradient name into a table beside it (a
    ``numbers`` node), so the node keeps its size however long the numbers are.

    The tables of a row sit on a rank of their own just above it, right of their node's
    column: a table is a node, so Graphviz routes every edge around it and it never covers
    an edge, an edge label or a node (an xlabel is placed after the edges, over them):
    above x^(t) and under h^(t), above h^(t) and under o^(t). The node's gradient name
    (grad_{h^(t)} L, eq. 10.18-10.21) heads its table, or is the whole table in a figure
    without numbers.
    """
    owners = [n for n in diagram.nodes.values() if n.value or n.grad or n.xlabel]
    if not owners:
        return diagram
    rows = {}
    row_of = {i: k for k, group in enumerate(diagram.ranks) for i in group}
    for node in owners:
        nid = f"{node.id}_numbers"
        diagram.add_node(DNode(nid, "", kind="numbers", t=node.t, shape="numbers", op=node.xlabel,
                               value=node.value, grad=node.grad,
                               order=(node.t if node.t is not None else 0, node.id)))
        node.value = node.grad = node.xlabel = None
        rows.setdefault(row_of.get(node.id, node.id), []).append(nid)
        diagram.above.append((node.id, nid))
        for edge in diagram.edges:
            up = diagram.nodes[edge.dst]
            if edge.src == node.id and edge.kind in ("forward", "forward-muted") \
                    and row_of.get(up.id) != row_of.get(node.id) \
                    and up.kind != "numbers":
                diagram.above.append((nid, up.id))
    diagram.ranks += [ids for ids in rows.values() if len(ids) > 1]
    return diagram
