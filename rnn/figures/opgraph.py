"""The op-level figure: every primitive the engine recorded for an unrolled RNN, sized for a slide.

The engine's own drawing (`autodiff.render.to_dot`, one node per primitive with its op,
value and gradient written on it) of a small simple RNN (2 inputs, 2 hidden units, 2
classes, so every vector prints as two numbers), laid out as the unrolled figures are: one
column per step t, the columns left to right in time order on the same ranks. The edges
from step t-1 into step t (h^(t-1) into W h^(t-1)) take no part in the ranking, which
otherwise stacks each step on top of the one before: at tau = 3 the figure goes from
2490 x 2376 pt (a tower of steps, a value record and an op circle per primitive) to
1155 x 786 pt.
"""
from __future__ import annotations

import rnn
from autodiff.render import to_dot

#: The op-level figure's model: small enough that every value prints in full and short.
N_IN = HIDDEN = N_OUT = 2


def op_graph(tau):
    """The engine's graph of a tau-step simple RNN (eqs 10.8-10.14) after ``backward()``."""
    from .catalog import inputs, targets
    u = rnn.unroll(rnn.SimpleRNN(N_IN, HIDDEN, N_OUT, seed=0), inputs(tau, n_in=N_IN), targets(tau, n_out=N_OUT))
    u.loss.backward()
    return u.graph


def _step(node):
    return node.meta.get("t")


def _across_steps(inp, out, position):
    """An edge from step t-1 into step t keeps no say in the ranking (see the module docstring).

    No argument positions (0 for W in W h^(t-1)), as in the book's Fig. 6.8: Graphviz places
    them after routing, and in this figure the long edges from the shared parameters pass
    by every op, so a position lands on a neighbouring edge (`gradbook graph` keeps them)."""
    a, b = _step(inp), _step(out)
    attrs = {"constraint": "false"} if a is not None and b is not None and a != b else {}
    if len(out.inputs) > 1:
        attrs["xlabel"] = None
    return attrs


def _column(node):
    """One Graphviz group per step: the step's chain of primitives is drawn straight up."""
    return {"group": f"t{_step(node)}"} if _step(node) is not None else {}


def op_dot(graph, theme="print", font=None):
    """DOT of the op-level figure of `graph`, values and gradients on every node."""
    inputs = sorted((n for n in graph.nodes if n.meta.get("kind") == "x" and _step(n) is not None), key=_step)
    # boxes: the figure's TikZ export needs no library, as every other figure's
    return to_dot(graph, view="variable", values=True, grads=True, style=theme, font=font, boxes=True,
                  same_rank=[inputs] if len(inputs) > 1 else None, edge_attrs=_across_steps, node_attrs=_column)
