"""Symbolic confirmation of scalar-exam answers (issue 5: "... then symbolic confirmation where cheap").

The numeric check decides the verdict; this adds a proof for the 1-unit RNN of the scalar
exam, h_t = tanh(a_t), a_t = w h_{t-1} + u x_t (eqs. 10.8-10.9 with one unit, b = 0).

* The answer tree becomes a SymPy expression by `to_sympy`, a walk over the whitelisted tree
  that builds Symbol, Add, Mul, Pow and the functions directly: nothing typed is ever parsed
  by SymPy.
* The key is the engine's own derivation (`rnn.derive.derive_scalar`, forward mode on the
  unrolled graph), or the question's answer key converted the same way when the derivation
  does not describe the question.
* The states h_t stay symbols and the model's relations are applied while converting:
  a_t = w h_{t-1} + u x_t, tanh(a_t) = h_t, sech(a_t) = sqrt(1 - h_t^2),
  exp(+-a_t) = sqrt((1 +- h_t) / (1 -+ h_t)), sigma(z) = 1 / (1 + exp(-z)).
  When exp(a_t) itself appears, h_t is written through E_t = exp(a_t) instead:
  h_t = (E_t^2 - 1)/(E_t^2 + 1), sech(a_t) = 2 E_t/(E_t^2 + 1), so everything stays rational.
  A difference that cancels to 0 with the h_t (or E_t) independent is 0 for all their values, in
  particular on the model; a difference that does not cancel is evaluated exactly at a point of
  the model (h_t = tanh(a_t) there), and a nonzero value proves that the answer differs.

Answers larger than the limits below, with a free step t, or taking longer than `BUDGET`
seconds between stages are left unconfirmed (None). The first confirmation in a process also
imports SymPy and derives the key (about 0.3 s together); later ones take 5-30 ms.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction

from rnn.expr.functions import function

from rnn.expr.tree import Add, Call, Div, MatMul, Mul, Neg, Number, Pow, SumOverTime, Symbol, Transpose, fold, walk

BUDGET = 0.2            # seconds; checked between stages
MAX_NODES = 200         # nodes of the answer tree
MAX_TERMS = 1000        # bound on the terms of the expanded answer (sums add, products multiply)
MAX_POWER = 8           # |p| of an exponent that is converted
TAU = 2                 # the scalar exam unrolls two steps
_PARAMETERS = {"w": "w", "W": "w", "u": "u", "U": "u", "b": "b"}
# A point of the model where a difference that does not cancel is evaluated exactly.
_POINT = {"w": Fraction(3, 5), "u": Fraction(-7, 10), "x_1": Fraction(1, 3), "x_2": Fraction(-5, 4),
          "h_0": Fraction(2, 5), "y": Fraction(1, 7)}


class Unsupported(ValueError):
    """The tree has a part the converter does not turn into SymPy (a free t, onehot, a large power)."""


@dataclass(frozen=True)
class Confirmation:
    """`confirmed` True (the difference from the key is 0), False (proved different) or None (not
    tried or inconclusive); `note` is one sentence for the student's message."""

    confirmed: bool | None
    note: str
    seconds: float = 0.0


def applies(question):
    """True for the questions this module confirms: the scalar exam's."""
    return question.model == "scalar_rnn"


def confirm(node, question, key=None, budget=BUDGET):
    """The Confirmation of the answer `node` for a scalar question.

    `key` is a (SymPy expression, description) pair from `scalar_key`; it is computed when None
    (a Checker computes it once per question). `budget` is in seconds; None means no limit
    (the outcome then depends on the mathematics alone, not on how busy the machine is).
    """
    import sympy
    # The budget is for the work on this answer; SymPy's one-off import (about 0.2 s) is not in it.
    start = time.perf_counter()
    try:
        _check_size(node)
        answer, states = _to_sympy(node)
        if key is None:
            key = scalar_key(question)
        expression, described = key
        if _over(budget, start):
            return _skipped("it would take too long", start)
        difference = sympy.cancel(sympy.together(states.through_exp(answer - expression)))
    except Unsupported as exc:
        return _skipped(str(exc), start)
    if difference == 0:
        return Confirmation(True, f"Confirmed symbolically: the answer minus {described} simplifies to 0.",
                            time.perf_counter() - start)
    if _over(budget, start):
        return _skipped("it would take too long", start)
    gap = _value_at_point(difference)
    if gap is None or abs(gap) < 1e-12:
        return _skipped("the difference does not cancel with the states kept as symbols", start)
    used = {str(symbol) for symbol in difference.free_symbols}
    shown = ", ".join(f"{name} = {value}" for name, value in _POINT.items() if name != "y" or "y" in used)
    return Confirmation(False, f"Symbolically the answer differs from {described}: at {shown} "
                        f"the two differ by {gap:.3g}.", time.perf_counter() - start)


def _over(budget, start):
    return budget is not None and time.perf_counter() - start > budget


def _skipped(reason, start):
    return Confirmation(None, f"Not confirmed symbolically: {reason}.", time.perf_counter() - start)


def _check_size(node):
    nodes = sum(1 for _ in walk(node))
    if nodes > MAX_NODES:
        raise Unsupported(f"the answer has {nodes} parts (the limit is {MAX_NODES})")
    terms = fold(node, _terms)
    if terms > MAX_TERMS:
        raise Unsupported(f"expanded, the answer could have {terms:.0f} terms (the limit is {MAX_TERMS})")


def _terms(node, below):
    """A bound on the number of terms of the expanded node (a_t = w h + u x has two)."""
    if isinstance(node, Number):
        return 1
    if isinstance(node, Symbol):
        return 2 if node.name == "a" else 1
    if isinstance(node, Add):
        return sum(below)
    if isinstance(node, (Mul, MatMul, Div)):
        return math.prod(below)
    if isinstance(node, Pow):
        return min(below[0] ** min(abs(node.exponent), MAX_POWER), 10.0 * MAX_TERMS)
    if isinstance(node, Call):
        return 2
    return below[0] if below else 1


# ----- the tree as SymPy -----------------------------------------------------------------

def to_sympy(node, tau=TAU):
    """The SymPy expression of a scalar answer, with the model's relations applied.

    Steps are absolute (h_2, x_1) or relative to tau; h_k becomes the symbol ``h_k``, a_k becomes
    w h_{k-1} + u x_k, and tanh, sech, exp of an a_k become expressions in h_k (module docstring).
    Raises Unsupported for anything else (a free t, a sum over time, onehot, grad_...).
    """
    answer, states = _to_sympy(node, tau)
    return states.through_exp(answer)


def _to_sympy(node, tau=TAU):
    """(expression, _States): the expression may hold E_t placeholders until `through_exp`."""
    import sympy
    states = _States(sympy, tau)
    return fold(node, lambda n, below: _convert(sympy, states, n, below, tau)), states


class _States:
    """The symbols of the scalar RNN and the pre-activations a_k = w h_{k-1} + u x_k."""

    def __init__(self, sympy, tau):
        self.sympy = sympy
        self.h = {k: sympy.Symbol(f"h_{k}") for k in range(tau + 1)}
        self.x = {k: sympy.Symbol(f"x_{k}") for k in range(1, tau + 1)}
        w, u = sympy.Symbol("w"), sympy.Symbol("u")
        self.a = {k: w * self.h[k - 1] + u * self.x[k] for k in range(1, tau + 1)}
        self.e = {}

    def exp(self, k):
        """The placeholder E_k = exp(a_k) (positive), recorded so `through_exp` rewrites h_k."""
        return self.e.setdefault(k, self.sympy.Symbol(f"E_{k}", positive=True))

    def through_exp(self, expression):
        """`expression` with each h_k whose exp(a_k) was used written through E_k (module docstring)."""
        sympy = self.sympy
        for k, e in sorted(self.e.items(), reverse=True):
            h = self.h[k]
            expression = expression.subs(sympy.sqrt(1 - h ** 2), 2 * e / (e ** 2 + 1))
            expression = expression.xreplace({h: (e ** 2 - 1) / (e ** 2 + 1)})
        return expression

    def step_of(self, argument):
        """k if `argument` is a_k, -k if it is -a_k, else None."""
        expand = self.sympy.expand
        for k, a in self.a.items():
            if expand(argument - a) == 0:
                return k
            if expand(argument + a) == 0:
                return -k
        return None


def _convert(sympy, states, node, below, tau):
    if isinstance(node, Number):
        fraction = Fraction(node.value).limit_denominator(10 ** 6)
        return sympy.Rational(fraction.numerator, fraction.denominator)
    if isinstance(node, Symbol):
        return _symbol(sympy, states, node, tau)
    if isinstance(node, (Mul, MatMul)):
        return sympy.Mul(*below)
    if isinstance(node, Div):
        return below[0] / below[1]
    if isinstance(node, Add):
        return sympy.Add(*below)
    if isinstance(node, Neg):
        return -below[0]
    if isinstance(node, Transpose):
        return below[0]
    if isinstance(node, Pow):
        return below[0] ** _exponent(sympy, node.exponent)
    if isinstance(node, Call):
        return _function(sympy, states, node.func, below[0])
    if isinstance(node, SumOverTime):
        raise Unsupported("the answer sums over t")
    raise Unsupported(f"{type(node).__name__} is not converted")


def _symbol(sympy, states, node, tau):
    if node.index is not None and node.index.base == "t":
        raise Unsupported("the answer has a free step t")
    step = None if node.index is None else node.index.resolve(None, tau)
    if node.name in _PARAMETERS and step is None:
        return sympy.Symbol(_PARAMETERS[node.name])
    if node.name == "y" and step in (None, tau):
        return sympy.Symbol("y")
    table = {"h": states.h, "x": states.x, "a": states.a}.get(node.name, {})
    if step in table:
        return table[step]
    raise Unsupported(f"{node.name}{'' if step is None else f'[{step}]'} is not a quantity of the scalar RNN")


def _exponent(sympy, p):
    if abs(p) > MAX_POWER or not float(2 * p).is_integer():
        raise Unsupported(f"the exponent {p:g} is not a small whole or half number")
    return sympy.Rational(int(2 * p), 2)


def _function(sympy, states, func, arg):
    if func in ("diag",):
        return arg
    if func == "softmax":
        return sympy.Integer(1)
    if func == "cosh":
        return 1 / _function(sympy, states, "sech", arg)
    step = states.step_of(arg) if func in ("tanh", "sech", "exp", "sigma") else None
    if func == "sigma":
        return 1 / (1 + _function(sympy, states, "exp", -arg))
    if step is None:
        name = function(func).sympy
        if name is None:
            raise Unsupported(f"{func} is not converted")
        return getattr(sympy, name)(arg)
    h = states.h[abs(step)]
    sign = 1 if step > 0 else -1
    if func == "tanh":
        return sign * h
    if func == "sech":
        return sympy.sqrt(1 - h ** 2)
    e = states.exp(abs(step))
    return e if sign > 0 else 1 / e


# ----- the key ----------------------------------------------------------------------------

def scalar_key(question):
    """(SymPy expression, description) of the right answer to a scalar question.

    The engine's derivation (`derive_scalar`: d h_2 / dw, or dL/dw with L = (h_2 - y)^2 / 2)
    when it agrees with the question's answer key; otherwise the key itself, converted by
    `to_sympy`. Raises Unsupported when neither is available.
    """
    import sympy
    reference = None
    if question.reference:
        from .parse_text import parse_text
        reference = to_sympy(parse_text(question.reference, frozenset(question.symbols)))
    derived = _derived(question)
    if derived is not None and (reference is None or sympy.cancel(sympy.together(derived - reference)) == 0):
        return derived, f"the engine's derivation {derived}"
    if reference is None:
        raise Unsupported("the question has no answer key to compare with")
    return reference, f"the answer key {question.reference}"


def _derived(question):
    wrt = _PARAMETERS.get(question.asked.name[len("grad_"):])
    if wrt is None or question.asked.index is not None:
        return None
    if question.of is None:
        of = "L"
    elif question.of.name == "h" and question.of.index is not None \
            and question.of.index.resolve(None, TAU) == TAU:
        of = "h"
    else:
        return None
    from rnn.derive.scalar import derive_scalar
    return derive_scalar(tau=TAU, wrt=wrt, of=of, loss="last", expand_up_to=0).nested


def _value_at_point(difference):
    """|difference| at `_POINT` (h_t = tanh(a_t), E_t = exp(a_t) there), to 30 digits, or None."""
    import sympy
    values = {sympy.Symbol(name): sympy.Rational(v.numerator, v.denominator) for name, v in _POINT.items()}
    w, u = values[sympy.Symbol("w")], values[sympy.Symbol("u")]
    h = values[sympy.Symbol("h_0")]
    for k in range(1, TAU + 1):
        a = w * h + u * values[sympy.Symbol(f"x_{k}")]
        h = sympy.tanh(a)
        values[sympy.Symbol(f"h_{k}")] = h
        values[sympy.Symbol(f"E_{k}", positive=True)] = sympy.exp(a)
    values[sympy.Symbol("b")] = sympy.Integer(0)
    number = difference.xreplace(values).evalf(30)
    if not number.is_number or number.free_symbols:
        return None
    try:
        value = complex(number)
    except TypeError:
        return None
    return abs(value) if value == value else None
