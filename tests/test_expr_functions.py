"""The one function table (`rnn.expr.functions`): every spelling is read by both answer
parsers, printed by the three printers and valued alike by the one evaluator with the exam's
and the derivation's values; its LaTeX compiles in Beamer and typesets in MathJax."""
from __future__ import annotations

import xml.dom.minidom

import numpy as np
import pytest

from rnn.derive.algebra import Term, call
from rnn.derive import printers as derive_printers
from rnn.derive.evaluate import values as derived_values
from rnn.expr.tree import Call, Symbol
from rnn.exam.errors import ParseError
from rnn.exam.evaluate import AnswerValues
from rnn.exam.parse_latex import parse_latex
from rnn.exam.parse_text import parse_text
from rnn.exam.printers import to_latex, to_mathml, to_text
from rnn.expr import tree
from rnn.expr.evaluate import evaluate
from rnn.expr.functions import COMMANDS, FUNCTIONS, NAMES, lookup
from tests.consumers import compile_beamer, mathjax_errors

NAMES_ALLOWED = frozenset({"a", "h", "grad_h"})
VALUED = [f for f in FUNCTIONS if f.numpy is not None and f.name != "diag"]


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.name)
def test_every_text_spelling_reads_as_the_function(f):
    for word in f.words:
        assert parse_text(f"{word}(a)", NAMES_ALLOWED) == Call(f.name, (Symbol("a"),))


@pytest.mark.parametrize("command, name", sorted(COMMANDS.items()))
def test_every_latex_command_reads_as_its_function(command, name):
    assert parse_latex(rf"\{command}(\mathbf{{a}})", NAMES_ALLOWED) == Call(name, (Symbol("a"),))


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.name)
def test_printed_forms_read_back_as_the_same_tree(f):
    node = Call(f.name, (Symbol("a"),))
    assert parse_text(to_text(node), NAMES_ALLOWED) == node
    assert parse_latex(to_latex(node), NAMES_ALLOWED) == node
    xml.dom.minidom.parseString(to_mathml(node))


@pytest.mark.parametrize("f", VALUED, ids=lambda f: f.name)
def test_exam_and_derivation_evaluators_agree(f):
    """The answer tree's Call and the derivation's (built from the engine's primitive) give the
    table's value, through the one evaluator with either side's values."""
    a = np.array([[-2.0], [0.0], [0.5]]) if f.name != "log" else np.array([[0.25], [1.0], [3.0]])
    expected = f.numpy(a)
    exam = evaluate(Call(f.name, (Symbol("a"),)), AnswerValues({("a", None): a}))
    derived = evaluate(tree.Call(f.name, (tree.Symbol("a", shape=(3, 1)),), shape=(3, 1)),
                       derived_values({("a", None): a}, tau=1))
    np.testing.assert_allclose(exam, expected)
    np.testing.assert_allclose(derived, expected)


def test_derivation_printers_spell_a_function_as_the_answer_printers_do():
    a = tree.Symbol("a", shape=(3, 1))
    for f in VALUED:
        func = tree.Call(f.name, (a,), shape=(3, 1))
        assert derive_printers.text(func) == f"{f.name}(a)"
        assert derive_printers.latex(func).startswith(f.latex + r"\left(")
    assert lookup("sigmoid").name == "sigma" and lookup("log_softmax") is None


def test_the_engines_ufuncs_build_the_tables_functions():
    """autodiff's tanh, log and step (np.heaviside(a, 0)) reach the derivation as Calls of
    the table's functions, by the table's name (the engine's sigmoid is sigma)."""
    a = tree.Symbol("a", shape=(2, 1))
    assert np.tanh(Term(a)).node == tree.Call("tanh", (a,)) and np.tanh(Term(a)).shape == (2, 1)
    assert np.heaviside(Term(a), 0.0).node == tree.Call("step", (a,))
    # a primitive without a NumPy ufunc (sigmoid) is named from the graph's op
    assert call("sigmoid", (a,), (2, 1)) == tree.Call("sigma", (a,)) and call("sum", (a,), (1, 1)).func == "sum"


@pytest.mark.parametrize("typed, written_out", [
    ("tanh'(a)", "1 - tanh(a)**2"),                # eq. 10.9's derivative, in eq. 10.21
    ("sigma'(a)", "sigma(a) * (1 - sigma(a))"),    # the gates' derivative, eqs. 10.40-10.44
    ("relu'(a)", "step(a)"),                       # ReLU's derivative is the step
])
def test_a_prime_is_the_tables_derivative(typed, written_out):
    assert parse_text(typed, NAMES_ALLOWED) == parse_text(written_out, NAMES_ALLOWED)


def test_an_answer_tree_names_only_the_tables_functions():
    """The parsers build a Call only for a function of the table; another name is refused."""
    assert NAMES == tuple(f.name for f in FUNCTIONS)
    with pytest.raises(ParseError, match="unknown name 'arctan'"):
        parse_text("arctan(a)", NAMES_ALLOWED)
    with pytest.raises(ParseError, match=r"\\arctan is not accepted"):
        parse_latex(r"\arctan(a)", NAMES_ALLOWED)


def _every_function_latex():
    return [(f.name, to_latex(parse_text(f"{f.name}(a) + 2", NAMES_ALLOWED))) for f in FUNCTIONS]


@pytest.mark.needs_tex
def test_every_function_compiles_in_a_beamer_frame(tmp_path):
    pdf, errors = compile_beamer([f"\\[ {latex} \\]" for _, latex in _every_function_latex()], tmp_path)
    assert not errors, errors[:3]
    assert pdf is not None


@pytest.mark.needs_mathjax
def test_every_function_typesets_in_mathjax():
    found = mathjax_errors(_every_function_latex())
    assert found and not any(found.values()), found


@pytest.mark.needs_chromium
def test_chromium_lays_out_every_functions_mathml(tmp_path):
    """Each function's MathML, as the grade report and the practice page show it, is laid out
    by Chromium with a width (an unknown element would collapse to nothing)."""
    from tests.consumers import mathml_widths
    widths = mathml_widths([to_mathml(parse_text(f"{f.name}(a) + 2", NAMES_ALLOWED)) for f in FUNCTIONS], tmp_path)
    assert len(widths) == len(FUNCTIONS) and all(w > 20 for w in widths)
