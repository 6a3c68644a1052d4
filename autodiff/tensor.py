"""The node of the explicit computational graph.

Every value the engine computes is a `Tensor` that remembers how it was made: its
primitive, its ordered inputs (``x * x`` keeps two edges to ``x``), the static parameters
of the op (an axis, an exponent), a name, a role, free metadata such as the time step
``t``, and after `backward()` its gradient. Nothing is freed by the backward pass, so a
graph can be drawn, exported and inspected after the fact.

Children point at parents only, never the other way round, so a graph holds no reference
cycles and is freed by reference counting alone (no work for the cycle collector).
"""
from __future__ import annotations

import itertools
from contextlib import contextmanager
from threading import get_ident

import numpy as np

from .errors import ExponentError

ROLES = ("parameter", "input", "constant", "intermediate", "loss", "gradient")

_sequence = itertools.count()


_FLOAT64 = np.dtype(np.float64)

_recorders = {}
"""Thread id -> the list every op node created on that thread is appended to (`recording`)."""


@contextmanager
def recording(created):
    """Append every op node created on this thread inside the block to the list `created`,
    in creation order: `rnn.unroll` stamps the nodes of step t with ``meta['t']`` from it,
    instead of walking the graph back from the step's outputs. A nested block collects its
    own nodes; the outer list resumes after it.
    """
    key = get_ident()
    outer = _recorders.get(key)
    _recorders[key] = created
    try:
        yield created
    finally:
        if outer is None:
            del _recorders[key]
        else:
            _recorders[key] = outer

_NDARRAY, _SCALAR = np.ndarray, np.float64
_new = object.__new__


def _as_array(value, dtype=None):
    if dtype is None and type(value) is np.ndarray and value.dtype is _FLOAT64:
        return value  # the common case (every input x^(t) of an unroll): nothing to convert
    arr = np.asarray(value)
    if dtype is not None:
        return arr.astype(dtype, copy=False)
    if arr.dtype == object:
        return arr
    return arr.astype(np.float64, copy=False)


class Tensor:
    """A value in the graph: a NumPy array plus how it was computed.

    >>> W = Tensor([[0.5]], name="W", requires_grad=True)
    >>> L = (W * W).sum()
    >>> L.backward(); W.grad
    array([[1.]])
    """

    __slots__ = ("value", "grad", "grad_node", "prim", "inputs", "params", "name", "_label",
                 "role", "meta", "requires_grad", "seq", "__weakref__")
    __array_priority__ = 1000
    __array_ufunc__ = None  # make NumPy defer to our reflected operators

    def __init__(self, value, name=None, role=None, requires_grad=False, meta=None, label=None,
                 dtype=None):
        if role is not None and role not in ROLES:
            raise ValueError(f"unknown role {role!r} for tensor {name!r}; use one of {', '.join(ROLES)}")
        self.value = _as_array(value, dtype)
        self.grad = None
        self.grad_node = None
        self.prim = None
        self.inputs = ()
        self.params = {}
        self.name = name
        self._label = label
        self.requires_grad = bool(requires_grad)
        self.role = role or ("parameter" if requires_grad else "input")
        self.meta = dict(meta) if meta else {}
        self.seq = next(_sequence)

    # ----- identity and display -------------------------------------------------------
    @property
    def op(self):
        """The primitive's short name (``'mul'``, ``'tanh'``...), ``None`` for a leaf."""
        return None if self.prim is None else self.prim.name

    @property
    def label(self):
        """Display label in LaTeX-like book notation; defaults to the name, else the op."""
        if self._label is not None:
            return self._label
        return self.name if self.name is not None else (self.prim.symbol if self.prim else "const")

    @label.setter
    def label(self, text):
        self._label = text

    @property
    def display_name(self):
        return self.name if self.name is not None else f"{self.op or self.role}#{self.seq}"

    def tag(self, name=None, role=None, label=None, **meta):
        """Name this node (and set its role, display label, metadata such as ``t``); returns self."""
        if name is not None:
            self.name = name
        if role is not None:
            if role not in ROLES:
                raise ValueError(f"unknown role {role!r} for {self.display_name}; use one of {', '.join(ROLES)}")
            self.role = role
        if label is not None:
            self._label = label
        self.meta.update(meta)
        return self

    def __repr__(self):
        head = f"Tensor({self.display_name}, op={self.op}, shape={self.shape}"
        return head + (", requires_grad=True)" if self.requires_grad else ")")

    # ----- array protocol ---------------------------------------------------------------
    @property
    def shape(self):
        return self.value.shape

    @property
    def ndim(self):
        return self.value.ndim

    @property
    def size(self):
        return self.value.size

    @property
    def dtype(self):
        return self.value.dtype

    def __len__(self):
        return len(self.value)

    def numpy(self):
        return self.value

    def item(self):
        return self.value.item()

    # ----- operators: each is a primitive from ops.py -------------------------------------
    def __add__(self, other):
        return _binary(ops.add, self, other)

    def __radd__(self, other):
        return _binary(ops.add, other, self)

    def __sub__(self, other):
        return _binary(ops.sub, self, other)

    def __rsub__(self, other):
        return _binary(ops.sub, other, self)

    def __mul__(self, other):
        return _binary(ops.mul, self, other)

    def __rmul__(self, other):
        return _binary(ops.mul, other, self)

    def __truediv__(self, other):
        return _binary(ops.div, self, other)

    def __rtruediv__(self, other):
        return _binary(ops.div, other, self)

    def __matmul__(self, other):
        return _binary(ops.matmul, self, other)

    def __rmatmul__(self, other):
        return _binary(ops.matmul, other, self)

    def __pow__(self, exponent):
        if isinstance(exponent, Tensor):
            raise ExponentError(f"{self.display_name} ** {exponent.display_name}: the exponent must be "
                                f"a constant number; for a tensor exponent write exp(y * log(x))")
        return ops.power(self, exponent=exponent)

    def __neg__(self):
        return ops.neg(self)

    def __getitem__(self, index):
        return ops.getitem(self, index=index)

    @property
    def T(self):
        return ops.transpose(self)

    def transpose(self, axes=None):
        return ops.transpose(self, axes=axes)

    def reshape(self, *shape):
        return ops.reshape(self, shape=shape[0] if len(shape) == 1 else shape)

    def sum(self, axis=None, keepdims=False):
        return ops.sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return ops.mean(self, axis=axis, keepdims=keepdims)

    # ----- gradients ----------------------------------------------------------------------
    # backward(grad=None, create_graph=False): reverse mode from this node, the function
    # `autodiff.backward.backward` itself (bound below, one Python call fewer per pass).

    def zero_grad(self):
        """Clear the gradient of every node this one depends on (including itself)."""
        for node in _backward.toposort(self):
            node.grad = None
            node.grad_node = None


def from_op(prim, value, inputs, params):
    """A new op node: `prim` applied to `inputs` (Tensors) with `params` gave `value`.

    Every recorded op runs this, so it is a plain function (a call through a class method
    costs a bound-method object): one chained store for the empty fields, the scalar and
    array types compared by identity before anything is converted.
    """
    t = _new(Tensor)
    t.value = value if type(value) is _NDARRAY or type(value) is _SCALAR else np.asarray(value)
    t.grad = t.grad_node = t.name = t._label = None
    t.prim = prim
    t.inputs = inputs
    t.params = params
    t.role = "intermediate"
    t.meta = {}
    for i in inputs:
        if i.requires_grad:
            t.requires_grad = True
            break
    else:
        t.requires_grad = False
    t.seq = next(_sequence)
    if _recorders:
        created = _recorders.get(get_ident())
        if created is not None:
            created.append(t)
    return t


def input_leaf(value, name, label, meta):
    """``Tensor(value, name=name, role="input", label=label, meta=meta)`` for a `value` that is
    already a float64 ndarray (kept, not copied) and a `meta` dict the leaf may keep: the
    tau inputs x^(t) `rnn.unroll` makes for every graph, without the conversions and checks
    of `Tensor.__init__` (about half its time)."""
    t = _new(Tensor)
    t.value = value
    t.grad = t.grad_node = t.prim = None
    t.inputs = ()
    t.params = {}
    t.name = name
    t._label = label
    t.requires_grad = False
    t.role = "input"
    t.meta = meta
    t.seq = next(_sequence)
    return t


def constant(value, name=None, **meta):
    """A constant leaf (role ``constant``), e.g. a literal ``2`` or integer targets.

    Integer arrays keep their dtype, so targets stay usable as indices.
    """
    arr = np.asarray(value)
    dtype = arr.dtype if arr.dtype.kind in "iub" or arr.dtype == object else np.float64
    label = f"{arr.item():g}" if name is None and arr.size == 1 and arr.dtype != object else None
    return Tensor(arr, name=name, role="constant", meta=meta, dtype=dtype, label=label)


# ops and backward build on Tensor; Tensor's methods call them at run time.
from . import ops  # noqa: E402
from . import backward as _backward  # noqa: E402
from .primitive import binary as _binary  # noqa: E402

Tensor.backward = _backward.backward
