"""The second reading of a graph: evaluate it with SymPy instead of NumPy.

Leaves become object arrays of SymPy symbols, every primitive runs its SymPy forward, and
reverse mode runs the very same VJPs on those formulas. Each adjoint is computed once and
reused by every path through it (grad_{h^(t)} L feeds both grad_{h^(t-1)} L and grad_W L),
so the work is linear in the number of nodes, where expanding the loss and calling
``sympy.diff`` grows exponentially with tau.

Reusing an adjoint does not keep its *formula* small, though: SymPy evaluates as it builds
(exp of a log, products of sums), so grad_{h^(t)} L written out in the parameters still
doubles per step. `named_gradients` therefore names chosen nodes and adjoints once: each is
recorded as a definition (h_1^(3) = tanh(a_1^(3))) and stands for itself from then on, so
every formula stays a few operations over earlier names (``sympy.cse`` can then name what
the gradients share).
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


def _define(definitions, symbols, value):
    """Record symbols = value entry by entry (when recording) and return the symbols."""
    symbols = np.asarray(symbols, dtype=object)
    if definitions is not None:
        value = np.asarray(value, dtype=object).reshape(symbols.shape)
        definitions.extend(zip(symbols.ravel(), value.ravel()))
    return symbols


def evaluate(root, leaves, name=None, definitions=None):
    """Symbolic values of every node: {node: object array}.

    `leaves` maps leaf Tensors to object arrays (e.g. from `symbols_like`); other leaves
    keep their recorded numbers, as exact rationals. ``name(node)`` may return symbols (an
    object array of the node's shape) that stand for an op node's value in every formula
    built from it; (symbol, formula) pairs are then appended to `definitions` if given.
    """
    values = {}
    with mode.symbolic():
        for node in toposort(root):
            if node.prim is None:
                values[node] = np.asarray(leaves[node], dtype=object) if node in leaves else _as_object(node.value)
                continue
            value = np.asarray(node.prim.evaluate([values[i] for i in node.inputs], node.params), dtype=object)
            symbols = None if name is None else name(node)
            values[node] = value if symbols is None else _define(definitions, symbols, value)
    return values


def named_gradients(root, wrt, leaves, name_value=None, name_adjoint=None):
    """Gradients of scalar `root` with chosen values and adjoints named once.

    ``name_value(node)`` / ``name_adjoint(node)``: the symbols standing for an op node's value
    / its complete adjoint (an object array of its shape), or None to keep the formula.
    Returns ``(definitions, value, [gradient, ...])``: definitions [(symbol, formula)] in
    the order computed (values, then adjoints from the root down), each formula over leaves
    and earlier symbols; value and gradients as object arrays over those symbols.
    """
    definitions = []
    values = evaluate(root, leaves, name_value, definitions)

    def on_adjoint(node, g):
        symbols = name_adjoint(node)
        return g if symbols is None else _define(definitions, symbols, g)

    with mode.symbolic():
        seed = np.asarray(sympy.Integer(1), dtype=object).reshape(root.shape)
        adjoints = backprop(root, seed, values=values, on_adjoint=on_adjoint if name_adjoint else None)
    zero = sympy.Integer(0)
    return definitions, values[root], [np.asarray(adjoints.get(w, np.full(w.shape, zero, dtype=object)), dtype=object)
                                       for w in wrt]


def gradients(root, wrt, leaves):
    """Symbolic gradients of scalar `root` with respect to each tensor in `wrt`.

    Returns ``(value, [gradient, ...])`` as object arrays of SymPy expressions over the leaves.
    """
    _, value, grads = named_gradients(root, wrt, leaves)
    return value, grads
