"""The second reading of a graph: evaluate it with SymPy instead of NumPy.

Leaves become object arrays of SymPy symbols, every primitive runs its SymPy forward, and
reverse mode runs the very same VJPs on those formulas. Each adjoint is computed once and
reused by every path through it (grad_{h^(t)} L feeds both grad_{h^(t-1)} L and grad_W L),
so the work is linear in the number of nodes, where expanding the loss and calling
``sympy.diff`` grows exponentially with tau.
"""
from __future__ import annotations

import numpy as np
import sympy

from . import mode
from .backward import backprop, toposort


def symbols_like(shape, name, **assumptions):
    """Object array of SymPy symbols ``name_i_j`` (1-based, as a lecturer writes W_12)."""
    shape = tuple(shape)
    if not shape:
        return np.asarray(sympy.Symbol(name, **assumptions), dtype=object)
    out = np.empty(shape, dtype=object)
    for index in np.ndindex(shape):
        out[index] = sympy.Symbol(name + "_" + "_".join(str(i + 1) for i in index), **assumptions)
    return out


def _as_object(value):
    arr = np.asarray(value)
    if arr.dtype == object or arr.dtype.kind in "iub":
        return arr
    return np.vectorize(sympy.nsimplify, otypes=[object])(arr) if arr.size else arr.astype(object)


def evaluate(root, leaves):
    """Symbolic values of every node: {node: object array}.

    `leaves` maps leaf Tensors to object arrays (e.g. from `symbols_like`); other leaves
    keep their recorded numbers, as exact rationals.
    """
    values = {}
    with mode.symbolic():
        for node in toposort(root):
            if node.prim is None:
                values[node] = np.asarray(leaves[node], dtype=object) if node in leaves else _as_object(node.value)
            else:
                values[node] = np.asarray(node.prim.evaluate([values[i] for i in node.inputs], node.params),
                                          dtype=object)
    return values


def gradients(root, wrt, leaves):
    """Symbolic gradients of scalar `root` with respect to each tensor in `wrt`.

    Returns ``(value, [gradient, ...])`` as object arrays of SymPy expressions.
    """
    values = evaluate(root, leaves)
    with mode.symbolic():
        seed = np.asarray(sympy.Integer(1), dtype=object).reshape(root.shape)
        adjoints = backprop(root, seed, values=values)
    zero = sympy.Integer(0)
    return values[root], [np.asarray(adjoints.get(w, np.full(w.shape, zero, dtype=object)), dtype=object)
                          for w in wrt]
