"""The answer key as the derivation writes it: `rnn.derive`'s matrix form of the question's
model, its equation for the asked quantity turned into an answer tree.

The checker compares a wrong answer with this tree to say where it goes wrong
(`rnn.exam.locate`): "your grad_h[t] lacks the term V.T @ grad_o[t]". The tree is normalised
as the answer parsers build theirs: time indices relative to t (or tau, or absolute where the
question asks at one step), sums over t with their range, flat sums with the positive terms
first, flat products (`rnn.expr.tree`). A key that does not equal the engine's
gradient at the checker's points is not used (`Checker.derived`), so the feedback never
rests on an equation that does not hold for the question (a mean loss, another GRU form).
"""
from __future__ import annotations

from functools import lru_cache

from autodiff.errors import GradbookError
from rnn.derive.algebra import scale_parts
from rnn.expr.functions import NAMES, lookup
from rnn.expr.time import FIRST_STEP, LAST_STEP, TimeIndex
from rnn.expr.tree import (Add, Array, Call, MatMul, Mul, Neg, Number, Pow, SumOverTime, Symbol, Transpose, add,
                           fold, matmul, mul)

# The exam's built-in models and the derivation's cells (rnn.derive.CELLS) for the same `rnn` class.
_CELLS = {"rnn": "rnn", "output_rnn": "output", "lstm": "lstm", "gru": "gru"}
_LSTM_CANDIDATES = {"sigmoid": "lstm", "tanh": "lstm-tanh"}


class Unconvertible(ValueError):
    """A derived expression with a part an answer tree has no node for (a matrix constant)."""


def derived_key(question):
    """The answer tree of the derived equation for `question.asked`, or None when the
    derivation has no single equation for it (the scalar exam, a step outside the recurrence's
    range, a question asked over steps two equations cover)."""
    derivation = _derivation(question)
    if derivation is None:
        return None
    asked = question.asked
    wanted = asked.of.name
    try:
        if asked.index is None:
            equation = next((e for e in derivation.params if e.key == wanted), None)
            return None if equation is None else to_tree(equation.rhs)
        return _adjoint(derivation, wanted, asked.index, question)
    except Unconvertible:
        return None


def _derivation(question):
    if question.cell is not None:
        return _cell_derivation(question.cell)
    cell = _CELLS.get(question.model)
    if cell == "lstm":
        cell = _LSTM_CANDIDATES.get(question.options.get("candidate", "sigmoid"))
    if cell == "gru" and question.options.get("form", "cho") != "cho":
        cell = None
    return None if cell is None else _builtin_derivation(cell)


@lru_cache(maxsize=None)
def _builtin_derivation(cell):
    from rnn.derive import derive_matrix
    return derive_matrix(cell)


_CELL_DERIVATIONS = {}  # id(spec): (spec, derivation); a CustomCell holds dicts, so it is not hashable


def _cell_derivation(spec):
    from rnn.derive import derive_custom
    if id(spec) not in _CELL_DERIVATIONS:
        try:
            derivation = derive_custom(spec)
        except GradbookError:  # a cell the derivation cannot generalise: located against the reference
            derivation = None
        _CELL_DERIVATIONS[id(spec)] = (spec, derivation)
    return _CELL_DERIVATIONS[id(spec)][1]


def _adjoint(derivation, kind, index, question):
    """The equation of grad_kind at `index`: the general recurrence (over t, substituted at a
    fixed step) or the boundary form at tau."""
    forms = [e for e in derivation.adjoints if e.lhs.of.name == kind]
    if index.base == "t":
        last = LAST_STEP if question.steps == "all" else TimeIndex("tau", -1)
        for e in forms:
            if e.lo is not None and e.lo != e.hi and e.lo == FIRST_STEP and e.hi.offset >= last.offset \
                    and e.hi.base == "tau":
                return to_tree(e.rhs)
        return None
    for e in forms:
        if (e.lo is None or e.lo == e.hi) and e.lhs.index == index:
            return to_tree(e.rhs)
    for e in forms:
        if e.lo is not None and e.lo != e.hi and _covers(e, index, question.tau):
            return to_tree(e.rhs, at=index)
    return None


def _covers(e, index, tau):
    """Whether the recurrence `e` (for t = e.lo..e.hi) holds at the fixed step `index`."""
    if index.base is None:
        if tau is None:
            return False
        return e.lo.resolve(None, tau) <= index.offset <= e.hi.resolve(None, tau)
    return e.lo.base is None and e.hi.base == "tau" and index.offset <= e.hi.offset


def to_tree(e, at=None):
    """The derivation's expression `e` normalised as the parsers build an answer; `at` (a
    TimeIndex) is put for its free t (the general recurrence at one step). Raises Unconvertible."""
    def visit(node, below):
        if isinstance(node, SumOverTime):  # its t is bound: nothing inside is put at `at`
            return SumOverTime(to_tree(node.body), node.first, node.last)
        if isinstance(node, Symbol):  # an adjoint Grad too
            index = node.index
            if at is not None and index is not None and index.base == "t":
                index = TimeIndex(at.base, at.offset + index.offset)
            return type(node)(node.name, index)
        if isinstance(node, Array):
            raise Unconvertible("a matrix constant")
        if isinstance(node, Number):
            return Number(float(node.value)) if node.value >= 0 else Neg(Number(float(-node.value)))
        if isinstance(node, Add):  # the positive terms first (yhat - 1_y)
            order = sorted(range(len(below)), key=lambda i: isinstance(node.terms[i], Neg))
            return add(*(below[i] for i in order))
        if scale_parts(node):  # c x keeps its signed number, as a typed -2 * x would
            return mul(Number(float(node.factors[0].value)), below[1])
        if isinstance(node, (MatMul, Mul)):
            return (matmul if isinstance(node, MatMul) else mul)(*below)
        if isinstance(node, Neg):
            return Neg(below[0])
        if isinstance(node, Pow):
            return Pow(below[0], float(node.exponent))
        if isinstance(node, Transpose):
            return Transpose(below[0])
        if isinstance(node, Call):
            known = lookup(node.func)
            if known is None or known.name not in NAMES:
                raise Unconvertible(f"the function {node.func}")
            return Call(known.name, below)
        raise Unconvertible(type(node).__name__)

    return fold(e, visit, opaque=(SumOverTime,))
