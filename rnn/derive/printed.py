"""The book's printed eq. 10.21 and the dimension check that rejects it.

The printed version is the one formula in this package that is typed in rather than
derived: it is the *wrong* one, shown beside the derived equation so a lecturer can point
at the misplaced ``diag``. The check works on symbolic dimensions (H, K, n_in) so the
verdict does not depend on sizes that happen to coincide.
"""
from __future__ import annotations

from dataclasses import dataclass

from autodiff.errors import GradbookError
from rnn.expr.time import TimeIndex
from rnn.expr.tree import (Add, Array, Call, MatMul, Neg, Number, Pow, SumOverTime, Symbol, Transpose, fold,
                           grad_of, is_call)

from .printers import text
from .results import Equation


class DimensionMismatch(GradbookError):
    """A product whose inner dimensions differ."""


def _sym(name, time, shape):
    return Symbol(name, None if time is None else TimeIndex(*time), shape=shape)


def printed_10_21():
    """grad_{h^(t)} L = W^T (grad_{h^(t+1)} L) diag(1 - (h^(t+1))^2) + V^T grad_{o^(t)} L, as printed.

    Typed in with symbolic shapes (H, K); its first product has none, which is the point."""
    h_next = _sym("h", ("t", 1), ("H", "1"))
    W, V = _sym("W", None, ("H", "H")), _sym("V", None, ("K", "H"))
    dtanh = Add((Number(1.0, shape=()), Neg(Pow(h_next, 2))), shape=("H", "1"))
    rhs = Add((MatMul((Transpose(W), grad_of(h_next), Call("diag", (dtanh,), shape=("H", "H")))),
               MatMul((Transpose(V), grad_of(_sym("o", ("t", 0), ("K", "1")))), shape=("H", "1"))))
    lhs = grad_of(_sym("h", ("t", 0), ("H", "1")))
    return Equation(lhs, rhs, lo=TimeIndex(None, 1), hi=TimeIndex("tau", -1), key="h", tag="10.21 printed")


def symbolic_shape(e, names):
    """The shape of `e` in named dimensions; raises `DimensionMismatch` at the first bad product.

    `names` maps concrete sizes to dimension names ({3: 'H', ...}) for derived expressions,
    whose symbols carry concrete shapes.
    """
    return fold(e, lambda node, below: _shape(node, below, names))


def _shape(e, below, names):
    """The named shape of `e` given its children's (`below`)."""
    if isinstance(e, Symbol) or is_call(e, "onehot"):
        return tuple(names.get(d, str(d)) for d in e.shape)
    if isinstance(e, (Number, Array)):
        return ()
    if isinstance(e, Transpose):
        return tuple(reversed(below[0]))
    if is_call(e, "diag"):
        n = below[0][0]
        return (n, n)
    if isinstance(e, MatMul):
        shape = below[0]
        for k, (f, right) in enumerate(zip(e.factors[1:], below[1:]), start=1):
            if shape[1] != right[0]:
                left = text(MatMul(e.factors[:k])) if k > 1 else text(e.factors[0])
                raise DimensionMismatch(f"{left} is {shape[0]} x {shape[1]} but {text(f)} is "
                                        f"{right[0]} x {right[1]}: inner dimensions {shape[1]} and "
                                        f"{right[0]} differ")
            shape = (shape[0], right[1])
        return shape
    shapes = [s for s in below if s]
    if isinstance(e, SumOverTime) or not shapes:
        return shapes[0] if shapes else ()
    for s in shapes[1:]:
        if s != shapes[0]:
            raise DimensionMismatch(f"terms of shapes {shapes[0]} and {s} cannot be added or multiplied elementwise")
    return shapes[0]


@dataclass
class DimensionCheck:
    """Verdict of the dimension check on one equation."""

    equation: Equation
    ok: bool
    message: str


def check(eq, names=None):
    """Type-check both sides of `eq`; the message says which product fails and why."""
    names = names or {}
    try:
        left, right = symbolic_shape(eq.lhs, names), symbolic_shape(eq.rhs, names)
    except DimensionMismatch as exc:
        return DimensionCheck(eq, False, f"rejected: {exc}")
    if left != right:
        return DimensionCheck(eq, False, f"rejected: left side is {left}, right side is {right}")
    return DimensionCheck(eq, True, f"dimensions agree: both sides are {left[0]} x {left[1]}")
