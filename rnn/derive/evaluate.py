"""Numbers from derived formulas: a tree -> NumPy evaluator and a recurrence solver.

The checks never turn a printed formula back into code: they walk the same expression
tree (`rnn.expr.tree`) the printers walk, with the values of one concrete sequence bound to
its symbols.
"""
from __future__ import annotations

import numpy as np

from autodiff.ops import one_hot
from rnn.expr.functions import lookup
from rnn.expr.tree import (Add, Array, Call, Grad, MatMul, Mul, Neg, Number, Pow, SumOverTime, Symbol,
                           Transpose, fold, is_call)

from .algebra import array_of
from .errors import DeriveError


def resolve(time, t, tau):
    """The integer step of a time index, given the current t and the sequence length tau."""
    try:
        return time.resolve(t, tau)
    except ValueError as error:
        raise DeriveError(f"{error}; pass it to evaluate") from None


def _product(values, combine):
    out = values[0]
    for v in values[1:]:
        out = combine(out, v)
    return out


class Evaluator:
    """Evaluates expressions with `env` {(name, step or None): array} and adjoints from `grad`."""

    def __init__(self, env, tau, grad=None):
        self.env, self.tau, self.grad = env, tau, grad

    def __call__(self, e, t=None):
        return fold(e, lambda node, below: self._node(node, below, t), opaque=(SumOverTime,))

    def _sym(self, s, t):
        key = (s.name, None if s.index is None else resolve(s.index, t, self.tau))
        try:
            return self.env[key]
        except KeyError:
            raise DeriveError(f"no value for {key[0]} at step {key[1]}; bind it in the environment") from None

    def _node(self, e, below, t):
        """The value of `e` given its children's values `below` (a sum over t evaluates its
        body once per step)."""
        if isinstance(e, Grad):
            return self.grad(e.of.name, None if e.index is None else resolve(e.index, t, self.tau))
        if isinstance(e, Symbol):
            return self._sym(e, t)
        if is_call(e, "onehot"):
            target = e.args[0]
            return one_hot(np.asarray(self._sym(target, t)).astype(int), e.shape[0], axis=0).reshape(e.shape)
        if isinstance(e, (Number, Array)):
            return array_of(e)
        if isinstance(e, Add):
            return sum(below)
        if isinstance(e, Neg):
            return -below[0]
        if isinstance(e, MatMul):
            return _product(below, lambda a, b: a @ b)
        if isinstance(e, Mul):
            return _product(below, lambda a, b: a * b)
        if isinstance(e, Pow):
            return below[0] ** e.exponent
        if is_call(e, "diag"):
            return np.diagflat(below[0])
        if isinstance(e, Transpose):
            return below[0].T
        known = lookup(e.func) if isinstance(e, Call) else None
        if known is not None and known.numpy is not None:
            return known.numpy(below[0])
        if isinstance(e, SumOverTime):
            lo, hi = resolve(e.first, t, self.tau), resolve(e.last, t, self.tau)
            return sum(self(e.body, s) for s in range(lo, hi + 1))
        raise DeriveError(f"cannot evaluate {type(e).__name__} {getattr(e, 'func', '')}; "
                          f"it has no numeric rule in rnn/expr/functions.py")


class Solution:
    """Every adjoint and parameter gradient of a `MatrixDerivation` on one concrete sequence,
    computed by running its recurrences backwards from tau (memoised, so linear in tau)."""

    def __init__(self, derivation, env, tau):
        self.derivation, self.tau = derivation, tau
        self.evaluate = Evaluator(env, tau, self.adjoint)
        self._memo = {}

    def _equation_for(self, kind, step):
        for eq in self.derivation.adjoints:
            if eq.lhs.of.name == kind:
                lo, hi = resolve(eq.lo, step, self.tau), resolve(eq.hi, step, self.tau)
                if lo <= step <= hi:
                    return eq
        raise DeriveError(f"no derived equation gives grad_{kind} at step {step} of {self.tau}")

    def adjoint(self, kind, step):
        """grad_{kind^(step)} L."""
        key = (kind, step)
        if key not in self._memo:
            eq = self._equation_for(kind, step)
            self._memo[key] = self.evaluate(eq.rhs, step)
        return self._memo[key]

    def parameter(self, name):
        """grad_{name} L from its derived sum over t."""
        return self.evaluate(self.derivation.equation(name).rhs)


def environment(unrolled):
    """{(name, step): value} of every tagged node and parameter of a numeric unrolled graph
    (`graphs.unroll`'s or `rnn.unroll`'s; the total loss L, which has no step, is left out)."""
    env = {(name, None): p.value for name, p in unrolled.params.items()}
    for node in unrolled.nodes.values():
        if "t" in node.meta:
            env[(node.meta["kind"], node.meta["t"])] = node.value
    return env
