"""The derivation's algebra over the one expression tree (`rnn.expr.tree`).

The derivation pushes book symbols (``h^(t)``, ``W``, ``grad_{h^(t)} L``) through the
engine's own VJPs. Those are written with primitives whose NumPy forwards are
``np.multiply``, ``np.matmul``, ``np.transpose``, ``np.sum`` ..., so a `Term`, the one thin
class here that holds a tree node and speaks NumPy's dispatch protocols
(``__array_ufunc__``, ``__array_function__``), makes them build matrix formulas instead of
numbers. Every function below builds tree nodes and simplifies as it builds (the book's
rewriting of the chain rule):

* ``g * (1 - h*h)`` with ``g`` an adjoint becomes ``diag(1 - (h)^2) g`` (eqs 10.21-10.28);
* ``exp(log_softmax(o))`` becomes ``softmax(o)`` (renamed to ``yhat`` by the derivation);
* sums of one-hot vectors over the classes are 1, so the NLL/log-softmax chain ends as
  ``yhat - 1_y`` (eq. 10.18);
* products flatten, minus signs move outwards, transposes of products reverse.

Every node carries a concrete NumPy shape (from the graph it came from), so the VJPs'
shape logic (``sum_to``, ``ndim``) runs unchanged and a wrong product is caught at once.
A numeric multiple c x is the `Mul` of ``Number(c)`` and x (`scale_parts`); a `Mul` of
anything else is the elementwise product.
"""
from __future__ import annotations

import numpy as np

from rnn.expr.evaluate import constant as array_of
from rnn.expr.functions import FUNCTIONS, lookup
from rnn.expr.tree import (Add, Array, Call, Grad, MatMul, Mul, Neg, Node, Number, Pow, Symbol, Transpose,
                           children, fold, is_call, rebuild, transform, walk)

from .errors import DeriveError


class Term:
    """A tree node as the engine's VJPs see it: NumPy's functions and operators on a Term
    run this module's simplifying constructors and return Terms."""

    __slots__ = ("node",)
    __array_priority__ = 2000

    def __init__(self, node):
        self.node = node

    def __repr__(self):
        return f"Term({self.node!r})"

    @property
    def shape(self):
        return self.node.shape

    @property
    def ndim(self):
        return len(self.node.shape)

    @property
    def size(self):
        return int(np.prod(self.node.shape))

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        rule = _UFUNCS.get(ufunc)
        if method != "__call__" or kwargs or rule is None:
            raise DeriveError(f"numpy.{ufunc.__name__} has no matrix-level rule; add one to "
                              f"rnn/derive/algebra.py or keep that op out of the derived graph")
        return Term(rule(*inputs))

    def __array_function__(self, func, types, args, kwargs):
        if func is np.shape:
            return lift(args[0]).shape
        if func is np.ndim:
            return len(lift(args[0]).shape)
        rule = _FUNCTIONS.get(func)
        if rule is None:
            raise DeriveError(f"numpy.{func.__name__} has no matrix-level rule; add one to "
                              f"rnn/derive/algebra.py or keep that op out of the derived graph")
        return Term(rule(*args, **kwargs))

    def __add__(self, other):
        return Term(add(self, other))

    def __radd__(self, other):
        return Term(add(other, self))

    def __sub__(self, other):
        return Term(sub(self, other))

    def __rsub__(self, other):
        return Term(sub(other, self))

    def __mul__(self, other):
        return Term(mul(self, other))

    def __rmul__(self, other):
        return Term(mul(other, self))

    def __matmul__(self, other):
        return Term(matmul(self, other))

    def __rmatmul__(self, other):
        return Term(matmul(other, self))

    def __neg__(self):
        return Term(neg(self))

    @property
    def T(self):
        return Term(transpose(self))

    def __getitem__(self, index):
        return Term(getitem(self, index))


# ----- constants ------------------------------------------------------------------------------

def constant(value):
    """A node for a number or numeric array: `Number` when every entry is the same (1 - h^2
    broadcasts a scalar 1), else `Array` (stored flat, so the node stays hashable)."""
    arr = np.asarray(value, dtype=np.float64)
    data = tuple(arr.ravel().tolist())
    if data and all(v == data[0] for v in data):
        return Number(data[0], shape=arr.shape)
    return Array(data, shape=arr.shape)


def _zeros(shape):
    return constant(np.zeros(shape))


def scale_parts(e):
    """(c, x) of a numeric multiple c x (c not 0, 1 or -1), else None: a two-factor `Mul` whose
    first factor is a `Number` and whose shape is the second's (an elementwise product with a
    broadcast constant has the broadcast shape)."""
    if type(e) is Mul and len(e.factors) == 2 and type(e.factors[0]) is Number \
            and e.factors[1].shape == e.shape:
        return e.factors[0].value, e.factors[1]
    return None


def _scale(c, x):
    return Mul((Number(c, shape=()), x), shape=x.shape)


def is_plain_symbol(e):
    """A symbol that is not an adjoint: h^(t), W (printed with its own superscripts)."""
    return isinstance(e, Symbol) and not isinstance(e, Grad)


# ----- simplifying constructors ----------------------------------------------------------------

def lift(x):
    """The tree node of `x`: a Term's node (also as the 0-d object array reverse mode keeps a
    seed in), a node itself, or a constant for a number or numeric array."""
    if isinstance(x, Term):
        return x.node
    if isinstance(x, Node):
        return x
    arr = np.asarray(x)
    if arr.shape == () and isinstance(arr.item(), Term):
        return arr.item().node
    if arr.dtype == object:
        raise DeriveError("an object array reached a matrix-level rule; the graph mixes SymPy "
                          "values with matrix symbols, derive it with one kind of value only")
    return constant(arr)


def _broadcast(a, b):
    try:
        return tuple(np.broadcast_shapes(a.shape, b.shape))
    except ValueError:
        raise DeriveError(f"shapes {a.shape} and {b.shape} do not broadcast in an elementwise "
                          f"operation; the graph's shapes are inconsistent") from None


def contains_grad(e):
    """Whether an adjoint symbol occurs in `e` (decides which factor goes inside diag)."""
    return any(isinstance(n, Grad) for n in walk(e))


def add(a, b):
    a, b = lift(a), lift(b)
    shape = _broadcast(a, b)
    terms = [t for x in (a, b) for t in (x.terms if isinstance(x, Add) else (x,))]
    consts = [t for t in terms if isinstance(t, Number)]
    others = [t for t in terms if not isinstance(t, Number)]
    total = sum(c.value for c in consts)
    if consts and total != 0:
        others.insert(0, Number(float(total), shape=()))
    others = _factor_diagonals(_cancel(others))
    if not others:
        return _zeros(shape)
    if len(others) == 1 and others[0].shape == shape:
        return others[0]
    return Add(tuple(others), shape=shape)


def _cancel(terms):
    """Drop pairs x and -x."""
    out = list(terms)
    for t in terms:
        if t in out and isinstance(t, Neg) and t.operand in out:
            out.remove(t)
            out.remove(t.operand)
    return out


def _diag_split(term):
    """(sign, weight, rest) of a term ``±diag(w) @ rest``, else None."""
    sign, inner = (-1, term.operand) if isinstance(term, Neg) else (1, term)
    if isinstance(inner, MatMul) and is_call(inner.factors[0], "diag") and len(inner.factors) > 1:
        return sign, inner.factors[0].args[0], inner.factors[1:]
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
                rest = split[2]
                rest = rest[0] if len(rest) == 1 else MatMul(rest, shape=(rest[0].shape[0], rest[-1].shape[1]))
                out[k] = matmul(diag(add(wa, wb)), rest)
                break
        else:
            out.append(term)
    return out


def neg(a):
    a = lift(a)
    if isinstance(a, Neg):
        return a.operand
    if isinstance(a, Number):
        return Number(-a.value, shape=a.shape)
    scaled = scale_parts(a)
    if scaled:
        return mul(Number(-scaled[0], shape=()), scaled[1])
    return Neg(a)


def sub(a, b):
    return add(a, neg(b))


def mul(a, b):
    """Elementwise product, with the diag rule of eqs 10.21-10.28."""
    a, b = lift(a), lift(b)
    shape = _broadcast(a, b)
    for c, other in ((a, b), (b, a)):
        if isinstance(c, Number) and other.shape == shape:
            if c.value == 1:
                return other
            if c.value == -1:
                return neg(other)
            if c.value == 0:
                return _zeros(shape)
            if isinstance(other, Number):
                return constant(np.full(shape, c.value * other.value))
            scaled = scale_parts(other)
            if scaled:
                return mul(Number(c.value * scaled[0], shape=()), scaled[1])
            return _scale(c.value, other)
    if isinstance(a, Neg):
        return neg(mul(a.operand, b))
    if isinstance(b, Neg):
        return neg(mul(a, b.operand))
    if a == b and a.shape == b.shape:
        return power(a, 2)
    column = a.shape == b.shape == shape and len(shape) == 2 and shape[1] == 1
    if column and contains_grad(a) != contains_grad(b):
        weight, adjoint = (b, a) if contains_grad(a) else (a, b)
        return matmul(diag(weight), adjoint)
    factors = [f for x in (a, b) for f in (x.factors if type(x) is Mul and not scale_parts(x) else (x,))]
    return Mul(tuple(factors), shape=shape)


def div(a, b):
    a, b = lift(a), lift(b)
    if isinstance(b, Number) and b.value != 0:
        return mul(Number(1.0 / b.value, shape=()), a)
    return mul(a, power(b, -1))


def power(x, n):
    x = lift(x)
    n = int(np.asarray(n)) if np.asarray(n) == int(np.asarray(n)) else float(np.asarray(n))
    if n == 1:
        return x
    if isinstance(x, (Number, Array)):
        return constant(array_of(x) ** n)
    if isinstance(x, Pow):
        return power(x.base, x.exponent * n)
    return Pow(x, n)


def matmul(a, b):
    a, b = lift(a), lift(b)
    if len(a.shape) != 2 or len(b.shape) != 2:
        raise DeriveError(f"matrix-level products need 2-D operands (column vectors are n x 1), "
                          f"got shapes {a.shape} and {b.shape}")
    if a.shape[1] != b.shape[0]:
        raise DeriveError(f"product of shapes {a.shape} and {b.shape}: inner dimensions "
                          f"{a.shape[1]} and {b.shape[0]} differ")
    if isinstance(a, Neg):
        return neg(matmul(a.operand, b))
    if isinstance(b, Neg):
        return neg(matmul(a, b.operand))
    for scaled, product in ((scale_parts(a), lambda x: matmul(x, b)), (scale_parts(b), lambda x: matmul(a, x))):
        if scaled:
            return mul(Number(scaled[0], shape=()), product(scaled[1]))
    factors = [f for x in (a, b) for f in (x.factors if isinstance(x, MatMul) else (x,))]
    return MatMul(tuple(factors), shape=(a.shape[0], b.shape[1]))


def transpose(x, axes=None):
    x = lift(x)
    ndim = len(x.shape)
    if axes is not None and tuple(axes) != tuple(reversed(range(ndim))):
        raise DeriveError(f"transpose with axes {axes} of a {ndim}-D expression has no "
                          f"matrix-level form; only the full reversal (the matrix ^T) does")
    if ndim < 2 or is_call(x, "diag"):
        return x
    if isinstance(x, (Number, Array)):
        return constant(array_of(x).T)
    if isinstance(x, Transpose):
        return x.operand
    if isinstance(x, Neg):
        return neg(transpose(x.operand))
    scaled = scale_parts(x)
    if scaled:
        return mul(Number(scaled[0], shape=()), transpose(scaled[1]))
    if isinstance(x, MatMul):
        out = transpose(x.factors[-1])
        for f in reversed(x.factors[:-1]):
            out = matmul(out, transpose(f))
        return out
    if isinstance(x, Add):
        return Add(tuple(transpose(t) for t in x.terms), shape=tuple(reversed(x.shape)))
    return Transpose(x)


def diag(v):
    """diag(v): the square matrix with the column v on its diagonal (eq. 10.21)."""
    v = lift(v)
    return Call("diag", (v,), shape=(v.shape[0], v.shape[0]))


def call(name, args, shape):
    """A function of `args`: by the table's name where `rnn.expr.functions` knows it (the
    engine's sigmoid is sigma), else under the primitive's own name (sum, reshape ...)."""
    known = lookup(name)
    return Call(known.name if known else name, tuple(args), shape=tuple(shape))


def exp(x):
    """exp, with exp(log_softmax(o)) = softmax(o): the yhat of eq. 10.18."""
    x = lift(x)
    if is_call(x, "log_softmax"):
        return Call("softmax", x.args, shape=x.shape)
    return Call("exp", (x,), shape=x.shape)


def _reduced_shape(shape, axis, keepdims):
    return np.sum(np.zeros(shape), axis=axis, keepdims=keepdims).shape


def total(x, axis=None, keepdims=False, **_):
    """np.sum: exact for constants, one-hot columns (their entries add to 1) and sums of those."""
    x = lift(x)
    shape = _reduced_shape(x.shape, axis, keepdims)
    if isinstance(x, (Number, Array)):
        return constant(np.sum(array_of(x), axis=axis, keepdims=keepdims))
    ndim = len(x.shape)
    axes = range(ndim) if axis is None else np.atleast_1d(axis)
    if all(x.shape[k] == 1 for k in axes):
        return reshape(x, shape)
    if is_call(x, "onehot") and 0 in [a % ndim for a in axes]:
        return constant(np.ones(shape))
    if isinstance(x, Neg):
        return neg(total(x.operand, axis, keepdims))
    scaled = scale_parts(x)
    if scaled:
        return mul(Number(scaled[0], shape=()), total(scaled[1], axis, keepdims))
    if isinstance(x, Add):
        out = total(x.terms[0], axis, keepdims)
        for t in x.terms[1:]:
            out = add(out, total(t, axis, keepdims))
        return out
    return Call("sum", (x,), shape=shape)


def reshape(x, shape, *_, **__):
    x = lift(x)
    shape = tuple(np.atleast_1d(shape)) if np.ndim(shape) else (int(shape),)
    if x.shape == shape:
        return x
    if isinstance(x, (Number, Array)):
        return constant(array_of(x).reshape(shape))
    if int(np.prod(x.shape)) == 1 and int(np.prod(shape)) == 1 and isinstance(x, Neg):
        return neg(reshape(x.operand, shape))
    return Call("reshape", (x,), shape=shape)


def broadcast_to(x, shape, *_, **__):
    x = lift(x)
    shape = tuple(shape)
    if x.shape == shape:
        return x
    if isinstance(x, (Number, Array)):
        return constant(np.broadcast_to(array_of(x), shape))
    return Call("broadcast", (x,), shape=shape)


def getitem(x, index):
    """Indexing: exact on constants (the stacked L^(t) of L = sum_t L^(t) receive a 1 each)."""
    x = lift(x)
    if isinstance(x, (Number, Array)):
        return constant(array_of(x)[index])
    raise DeriveError(f"indexing a matrix expression of shape {x.shape} has no matrix-level form; "
                      f"keep getitem out of the derived part of the graph")


def _apply(name):
    # extra ufunc operands are constants of the primitive: np.heaviside(a, 0) is step(a) = 1[a > 0]
    def rule(x, *_constants):
        x = lift(x)
        return call(name, (x,), x.shape)
    return rule


# The elementwise functions come from the one function table; exp has its own constructor.
_UFUNCS = {f.ufunc: _apply(f.engine) for f in FUNCTIONS if f.ufunc is not None}
_UFUNCS.update({
    np.add: add, np.subtract: sub, np.multiply: mul, np.negative: neg, np.divide: div,
    np.matmul: matmul, np.power: power, np.exp: exp,
})

_FUNCTIONS = {
    np.transpose: transpose, np.sum: total, np.reshape: reshape, np.broadcast_to: broadcast_to,
}


# ----- tree utilities --------------------------------------------------------------------------

def _rebuild_simplified(e, kids):
    """`e` over new children, through the simplifying constructors (a sum of a product that
    became a sum of products flattens, a product with a negated factor moves the sign out)."""
    if isinstance(e, Add):
        out = kids[0]
        for k in kids[1:]:
            out = add(out, k)
        return out
    if isinstance(e, Neg):
        return neg(kids[0])
    if scale_parts(e):
        return mul(Number(e.factors[0].value, shape=()), kids[1])
    if isinstance(e, (MatMul, Mul)):
        combine = matmul if isinstance(e, MatMul) else mul
        out = kids[0]
        for k in kids[1:]:
            out = combine(out, k)
        return out
    if isinstance(e, Pow):
        return power(kids[0], e.exponent)
    if isinstance(e, Transpose):
        return transpose(kids[0])
    if is_call(e, "diag"):
        return diag(kids[0])
    if is_call(e, "exp"):
        return exp(kids[0])
    return rebuild(e, kids)


def substitute(e, mapping):
    """`e` with every subtree found in `mapping` replaced, rebuilt through the constructors."""
    def visit(node, below):
        if node in mapping:
            return mapping[node]
        if below == tuple(children(node)):
            return node
        return _rebuild_simplified(node, below)
    return fold(e, visit)


def retime(e, fn):
    """`e` with every time index replaced by ``fn(index)`` (symbols and adjoints alike); the
    form is kept, nothing is re-simplified."""
    def visit(_node, rebuilt):
        if isinstance(rebuilt, Symbol) and rebuilt.index is not None:
            return rebuilt.at(fn(rebuilt.index))
        return rebuilt
    return transform(e, visit)


def times(e):
    """Every absolute time index occurring in `e`."""
    return {n.index.offset for n in walk(e)
            if isinstance(n, Symbol) and n.index is not None and n.index.base is None}

