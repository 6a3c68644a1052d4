"""Collapse an engine graph to the variables a figure shows.

The engine records every primitive: ``a^(t) = b + W h^(t-1) + U x^(t)`` is two matmuls and
two adds. A book figure keeps only some nodes (those `keep` accepts, e.g. the named
x, h, o, L) and draws one edge from a kept node to each kept node it reaches through
dropped ones. The edge is labelled with the weight matrices met on the way (the W of
h^(t-1) -> h^(t)), and remembers the op-level path, from which `rnn.figures.jacobians`
writes its local Jacobian for the backward pass.
"""
from __future__ import annotations

from .diagram import DEdge, DNode, Diagram

#: Ops drawn as junctions in a gate-level view: elementwise nonlinear or multiplicative.
JUNCTION_OPS = {"mul": r"\odot", "tanh": r"\tanh", "sigmoid": r"\sigma", "relu": r"\operatorname{relu}",
                "exp": r"\exp", "softmax": r"\operatorname{softmax}", "div": "\u00f7", "sub": "\u2212",
                "add": "+"}

#: Ops whose name is written under a variable's name (the book's activation on the node).
ACTIVATIONS = {"tanh": r"\tanh", "sigmoid": r"\sigma", "relu": r"\operatorname{relu}",
               "softmax": r"\operatorname{softmax}"}


def consumers(graph):
    """{node: [(consumer, argument position), ...]} in the graph's deterministic order."""
    out = {node: [] for node in graph.nodes}
    for inp, node, k in graph.edges():
        out[inp].append((node, k))
    return out


def weights_on(path):
    """Parameters that multiply the signal along an op-level path (the edge's U, V or W)."""
    found = []
    for node, k in path:
        if node.op not in ("matmul", "mul"):
            continue
        for j, other in enumerate(node.inputs):
            if j != k and other.role == "parameter" and other not in found:
                found.append(other)
    return found


def paths_between(graph, keep, sources=None):
    """{(source, target): [op-level path, ...]} for kept source and target nodes.

    A path is followed through dropped nodes only, so each kept pair is linked by the
    computations between them and nothing else.
    """
    succ = consumers(graph)
    kept = [n for n in graph.nodes if keep(n)]
    found = {}
    for src in (sources if sources is not None else kept):
        stack = [(c, k, [(c, k)]) for c, k in reversed(succ[src])]
        while stack:
            node, k, path = stack.pop()
            if keep(node):
                found.setdefault((src, node), []).append(path)
                continue
            for c, j in reversed(succ[node]):
                stack.append((c, j, path + [(c, j)]))
    return found


def node_id(node):
    """A readable, stable DOT id: the engine name when there is one (``h_3``)."""
    return node.name if node.name else f"{node.op or node.role}_{node.seq}"


def collapse(graph, keep, title="", shape_of=None, show_ops=True):
    """The `Diagram` of `graph` reduced to the nodes `keep` accepts (see module docstring).

    `shape_of(node)` chooses how a kept node is drawn (default: parameters as boxes,
    unnamed ops as junctions, everything else as variables).
    """
    diagram = Diagram(title)
    pairs = paths_between(graph, keep)
    for node in graph.nodes:
        if not keep(node):
            continue
        shape = shape_of(node) if shape_of else _default_shape(node)
        label = node.label if shape != "op" else JUNCTION_OPS.get(node.op, node.label)
        op = ACTIVATIONS.get(node.op) if (show_ops and shape == "variable") else None
        diagram.add_node(DNode(node_id(node), label, kind=node.meta.get("kind"), t=node.meta.get("t"),
                               shape=shape, op=op, source=node))
    for (src, dst), paths in pairs.items():
        params = []
        for path in paths:
            params += [p for p in weights_on(path) if p not in params]
        diagram.add_edge(DEdge(node_id(src), node_id(dst), label=", ".join(p.label for p in params),
                               params=tuple(p.name for p in params), path=paths[0]))
    return diagram


def _default_shape(node):
    if node.role == "parameter":
        return "parameter"
    if node.name is None and node.op is not None:
        return "op"
    return "variable"
