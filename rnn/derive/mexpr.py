"""Matrix-level expressions: the values the derivation pushes through the engine's VJPs.

An `MExpr` is an immutable tree over book symbols (``h^(t)``, ``W``, ``grad_{h^(t)} L``).
It speaks NumPy's dispatch protocols (``__array_ufunc__`` and ``__array_function__``), so
the engine's own VJPs, written with primitives whose NumPy forwards are ``np.multiply``,
``np.matmul``, ``np.transpose``, ``np.sum`` ..., build matrix formulas when handed MExprs
instead of arrays. Every constructor simplifies as it builds (the book's rewriting of the
chain rule):

* ``g * (1 - h*h)`` with ``g`` an adjoint becomes ``diag(1 - (h)^2) g`` (eqs 10.21-10.28);
* ``exp(log_softmax(o))`` becomes ``softmax(o)`` (renamed to ``yhat`` by the derivation);
* sums of one-hot vectors over the classes are 1, so the NLL/log-softmax chain ends as
  ``yhat - 1_y`` (eq. 10.18);
* products flatten, minus signs move outwards, transposes of products reverse.

Every node carries a concrete NumPy shape (from the graph it came from), so the VJPs'
shape logic (``sum_to``, ``ndim``) runs unchanged and a wrong product is caught at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

import numpy as np

from rnn.expr.functions import FUNCTIONS
from rnn.expr.time import TimeIndex

from .errors import DeriveError


class MExpr:
    """Base of every matrix-level expression node."""

    __slots__ = ()
    __array_priority__ = 2000

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return int(np.prod(self.shape))

    def children(self):
        return ()

    def rebuild(self, children):
        """The same node over new children, through the simplifying constructors."""
        return self

    # ----- NumPy protocols: the engine's VJPs call NumPy functions on us -------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        rule = _UFUNCS.get(ufunc)
        if method != "__call__" or kwargs or rule is None:
            raise DeriveError(f"numpy.{ufunc.__name__} has no matrix-level rule; add one to "
                              f"rnn/derive/mexpr.py or keep that op out of the derived graph")
        return rule(*inputs)

    def __array_function__(self, func, types, args, kwargs):
        rule = _FUNCTIONS.get(func)
        if rule is None:
            raise DeriveError(f"numpy.{func.__name__} has no matrix-level rule; add one to "
                              f"rnn/derive/mexpr.py or keep that op out of the derived graph")
        return rule(*args, **kwargs)

    def __add__(self, other):
        return add(self, other)

    def __radd__(self, other):
        return add(other, self)

    def __sub__(self, other):
        return sub(self, other)

    def __rsub__(self, other):
        return sub(other, self)

    def __mul__(self, other):
        return mul(self, other)

    def __rmul__(self, other):
        return mul(other, self)

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    def __neg__(self):
        return neg(self)

    @property
    def T(self):
        return transpose(self)

    def __getitem__(self, index):
        return getitem(self, index)


# ----- leaves ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sym(MExpr):
    """A book symbol: kind or parameter name, optional time index, concrete shape."""

    name: str
    time: TimeIndex | None
    shape: tuple

    def at(self, time):
        return Sym(self.name, time, self.shape)


@dataclass(frozen=True)
class Grad(MExpr):
    """The adjoint nabla_{of} L, named once and reused (the book's grad_{h^(t)} L)."""

    of: Sym

    @property
    def shape(self):
        return self.of.shape


@dataclass(frozen=True)
class OneHot(MExpr):
    """The one-hot column 1_{y^(t)} of the target y^(t) (eq. 10.18)."""

    target: Sym
    shape: tuple


@dataclass(frozen=True)
class Const(MExpr):
    """A numeric constant (stored flat, so the node stays hashable)."""

    data: tuple
    shape: tuple

    @staticmethod
    def of(value):
        arr = np.asarray(value, dtype=np.float64)
        return Const(tuple(arr.ravel().tolist()), arr.shape)

    @property
    def array(self):
        return np.array(self.data, dtype=np.float64).reshape(self.shape)

    @property
    def uniform(self):
        """The common value when every entry is equal (1 - h^2 broadcasts a scalar 1), else None."""
        return self.data[0] if self.data and all(v == self.data[0] for v in self.data) else None


# ----- interior nodes -------------------------------------------------------------------------

class _Unary(MExpr):
    """A node over one operand ``x``, of the operand's shape."""

    __slots__ = ()

    @property
    def shape(self):
        return self.x.shape

    def children(self):
        return (self.x,)


@dataclass(frozen=True)
class Add(MExpr):
    terms: tuple
    shape: tuple

    def children(self):
        return self.terms

    def rebuild(self, children):
        return reduce(add, children)


@dataclass(frozen=True)
class Neg(_Unary):
    x: MExpr

    def rebuild(self, children):
        return neg(children[0])


@dataclass(frozen=True)
class Scale(_Unary):
    """A numeric multiple c x (c not 0, 1 or -1)."""

    c: float
    x: MExpr

    def rebuild(self, children):
        return mul(Const.of(self.c), children[0])


@dataclass(frozen=True)
class _Product(MExpr):
    """A chain of factors, flattened (the matrix product or the elementwise one)."""

    factors: tuple
    shape: tuple

    def children(self):
        return self.factors


class MatMul(_Product):
    def rebuild(self, children):
        return reduce(matmul, children)


class Hadamard(_Product):
    def rebuild(self, children):
        return reduce(mul, children)


@dataclass(frozen=True)
class Power(_Unary):
    """Elementwise power, (h^(t))^2."""

    x: MExpr
    n: int

    def rebuild(self, children):
        return power(children[0], self.n)


@dataclass(frozen=True)
class Diag(MExpr):
    """diag(v): the square matrix with the column v on its diagonal."""

    v: MExpr

    @property
    def shape(self):
        return (self.v.shape[0], self.v.shape[0])

    def children(self):
        return (self.v,)

    def rebuild(self, children):
        return Diag(children[0])


@dataclass(frozen=True)
class Transpose(_Unary):
    x: MExpr

    @property
    def shape(self):
        return tuple(reversed(self.x.shape))

    def rebuild(self, children):
        return transpose(children[0])


@dataclass(frozen=True)
class Func(MExpr):
    """A named function of its arguments: tanh, sigmoid, exp, softmax, log_softmax, or an
    op without a matrix-level rule, kept opaque under its primitive's name."""

    name: str
    args: tuple
    shape: tuple

    def children(self):
        return self.args

    def rebuild(self, children):
        if self.name == "exp":
            return exp(children[0])
        return Func(self.name, tuple(children), self.shape)


@dataclass(frozen=True)
class SumT(MExpr):
    """sum_{t=lo}^{hi} body: a sum over the time steps (eqs 10.22-10.28)."""

    body: MExpr
    lo: TimeIndex
    hi: TimeIndex

    @property
    def shape(self):
        return self.body.shape

    def children(self):
        return (self.body,)

    def rebuild(self, children):
        return SumT(children[0], self.lo, self.hi)


# ----- smart constructors ----------------------------------------------------------------------

def lift(x):
    """An MExpr for `x`: itself (also as the 0-d object array reverse mode keeps a seed in),
    or a constant for a number or numeric array."""
    if isinstance(x, MExpr):
        return x
    arr = np.asarray(x)
    if arr.shape == () and isinstance(arr.item(), MExpr):
        return arr.item()
    if arr.dtype == object:
        raise DeriveError("an object array reached a matrix-level rule; the graph mixes SymPy "
                          "values with matrix symbols, derive it with one kind of value only")
    return Const.of(arr)


def _broadcast(a, b):
    try:
        return tuple(np.broadcast_shapes(a.shape, b.shape))
    except ValueError:
        raise DeriveError(f"shapes {a.shape} and {b.shape} do not broadcast in an elementwise "
                          f"operation; the graph's shapes are inconsistent") from None


def contains_grad(e):
    """Whether an adjoint symbol occurs in `e` (decides which factor goes inside diag)."""
    if isinstance(e, Grad):
        return True
    return any(contains_grad(c) for c in e.children())


def add(a, b):
    a, b = lift(a), lift(b)
    shape = _broadcast(a, b)
    terms = [t for x in (a, b) for t in (x.terms if isinstance(x, Add) else (x,))]
    consts = [t for t in terms if isinstance(t, Const) and t.uniform is not None]
    others = [t for t in terms if not (isinstance(t, Const) and t.uniform is not None)]
    total = sum(c.uniform for c in consts)
    if consts and total != 0:
        others.insert(0, Const.of(total))
    others = _factor_diagonals(_cancel(others))
    if not others:
        return Const.of(np.zeros(shape))
    if len(others) == 1 and others[0].shape == shape:
        return others[0]
    return Add(tuple(others), shape)


def _cancel(terms):
    """Drop pairs x and -x."""
    out = list(terms)
    for t in terms:
        if t in out and isinstance(t, Neg) and t.x in out:
            out.remove(t)
            out.remove(t.x)
    return out


def _diag_split(term):
    """(sign, weight, rest) of a term ``±diag(w) @ rest``, else None."""
    sign, inner = (-1, term.x) if isinstance(term, Neg) else (1, term)
    if isinstance(inner, MatMul) and isinstance(inner.factors[0], Diag) and len(inner.factors) > 1:
        return sign, inner.factors[0].v, inner.factors[1:]
    return None


def _factor_diagonals(terms):
    """diag(a) g + diag(b) g = diag(a + b) g: one diagonal per adjoint (the GRU's update gate)."""
    out = []
    for term in terms:
        split = _diag_split(term)
        for k, prev in enumerate(out):
            other = _diag_split(prev)
            if split and other and split[2] == other[2]:
                wa = other[1] if other[0] > 0 else neg(other[1])
                wb = split[1] if split[0] > 0 else neg(split[1])
                rest = split[2][0] if len(split[2]) == 1 else MatMul(split[2], (split[2][0].shape[0], split[2][-1].shape[1]))
                out[k] = matmul(Diag(add(wa, wb)), rest)
                break
        else:
            out.append(term)
    return out


def neg(a):
    a = lift(a)
    if isinstance(a, Neg):
        return a.x
    if isinstance(a, Const) and a.uniform is not None:
        return Const(tuple(-v for v in a.data), a.shape)
    if isinstance(a, Scale):
        return mul(Const.of(-a.c), a.x)
    return Neg(a)


def sub(a, b):
    return add(a, neg(b))


def mul(a, b):
    """Elementwise product, with the diag rule of eqs 10.21-10.28."""
    a, b = lift(a), lift(b)
    shape = _broadcast(a, b)
    for c, other in ((a, b), (b, a)):
        if isinstance(c, Const) and c.uniform is not None and other.shape == shape:
            if c.uniform == 1:
                return other
            if c.uniform == -1:
                return neg(other)
            if c.uniform == 0:
                return Const.of(np.zeros(shape))
            if isinstance(other, Const) and other.uniform is not None:
                return Const.of(np.full(shape, c.uniform * other.uniform))
            if isinstance(other, Scale):
                return mul(Const.of(c.uniform * other.c), other.x)
            return Scale(c.uniform, other)
    if isinstance(a, Neg):
        return neg(mul(a.x, b))
    if isinstance(b, Neg):
        return neg(mul(a, b.x))
    if a == b:
        return power(a, 2)
    column = a.shape == b.shape == shape and len(shape) == 2 and shape[1] == 1
    if column and contains_grad(a) != contains_grad(b):
        weight, adjoint = (b, a) if contains_grad(a) else (a, b)
        return matmul(Diag(weight), adjoint)
    factors = [f for x in (a, b) for f in (x.factors if isinstance(x, Hadamard) else (x,))]
    return Hadamard(tuple(factors), shape)


def div(a, b):
    a, b = lift(a), lift(b)
    if isinstance(b, Const) and b.uniform not in (None, 0):
        return mul(Const.of(1.0 / b.uniform), a)
    return mul(a, power(b, -1))


def power(x, n):
    x = lift(x)
    n = int(np.asarray(n)) if np.asarray(n) == int(np.asarray(n)) else float(np.asarray(n))
    if n == 1:
        return x
    if isinstance(x, Const):
        return Const.of(x.array ** n)
    if isinstance(x, Power):
        return power(x.x, x.n * n)
    return Power(x, n)


def matmul(a, b):
    a, b = lift(a), lift(b)
    if a.ndim != 2 or b.ndim != 2:
        raise DeriveError(f"matrix-level products need 2-D operands (column vectors are n x 1), "
                          f"got shapes {a.shape} and {b.shape}")
    if a.shape[1] != b.shape[0]:
        raise DeriveError(f"product of shapes {a.shape} and {b.shape}: inner dimensions "
                          f"{a.shape[1]} and {b.shape[0]} differ")
    if isinstance(a, Neg):
        return neg(matmul(a.x, b))
    if isinstance(b, Neg):
        return neg(matmul(a, b.x))
    if isinstance(a, Scale):
        return mul(Const.of(a.c), matmul(a.x, b))
    if isinstance(b, Scale):
        return mul(Const.of(b.c), matmul(a, b.x))
    factors = [f for x in (a, b) for f in (x.factors if isinstance(x, MatMul) else (x,))]
    return MatMul(tuple(factors), (a.shape[0], b.shape[1]))


def transpose(x, axes=None):
    x = lift(x)
    if axes is not None and tuple(axes) != tuple(reversed(range(x.ndim))):
        raise DeriveError(f"transpose with axes {axes} of a {x.ndim}-D expression has no "
                          f"matrix-level form; only the full reversal (the matrix ^T) does")
    if x.ndim < 2 or isinstance(x, Diag):
        return x
    if isinstance(x, Const):
        return Const.of(x.array.T)
    if isinstance(x, Transpose):
        return x.x
    if isinstance(x, Neg):
        return neg(transpose(x.x))
    if isinstance(x, Scale):
        return mul(Const.of(x.c), transpose(x.x))
    if isinstance(x, MatMul):
        out = transpose(x.factors[-1])
        for f in reversed(x.factors[:-1]):
            out = matmul(out, transpose(f))
        return out
    if isinstance(x, Add):
        return Add(tuple(transpose(t) for t in x.terms), tuple(reversed(x.shape)))
    return Transpose(x)


def diag(v):
    return Diag(lift(v))


def exp(x):
    """exp, with exp(log_softmax(o)) = softmax(o): the yhat of eq. 10.18."""
    x = lift(x)
    if isinstance(x, Func) and x.name == "log_softmax":
        return Func("softmax", x.args, x.shape)
    return Func("exp", (x,), x.shape)


def _reduced_shape(shape, axis, keepdims):
    return np.sum(np.zeros(shape), axis=axis, keepdims=keepdims).shape


def total(x, axis=None, keepdims=False, **_):
    """np.sum: exact for constants, one-hot columns (their entries add to 1) and sums of those."""
    x = lift(x)
    shape = _reduced_shape(x.shape, axis, keepdims)
    if isinstance(x, Const):
        return Const.of(np.sum(x.array, axis=axis, keepdims=keepdims))
    axes = range(x.ndim) if axis is None else np.atleast_1d(axis)
    if all(x.shape[k] == 1 for k in axes):
        return reshape(x, shape)
    if isinstance(x, OneHot) and 0 in [a % x.ndim for a in axes]:
        return Const.of(np.ones(shape))
    if isinstance(x, Neg):
        return neg(total(x.x, axis, keepdims))
    if isinstance(x, Scale):
        return mul(Const.of(x.c), total(x.x, axis, keepdims))
    if isinstance(x, Add):
        out = total(x.terms[0], axis, keepdims)
        for t in x.terms[1:]:
            out = add(out, total(t, axis, keepdims))
        return out
    return Func("sum", (x,), shape)


def reshape(x, shape, *_, **__):
    x = lift(x)
    shape = tuple(np.atleast_1d(shape)) if np.ndim(shape) else (int(shape),)
    if x.shape == shape:
        return x
    if isinstance(x, Const):
        return Const.of(x.array.reshape(shape))
    if x.size == 1 and int(np.prod(shape)) == 1 and isinstance(x, Neg):
        return neg(reshape(x.x, shape))
    return Func("reshape", (x,), shape)


def broadcast_to(x, shape, *_, **__):
    x = lift(x)
    shape = tuple(shape)
    if x.shape == shape:
        return x
    if isinstance(x, Const):
        return Const.of(np.broadcast_to(x.array, shape))
    return Func("broadcast", (x,), shape)


def getitem(x, index):
    """Indexing: exact on constants (the stacked L^(t) of L = sum_t L^(t) receive a 1 each)."""
    if isinstance(x, Const):
        return Const.of(x.array[index])
    raise DeriveError(f"indexing a matrix expression of shape {x.shape} has no matrix-level form; "
                      f"keep getitem out of the derived part of the graph")


def _apply(name):
    # extra ufunc operands are constants of the primitive: np.heaviside(a, 0) is step(a) = 1[a > 0]
    def rule(x, *_constants):
        x = lift(x)
        return Func(name, (x,), x.shape)
    return rule


# The elementwise functions come from the one function table; exp has its own constructor.
_UFUNCS = {f.ufunc: _apply(f.engine) for f in FUNCTIONS if f.ufunc is not None}
_UFUNCS.update({
    np.add: add, np.subtract: sub, np.multiply: mul, np.negative: neg, np.divide: div,
    np.matmul: matmul, np.power: power, np.exp: exp,
})

_FUNCTIONS = {
    np.transpose: transpose, np.sum: total, np.reshape: reshape, np.broadcast_to: broadcast_to,
    np.shape: lambda x: lift(x).shape, np.ndim: lambda x: lift(x).ndim,
}


# ----- tree utilities --------------------------------------------------------------------------

def substitute(e, mapping):
    """`e` with every subtree found in `mapping` replaced, rebuilt through the constructors."""
    if e in mapping:
        return mapping[e]
    kids = e.children()
    if not kids:
        return e
    new = tuple(substitute(k, mapping) for k in kids)
    return e if new == kids else e.rebuild(new)


def retime(e, fn):
    """`e` with every time index replaced by ``fn(time)`` (symbols and adjoints alike)."""
    if isinstance(e, Sym):
        return e if e.time is None else e.at(fn(e.time))
    if isinstance(e, Grad):
        return Grad(retime(e.of, fn))
    if isinstance(e, OneHot):
        return OneHot(retime(e.target, fn), e.shape)
    if isinstance(e, SumT):
        return SumT(retime(e.body, fn), e.lo, e.hi)
    kids = e.children()
    if not kids:
        return e
    return _replace_children(e, tuple(retime(k, fn) for k in kids))


def _replace_children(e, kids):
    """Same node type with new children, without re-simplifying (time shifts keep the form)."""
    if isinstance(e, (Add, MatMul, Hadamard)):
        return type(e)(kids, e.shape)
    if isinstance(e, Func):
        return Func(e.name, kids, e.shape)
    if isinstance(e, Scale):
        return Scale(e.c, kids[0])
    if isinstance(e, Power):
        return Power(kids[0], e.n)
    return type(e)(kids[0])


def times(e):
    """Every absolute time index occurring in `e`."""
    if isinstance(e, Sym):
        return {e.time.offset} if e.time is not None and e.time.base is None else set()
    if isinstance(e, Grad):
        return times(e.of)
    if isinstance(e, OneHot):
        return times(e.target)
    out = set()
    for k in e.children():
        out |= times(k)
    return out
