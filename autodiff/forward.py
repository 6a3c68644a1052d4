"""Forward mode: every node carries a dual number (value, tangent).

`jvp` records the graph of `f` once, then sweeps it inputs-first, pushing the tangent of
each node through its primitive's JVP rule: the value part of the dual number is the
node's value, the tangent part is computed here. One sweep gives one Jacobian column,
where reverse mode gives one row: the contrast lecturers draw between the two modes.
"""
from __future__ import annotations

import numpy as np

from .backward import toposort
from .tensor import Tensor


def push_tangents(root, seeds, values=None):
    """{node: tangent} for every node below `root` (itself included) that depends on a node
    of `seeds` ({node: tangent}): each primitive's JVP, inputs first. `values` ({node: value})
    replaces the recorded values, e.g. by SymPy expressions; an input with no tangent has a
    zero one."""
    dots = dict(seeds)
    for node in toposort(root):
        if node.prim is None or node in dots:
            continue
        ins = [dots.get(i) for i in node.inputs]
        if all(d is None for d in ins):
            continue
        if values is None:
            ins = [np.zeros_like(i.value, dtype=np.float64) if d is None else d for d, i in zip(ins, node.inputs)]
            args, ans = [i.value for i in node.inputs], node.value
        else:
            ins = [np.full(i.shape, 0, dtype=object) if d is None else d for d, i in zip(ins, node.inputs)]
            args, ans = [values[i] for i in node.inputs], values[node]
        dots[node] = np.broadcast_to(node.prim.jvp(ins, ans, *args, **node.params), node.shape)
    return dots


def jvp(f, primals, tangents):
    """``(f(*primals), J_f(primals) @ tangents)`` by forward accumulation."""
    primals, tangents = tuple(primals), tuple(tangents)
    leaves = [Tensor(p.value if isinstance(p, Tensor) else p, name=f"arg{k}", requires_grad=True)
              for k, p in enumerate(primals)]
    out = f(*leaves)
    seeds = {leaf: np.asarray(t, dtype=np.float64) for leaf, t in zip(leaves, tangents)}
    for leaf, t in seeds.items():
        if t.shape != leaf.shape:
            raise ValueError(f"tangent for {leaf.name} has shape {t.shape}, primal has {leaf.shape}")
    dots = push_tangents(out, seeds)
    return out.value, np.array(dots.get(out, np.zeros_like(out.value)))


def jacobian_forward(f, argnum=0):
    """Forward-mode Jacobian: one `jvp` per input entry (one column each).

    The result has shape ``out.shape + in.shape``, as `autodiff.jacobian`'s.
    """
    def wrapped(*args):
        arrays = [np.asarray(a.value if isinstance(a, Tensor) else a, dtype=np.float64) for a in args]
        x = arrays[argnum]
        tangents = [np.zeros_like(a) for a in arrays]
        out, _ = jvp(f, args, tangents)
        cols = []
        for k in range(x.size):
            e = np.zeros(x.size)
            e[k] = 1.0
            tangents[argnum] = e.reshape(x.shape)
            cols.append(jvp(f, args, tangents)[1])
        return np.moveaxis(np.array(cols).reshape((x.size,) + np.shape(out)), 0, -1).reshape(np.shape(out) + x.shape)
    return wrapped
