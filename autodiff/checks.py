"""The check catalogue: for every primitive, how to exercise it with random valid inputs.

One entry per (primitive, variant), e.g. ``matmul`` with ``vector @ matrix`` and
``batched``: the entry builds arguments from the primitive's domain (``log`` gets positive
numbers, ``nll`` integer targets, ``relu`` values away from its kink) and the function to
differentiate. The property-based tests and ``gradbook gradcheck`` both read this one
catalogue; only the source of randomness differs (a `Chooser`).

Every argument of a `Case` is differentiable; what is not (targets, indices, axes, an
exponent) is fixed inside the case's function.
"""
from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import ops
from .functional import gradients
from .primitive import REGISTRY, Primitive
from .tensor import Tensor

CATALOGUE: dict[str, dict[str, Callable]] = {}


class Chooser:
    """Where a case's random choices come from.

    `integer(lo, hi)` (both inclusive) makes every structural choice (shapes, axes,
    variants of an index) and `rng` fills the arrays. `seeded` uses NumPy for both; the
    tests pass hypothesis' ``draw`` as `integer`, so shapes shrink to a minimal failure.
    """

    def __init__(self, integer, rng, max_dims=3, max_side=3):
        self.integer = integer
        self.rng = rng
        self.max_dims = max_dims
        self.max_side = max_side

    @classmethod
    def seeded(cls, seed, **bounds):
        rng = np.random.default_rng(seed)
        return cls(lambda lo, hi: int(rng.integers(lo, hi + 1)), rng, **bounds)

    def choice(self, options):
        return options[self.integer(0, len(options) - 1)]

    def flag(self):
        return bool(self.integer(0, 1))

    def shape(self, min_dims=0, max_dims=None, min_side=1):
        max_dims = self.max_dims if max_dims is None else max_dims
        return tuple(self.integer(min_side, max(min_side, self.max_side))
                     for _ in range(self.integer(min_dims, max(min_dims, max_dims))))

    def broadcastable(self, shape):
        """A shape that broadcasts against `shape` to `shape`: leading axes dropped, some set to 1."""
        kept = shape[self.integer(0, len(shape)):]
        return tuple(1 if self.flag() else n for n in kept)

    def axis(self, ndim, negative=None):
        """An axis of an `ndim`-array, counted from the end when `negative` (drawn when None)."""
        ax = self.integer(0, ndim - 1)
        negative = self.flag() if negative is None else negative
        return ax - ndim if negative else ax

    def with_zeros(self, values):
        """`values` with some entries (at least one) set to exactly 0: the edge where 0 * inf
        appears in a careless derivative (p x^(p-1) at x = 0 for p = 0 or 1)."""
        values = np.array(values, dtype=np.float64)
        flat = values.reshape(-1)
        if flat.size:
            flat[self.rng.random(flat.size) < 0.5] = 0.0
            flat[self.integer(0, flat.size - 1)] = 0.0
        return values

    def normal(self, shape, scale=1.0):
        return np.asarray(self.rng.normal(0.0, scale, size=shape), dtype=np.float64)

    def positive(self, shape):
        """Values in [0.5, 2]: inside the domain of log, fractional powers and division."""
        return np.asarray(self.rng.uniform(0.5, 2.0, size=shape), dtype=np.float64)

    def nonzero(self, shape):
        """Values at least 0.25 away from 0: off the kinks of relu and step, safe to divide by."""
        magnitude = self.rng.uniform(0.25, 1.5, size=shape)
        return np.asarray(np.where(self.rng.random(size=shape) < 0.5, -magnitude, magnitude), dtype=np.float64)


@dataclass
class Case:
    """One concrete call of a primitive: differentiable `args` and the function of them."""
    fn: Callable
    args: list
    names: tuple = ()
    note: str = ""
    op: str = ""
    variant: str = ""
    weights: np.ndarray = field(default=None, repr=False)

    directions: list = field(default=None, repr=False)

    def objective(self, *xs):
        """sum(w * f(*xs)) with fixed random weights w: a scalar whose gradient is the VJP of
        f with cotangent w (a random w catches transposed or permuted VJPs that ones would not)."""
        return ops.sum(ops.mul(self.fn(*xs), self.weights))

    def gradient_objective(self, *xs):
        """sum_i <grad_i objective(xs), v_i> for fixed random directions v_i, with the gradients
        recorded by ``create_graph=True``: its gradient is a Hessian-vector product, so checking
        it against central differences checks the second derivatives of every VJP."""
        leaves = [x if isinstance(x, Tensor) else Tensor(x, requires_grad=True) for x in xs]
        grads = gradients(self.objective(*leaves), leaves, create_graph=True)
        return builtins.sum(ops.sum(ops.mul(g, v)) for g, v in zip(grads, self.directions))

    @property
    def title(self):
        head = self.op if self.variant == "default" else f"{self.op} [{self.variant}]"
        shapes = ", ".join(f"{n} {tuple(np.shape(a))}" for n, a in zip(self.names, self.args))
        return f"{head}: {shapes}" + (f"; {self.note}" if self.note else "")


def check(op, variant="default"):
    """Register the decorated builder ``build(chooser) -> Case`` for `op` under `variant`."""
    def register(build):
        CATALOGUE.setdefault(op, {})[variant] = build
        return build
    return register


def variants(op):
    """The variant names of `op`'s checks, in declaration order."""
    return list(CATALOGUE[op])


def all_variants():
    """Every (primitive, variant) pair of the catalogue."""
    return [(op, v) for op in CATALOGUE for v in CATALOGUE[op]]


def unchecked():
    """Registered primitives that have no entry here (e.g. added by another package)."""
    return sorted(name for name in REGISTRY if name not in CATALOGUE)


def engine_primitives():
    """The names of the primitives declared in `autodiff.ops`."""
    return sorted(p.name for p in vars(ops).values() if isinstance(p, Primitive))


def make_case(op, variant, chooser):
    """Build one case of `op`'s `variant` and draw its cotangent weights."""
    case = CATALOGUE[op][variant](chooser)
    case.op, case.variant = op, variant
    if not case.names:
        case.names = ("x",) if len(case.args) == 1 else tuple(f"x{k + 1}" for k in range(len(case.args)))
    out_shape = np.shape(case.fn(*case.args))
    case.weights = chooser.normal(out_shape)
    case.directions = [chooser.normal(np.shape(a)) for a in case.args]
    return case


# ----- arithmetic ----------------------------------------------------------------------

def _binary(c, broadcast, y_values):
    """Two operands of one shape, or two shapes that broadcast together (axes dropped or set to 1)."""
    shape = c.shape()
    shape_x, shape_y = (c.broadcastable(shape), c.broadcastable(shape)) if broadcast else (shape, shape)
    return c.normal(shape_x), y_values(shape_y)


for _name, _prim in (("add", ops.add), ("sub", ops.sub), ("mul", ops.mul), ("div", ops.div)):
    def _build(broadcast, prim=_prim):
        def build(c):
            x, y = _binary(c, broadcast, c.nonzero if prim is ops.div else c.normal)
            return Case(prim, [x, y], names=("x", "y"))
        return build
    check(_name, "same shape")(_build(False))
    check(_name, "broadcast")(_build(True))


@check("neg")
def _neg(c):
    return Case(ops.neg, [c.normal(c.shape())])


@check("pow", "integer exponent")
def _pow_integer(c):
    exponent = c.choice([2, 3])
    return Case(lambda x: ops.power(x, exponent=exponent), [c.normal(c.shape())], note=f"exponent {exponent}")


@check("pow", "at zero")
def _pow_at_zero(c):
    exponent = c.choice([0, 1, 2, 3])
    return Case(lambda x: ops.power(x, exponent=exponent), [c.with_zeros(c.normal(c.shape()))],
                note=f"exponent {exponent}, x = 0 among the entries")


@check("pow", "real exponent")
def _pow_real(c):
    exponent = c.choice([0.5, 1.5, -1.0, -2.5])
    return Case(lambda x: ops.power(x, exponent=exponent), [c.positive(c.shape())], note=f"exponent {exponent}")


# ----- linear algebra ------------------------------------------------------------------

def _matmul_case(a_shape, b_shape, c):
    return Case(ops.matmul, [c.normal(a_shape), c.normal(b_shape)], names=("a", "b"))


def _side(c):
    return c.integer(1, c.max_side)


@check("matmul", "vector @ vector")
def _matmul_vectors(c):
    n = _side(c)
    return _matmul_case((n,), (n,), c)


@check("matmul", "matrix @ vector")
def _matmul_matrix_vector(c):
    m, n = _side(c), _side(c)
    return _matmul_case((m, n), (n,), c)


@check("matmul", "vector @ matrix")
def _matmul_vector_matrix(c):
    m, n = _side(c), _side(c)
    return _matmul_case((m,), (m, n), c)


@check("matmul", "matrix @ matrix")
def _matmul_matrix(c):
    m, k, n = _side(c), _side(c), _side(c)
    return _matmul_case((m, k), (k, n), c)


@check("matmul", "batched")
def _matmul_batched(c):
    """Batch axes broadcast: (2, 1, m, k) @ (3, k, n) -> (2, 3, m, n)."""
    m, k, n = _side(c), _side(c), _side(c)
    batch = c.shape(min_dims=1, max_dims=2)
    other = c.broadcastable(batch)
    a_batch, b_batch = (batch, other) if c.flag() else (other, batch)
    return _matmul_case(a_batch + (m, k), b_batch + (k, n), c)


@check("matmul", "batched @ vector")
def _matmul_batched_vector(c):
    k = _side(c)
    return _matmul_case(c.shape(min_dims=1, max_dims=2) + (_side(c), k), (k,), c)


@check("matmul", "vector @ batched")
def _matmul_vector_batched(c):
    k = _side(c)
    return _matmul_case((k,), c.shape(min_dims=1, max_dims=2) + (k, _side(c)), c)


# ----- shapes --------------------------------------------------------------------------

@check("transpose", "reversed axes")
def _transpose_reversed(c):
    return Case(ops.transpose, [c.normal(c.shape())])


def _permutation(c, ndim):
    axes = list(range(ndim))
    for i in range(ndim - 1, 0, -1):
        j = c.integer(0, i)
        axes[i], axes[j] = axes[j], axes[i]
    return axes


@check("transpose", "permutation")
def _transpose_permutation(c):
    shape = c.shape(min_dims=2)
    axes = tuple(_permutation(c, len(shape)))
    return Case(lambda x: ops.transpose(x, axes=axes), [c.normal(shape)], note=f"axes {axes}")


@check("transpose", "negative axes")
def _transpose_negative(c):
    """A permutation with some axes counted from the end, as NumPy accepts (-1, 0, 1)."""
    shape = c.shape(min_dims=2)
    ndim = len(shape)
    axes = tuple(a - ndim if c.flag() else a for a in _permutation(c, ndim))
    return Case(lambda x: ops.transpose(x, axes=axes), [c.normal(shape)], note=f"axes {axes}")


@check("reshape")
def _reshape(c):
    shape = c.shape()
    size = int(np.prod(shape))
    targets = [(size,), (-1, 1), tuple(reversed(shape)), (1,) + shape] + ([()] if size == 1 else [])
    target = c.choice(targets)
    return Case(lambda x: ops.reshape(x, shape=target), [c.normal(shape)], note=f"to {target}")


@check("broadcast_to")
def _broadcast_to(c):
    shape = c.shape(min_dims=1)
    return Case(lambda x: ops.broadcast_to(x, shape=shape), [c.normal(c.broadcastable(shape))],
                note=f"to {shape}")


def _reduction_axes(c, variant, ndim):
    if variant == "all":
        return None
    if variant == "axis":
        return c.axis(ndim, negative=False)
    if variant == "negative axis":
        return c.axis(ndim, negative=True)
    chosen = [ax for ax in range(ndim) if c.flag()] or [0]
    return tuple(ax - ndim if c.flag() else ax for ax in chosen)


def _reduction(prim, variant):
    def build(c):
        shape = c.shape(min_dims=0 if variant == "all" else 1)
        axis, keepdims = _reduction_axes(c, variant, len(shape)), c.flag()
        return Case(lambda x: prim(x, axis=axis, keepdims=keepdims), [c.normal(shape)],
                    note=f"axis={axis}, keepdims={keepdims}")
    return build


for _name, _prim in (("sum", ops.sum), ("mean", ops.mean)):
    for _variant in ("all", "axis", "negative axis", "axes tuple"):
        check(_name, _variant)(_reduction(_prim, _variant))


def _slice(c, n):
    """A non-empty slice of an axis of length n, stepping forwards, by two, or backwards."""
    lo = c.integer(0, n - 1)
    hi = c.integer(lo + 1, n)
    step = c.choice([1, 2, -1])
    return slice(lo, hi, step) if step > 0 else slice(hi - 1, lo - 1 if lo > 0 else None, -1)


_INDEXES = {
    "integer": lambda c, shape: c.integer(-shape[0], shape[0] - 1),
    "slice": lambda c, shape: tuple(_slice(c, n) for n in shape),
    "fancy": lambda c, shape: np.array([c.integer(-shape[0], shape[0] - 1) for _ in range(c.integer(1, 4))]),
    "repeated indices": lambda c, shape: (np.array([0, shape[0] - 1, 0, 0]),
                                          *(np.array([c.integer(0, n - 1)] * 4) for n in shape[1:2])),
    "newaxis and ellipsis": lambda c, shape: (None, Ellipsis, c.integer(0, shape[-1] - 1)),
    "boolean mask": lambda c, shape: c.rng.random(size=shape) < 0.6,
}


def _index_case(prim, kind):
    def build(c):
        shape = c.shape(min_dims=1)
        index = _INDEXES[kind](c, shape)
        if prim is ops.getitem:
            return Case(lambda x: ops.getitem(x, index=index), [c.normal(shape)], note=f"index {_show(index)}")
        part = np.zeros(shape)[index].shape
        return Case(lambda x: ops.scatter(x, index=index, shape=shape), [c.normal(part)],
                    note=f"into {shape} at {_show(index)}")
    return build


def _show(index):
    """An index as written between brackets: ``[None, ..., 2]``, ``[1:3:-1]``, ``[[0, 0, 2]]``."""
    parts = index if isinstance(index, tuple) else (index,)
    return "[" + ", ".join(_show_part(p) for p in parts) + "]"


def _show_part(part):
    if isinstance(part, slice):
        return ":".join("" if v is None else str(v) for v in (part.start, part.stop, part.step))
    if isinstance(part, np.ndarray):
        return str(part.tolist())
    return "..." if part is Ellipsis else str(part)


for _kind in _INDEXES:
    check("getitem", _kind)(_index_case(ops.getitem, _kind))
for _kind in ("slice", "repeated indices", "boolean mask"):
    check("scatter", _kind)(_index_case(ops.scatter, _kind))


def _joined(prim, joins_existing_axis):
    def build(c):
        shape = c.shape(min_dims=1 if joins_existing_axis else 0)
        ndim = len(shape) + (0 if joins_existing_axis else 1)
        axis = c.axis(ndim)
        count = c.integer(2, 3)
        shapes = [shape] * count
        if joins_existing_axis:
            shapes = [shape[:axis % ndim] + (c.integer(1, c.max_side),) + shape[axis % ndim + 1:]
                      for _ in range(count)]
        return Case(lambda *xs: prim(*xs, axis=axis), [c.normal(s) for s in shapes], note=f"axis={axis}")
    return build


check("concatenate")(_joined(ops.concatenate, True))
check("stack")(_joined(ops.stack, False))


# ----- elementwise nonlinearities -------------------------------------------------------

check("exp")(lambda c: Case(ops.exp, [c.normal(c.shape())]))
check("log")(lambda c: Case(ops.log, [c.positive(c.shape())]))
check("tanh")(lambda c: Case(ops.tanh, [c.normal(c.shape(), scale=1.5)]))
check("sigmoid")(lambda c: Case(ops.sigmoid, [c.normal(c.shape(), scale=2.0)]))
for _prim in (ops.exp, ops.tanh, ops.sigmoid):
    check(_prim.name, "at zero")(lambda c, prim=_prim: Case(prim, [c.with_zeros(c.normal(c.shape()))]))
check("step")(lambda c: Case(ops.step, [c.nonzero(c.shape())]))
check("relu")(lambda c: Case(ops.relu, [c.nonzero(c.shape())]))


# ----- probabilities and losses ---------------------------------------------------------

def _along_axis(prim):
    def build(c):
        shape = c.shape(min_dims=1)
        axis = c.axis(len(shape))
        return Case(lambda x: prim(x, axis=axis), [c.normal(shape, scale=2.0)], note=f"axis={axis}")
    return build


check("softmax")(_along_axis(ops.softmax))
check("log_softmax")(_along_axis(ops.log_softmax))


@check("nll")
def _nll(c):
    """Integer targets of shape logp.shape without `axis`, fixed inside the function."""
    shape = c.shape(min_dims=1)
    axis = c.axis(len(shape))
    target_shape = shape[:axis % len(shape)] + shape[axis % len(shape) + 1:]
    targets = c.rng.integers(0, shape[axis], size=target_shape)
    return Case(lambda logp: ops.nll(logp, targets, axis=axis), [c.normal(shape)], names=("logp",),
                note=f"axis={axis}, targets {targets.tolist()}")
