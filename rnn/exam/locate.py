"""Where an answer goes wrong: the answer's tree compared with the answer key's, sub-term by sub-term.

Used when no anticipated mistake (`rnn.exam.mistakes`) explains a wrong answer. Both trees are
split into signed terms (a sum over t of a sum is split too, as sum_t (a + b) = sum_t a + sum_t b);
each term is evaluated at the checker's points and matched with an equal term of the other side.
A key term nothing matches is one the answer lacks ("your answer lacks the term V.T @ grad_o[t]"),
an answer term nothing matches one it should not have. When one term differs on each side, the two
are walked down together while they have the same form, to the smallest part that differs:
"this factor should be h[t-1]: you wrote h[t]". Comparisons are numeric, at every step, so
diag(v) @ g and v * g, or any order of an elementwise product, count as the same. The key is the
derivation's own equation (`rnn.exam.derived`) when it holds for the question.
"""
from dataclasses import replace

from rnn.expr.evaluate import evaluate
from rnn.expr.tree import (Add, Call, Div, MatMul, Mul, Neg, Number, SumOverTime, Symbol, Transpose, children,
                           is_call, matmul)

from .errors import EvaluationError, ShapeMismatch, UnknownSymbol
from .printers import to_text

_FAILURES = (ShapeMismatch, UnknownSymbol, EvaluationError, ValueError, FloatingPointError)


def signed_terms(node, sign=1):
    """[(sign, term)] with node = sum of sign * term; a sum over t of a sum is split into sums."""
    if isinstance(node, Add):
        return [pair for term in node.terms for pair in signed_terms(term, sign)]
    if isinstance(node, Neg):
        return signed_terms(node.operand, -sign)
    if isinstance(node, SumOverTime):
        inner = signed_terms(node.body)
        if len(inner) > 1:
            return [(sign * s, replace(node, body=term)) for s, term in inner]
    return [(sign, node)]


class Locator:
    """Compares sub-trees numerically at `points` (`rnn.exam.context.Point`s), values cached by text."""

    def __init__(self, points, close):
        self.points = points
        self.close = close
        self._values = {}

    def values(self, node):
        """{(point index, t): value} for every step t = 1..tau of every point; None where it fails."""
        key = to_text(node)
        if key not in self._values:
            found = {}
            for i, p in enumerate(self.points):
                for t in range(1, p.tau + 1):
                    try:
                        found[(i, t)] = evaluate(node, p.values, t)
                    except _FAILURES:
                        found[(i, t)] = None
            self._values[key] = found
        return self._values[key]

    def equal(self, a, b, sign=1):
        """True when `a` equals sign * `b` wherever either can be evaluated."""
        va, vb = self.values(a), self.values(b)
        compared = False
        for k in va:
            if va[k] is None and vb[k] is None:
                continue
            if va[k] is None or vb[k] is None:
                return False
            if not self.close(va[k], sign * vb[k]):
                return False
            compared = True
        return compared

    def locate(self, answer, key, asked="answer"):
        """A sentence placing the difference between `answer` and `key`, or None; `asked` names
        the quantity in it ("your grad_h[t] lacks the term V.T @ grad_o[t]")."""
        given, wanted = signed_terms(answer), signed_terms(key)
        unmatched = list(given)
        lacking = []
        for sign, term in wanted:
            match = next((g for g in unmatched if self.equal(g[1], term, g[0] * sign)), None)
            if match is None:
                lacking.append((sign, term))
            else:
                unmatched.remove(match)
        if not lacking and not unmatched:
            return None
        if len(lacking) == 1 and len(unmatched) == 1:
            (ks, kt), (gs, gt) = lacking[0], unmatched[0]
            found = self.part(gt, kt) if ks == gs else None
            if found is not None:
                wrong, right, factor = found
                if wrong is gt:
                    return f"The term {_signed(gs, gt)} should be {_signed(ks, kt)}."
                return (f"In the term {_signed(gs, gt)}, this {'factor' if factor else 'part'} should be "
                        f"{to_text(right)}: you wrote {to_text(wrong)}.")
        said = []
        if lacking:
            said.append(f"your {asked} lacks the term" + ("s " if len(lacking) > 1 else " ")
                        + ", ".join(_signed(s, t) for s, t in lacking))
        if unmatched:
            said.append("it has the term" + ("s " if len(unmatched) > 1 else " ")
                        + ", ".join(_signed(s, t) for s, t in unmatched) + ", which the gradient does not")
        right = len(wanted) - len(lacking)
        if right:
            said.append(f"{right} of the key's {len(wanted)} terms {'is' if right == 1 else 'are'} right")
        text = "; ".join(said)
        return text[0].upper() + text[1:] + "."

    def part(self, given, wanted):
        """(given part, wanted part, whether they are factors of a product): the smallest sub-trees,
        of the same form down to them, that differ. An elementwise product is compared factor by
        factor in any order, and diag(v) @ g counts as v * g (eq. 10.21's diag is the odot)."""
        factor = False
        while True:
            given_factors, wanted_factors = _elementwise_factors(given), _elementwise_factors(wanted)
            narrowed = ()
            if given_factors and wanted_factors:
                narrowed = self._unpaired(given_factors, wanted_factors)
            elif type(given) is MatMul and type(wanted) is MatMul:
                # the factors of a matrix product keep their order: set the equal ends aside
                narrowed = self._middle(given, wanted)
            if narrowed is None:  # products, but no one pair of factors differs
                return given, wanted, factor
            if narrowed:
                given, wanted = narrowed
                factor = True
                continue
            if type(given) is not type(wanted) or isinstance(given, (Symbol, Number)):
                return given, wanted, factor
            if isinstance(given, Call) and given.func != wanted.func:
                return given, wanted, factor
            if isinstance(given, SumOverTime) and (given.first, given.last) != (wanted.first, wanted.last):
                return given, wanted, factor
            pairs = list(zip(children(given), children(wanted)))
            if len(children(given)) != len(children(wanted)):
                return given, wanted, factor
            differing = [(g, w) for g, w in pairs if not self.equal(g, w)]
            if isinstance(given, Add) and len(differing) > 1:
                # a sum in another order: pair each term with its equal
                left = self._unpaired(children(given), children(wanted))
                differing = [left] if left is not None else differing
            if len(differing) != 1:
                return given, wanted, factor
            if isinstance(given, Add) and isinstance(differing[0][0], Neg) != isinstance(differing[0][1], Neg):
                # a term added where the key subtracts it (or back): the sum is the part that differs
                return given, wanted, factor
            # a factor stays one under its transpose: h[t].T for h[t-1].T is the factor h[t]
            factor = isinstance(given, (MatMul, Mul, Div)) or factor and isinstance(given, Transpose)
            given, wanted = differing[0]

    def _middle(self, given, wanted):
        """The parts of two matrix products left once their equal leading and trailing factors are
        set aside (a @ b @ c against a @ d @ e @ c: b against d @ e), or None when no end is equal."""
        g, w = list(given.factors), list(wanted.factors)
        while len(g) > 1 and len(w) > 1 and self.equal(g[0], w[0]):
            g, w = g[1:], w[1:]
        while len(g) > 1 and len(w) > 1 and self.equal(g[-1], w[-1]):
            g, w = g[:-1], w[:-1]
        if (len(g), len(w)) == (len(given.factors), len(wanted.factors)):
            return None
        return matmul(*g), matmul(*w)

    def _unpaired(self, given, wanted):
        """The one (given, wanted) factor pair left when every other factor has its equal, or None."""
        left = list(given)
        missing = []
        for w in wanted:
            match = next((g for g in left if self.equal(g, w)), None)
            if match is None:
                missing.append(w)
            else:
                left.remove(match)
        if len(missing) == 1 and len(left) == 1:
            return left[0], missing[0]
        return None


def _elementwise_factors(node):
    """The factors of an elementwise product a * b * c, or of diag(a) @ diag(b) @ g; else None."""
    if isinstance(node, Mul):
        return list(node.factors)
    if isinstance(node, MatMul):
        chain = node.factors
        if all(is_call(f, "diag") for f in chain[:-1]):
            return [f.args[0] for f in chain[:-1]] + [chain[-1]]
    return None


def _signed(sign, term):
    text = to_text(term)
    return f"-({text})" if sign < 0 and isinstance(term, Add) else ("-" if sign < 0 else "") + text


__all__ = ["Locator", "signed_terms"]
