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

from . import mexpr as mx
from .printers import text
from .results import Equation


class DimensionMismatch(GradbookError):
    """A product whose inner dimensions differ."""


def _sym(name, time, shape):
    return mx.Sym(name, None if time is None else TimeIndex(*time), shape)


def printed_10_21():
    """grad_{h^(t)} L = W^T (grad_{h^(t+1)} L) diag(1 - (h^(t+1))^2) + V^T grad_{o^(t)} L, as printed."""
    h_next = _sym("h", ("t", 1), ("H", "1"))
    W, V = _sym("W", None, ("H", "H")), _sym("V", None, ("K", "H"))
    dtanh = mx.Add((mx.Const.of(1.0), mx.Neg(mx.Power(h_next, 2))), None)
    rhs = mx.Add((mx.MatMul((mx.Transpose(W), mx.Grad(h_next), mx.Diag(dtanh)), None),
                  mx.MatMul((mx.Transpose(V), mx.Grad(_sym("o", ("t", 0), ("K", "1")))), None)), None)
    lhs = mx.Grad(_sym("h", ("t", 0), ("H", "1")))
    return Equation(lhs, rhs, lo=TimeIndex(None, 1), hi=TimeIndex("tau", -1), key="h", tag="10.21 printed")


def symbolic_shape(e, names):
    """The shape of `e` in named dimensions; raises `DimensionMismatch` at the first bad product.

    `names` maps concrete sizes to dimension names ({3: 'H', ...}) for derived expressions,
    whose symbols carry concrete shapes.
    """
    if isinstance(e, (mx.Sym, mx.OneHot)):
        return tuple(names.get(d, str(d)) for d in e.shape)
    if isinstance(e, mx.Grad):
        return symbolic_shape(e.of, names)
    if isinstance(e, mx.Const):
        return ()
    if isinstance(e, mx.Transpose):
        return tuple(reversed(symbolic_shape(e.x, names)))
    if isinstance(e, mx.Diag):
        n = symbolic_shape(e.v, names)[0]
        return (n, n)
    if isinstance(e, mx.MatMul):
        shape = symbolic_shape(e.factors[0], names)
        for k, f in enumerate(e.factors[1:], start=1):
            right = symbolic_shape(f, names)
            if shape[1] != right[0]:
                left = text(mx.MatMul(e.factors[:k], None)) if k > 1 else text(e.factors[0])
                raise DimensionMismatch(f"{left} is {shape[0]} x {shape[1]} but {text(f)} is "
                                        f"{right[0]} x {right[1]}: inner dimensions {shape[1]} and "
                                        f"{right[0]} differ")
            shape = (shape[0], right[1])
        return shape
    shapes = [symbolic_shape(c, names) for c in e.children()]
    shapes = [s for s in shapes if s]
    if isinstance(e, mx.SumT) or not shapes:
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
