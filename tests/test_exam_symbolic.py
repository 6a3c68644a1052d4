"""Symbolic confirmation of scalar-exam answers (issue 5: "then symbolic confirmation where cheap").

The scalar RNN h_t = tanh(w h_{t-1} + u x_t) (eqs. 10.8-10.9 with one unit): the answer tree is
turned into SymPy by walking it, and its difference from the engine's derivation is reduced with
the model's relations (tanh(a_t) = h_t, sech(a_t)^2 = 1 - h_t^2, exp(a_t) through h_t).
"""
import pytest
import sympy

from rnn.exam.check import Checker
from rnn.exam.parse import parse_answer
from rnn.exam.questions import get_question
from rnn.exam.symbolic import MAX_TERMS, confirm, scalar_key, to_sympy

DH2_DW = get_question("scalar_rnn/dh2_dw")
DL_DW = get_question("scalar_rnn/dL_dw")
_KEYS = {}


def confirmation(question, answer, syntax="auto"):
    if question.id not in _KEYS:
        _KEYS[question.id] = scalar_key(question)
    node = parse_answer(answer, syntax, names=frozenset(question.symbols))
    return confirm(node, question, _KEYS[question.id], budget=None)  # decided by mathematics, not load


@pytest.mark.parametrize("answer", [
    "(1 - h2**2) * (h1 + w * (1 - h1**2) * h0)",
    "(1-h2)*(1+h2)*(h1 + h0*w*(1-h1)*(1+h1))",
    "(1 - h2**2) * h1 + (1 - h2**2) * (1 - h1**2) * w * h0",
    "sech(a2)**2 * (h1 + w * sech(a1)**2 * h0)",
    "(1 - tanh(w*h1 + u*x2)**2) * (h1 + w * (1 - tanh(u*x1 + w*h0)**2) * h0)",
    "4 / (exp(a2) + exp(-a2))**2 * (h1 + w * (1 - h1**2) * h0)",
    r"(1-\tanh^2(a_2))\left(h_1 + w\,\operatorname{sech}^2(a_1)\,h_0\right)",
    r"\tanh'(a_2)(h_1 + w\tanh'(a_1)h_0)",
])
def test_equivalent_scalar_forms_are_confirmed(answer):
    """dh_2/dw = (1 - h_2^2)(h_1 + w (1 - h_1^2) h_0), in the forms a class writes."""
    found = confirmation(DH2_DW, answer)
    assert found.confirmed is True, found.note
    assert "simplifies to 0" in found.note


@pytest.mark.parametrize("answer", ["(1 - h2**2) * h1", "(1 - a2**2) * (h1 + w * (1 - a1**2) * h0)",
                                    "(1 - h2**2) * (h1 + w * (1 - h1**2) * h1)"])
def test_wrong_scalar_answers_are_proved_different(answer):
    """A difference that does not cancel is evaluated exactly where h_t = tanh(a_t): nonzero there."""
    found = confirmation(DH2_DW, answer)
    assert found.confirmed is False and "differ by" in found.note


def test_loss_derivative_is_confirmed_against_the_engines_derivation():
    """dL/dw with L = (h_2 - y)^2 / 2: (h_2 - y)(1 - h_2^2)(h_1 + w (1 - h_1^2) h_0)."""
    assert confirmation(DL_DW, r"(h_2 - y)(1-h_2^2)\left(h_1 + w(1-h_1^2)h_0\right)").confirmed is True
    assert confirmation(DL_DW, "(1 - h2**2) * (h1 + w * (1 - h1**2) * h0)").confirmed is False


def test_key_is_the_engines_derivation_when_it_describes_the_question():
    expression, described = scalar_key(DH2_DW)
    h0, h1, h2, w = sympy.symbols("h_0 h_1 h_2 w")
    assert sympy.expand(expression - (1 - h2 ** 2) * (h1 + w * (1 - h1 ** 2) * h0)) == 0
    assert described.startswith("the engine's derivation")


def test_converter_applies_the_model_relations():
    """a_2 = w h_1 + u x_2 and tanh(a_2) = h_2: the tree is walked, nothing is parsed by SymPy."""
    names = frozenset(DH2_DW.symbols)
    h1, h2, w, u, x2 = sympy.symbols("h_1 h_2 w u x_2")
    assert to_sympy(parse_answer("a2", names=names)) == w * h1 + u * x2
    assert to_sympy(parse_answer("tanh(w*h1 + u*x2)", names=names)) == h2
    assert to_sympy(parse_answer("sech(a2)**2", names=names)) == 1 - h2 ** 2


@pytest.mark.parametrize("answer, reason", [
    ("(1 - h[t]**2) * h1", "free step t"),
    ("(h1 + h2 + w + u + x1 + x2)**8 * (h1 + h2)**8", f"limit is {MAX_TERMS}"),
    ("(1 - h2**2) ** 0.3 * h1", "exponent"),
])
def test_answers_beyond_the_cheap_cases_are_left_unconfirmed(answer, reason):
    found = confirmation(DH2_DW, answer)
    assert found.confirmed is None and reason in found.note


def test_checker_reports_the_confirmation_in_json_and_message():
    result = Checker(DH2_DW, confirm_budget=None).check(r"(1-h_2^2)\left(h_1 + w(1-h_1^2)h_0\right)", "latex")
    assert result.verdict == "correct" and result.to_dict()["confirmed"] is True
    assert "Confirmed symbolically" in result.message


def test_checker_keeps_the_numeric_verdict_of_a_named_mistake():
    result = Checker(DH2_DW, confirm_budget=None).check("(1 - h2**2) * h1")
    assert (result.verdict, result.mistake, result.confirmed) == ("incorrect", "missing-recurrent-path", False)


def test_number_answers_and_matrix_questions_are_not_confirmed_symbolically():
    assert Checker(DH2_DW, confirm_budget=None).check("0.913").confirmed is None
    result = Checker(get_question("rnn/grad_c")).check("sum_t grad_o[t]")
    assert result.confirmed is None and "symbolically" not in result.message
