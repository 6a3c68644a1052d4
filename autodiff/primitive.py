"""The primitive: one declaration per op, read three ways.

A `Primitive` holds everything the engine knows about an op, side by side:

* ``forward``: the NumPy implementation;
* ``sym``: the SymPy implementation (entries of object arrays are SymPy expressions);
  ``None`` means the NumPy code already works on object arrays (``+``, ``@``, reshapes...);
* ``vjps``: one vector-Jacobian product per differentiable argument, written with
  *primitives*, so that running it on Tensors records the backward pass as a graph, and
  running it on plain (or symbolic) arrays just computes numbers (or formulas);
* ``jvp``: the forward-mode rule, also written with primitives;
* ``vjp_all`` (optional): the same VJPs fused into one call for the numeric backward pass,
  when the arguments share work (an RNN step's grad_a feeds all five of its VJPs).
  ``vjp_all(needs, g, ans, *args, **params)`` returns one contribution per argument (None
  where ``needs[k]`` is false). The per-argument ``vjps`` stay the definition: recorded
  (``create_graph=True``), symbolic and anomaly-checked passes use them.
  A contribution may be a `ProductTerm`, a matrix product the backward pass adds up with
  the other terms of the same input in one contraction. A forward may keep values it
  computed on the way (an LSTM's gates) for its ``vjp_all`` in a `Saved`, keyed on its output.
* ``vjp_chain`` (optional): the VJPs of a whole chain of nodes of this primitive, each
  reading the one before as its first argument (an unrolled recurrence h^(t) = f(h^(t-1), ...)),
  in one call for the numeric backward pass. ``vjp_chain(nodes, gs)`` gets the chain newest
  first and each node's adjoint from outside the chain (None where it has none), and returns
  ``(adjoints, contributions)``: every node's complete adjoint, and ``(input, contribution)``
  pairs for the inputs outside the chain; or None to decline (then the nodes go one by one,
  through ``vjp_all``, which a primitive with a chain rule must also declare).
  A recurrence is then back-propagated as its hand-written loop is, not node by node.
* ``vjp_split`` (optional): for an op of any number of arguments (``stack``,
  ``concatenate``), every argument's VJP in one call, ``vjp_split(g, ans, *args, **params)``
  returning one contribution per argument. Unlike ``vjp_all`` it is written with primitives,
  so every pass uses it (numeric, recorded, symbolic). Calling a per-argument VJP once per
  argument would hand all n arguments to each of the n calls: quadratic in n, where the
  split of g into its n pieces is linear (the loss sum_t L^(t) of tau steps is such a node).

Calling a primitive on plain arrays runs the NumPy code directly (the fast path the
backward pass uses). Calling it with at least one `Tensor` records a node.
"""
from __future__ import annotations

import weakref

import numpy as np

from .errors import AnomalyError, ShapeError
from .mode import _anomaly, _symbolic
from .tensor import Tensor, constant, from_op as _from_op


class Primitive:
    """An op with its NumPy and SymPy forwards, its VJPs and its JVP."""

    __slots__ = ("name", "symbol", "forward", "sym", "vjps", "jvp", "doc", "vjp_all", "vjp_chain",
                 "vjp_split")

    def __init__(self, name, forward, vjps=(), jvp=None, sym=None, symbol=None, doc=None, vjp_all=None,
                 vjp_chain=None, vjp_split=None):
        self.name = name
        self.symbol = symbol or name
        self.forward = forward
        self.sym = sym
        self.vjps = vjps if callable(vjps) else tuple(vjps)
        self.jvp = jvp
        self.doc = doc or forward.__doc__
        self.vjp_all = vjp_all
        if vjp_chain is not None and vjp_all is None:
            raise ValueError(f"primitive {name!r} has a vjp_chain but no vjp_all; the nodes of a chain "
                             f"it declines go one by one through vjp_all")
        self.vjp_chain = vjp_chain
        self.vjp_split = vjp_split

    def __repr__(self):
        return f"<primitive {self.name}>"

    def vjp(self, argnum):
        """The VJP for argument `argnum` (``None``: not differentiable, e.g. integer targets)."""
        vjps = self.vjps
        if type(vjps) is tuple:
            return vjps[argnum] if argnum < len(vjps) else None
        return vjps(argnum)

    def evaluate(self, values, params):
        """Run the forward on raw values: NumPy, or SymPy when the symbolic mode is on."""
        fn = self.sym if (self.sym is not None and _symbolic.get()) else self.forward
        return fn(*values, **params)

    def __call__(self, *args, **params):
        if len(args) == 2 and not params:
            return binary(self, *args)
        # The hot path of every other recorded op: the ContextVars are read directly (not
        # through `mode.state`'s properties), the symbolic switch only by the primitives that
        # have a SymPy forward of their own, and a one-argument call unpacks its value
        # without building a list.
        sym = self.sym
        fn = sym if (sym is not None and _symbolic.get()) else self.forward
        for a in args:
            if a.__class__ is not Tensor:  # a constant operand, or no Tensor at all
                for b in args:
                    if isinstance(b, Tensor):
                        args = tuple(c if isinstance(c, Tensor) else constant(c) for c in args)
                        break
                else:  # plain values (the VJPs of the numeric pass): no node, just the forward
                    return fn(*args, **params)
                break
        try:
            if len(args) == 1:
                value = fn(args[0].value, **params) if params else fn(args[0].value)
            else:
                value = fn(*[t.value for t in args], **params)
        except (ValueError, IndexError) as exc:
            raise ShapeError.for_op(self.name, args, exc) from None
        if _anomaly.get():
            _check_finite(self.name, args, value)
        return _from_op(self, value, args, params)


def binary(prim, x, y):
    """``prim(x, y)`` for a primitive of two arguments and no parameters: what `Tensor`'s
    operators (``x + y``, ``W @ h``...) call directly. A primitive called as an object
    packs its arguments into a tuple and a dict first, which costs more than the scalar
    arithmetic of most ops; here they are spelled out."""
    sym = prim.sym
    fn = sym if (sym is not None and _symbolic.get()) else prim.forward
    if x.__class__ is not Tensor or y.__class__ is not Tensor:
        if not isinstance(x, Tensor) and not isinstance(y, Tensor):
            return fn(x, y)  # plain values (the VJPs of the numeric pass): no node
        if not isinstance(x, Tensor):
            x = constant(x)
        elif not isinstance(y, Tensor):
            y = constant(y)
    try:
        value = fn(x.value, y.value)
    except (ValueError, IndexError) as exc:
        raise ShapeError.for_op(prim.name, (x, y), exc) from None
    if _anomaly.get():
        _check_finite(prim.name, (x, y), value)
    return _from_op(prim, value, (x, y), {})


class ProductTerm:
    """One term ``a @ b`` of a parameter's gradient, left for the backward pass to sum.

    A parameter shared by tau steps receives one matrix product per step, e.g.
    grad_a^(t) h^(t-1)T for W (eqs 10.23-10.28, the dummy copies W^(t)). Returned by a fused
    VJP, the terms of one input are summed in a single contraction over the stacked
    factors, as a hand-written BPTT does, instead of one product and one addition per step.
    ``a`` and ``b`` are 2-D; ``b=None`` stands for a column of ones (``a`` summed over its
    columns, the bias gradient).
    """

    __slots__ = ("a", "b")

    def __init__(self, a, b=None):
        self.a, self.b = a, b

    def value(self):
        return np.add.reduce(self.a, axis=1, keepdims=True) if self.b is None else self.a @ self.b


class Saved:
    """Values a primitive's forward computed on the way to its output, kept for its fused VJP.

    A gated step's VJP needs its gates (f, g, q, the candidate), which its node does not
    keep: the forward stores them here under the output array it returns (the node's
    ``value``, the ``ans`` the VJP receives), and `get` hands them back for that same array
    while it lives, as PyTorch keeps a node's saved tensors. The entry goes when the array
    goes (a weak reference's callback), so it never outlives the graph and an id reused
    later cannot find it; for any other array (a copy, a replaced value) `get` returns None
    and the VJP recomputes them. Only float64 arrays are kept: the fused VJPs serve the
    numeric pass alone.
    """

    __slots__ = ("_entries",)

    def __init__(self):
        self._entries = {}

    def put(self, out, values):
        """Keep `values` for the array `out` while it lives; returns `out`."""
        if type(out) is np.ndarray and out.dtype is _FLOAT64:
            entries, key = self._entries, id(out)

            def forget(ref):
                if entries.get(key, (None,))[0] is ref:
                    del entries[key]

            entries[key] = (weakref.ref(out, forget), values)
        return out

    def get(self, out):
        """The values kept for this very array `out`, or None."""
        entry = self._entries.get(id(out))
        if entry is not None and entry[0]() is out:
            return entry[1]
        return None

    def __len__(self):
        return len(self._entries)


_FLOAT64 = np.dtype(np.float64)

REGISTRY: dict[str, Primitive] = {}


def register(prim):
    """Add a primitive to the single registry (ops here, and cell-level ops from `rnn`)."""
    if prim.name in REGISTRY:
        raise ValueError(f"primitive {prim.name!r} is already registered; pick another name")
    REGISTRY[prim.name] = prim
    return prim


def _check_finite(op, inputs, value):
    arr = np.asarray(value)
    if arr.dtype != object and not np.all(np.isfinite(arr)):
        names = ", ".join(t.display_name for t in inputs)
        raise AnomalyError(f"{op}({names}) produced NaN or Inf: the first non-finite value in the "
                           f"graph; check its inputs' values (min/max) or rescale them")
