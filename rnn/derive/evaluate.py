"""Numbers from derived formulas: an MExpr -> NumPy evaluator and a recurrence solver.

The checks never turn a printed formula back into code: they walk the same expression
tree the printers walk, with the values of one concrete sequence bound to its symbols.
"""
from __future__ import annotations

import numpy as np

from autodiff.ops import one_hot
from rnn.expr.functions import lookup

from . import mexpr as mx
from .errors import DeriveError


def resolve(time, t, tau):
    """The integer step of a time index, given the current t and the sequence length tau."""
    try:
        return time.resolve(t, tau)
    except ValueError as error:
        raise DeriveError(f"{error}; pass it to evaluate") from None


class Evaluator:
    """Evaluates expressions with `env` {(name, step or None): array} and adjoints from `grad`."""

    def __init__(self, env, tau, grad=None):
        self.env, self.tau, self.grad = env, tau, grad

    def __call__(self, e, t=None):
        return self._eval(e, t)

    def _sym(self, s, t):
        key = (s.name, None if s.time is None else resolve(s.time, t, self.tau))
        try:
            return self.env[key]
        except KeyError:
            raise DeriveError(f"no value for {key[0]} at step {key[1]}; bind it in the environment") from None

    def _eval(self, e, t):
        ev = lambda x: self._eval(x, t)  # noqa: E731
        if isinstance(e, mx.Sym):
            return self._sym(e, t)
        if isinstance(e, mx.Grad):
            return self.grad(e.of.name, None if e.of.time is None else resolve(e.of.time, t, self.tau))
        if isinstance(e, mx.OneHot):
            return one_hot(np.asarray(self._sym(e.target, t)).astype(int), e.shape[0], axis=0).reshape(e.shape)
        if isinstance(e, mx.Const):
            return e.array
        if isinstance(e, mx.Add):
            return sum(ev(x) for x in e.terms)
        if isinstance(e, mx.Neg):
            return -ev(e.x)
        if isinstance(e, mx.Scale):
            return e.c * ev(e.x)
        if isinstance(e, mx.MatMul):
            out = ev(e.factors[0])
            for f in e.factors[1:]:
                out = out @ ev(f)
            return out
        if isinstance(e, mx.Hadamard):
            out = ev(e.factors[0])
            for f in e.factors[1:]:
                out = out * ev(f)
            return out
        if isinstance(e, mx.Power):
            return ev(e.x) ** e.n
        if isinstance(e, mx.Diag):
            return np.diagflat(ev(e.v))
        if isinstance(e, mx.Transpose):
            return ev(e.x).T
        known = lookup(e.name) if isinstance(e, mx.Func) else None
        if known is not None and known.numpy is not None:
            return known.numpy(ev(e.args[0]))
        if isinstance(e, mx.SumT):
            lo, hi = resolve(e.lo, t, self.tau), resolve(e.hi, t, self.tau)
            return sum(self._eval(e.body, s) for s in range(lo, hi + 1))
        raise DeriveError(f"cannot evaluate {type(e).__name__} {getattr(e, 'name', '')}; "
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
