"""The one printer per output (`rnn.expr.printers`): the derivation and the answers print a tree
with the same walk, differing only where their `Style` says so; an answer's printed form still
reads back as the tree it came from."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from rnn.derive import printers as derived
from rnn.exam import printers as answers
from rnn.exam.parse_latex import parse_latex
from rnn.exam.parse_text import parse_text
from rnn.expr import printers
from rnn.expr.time import TimeIndex
from rnn.expr.tree import Add, Call, MatMul, Mul, Neg, SumOverTime, symbol

T = TimeIndex("t", 0)
W, x, h = symbol("W"), symbol("x", T), symbol("h", T)
NAMES = frozenset({"W", "x", "h", "a"})


def test_both_sides_print_with_the_same_three_printers():
    """Neither side keeps a printer of its own: a style is all that sets them apart."""
    assert set(printers.Printer.__subclasses__()) == {printers.TextPrinter, printers.LatexPrinter,
                                                      printers.MathMLPrinter}
    assert derived.DERIVATION.notation is not answers.ANSWER.notation


# (tree, the derivation's text, the answers' text): each row is one switch of `Style`.
DIFFERENCES = [
    (Neg(MatMul((W, x))), "-W @ x[t]", "-(W @ x[t])"),                 # negation: NEG against UNARY
    (MatMul((Neg(W), x)), "(-W) @ x[t]", "-W @ x[t]"),
    (Add((Neg(x), h)), "h[t] - x[t]", "-x[t] + h[t]"),                # book_order
    (MatMul((Mul((h, x)), W)), "(h[t] * x[t]) @ W", "h[t] * x[t] @ W"),  # left_associative
    (SumOverTime(h), "sum(t=1..tau, h[t])", "sum_t h[t]"),            # sum_call
]


@pytest.mark.parametrize("node, derivation, answer", DIFFERENCES, ids=lambda v: str(v)[:30])
def test_the_styles_print_one_tree_as_each_side_reads_it(node, derivation, answer):
    assert derived.text(node) == derivation
    assert answers.to_text(node) == answer
    assert parse_text(answer, NAMES) == node
    assert parse_latex(answers.to_latex(node), NAMES) == node


def test_a_function_of_a_negation_prints_as_mathml():
    """tanh(-a): the answers' MathML once failed on a Neg argument (it unpacked the Neg's
    three-part result as two); now the one walk passes every function its argument's text."""
    node = parse_text("tanh(-a[t]) + diag(-h[t]) @ x[t]", NAMES)
    assert node.terms[0] == Call("tanh", (Neg(symbol("a", T)),))
    root = ET.fromstring(answers.to_mathml(node))
    assert [mi.text for mi in root.iter("mi") if mi.text in ("tanh", "diag")] == ["tanh", "diag"]
    assert sum(mo.text == "\u2212" for mo in root.iter("mo")) == 2


@pytest.mark.needs_chromium
def test_chromium_lays_out_a_function_of_a_negation(tmp_path):
    from tests.consumers import mathml_widths
    forms = ["tanh(-a[t])", "diag(-h[t]) @ x[t]", "-(W @ x[t])"]
    widths = mathml_widths([answers.to_mathml(parse_text(form, NAMES)) for form in forms], tmp_path)
    assert len(widths) == len(forms) and all(w > 30 for w in widths), widths
