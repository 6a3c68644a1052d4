"""Gate-level figures of one recurrent step: simple RNN, LSTM, GRU and the window DNN.

The engine graph of a single step is collapsed to its named variables (x^(t), h^(t-1),
the gates f g q or u r, the states s and h) plus the multiplicative and nonlinear
junctions between them (the ⊙, tanh and 1 − of eqs 10.40-10.47); affine maps are folded
into their edges and labelled with their matrices (U^f, W^f ...). Step numbers are shown
relative to the drawn step: h^(t-1) -> h^(t).
"""
from __future__ import annotations

import autodiff as ad

from .book import generic_time
from .collapse import collapse
from .diagram import DEdge, DNode
from .jacobians import MINUS

#: Node kinds that are not part of a hidden-state computation.
OUTPUT_KINDS = ("a", "o", "yhat", "L", "y")

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
        if node.shape == "variable" and node.kind in ("f", "g", "q", "u", "r"):
            node.kind = "gate"
    for edge in diagram.edges:
        edge.label = generic_time(edge.label, t)
    return explicit_junctions(_local_ids(diagram))


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
