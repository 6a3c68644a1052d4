"""Functional API: `grad`, `value_and_grad`, `gradients` and reverse-mode `jacobian`."""
from __future__ import annotations

import numpy as np

from .backward import backprop
from .errors import BackwardError
from .tensor import Tensor


def _leaves(args, argnums):
    wrapped = list(args)
    for k in argnums:
        a = args[k]
        wrapped[k] = a if isinstance(a, Tensor) and a.requires_grad else Tensor(
            a.value if isinstance(a, Tensor) else a, name=getattr(a, "name", None) or f"arg{k}",
            requires_grad=True)
    return wrapped


def _argnums(argnums):
    return (argnums,) if isinstance(argnums, int) else tuple(argnums)


def gradients(root, wrt, grad=None, create_graph=False):
    """Gradients of `root` with respect to each tensor in `wrt`, without touching ``.grad``.

    Zeros for a tensor `root` does not depend on, also when it depends on none of them
    (the second derivative of a linear function). With ``create_graph=True`` the results
    are Tensors, so they can be differentiated again (higher-order derivatives).
    """
    for w in wrt:
        if not w.requires_grad:
            raise BackwardError(f"gradients: {w.display_name} has requires_grad=False, so no gradient "
                                f"flows to it; create it with requires_grad=True")
    adjoints = backprop(root, grad, create_graph=create_graph) if root.requires_grad else {}
    out = []
    for w in wrt:
        g = adjoints.get(w)
        if g is None:
            g = np.zeros_like(w.value, dtype=np.float64)
            g = Tensor(g, role="constant") if create_graph else g
        out.append(g)
    return out


def value_and_grad(f, argnums=0):
    """``f(*args) -> (value, gradient(s))`` for a scalar-valued `f` of arrays or Tensors."""
    nums = _argnums(argnums)

    def wrapped(*args, **kwargs):
        leaves = _leaves(args, nums)
        out = f(*leaves, **kwargs)
        grads = gradients(out, [leaves[k] for k in nums])
        return out.value, grads[0] if isinstance(argnums, int) else tuple(grads)
    return wrapped


def grad(f, argnums=0):
    """``grad(f)(*args)``: the gradient of scalar `f` with respect to argument(s) `argnums`."""
    vg = value_and_grad(f, argnums)
    return lambda *args, **kwargs: vg(*args, **kwargs)[1]


def jacobian(f, argnum=0):
    """Reverse-mode Jacobian: one backward pass per output entry (one row each).

    The result has shape ``out.shape + in.shape``.
    """
    def wrapped(*args, **kwargs):
        leaves = _leaves(args, (argnum,))
        x = leaves[argnum]
        out = f(*leaves, **kwargs)
        rows = []
        for k in range(out.size):
            seed = np.zeros(out.size)
            seed[k] = 1.0
            rows.append(gradients(out, [x], grad=seed.reshape(out.shape))[0])
        return np.array(rows).reshape(out.shape + x.shape)
    return wrapped
