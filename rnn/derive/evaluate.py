"""Numbers from derived formulas: the derivation's values for the one evaluator
(`rnn.expr.evaluate`) and a recurrence solver.

The checks never turn a printed formula back into code: they evaluate the same expression
tree (`rnn.expr.tree`) the printers walk, with the values of one concrete sequence bound to
its symbols and each adjoint grad_{h^(t)} L computed from its derived recurrence (eq. 10.21)
when a formula first needs it.
"""
from __future__ import annotations

from rnn.expr.evaluate import Values, evaluate

from .errors import DeriveError
from .printers import text


def values(env, tau, adjoint=None):
    """The values of one sequence of length `tau` for `rnn.expr.evaluate.evaluate`: `env`
    {(name, step or None): array}, and `adjoint(kind, step)` for grad_{kind^(step)} L;
    a failure raises DeriveError."""
    return Values(env, text=text, error=DeriveError, tau=tau, adjoint=adjoint)


def _resolve(time, t, tau):
    """The integer step of an equation's bound, given the current t and the sequence length tau."""
    try:
        return time.resolve(t, tau)
    except ValueError as error:
        raise DeriveError(f"{error}; pass it to evaluate") from None


class Solution:
    """Every adjoint and parameter gradient of a `MatrixDerivation` on one concrete sequence,
    computed by running its recurrences backwards from tau (memoised, so linear in tau)."""

    def __init__(self, derivation, env, tau):
        self.derivation, self.tau = derivation, tau
        self.values = values(env, tau, self.adjoint)
        self._memo = {}
        self._kinds = list(dict.fromkeys(eq.lhs.of.name for eq in derivation.adjoints))
        self._solved_from = tau + 1  # every adjoint at a step >= this one is in the memo

    def _equation_for(self, kind, step):
        for eq in self.derivation.adjoints:
            if eq.lhs.of.name == kind:
                lo, hi = _resolve(eq.lo, step, self.tau), _resolve(eq.hi, step, self.tau)
                if lo <= step <= hi:
                    return eq
        return None

    def adjoint(self, kind, step):
        """grad_{kind^(step)} L."""
        key = (kind, step)
        if key not in self._memo:
            # The recurrences (eq. 10.21) run from tau down: solve every later step first,
            # latest first, so one equation's evaluation reads memoised values (or others of
            # its own step) instead of recursing through the rest of the sequence.
            while self._solved_from > step + 1:
                later = self._solved_from = self._solved_from - 1
                for other in self._kinds:
                    if (other, later) not in self._memo:
                        self._solve(other, later, needed=False)
            self._solve(kind, step, needed=True)
        return self._memo[key]

    def _solve(self, kind, step, needed):
        eq = self._equation_for(kind, step)
        if eq is None:
            if needed:
                raise DeriveError(f"no derived equation gives grad_{kind} at step {step} of {self.tau}")
            return
        self._memo[(kind, step)] = evaluate(eq.rhs, self.values, step)

    def parameter(self, name):
        """grad_{name} L from its derived sum over t."""
        return evaluate(self.derivation.equation(name).rhs, self.values)


def environment(unrolled):
    """{(name, step): value} of every tagged node and parameter of a numeric unrolled graph
    (`graphs.unroll`'s or `rnn.unroll`'s; the total loss L, which has no step, is left out)."""
    env = {(name, None): p.value for name, p in unrolled.params.items()}
    for node in unrolled.nodes.values():
        if "t" in node.meta:
            env[(node.meta["kind"], node.meta["t"])] = node.value
    return env
