"""A correct recursion with a wrong base case: the interior equation written at a boundary step.

BPTT's adjoints are recursions with a boundary: eq. 10.21 gives grad_h[t] from grad_h[t+1] for
t < tau, and at t = tau there is no step tau + 1, so the term through W drops out and eq. 10.19,
grad_h[tau] = V.T @ grad_o[tau], remains (at t = 0 likewise there is no o^(0), so no output
term). A student who knows the recursion but not its base case writes it at the boundary:
``W.T @ diag(1 - h[tau+1]**2) @ grad_h[tau+1] + V.T @ grad_o[tau]``. That answer names a step the
sequence does not have; it is this mistake when the terms that do exist are exactly the
engine's gradient. Only the answer's signed terms (`rnn.exam.locate.signed_terms`) and the
one evaluator (`rnn.expr.evaluate`) are used, so nothing here depends on how the tree is built.
"""
from __future__ import annotations

from rnn.expr.evaluate import evaluate

from .errors import EvaluationError, ShapeMismatch, UnknownSymbol
from .locate import signed_terms
from .printers import to_text


def wrong_base_case(question, node, points, close):
    """(site, fix) when `node` is the interior recursion written at a boundary step, else None.

    `site` names the terms that reach a step the sequence does not have, `fix` the terms that
    remain; `close(a, b)` is the checker's comparison. Applies to an adjoint asked at a step
    (grad_h[tau], grad_h[0] ...), where a recursion has a base case at all.
    """
    if question.asked.index is None:
        return None
    kept, dropped = [], []
    for sign, term in signed_terms(node):
        try:
            values = [_steps(term, p) for p in points]
        except UnknownSymbol as exc:
            dropped.append((sign, term, exc.symbol.split(" (")[0]))
            continue
        except (ShapeMismatch, EvaluationError):
            return None
        kept.append((sign, term, values))
    if not dropped or not kept:
        return None
    for i, p in enumerate(points):
        for t in p.steps:
            total = sum(sign * values[i][t] for sign, _, values in kept)
            if not close(total, p.truth[t]):
                return None
    site = " and ".join(f"{_signed(sign, term)} (there is no {symbol})"
                        for sign, term, symbol in dropped)
    fix = " ".join(_signed(sign, term, k == 0) for k, (sign, term, _) in enumerate(kept))
    return site, fix


def _steps(term, point):
    return {t: evaluate(term, point.values, t) for t in point.steps}


def _signed(sign, term, first=True):
    text = to_text(term)
    if first:
        return text if sign > 0 else f"-{text}"
    return f"+ {text}" if sign > 0 else f"- {text}"
