"""Every primitive of the engine, each declared once: forward, SymPy forward, VJPs, JVP.

Read a primitive top to bottom and you have its whole calculus: what it computes, and how
a gradient flows back (``vjps``, one per argument) and forward (``jvp``). Both rules call
primitives, so they work on NumPy arrays (numbers), on object arrays of SymPy expressions
(formulas) and on Tensors (a recorded backward graph, hence higher-order gradients).

Arithmetic inside the rules is written with Python's operators (``g * (1 - ans * ans)``):
on Tensors an operator *is* the primitive (``Tensor.__mul__`` calls `mul`), so the rule
still records a graph; on arrays and SymPy object arrays it is NumPy's own arithmetic,
so the plain backward pass does not pay a primitive's dispatch for every product.

VJP signature: ``vjp(g, ans, *args, **params)``: ``g`` is the gradient of the output,
``ans`` the output value. The backward pass sums a VJP's result down to the input's shape,
so rules may return a broadcast shape. JVP signature: ``jvp(dots, ans, *args, **params)``
with ``dots`` the input tangents, in argument order.
"""
from __future__ import annotations

import builtins

import numpy as np

from .errors import ShapeError
from .primitive import Primitive, register
from .tensor import Tensor, constant


def _sympy():
    # Imported on first symbolic use only: SymPy costs ~0.4 s at start-up, and most runs
    # of the engine (training, drawing, checking) never evaluate a graph symbolically.
    import sympy
    return sympy


def _sym_elementwise(fn):
    """SymPy forward of an elementwise function (a SymPy function name, or a callable)."""
    def forward(x, **_):
        f = getattr(_sympy(), fn) if isinstance(fn, str) else fn
        return np.asarray(np.frompyfunc(f, 1, 1)(x), dtype=object)
    return forward


def _value(x):
    return x.value if isinstance(x, Tensor) else np.asarray(x)


def _sum(x, axis=None, keepdims=False):
    # the ufunc's own reduce skips np.sum's dispatch (half the time on small arrays); other
    # array types (matrix-level expressions of rnn.derive) keep NumPy's function protocol
    if type(x) is np.ndarray:
        return np.add.reduce(x, axis=axis, keepdims=keepdims)
    return np.sum(x, axis=axis, keepdims=keepdims)


def _max(x, axis=None, keepdims=False):
    if type(x) is np.ndarray:
        return np.maximum.reduce(x, axis=axis, keepdims=keepdims)
    return np.max(x, axis=axis, keepdims=keepdims)


# ----- arithmetic ----------------------------------------------------------------------

add = register(Primitive(
    "add", np.add, symbol="+",
    vjps=(lambda g, ans, x, y: g,
          lambda g, ans, x, y: g),
    jvp=lambda d, ans, x, y: d[0] + d[1]))

sub = register(Primitive(
    "sub", np.subtract, symbol="\u2212",
    vjps=(lambda g, ans, x, y: g,
          lambda g, ans, x, y: -g),
    jvp=lambda d, ans, x, y: d[0] - d[1]))

mul = register(Primitive(
    "mul", np.multiply, symbol="\u00d7",
    vjps=(lambda g, ans, x, y: g * y,
          lambda g, ans, x, y: g * x),
    jvp=lambda d, ans, x, y: d[0] * y + x * d[1]))

div = register(Primitive(
    "div", np.divide, symbol="\u00f7",
    vjps=(lambda g, ans, x, y: g / y,
          lambda g, ans, x, y: -(g * ans / y)),
    jvp=lambda d, ans, x, y: (d[0] - ans * d[1]) / y))

neg = register(Primitive(
    "neg", np.negative, symbol="\u2212",
    vjps=(lambda g, ans, x: -g,),
    jvp=lambda d, ans, x: -d[0]))


def _pow_slope(g, x, exponent):
    """g * p x^(p-1), the derivative of x^p, with the exponents 0 and 1 written out: p x^(p-1)
    at x = 0 is 0 * inf (NaN) for p = 0, and for p = 1 it is 1 * x^0, whose own derivative
    0 * x^(-1) is NaN at x = 0 again (the second derivative of x)."""
    if exponent == 0:
        return g * 0.0
    if exponent == 1:
        return g
    return g * (exponent * power(x, exponent=exponent - 1))


power = register(Primitive(
    "pow", lambda x, exponent: np.power(x, exponent), symbol="pow",
    vjps=(lambda g, ans, x, exponent: _pow_slope(g, x, exponent),),
    jvp=lambda d, ans, x, exponent: _pow_slope(d[0], x, exponent),
    doc="x ** exponent for a constant exponent."))


# ----- linear algebra and shapes ----------------------------------------------------------

def _matmul_vjp_a(g, ans, a, b):
    if a.ndim == 2 and b.ndim == 2:
        return g @ b.T  # the matrix case (every W h of an RNN): no broadcasting to undo
    if a.ndim == 1 and b.ndim == 1:
        return g * b
    if b.ndim == 1:
        return expand_dims(g, axis=-1) * b
    if a.ndim == 1:
        return sum_to(reshape(matmul(b, expand_dims(g, axis=-1)), shape=b.shape[:-1]), a.shape)
    return sum_to(matmul(g, swap_last(b)), a.shape)


def _matmul_vjp_b(g, ans, a, b):
    if a.ndim == 2 and b.ndim == 2:
        return a.T @ g
    if a.ndim == 1 and b.ndim == 1:
        return g * a
    if b.ndim == 1:
        return sum_to(reshape(matmul(swap_last(a), expand_dims(g, axis=-1)), shape=a.shape[:-2] + a.shape[-1:]), b.shape)
    if a.ndim == 1:
        return sum_to(expand_dims(a, axis=-1) * expand_dims(g, axis=-2), b.shape)
    return sum_to(matmul(swap_last(a), g), b.shape)


matmul = register(Primitive(
    "matmul", np.matmul, symbol="@",
    vjps=(_matmul_vjp_a, _matmul_vjp_b),
    jvp=lambda d, ans, a, b: matmul(d[0], b) + matmul(a, d[1]),
    doc="Matrix product with NumPy semantics: vector, matrix and batched (eq. 10.8's W h)."))


def _inverse(axes):
    """The permutation undoing `axes`; negative axes count from the end, as in NumPy."""
    if axes is None:
        return None
    n = len(axes)
    return tuple(int(k) for k in np.argsort([a % n for a in axes]))


transpose = register(Primitive(
    "transpose", lambda x, axes=None: np.transpose(x, axes), symbol="\u22a4",
    vjps=(lambda g, ans, x, axes=None: transpose(g, axes=_inverse(axes)),),
    jvp=lambda d, ans, x, axes=None: transpose(d[0], axes=axes)))

reshape = register(Primitive(
    "reshape", lambda x, shape: np.reshape(x, shape), symbol="reshape",
    vjps=(lambda g, ans, x, shape: reshape(g, shape=x.shape),),
    jvp=lambda d, ans, x, shape: reshape(d[0], shape=shape)))

broadcast_to = register(Primitive(
    "broadcast_to", lambda x, shape: np.broadcast_to(x, shape), symbol="broadcast",
    vjps=(lambda g, ans, x, shape: sum_to(g, x.shape),),
    jvp=lambda d, ans, x, shape: broadcast_to(d[0], shape=shape)))


def _restore_reduced(g, shape, axis, keepdims):
    """Reshape a reduction's gradient so it broadcasts against the reduced input."""
    if keepdims or axis is None and not shape:
        return g
    axes = range(len(shape)) if axis is None else np.atleast_1d(axis)
    kept = list(shape)
    for ax in axes:
        kept[ax] = 1
    return reshape(g, shape=tuple(kept))


sum = register(Primitive(  # noqa: A001  (autodiff.sum mirrors numpy.sum)
    "sum", lambda x, axis=None, keepdims=False: _sum(x, axis, keepdims),
    symbol="\u03a3",
    vjps=(lambda g, ans, x, axis=None, keepdims=False:
          broadcast_to(_restore_reduced(g, x.shape, axis, keepdims), shape=x.shape),),
    jvp=lambda d, ans, x, axis=None, keepdims=False: sum(d[0], axis=axis, keepdims=keepdims)))


def _count(shape, axis):
    if axis is None:
        return int(np.prod(shape))
    return int(np.prod([shape[a] for a in np.atleast_1d(axis)]))


mean = register(Primitive(
    "mean", lambda x, axis=None, keepdims=False: np.sum(x, axis=axis, keepdims=keepdims) / _count(np.shape(x), axis),
    symbol="mean",
    vjps=(lambda g, ans, x, axis=None, keepdims=False:
          broadcast_to(_restore_reduced(g, x.shape, axis, keepdims) / _count(x.shape, axis), shape=x.shape),),
    jvp=lambda d, ans, x, axis=None, keepdims=False: mean(d[0], axis=axis, keepdims=keepdims)))


def _scatter_forward(g, index, shape):
    out = np.zeros(shape, dtype=np.asarray(g).dtype)
    np.add.at(out, index, g)
    return out


getitem = register(Primitive(
    "getitem", lambda x, index: x[index], symbol="[ ]",
    vjps=(lambda g, ans, x, index: scatter(g, index=index, shape=x.shape),),
    jvp=lambda d, ans, x, index: getitem(d[0], index=index),
    doc="Indexing and slicing, x[index]."))

scatter = register(Primitive(
    "scatter", _scatter_forward, symbol="scatter",
    vjps=(lambda g, ans, x, index, shape: getitem(g, index=index),),
    jvp=lambda d, ans, x, index, shape: scatter(d[0], index=index, shape=shape),
    doc="Zeros of `shape` with x added at `index`: the adjoint of indexing."))


def _concat_vjp(i):
    def vjp(g, ans, *xs, axis=0):
        start = builtins.sum(x.shape[axis] for x in xs[:i])
        index = [slice(None)] * ans.ndim
        index[axis] = slice(start, start + xs[i].shape[axis])
        return getitem(g, index=tuple(index))
    return vjp


def _stack_vjp(i):
    def vjp(g, ans, *xs, axis=0):
        index = [slice(None)] * ans.ndim
        index[axis] = i
        return getitem(g, index=tuple(index))
    return vjp


def _concat_split(g, ans, *xs, axis=0):
    """Every argument's slice of g in one pass: the offsets are summed once, not per argument."""
    if type(g) is np.ndarray and g.dtype != object:
        return np.split(g, np.cumsum([x.shape[axis] for x in xs[:-1]]), axis=axis)
    index = [slice(None)] * ans.ndim
    ax = axis % ans.ndim
    out, start = [], 0
    for x in xs:
        stop = start + x.shape[ax]
        index[ax] = slice(start, stop)
        out.append(getitem(g, index=tuple(index)))
        start = stop
    return out


def _stack_split(g, ans, *xs, axis=0):
    """Every argument's slice g[..., i, ...] in one pass."""
    if type(g) is np.ndarray and g.dtype != object:
        return list(np.moveaxis(g, axis, 0))  # plain numbers: views, made in C
    index = [slice(None)] * ans.ndim
    ax = axis % ans.ndim
    out = []
    for i in range(len(xs)):
        index[ax] = i
        out.append(getitem(g, index=tuple(index)))
    return out


_concatenate = register(Primitive(
    "concatenate", lambda *xs, axis=0: np.concatenate(xs, axis=axis), symbol="concat",
    vjps=_concat_vjp, vjp_split=_concat_split,
    jvp=lambda d, ans, *xs, axis=0: _concatenate(*d, axis=axis)))

_stack = register(Primitive(
    "stack", lambda *xs, axis=0: np.stack(xs, axis=axis), symbol="stack",
    vjps=_stack_vjp, vjp_split=_stack_split,
    jvp=lambda d, ans, *xs, axis=0: _stack(*d, axis=axis)))


def _operands(xs):
    # NumPy spells it concatenate([a, b]); unpacked concatenate(a, b) is accepted too.
    return tuple(xs[0]) if len(xs) == 1 and isinstance(xs[0], (list, tuple)) else xs


def concatenate(*xs, axis=0):
    """Join tensors along an existing axis: ``concatenate([a, b], axis=0)``."""
    return _concatenate(*_operands(xs), axis=axis)


def stack(*xs, axis=0):
    """Join tensors along a new axis: ``stack([a, b], axis=0)``."""
    return _stack(*_operands(xs), axis=axis)


# ----- elementwise nonlinearities ----------------------------------------------------------

exp = register(Primitive(
    "exp", np.exp, sym=_sym_elementwise("exp"),
    vjps=(lambda g, ans, x: g * ans,),
    jvp=lambda d, ans, x: d[0] * ans))

log = register(Primitive(
    "log", np.log, sym=_sym_elementwise("log"),
    vjps=(lambda g, ans, x: g / x,),
    jvp=lambda d, ans, x: d[0] / x))

tanh = register(Primitive(
    "tanh", np.tanh, sym=_sym_elementwise("tanh"),
    vjps=(lambda g, ans, x: g * (1 - ans * ans),),
    jvp=lambda d, ans, x: d[0] * (1 - ans * ans),
    doc="tanh, eq. 10.9; its derivative 1 - tanh^2 is the diag(1 - (h^(t))^2) of eqs 10.21-10.28."))


def _sigmoid_forward(x):
    """sigma(x) = 1 / (1 + e^(-x)), to full relative precision far into the left tail
    (sigma(-40) = 4.2e-18, where (1 + tanh(x/2))/2 rounds to 0). x is clipped at -709, the
    last value whose e^(-x) is finite, so sigma stays at 1.2e-308 below it instead of
    overflowing with a warning."""
    return 1.0 / (1.0 + np.exp(-np.maximum(x, -709.0)))


sigmoid = register(Primitive(
    "sigmoid", _sigmoid_forward, symbol="\u03c3",
    sym=_sym_elementwise(lambda v: 1 / (1 + _sympy().exp(-v))),
    vjps=(lambda g, ans, x: g * (ans * (1 - ans)),),
    jvp=lambda d, ans, x: d[0] * (ans * (1 - ans)),
    doc="The logistic sigma 1 / (1 + e^(-x)), precise for x << 0 and never overflowing."))

step = register(Primitive(
    "step", lambda x: np.heaviside(x, 0.0), symbol="step",
    sym=_sym_elementwise(lambda v: _sympy().Heaviside(v, 0)),
    vjps=(lambda g, ans, x: g * 0.0,),
    jvp=lambda d, ans, x: d[0] * 0.0,
    doc="Heaviside step 1[x > 0], the derivative of relu; its own derivative is zero."))

relu = register(Primitive(
    "relu", lambda x: np.maximum(x, 0.0), sym=_sym_elementwise(lambda v: _sympy().Max(v, 0)),
    vjps=(lambda g, ans, x: g * step(x),),
    jvp=lambda d, ans, x: d[0] * step(x)))


# ----- probabilities and losses -------------------------------------------------------------

def _softmax_forward(x, axis=0):
    e = np.exp(x - _max(x, axis, True))
    if type(e) is np.ndarray:
        e /= np.add.reduce(e, axis=axis, keepdims=True)
        return e
    return e / np.sum(e, axis=axis, keepdims=True)


def _softmax_sym(x, axis=0):
    e = _sym_elementwise("exp")(x)
    return e / np.sum(e, axis=axis, keepdims=True)


softmax = register(Primitive(
    "softmax", _softmax_forward, sym=_softmax_sym,
    vjps=(lambda g, ans, x, axis=0: ans * (g - sum(g * ans, axis=axis, keepdims=True)),),
    jvp=lambda d, ans, x, axis=0: ans * (d[0] - sum(d[0] * ans, axis=axis, keepdims=True)),
    doc="yhat = softmax(o) along `axis` (eq. 10.11), shifted by the max for stability."))


def _log_softmax_forward(x, axis=0):
    shifted = x - _max(x, axis, True)
    if type(shifted) is np.ndarray:
        shifted -= np.log(np.add.reduce(np.exp(shifted), axis=axis, keepdims=True))
        return shifted
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _log_softmax_sym(x, axis=0):
    return x - _sym_elementwise("log")(np.sum(_sym_elementwise("exp")(x), axis=axis, keepdims=True))


log_softmax = register(Primitive(
    "log_softmax", _log_softmax_forward, sym=_log_softmax_sym, symbol="log softmax",
    vjps=(lambda g, ans, x, axis=0: g - exp(ans) * sum(g, axis=axis, keepdims=True),),
    jvp=lambda d, ans, x, axis=0: d[0] - sum(exp(ans) * d[0], axis=axis, keepdims=True)))


def one_hot(indices, n, axis=0, name=None):
    """Constant one-hot encoding of integer `indices` with `n` classes along `axis`.

    With the column convention, ``one_hot(y, K)`` for targets of shape (B,) is (K, B): the
    1[i = y^(t)] of eq. 10.18.
    """
    idx = np.asarray(_value(indices))
    if idx.dtype.kind not in "iu":
        raise ValueError(f"one_hot needs integer class indices, got dtype {idx.dtype}; "
                         f"convert the targets with .astype(int)")
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise ValueError(f"one_hot: class index out of range 0..{n - 1} (got {idx.min()}..{idx.max()})")
    eye = np.eye(n, dtype=np.int64)[idx]  # exact 0/1: stays integer in symbolic derivations
    out = np.moveaxis(eye, -1, axis)
    return constant(out, name=name) if name else out


def _picked(logp, targets, axis):
    """The index of the entries logp[y] of the targets, one per position along the other axes."""
    targets = np.asarray(targets)
    if logp.ndim == 2 and axis in (0, -2) and targets.ndim == 1:
        return targets, np.arange(logp.shape[1])  # the (K, B) column batch of the book
    return tuple(np.expand_dims(targets, axis) if d == axis % logp.ndim else
                 np.arange(n).reshape([-1 if e == d else 1 for e in range(logp.ndim)])
                 for d, n in enumerate(logp.shape))


def _nll_forward(logp, targets, axis=0):
    if type(logp) is np.ndarray:
        return -_sum(logp[_picked(logp, targets, axis)])
    picked = np.take_along_axis(logp, np.expand_dims(np.asarray(targets), axis), axis)
    return -np.sum(picked)


def _nll_mask(targets, logp, axis):
    return one_hot(np.asarray(_value(targets)), logp.shape[axis], axis=axis)


def _nll_vjp(g, ans, logp, targets, axis=0):
    if type(logp) is np.ndarray and logp.dtype != object and np.ndim(g) == 0:
        # -g at the targets, zero elsewhere: the same numbers as -g * onehot(y), scattered
        grad = np.zeros(logp.shape)
        grad[_picked(logp, targets, axis)] = -g
        return grad
    return -g * _nll_mask(targets, logp, axis)


nll = register(Primitive(
    "nll", _nll_forward, symbol="NLL",
    vjps=(_nll_vjp, None),
    jvp=lambda d, ans, logp, targets, axis=0: -sum(d[0] * _nll_mask(targets, logp, axis)),
    doc="Negative log-likelihood -sum log p[y] of log-probabilities `logp` at integer "
        "`targets` (eq. 10.12-10.14 for one step), summed over the batch."))


def cross_entropy(logits, targets, axis=0):
    """L^(t) = -log softmax(o^(t))[y^(t)], summed over the batch (eqs 10.11-10.14).

    Composed from `log_softmax` and `nll`, so it is numerically stable and its gradient
    is yhat - onehot(y), eq. 10.18.
    """
    return nll(log_softmax(logits, axis=axis), targets, axis=axis)


# ----- shape helpers built from primitives --------------------------------------------------

def expand_dims(x, axis):
    """x with a new axis of length 1 at `axis`."""
    shape = list(x.shape)
    shape.insert(axis if axis >= 0 else len(shape) + 1 + axis, 1)
    return reshape(x, shape=tuple(shape))


def swap_last(x):
    """Swap the last two axes: the matrix transpose of (a batch of) matrices."""
    axes = list(range(x.ndim))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return transpose(x, axes=tuple(axes))


def sum_to(g, shape):
    """Sum `g` down to `shape`, undoing NumPy broadcasting (the adjoint of broadcast).

    Raises `ShapeError` when `shape` does not broadcast to g's shape: a contribution of the
    wrong shape is a bug in a VJP, and reshaping it (even with the same size) would hand a
    silently wrong gradient on.
    """
    gshape = g.shape if type(g) is np.ndarray else np.shape(g)
    shape = tuple(shape)
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    if lead < 0:
        _cannot_sum(gshape, shape)
    axes = list(range(lead))
    for i, n in enumerate(shape):
        if n != gshape[lead + i]:
            if n != 1:
                _cannot_sum(gshape, shape)
            axes.append(lead + i)
    if type(g) is np.ndarray and g.dtype != object:
        # plain numbers (the usual backward pass): one reduction, no primitive dispatch
        total = np.add.reduce(g, axis=tuple(axes), keepdims=True)
        return total.reshape(shape) if lead else total
    if axes:
        g = sum(g, axis=tuple(axes))
    return reshape(g, shape=shape) if np.shape(g) != shape else g


def _cannot_sum(gshape, shape):
    raise ShapeError(f"sum_to: a gradient of shape {gshape} cannot be summed to shape {shape} "
                     f"(the shape does not broadcast to it); the VJP that produced it is wrong")
