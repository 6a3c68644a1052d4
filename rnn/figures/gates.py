"""Gate-level figures of one recurrent step: simple RNN, LSTM, GRU and the window DNN.

The engine graph of a single step is collapsed to its named variables (x^(t), h^(t-1),
the gates f g q or u r, the states s and h) plus the multiplicative and nonlinear
junctions between them (the ⊙, tanh and 1 − of eqs 10.40-10.47); affine maps are folded
into their edges and labelled with their matrices (U^f, W^f ...). Step numbers are shown
relative to the drawn step: h^(t-1) -> h^(t).

Drawn as the book's block diagram (Fig. 10.16): when several gates read both h^(t-1) and
x^(t), the two feed one input node [h^(t-1); x^(t)], and each gate gets one edge from it
labelled with its block matrix [W U] (W h^(t-1) + U x^(t) = [W U][h^(t-1); x^(t)]), so the
weight edges fan out from one point and never cross; the LSTM's state s^(t) keeps its
previous value through a self-loop with the one-step delay square of Fig. 10.2.
"""
from __future__ import annotations

import autodiff as ad

from .book import generic_time
from .collapse import collapse
from .diagram import DEdge, DNode
from .jacobians import MINUS

#: Node kinds that are not part of a hidden-state computation.
OUTPUT_KINDS = ("a", "o", "yhat", "L", "y")

#: Diameter of every variable's circle in a cell, in inches: h^(t-1), the widest name, fits,
#: so x^(t) and h^(t-1) are drawn alike and side-by-side cells (the hidden-state types) share
#: one scale and one bottom line.
VARIABLE_SIZE = "0.75"

#: Junction ops worth drawing between named variables.
JUNCTIONS = ("mul", "tanh", "sigmoid", "relu", "sub", "div", "exp")


def gate_keep(node):
    """Named per-step variables, and unnamed nonlinear or multiplicative ops between them."""
    kind = node.meta.get("kind")
    if node.role == "parameter":
        return False
    if kind is not None:
        return kind not in OUTPUT_KINDS
    if node.op not in JUNCTIONS:
        return False
    signals = [i for i in node.inputs if i.role not in ("parameter", "constant")]
    return bool(signals) and not any(i.role == "parameter" for i in node.inputs)


def step_roots(u, t=1):
    """The state nodes a step produces (h^(t), and s^(t) for the LSTM)."""
    roots = [u.node(kind, t) for kind in ("h", "s") if u.has(kind, t)]
    if not roots:
        raise ValueError(f"step {t} of this unrolled graph has no h^({t}); unroll at least {t} steps")
    return roots


def cell_view(u, t=1, title=""):
    """The gate-level figure of step `t` of `u`, labelled relative to that step."""
    diagram = collapse(ad.trace(step_roots(u, t)), gate_keep, title=title)
    for node in diagram.nodes.values():
        node.label = generic_time(node.label, t)
        if node.shape == "variable":
            node.min_size = VARIABLE_SIZE
        if node.shape == "variable" and node.kind in ("f", "g", "q", "u", "r"):
            node.kind = "gate"
    for edge in diagram.edges:
        edge.label = generic_time(edge.label, t)
    return state_self_loop(input_bus(explicit_junctions(_local_ids(diagram))))


def _inputs(diagram):
    """(h^(t-1), x) of a step: the leaves of kind h and x (x^(t), or x^(t-1) as printed)."""
    fed = {e.dst for e in diagram.edges}
    leaves = {n.kind: n for n in diagram.nodes.values() if n.id not in fed and n.kind in ("h", "x")}
    return leaves.get("h"), leaves.get("x")


def input_bus(diagram):
    """The input node [h^(t-1); x^(t)] of Fig. 10.16, feeding every node that reads both
    inputs through a weight (eqs 10.40-10.47: W h^(t-1) + U x^(t)), when more than one does."""
    h, x = _inputs(diagram)
    if h is None or x is None:
        return diagram
    weighted = {}
    for edge in diagram.edges:
        if edge.src in (h.id, x.id) and edge.label:
            weighted.setdefault(edge.dst, {})[edge.src] = edge
    both = [dst for dst, by in weighted.items() if len(by) == 2]
    if len(both) < 2:
        return diagram
    bus = diagram.add_node(DNode("input", f"[{h.label};{x.label}]", kind="input", t=h.t, shape="bus"))
    replaced = []
    for dst in both:
        from_h, from_x = weighted[dst][h.id], weighted[dst][x.id]
        replaced += [from_h, from_x]
        diagram.add_edge(DEdge(bus.id, dst, label=rf"[{from_h.label}\;{from_x.label}]",
                               params=from_h.params + from_x.params, path=from_h.path))
    diagram.edges = [e for e in diagram.edges if not any(e is r for r in replaced)]
    diagram.edges[:0] = [DEdge(h.id, bus.id), DEdge(x.id, bus.id)]
    # under the box that says [h^(t-1); x^(t)], h^(t-1) on the left and x^(t) on the right
    diagram.ranks.append([h.id, x.id])
    diagram.beside.append((h.id, x.id))
    return diagram


def state_self_loop(diagram):
    """Fig. 10.16's self-loop on the state: s^(t-1) is s^(t) one step earlier, so its edge
    into the forget gate's product is drawn from s^(t) through the delay square."""
    leaf = next((n for n in diagram.nodes.values() if n.kind == "s" and n.t is not None
                 and not any(e.dst == n.id for e in diagram.edges)), None)
    state = next((n for n in diagram.nodes.values() if n.kind == "s" and leaf is not None and n.t == leaf.t + 1),
                 None)
    if state is None:
        return diagram
    square = diagram.add_node(DNode(f"delay_{state.id}", "", kind="delay", shape="delay"))
    for edge in diagram.edges:
        if edge.src == leaf.id:
            edge.src, edge.kind = square.id, "delay"
    # the loop's edges keep their weight in the layout: the square lands a rank above s^(t),
    # on the side of the forget gate's product, and nothing crosses the loop (on s^(t)'s own
    # rank Graphviz put it on either side, and a panel's box against its neighbour's)
    diagram.add_edge(DEdge(state.id, square.id, kind="delay"))
    del diagram.nodes[leaf.id]
    return diagram


def _local_ids(diagram):
    """Number the unnamed junctions within the figure (``mul_1``, ``mul_2``), not by the
    engine's process-wide counter, so the same cell gives the same DOT in any process."""
    renamed, seen = {}, {}
    for nid, node in diagram.nodes.items():
        src = node.source
        if src is not None and src.name is None and src.op:
            seen[src.op] = seen.get(src.op, 0) + 1
            renamed[nid] = f"{src.op}_{seen[src.op]}"
    if not renamed:
        return diagram
    nodes = {}
    for nid, node in diagram.nodes.items():
        node.id = renamed.get(nid, nid)
        nodes[node.id] = node
    diagram.nodes = nodes
    for edge in diagram.edges:
        edge.src, edge.dst = renamed.get(edge.src, edge.src), renamed.get(edge.dst, edge.dst)
    diagram.ranks = [[renamed.get(i, i) for i in group] for group in diagram.ranks]
    return diagram


def _combines_signals(node):
    """An add or product of signals (s = f*s' + g*c, h = tanh(s)*q), not an affine map."""
    src = node.source
    return (src is not None and src.op in ("add", "mul") and node.shape == "variable"
            and not any(i.role == "parameter" or i.op == "matmul" for i in src.inputs))


def explicit_junctions(diagram):
    """Draw the sum and the product a named state hides as nodes of their own, as Fig. 10.16
    does: s^(t) = f (.) s^(t-1) + g (.) s~ gets a + before it, h^(t) = tanh(s^(t)) (.) q^(t) a
    (.), the GRU's h^(t) = u (.) h^(t-1) + (1 - u) (.) h~ a +; and 1 - u is written "1 -"."""
    for node in list(diagram.nodes.values()):
        src = node.source
        if node.shape == "op" and src is not None and src.op == "sub" and src.inputs[0].role == "constant" \
                and src.inputs[0].value.size == 1:
            node.label = f"{src.inputs[0].value.item():g}{MINUS}"
        if not _combines_signals(node):
            continue
        jid = f"{node.id}_{src.op}"
        diagram.add_node(DNode(jid, "+" if src.op == "add" else r"\odot", kind=None, t=node.t, shape="op",
                               source=None))
        for edge in diagram.edges:
            if edge.dst == node.id:
                edge.dst = jid
        diagram.add_edge(DEdge(jid, node.id))
    return diagram
