"""Reverse accumulation with named adjoints: the engine's VJPs, each adjoint named once.

This is `autodiff.backward.backprop` with two hooks a derivation needs: when the adjoint
of a tagged node (h^(t), o^(t), ...) is complete it is handed to `name`, which records it
and returns the symbol to propagate instead (grad_{h^(t)} L), so no formula is ever copied
into the next step's; and `route` may split a shared parameter's contributions by step
(the book's dummy copies W^(t), eqs 10.22-10.28). Values may be matrix expressions or
object arrays of SymPy expressions: the VJPs are the primitives' own, from `autodiff.ops`.
"""
from __future__ import annotations

from autodiff.backward import toposort
from autodiff.ops import add, sum_to


def accumulate(root, values, seed, name, route=lambda inp, node: inp, post=lambda node, c: c):
    """Adjoints of the leaves (keyed by ``route(leaf, consumer)``) below `root`.

    `values` maps every node to its value; `name(node, g)` returns what to propagate for
    node (g itself when it is not named); `post(node, c)` may rewrite each contribution
    (renaming, e.g. softmax(o^(t)) -> yhat^(t)).
    """
    adj = {root: seed}
    leaves = {}
    for node in reversed(toposort(root, needs_grad=True)):
        g = adj.pop(node, None)
        if g is None:
            continue
        g = name(node, g) if node is not root else g
        if node.prim is None:
            leaves[node] = g
            continue
        args = [values[i] for i in node.inputs]
        for k, inp in enumerate(node.inputs):
            if not inp.requires_grad:
                continue
            c = post(node, sum_to(node.prim.vjp(k)(g, values[node], *args, **node.params), inp.shape))
            key = route(inp, node)
            if key is not inp:
                leaves[key] = c if key not in leaves else add(leaves[key], c)
                continue
            adj[inp] = c if inp not in adj else add(adj[inp], c)
    return leaves
