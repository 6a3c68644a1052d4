"""Specification of the exam-answer parser, printers, evaluator and shape check (issue 5)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from rnn.expr.tree import (Add, Call, Div, Grad, MatMul, Mul, Neg, Number, Pow, SumOverTime, Transpose, add,
                           matmul, mul, sub, symbol, walk)
from rnn.exam.errors import EvaluationError, ShapeMismatch, UnknownSymbol
from rnn.exam.evaluate import AnswerValues
from rnn.exam.parse import detect_syntax, parse_answer
from rnn.exam.parse_latex import parse_latex
from rnn.exam.parse_text import parse_text
from rnn.exam.printers import to_latex, to_text
from rnn.exam.shapes import infer_shape, infer_shapes
from rnn.expr.time import TimeIndex
from rnn.expr.evaluate import evaluate as evaluate_tree
from rnn.expr.functions import NAMES as FUNCTIONS

T = TimeIndex("t", 0)
TM1 = TimeIndex("t", -1)
TP1 = TimeIndex("t", 1)


def evaluate(node, env, t=None, tau=None, n_classes=None):
    """An answer's value with the exam's values for `env`."""
    return evaluate_tree(node, AnswerValues(env, tau, n_classes), t)


def sym(name, index=None):
    return symbol(name, index)


EQ_10_26_LATEX = (r"\sum_{t=1}^{\tau} \operatorname{diag}\left(1-\left(\mathbf{h}^{(t)}\right)^{2}\right)"
                  r"\left(\nabla_{\mathbf{h}^{(t)}} L\right) \mathbf{h}^{(t-1)\top}")
EQ_10_26_TEXT = "sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t-1].T"
EQ_10_26_HADAMARD = "sum_t ((1 - h[t]) * (1 + h[t]) * grad_h[t]) @ h[t-1].T"
EQ_10_21_CORRECTED = (r"\mathbf{W}^\top \operatorname{diag}\left(1-(\mathbf{h}^{(t+1)})^2\right)"
                      r"\nabla_{\mathbf{h}^{(t+1)}}L + \mathbf{V}^\top \nabla_{\mathbf{o}^{(t)}} L")
EQ_10_21_PRINTED = (r"\mathbf{W}^\top (\nabla_{\mathbf{h}^{(t+1)}}L) \operatorname{diag}\left(1-"
                    r"(\mathbf{h}^{(t+1)})^2\right) + \mathbf{V}^\top \nabla_{\mathbf{o}^{(t)}} L")
SCALAR_LATEX = r"(1-h_2^2)\left(h_1 + w(1-h_1^2)h_0\right)"
SCALAR_TEXT = "(1 - h2**2) * h1"
ACCEPTANCE = [
    (EQ_10_26_LATEX, "latex"), (EQ_10_26_TEXT, "text"), (EQ_10_26_HADAMARD, "text"),
    (EQ_10_21_CORRECTED, "latex"), (EQ_10_21_PRINTED, "latex"), ("V.T @ grad_o[t]", "text"),
    ("onehot(y[t]) - yhat[t]", "text"), (SCALAR_LATEX, "latex"), (SCALAR_TEXT, "text"),
]


# -- plain text ------------------------------------------------------------------------------

def test_text_eq_10_26_builds_sum_of_matrix_products():
    """eq. 10.26: grad_W L = sum_t diag(1 - (h^(t))^2) (grad_{h^(t)} L) h^(t-1)T."""
    inner = MatMul((Call("diag", (Add((Number(1), Neg(Pow(sym("h", T), 2)))),)), sym("grad_h", T),
                    Transpose(sym("h", TM1))))
    assert parse_text(EQ_10_26_TEXT) == SumOverTime(inner)


@pytest.mark.parametrize("text, index", [
    ("h[t]", T), ("h[t-1]", TM1), ("h[t+1]", TP1), ("h[2]", TimeIndex(None, 2)),
    ("h_2", TimeIndex(None, 2)), ("h2", TimeIndex(None, 2)), ("h_0", TimeIndex(None, 0)),
    ("h[tau]", TimeIndex("tau", 0)), ("h[tau-1]", TimeIndex("tau", -1)), ("h_t", T), ("h", None),
])
def test_text_time_indices(text, index):
    assert parse_text(text) == sym("h", index)


def test_text_scalar_exam_names_split_into_name_and_step():
    assert parse_text("x1 + grad_h_3 + w + u + b") == Add((
        sym("x", TimeIndex(None, 1)), Grad("grad_h", TimeIndex(None, 3)), sym("w"), sym("u"), sym("b")))


@pytest.mark.parametrize("text", ["W.T", "W^T", "W .T"])
def test_text_transpose_spellings(text):
    assert parse_text(text) == Transpose(sym("W"))


@pytest.mark.parametrize("text", ["h**2", "h^2", "h ** 2"])
def test_text_power_spellings(text):
    assert parse_text(text) == Pow(sym("h"), 2)


@pytest.mark.parametrize("text, value", [("1", 1.0), ("0.5", 0.5), ("2e-3", 0.002), (".25", 0.25)])
def test_text_numbers(text, value):
    assert parse_text(text) == Number(value)


def test_text_products_share_one_left_associative_level():
    assert parse_text("a @ b * c / x") == Div(Mul((MatMul((sym("a"), sym("b"))), sym("c"))), sym("x"))


def test_text_sums_and_products_are_flat_and_a_subtracted_term_is_negated():
    """a - b + c is one sum of three terms, the second negated; a @ b @ c one product of three."""
    assert parse_text("a - b + c") == Add((sym("a"), Neg(sym("b")), sym("c"))) == parse_text("a + (-b + c)")
    assert parse_text("a @ (b @ c)") == MatMul((sym("a"), sym("b"), sym("c"))) == parse_text("(a @ b) @ c")
    assert parse_text("1 - h**2") == Add((Number(1), Neg(Pow(sym("h"), 2))))
    assert parse_text("a * b @ c") == MatMul((Mul((sym("a"), sym("b"))), sym("c")))


def test_text_unary_minus_binds_tighter_than_products_and_looser_than_power():
    assert parse_text("-h**2 @ W") == MatMul((Neg(Pow(sym("h"), 2)), sym("W")))


def test_text_sum_t_takes_the_rest_of_the_product_and_stops_at_plus():
    """sum_t a @ b + c is (sum_t (a @ b)) + c, as in eqs. 10.22 - 10.28."""
    assert parse_text("sum_t a @ b + c") == Add((SumOverTime(MatMul((sym("a"), sym("b")))), sym("c")))


def test_text_sum_t_with_parentheses_sums_the_group_then_continues_the_product():
    assert parse_text("sum_t (a + b) @ c") == SumOverTime(MatMul((Add((sym("a"), sym("b"))), sym("c"))))


def test_text_sum_t_after_a_product_operator_sums_the_rest():
    assert parse_text("W @ sum_t a @ b") == MatMul((sym("W"), SumOverTime(MatMul((sym("a"), sym("b"))))))


@pytest.mark.parametrize("text, func", [
    ("tanh(a)", "tanh"), ("sigma(a)", "sigma"), ("sigmoid(a)", "sigma"), ("sech(a)", "sech"),
    ("exp(a)", "exp"), ("log(a)", "log"), ("diag(a)", "diag"), ("softmax(a)", "softmax"),
])
def test_text_whitelisted_functions(text, func):
    assert parse_text(text) == Call(func, (sym("a"),))


def test_text_onehot_y_spellings_agree():
    """eq. 10.18: grad_o L = yhat - 1_{y}."""
    assert parse_text("onehot(y[t])") == parse_text("onehot_y[t]") == Call("onehot", (sym("y", T),))


def test_nodes_carry_source_spans():
    node = parse_text("W.T @ grad_o[t]")
    assert node.source_span == (0, 15)
    assert node.factors[1].source_span == (6, 15)
    assert parse_text("a - b").terms[1].source_span == (2, 5)


def test_parse_answer_detects_the_syntax():
    assert detect_syntax(EQ_10_26_LATEX) == "latex" and detect_syntax(EQ_10_26_TEXT) == "text"
    assert parse_answer(EQ_10_26_LATEX) == parse_answer(EQ_10_26_TEXT)


# -- LaTeX -----------------------------------------------------------------------------------

def test_latex_eq_10_26_equals_the_plain_text_form():
    """eq. 10.26 typed in the book's notation and in NumPy style gives the same tree."""
    assert parse_latex(EQ_10_26_LATEX) == parse_text(EQ_10_26_TEXT)


def test_latex_corrected_eq_10_21_equals_plain_text():
    """Corrected eq. 10.21: W^T diag(1 - (h^(t+1))^2) grad_{h^(t+1)} L + V^T grad_{o^(t)} L."""
    assert parse_latex(EQ_10_21_CORRECTED) == parse_text(
        "W.T @ diag(1 - h[t+1]**2) @ grad_h[t+1] + V.T @ grad_o[t]")


def test_latex_printed_eq_10_21_keeps_the_books_factor_order():
    assert parse_latex(EQ_10_21_PRINTED) == parse_text(
        "W.T @ grad_h[t+1] @ diag(1 - h[t+1]**2) + V.T @ grad_o[t]")


def test_latex_scalar_exam_answer_juxtaposes_scalars():
    assert parse_latex(SCALAR_LATEX) == parse_text("(1 - h2**2) @ (h1 + w @ (1 - h1**2) @ h0)")


@pytest.mark.parametrize("latex", [r"\mathbf{h}", r"\boldsymbol{h}", r"\bm{h}", r"\bm h", "h",
                                   r"\mathbf h", r"{h}", r"\mathit{h}"])
def test_latex_styles_of_a_symbol(latex):
    assert parse_latex(latex) == sym("h")


@pytest.mark.parametrize("latex", [r"\hat{y}", r"\hat{\mathbf{y}}", r"\hat y", r"\mathbf{\hat{y}}",
                                   r"\hat{\boldsymbol{y}}"])
def test_latex_hat_y_is_yhat(latex):
    assert parse_latex(latex) == sym("yhat")


@pytest.mark.parametrize("latex, index", [
    (r"\mathbf{h}^{(t)}", T), (r"\mathbf{h}^{(t-1)}", TM1), (r"h^{(t+1)}", TP1), ("h_2", TimeIndex(None, 2)),
    ("h_{t}", T), ("h_t", T), ("h_{t-1}", TM1), (r"h^{(\tau)}", TimeIndex("tau", 0)), ("h^{(3)}", TimeIndex(None, 3)),
])
def test_latex_time_indices(latex, index):
    assert parse_latex(latex) == sym("h", index)


@pytest.mark.parametrize("latex", [r"\mathbf{W}^\top", r"\mathbf{W}^T", r"\mathbf{W}^{\top}", r"W^{T}"])
def test_latex_transpose_spellings(latex):
    assert parse_latex(latex) == Transpose(sym("W"))


def test_latex_time_index_and_transpose_in_one_superscript():
    assert parse_latex(r"\mathbf{h}^{(t-1)\top}") == Transpose(sym("h", TM1))


def test_latex_power_of_a_bracketed_symbol_with_time_index():
    assert parse_latex(r"(\mathbf{h}^{(t)})^{2}") == parse_latex(r"\left(\mathbf{h}^{(t)}\right)^2") \
        == Pow(sym("h", T), 2)


@pytest.mark.parametrize("latex", [r"\nabla_{\mathbf{h}^{(t)}} L", r"\nabla_{\mathbf h^{(t)}}L",
                                   r"\frac{\partial L}{\partial \mathbf{h}^{(t)}}",
                                   r"\left(\nabla_{\mathbf{h}^{(t)}} L\right)"])
def test_latex_gradient_spellings_become_grad_h(latex):
    """nabla_{h^(t)} L and dL/dh^(t) are the same symbol grad_h[t] (eq. 10.20)."""
    assert parse_latex(latex) == sym("grad_h", T)


@pytest.mark.parametrize("latex", [r"\mathbf{e}_{y^{(t)}}", r"\mathbf{1}_{y^{(t)}}", r"\mathbb{1}_{y^{(t)}}"])
def test_latex_indicator_vectors_are_onehot(latex):
    """eq. 10.18: the indicator 1_{i = y^(t)} as a vector."""
    assert parse_latex(latex) == Call("onehot", (sym("y", T),))


def test_latex_bold_one_alone_is_the_number_one():
    assert parse_latex(r"\mathbf{1} - \mathbf{h}") == sub(Number(1), sym("h"))


@pytest.mark.parametrize("latex", [r"\sum_{t=1}^{\tau} \mathbf{h}^{(t)}", r"\sum_t \mathbf{h}^{(t)}",
                                   r"\sum_{t} h_t", r"\sum_{t=1}^{T} h^{(t)}"])
def test_latex_sum_spellings(latex):
    assert parse_latex(latex) == SumOverTime(sym("h", T))


@pytest.mark.parametrize("latex, cls", [(r"a \odot b", mul), (r"a \circ b", mul), (r"a \cdot b", matmul),
                                        (r"a \times b", matmul), ("a b", matmul), (r"\frac{a}{b}", Div),
                                        ("a / b", Div)])
def test_latex_product_operators(latex, cls):
    assert parse_latex(latex) == cls(sym("a"), sym("b"))


def test_latex_juxtaposition_with_a_number_is_a_scaling():
    assert parse_latex(r"2 \mathbf{h}") == Mul((Number(2), sym("h")))
    assert parse_latex(r"2 \mathbf{W} \mathbf{h}") == MatMul((Mul((Number(2), sym("W"))), sym("h")))


@pytest.mark.parametrize("latex, func", [
    (r"\tanh(a)", "tanh"), (r"\sigma(a)", "sigma"), (r"\operatorname{sech}(a)", "sech"),
    (r"\exp(a)", "exp"), (r"\log(a)", "log"), (r"\operatorname{diag}(a)", "diag"),
    (r"\mathrm{diag}\left(a\right)", "diag"), (r"\operatorname{softmax}\left[a\right]", "softmax"),
    (r"\tanh a", "tanh"),
])
def test_latex_functions(latex, func):
    assert parse_latex(latex) == Call(func, (sym("a"),))


def test_latex_bare_function_argument_keeps_its_time_index():
    assert parse_latex(r"\tanh \mathbf{a}^{(t)}") == Call("tanh", (sym("a", T),))


def test_latex_spacing_commands_and_dollars_are_ignored():
    assert parse_latex(r"$\mathbf{W}^\top\,\mathbf{h}\;\!\quad$") == MatMul((Transpose(sym("W")), sym("h")))


# -- printers --------------------------------------------------------------------------------

@pytest.mark.parametrize("source, syntax", ACCEPTANCE)
def test_printers_round_trip_acceptance_answers(source, syntax):
    node = parse_answer(source, syntax)
    assert parse_text(to_text(node)) == node
    assert parse_latex(to_latex(node)) == node


def test_to_latex_writes_eq_10_26_in_book_notation():
    assert to_latex(parse_text(EQ_10_26_TEXT)) == (
        r"\sum_{t=1}^{\tau} \operatorname{diag}\left(1 - \left(\boldsymbol{h}^{(t)}\right)^{2}\right) "
        r"\left(\nabla_{\boldsymbol{h}^{(t)}} L\right) \boldsymbol{h}^{(t-1)\top}")


def test_to_latex_uses_odot_hat_and_indicator():
    assert to_latex(parse_text("yhat[t] * onehot(y[t])")) == r"\hat{\boldsymbol{y}}^{(t)} \odot \boldsymbol{1}_{y^{(t)}}"


def test_to_text_writes_eq_10_26_canonically():
    assert to_text(parse_latex(EQ_10_26_LATEX)) == EQ_10_26_TEXT


_NAMES = ["h", "W", "x", "yhat", "grad_h", "grad_o", "y", "L", "w", "Lambda"]
_INDICES = [None, T, TM1, TP1, TimeIndex("tau", 0), TimeIndex("tau", -1), TimeIndex(None, 2)]
_leaves = st.one_of(
    st.builds(Number, st.sampled_from([0.0, 1.0, 2.0, 0.5, 0.002, 3.25, 1e-05, 12.0])),
    st.builds(symbol, st.sampled_from(_NAMES), st.sampled_from(_INDICES)),
)


def _branches(children):
    binary = st.sampled_from([matmul, mul, Div, add, sub])  # the flat builders the parsers use
    return st.one_of(
        st.builds(lambda cls, a, b: cls(a, b), binary, children, children),
        st.builds(Neg, children), st.builds(Transpose, children),
        st.builds(Pow, children, st.sampled_from([2.0, 3.0, -1.0, 0.5])),
        st.builds(lambda f, a: Call(f, (a,)), st.sampled_from(FUNCTIONS), children),
        st.builds(SumOverTime, children),
    )


def _no_nested_sum(node):
    return not any(isinstance(n, SumOverTime) and any(isinstance(m, SumOverTime) for m in walk(n.body))
                   for n in walk(node))


trees = st.recursive(_leaves, _branches, max_leaves=10).filter(_no_nested_sum)


@settings(max_examples=300, deadline=None)
@given(trees)
def test_to_text_round_trips_every_tree(node):
    assert parse_text(to_text(node)) == node


@settings(max_examples=300, deadline=None)
@given(trees)
def test_to_latex_round_trips_every_tree(node):
    assert parse_latex(to_latex(node)) == node


# -- evaluation ------------------------------------------------------------------------------

H, K, TAU = 3, 4, 3


@pytest.fixture
def env():
    """Random values for a simple RNN of H=3 hidden units and K=4 classes, tau=3, batch 1."""
    rng = np.random.default_rng(7)
    values = {("W", None): rng.normal(size=(H, H)), ("V", None): rng.normal(size=(K, H))}
    for step in range(TAU + 2):
        values[("h", step)] = np.tanh(rng.normal(size=(H, 1)))
        values[("grad_h", step)] = rng.normal(size=(H, 1))
        values[("grad_o", step)] = rng.normal(size=(K, 1))
        values[("yhat", step)] = rng.dirichlet(np.ones(K)).reshape(K, 1)
        values[("y", step)] = np.array([step % K])
    return values


def _expected_10_26(env):
    return sum(np.diag(1 - env[("h", t)][:, 0] ** 2) @ env[("grad_h", t)] @ env[("h", t - 1)].T
               for t in range(1, TAU + 1))


@pytest.mark.parametrize("source", [EQ_10_26_LATEX, EQ_10_26_TEXT, EQ_10_26_HADAMARD])
def test_evaluate_eq_10_26_forms_give_grad_W(env, source):
    """eq. 10.26 in three spellings evaluates to sum_t diag(1 - h_t^2) g_t h_{t-1}^T."""
    assert np.allclose(evaluate(parse_answer(source), env, tau=TAU), _expected_10_26(env))


def test_evaluate_corrected_eq_10_21(env):
    """Corrected eq. 10.21 at t = 2."""
    expected = (env[("W", None)].T @ np.diag(1 - env[("h", 3)][:, 0] ** 2) @ env[("grad_h", 3)]
                + env[("V", None)].T @ env[("grad_o", 2)])
    assert np.allclose(evaluate(parse_latex(EQ_10_21_CORRECTED), env, t=2), expected)


def test_evaluate_eq_10_19_form(env):
    assert np.allclose(evaluate(parse_text("V.T @ grad_o[t]"), env, t=1),
                       env[("V", None)].T @ env[("grad_o", 1)])


def test_evaluate_eq_10_18_uses_n_classes_for_onehot(env):
    """eq. 10.18 with the sign flipped: onehot(y) - yhat."""
    expected = -env[("yhat", 2)]
    expected[env[("y", 2)][0], 0] += 1
    assert np.allclose(evaluate(parse_text("onehot(y[t]) - yhat[t]"), env, t=2, n_classes=K), expected)


def test_evaluate_scalar_exam_answers():
    h0, h1, h2, w = 0.3, -0.4, 0.6, 1.7
    env = {("h", 0): h0, ("h", 1): h1, ("h", 2): h2, ("w", None): w}
    assert np.isclose(evaluate(parse_latex(SCALAR_LATEX), env), (1 - h2 ** 2) * (h1 + w * (1 - h1 ** 2) * h0))
    assert np.isclose(evaluate(parse_text(SCALAR_TEXT), env), (1 - h2 ** 2) * h1)


def test_evaluate_functions_elementwise():
    a = np.array([[0.5], [-1.0]])
    node = parse_text("tanh(a) + sigma(a) + sech(a) + exp(a) + log(exp(a)) + softmax(a)")
    expected = (np.tanh(a) + 1 / (1 + np.exp(-a)) + 1 / np.cosh(a) + np.exp(a) + a
                + np.exp(a) / np.exp(a).sum())
    assert np.allclose(evaluate(node, {("a", None): a}), expected)


def test_evaluate_column_scales_by_a_one_by_one_operand():
    out = evaluate(parse_text("a * h"), {("a", None): np.array([[2.0]]), ("h", None): np.ones((3, 1))})
    assert np.allclose(out, 2 * np.ones((3, 1)))


def test_evaluate_missing_symbol_names_it_and_lists_the_defined_ones(env):
    with pytest.raises(UnknownSymbol, match=r"unknown symbol U: .*defines only V, W, grad_h\[0\.\.4\]"):
        evaluate(parse_text("U @ h[t]"), env, t=1)


def test_evaluate_onehot_without_n_classes_says_what_to_pass(env):
    with pytest.raises(EvaluationError, match="n_classes"):
        evaluate(parse_text("onehot(y[t])"), env, t=1)


def test_evaluate_printed_eq_10_21_fails_on_shapes(env):
    with pytest.raises(ShapeMismatch, match=r"cannot multiply grad_h\[t\+1\] \(3×1\) by diag"):
        evaluate(parse_latex(EQ_10_21_PRINTED), env, t=1)


# -- shapes ----------------------------------------------------------------------------------

SHAPES = {"W": ("H", "H"), "V": ("K", "H"), "h": ("H", 1), "grad_h": ("H", 1), "grad_o": ("K", 1)}
DIMS = {"H": 3, "K": 4}


def test_shape_of_corrected_eq_10_21_is_a_hidden_column():
    assert infer_shape(parse_latex(EQ_10_21_CORRECTED), SHAPES, DIMS) == (3, 1)


def test_shape_of_eq_10_26_is_H_by_H():
    assert infer_shape(parse_latex(EQ_10_26_LATEX), SHAPES, DIMS) == (3, 3)


def test_printed_eq_10_21_is_rejected_naming_both_factors_and_shapes():
    """The book's printed 10.21 multiplies an H×1 column by an H×H matrix."""
    node = parse_latex(EQ_10_21_PRINTED)
    with pytest.raises(ShapeMismatch) as caught:
        infer_shape(node, SHAPES, DIMS)
    assert str(caught.value).startswith(
        "cannot multiply grad_h[t+1] (H×1 = 3×1) by diag(1 - h[t+1]**2) (H×H = 3×3)")
    assert caught.value.node == node.terms[0]


def test_shapes_work_with_names_only():
    assert infer_shape(parse_text("V.T @ grad_o[t]"), SHAPES) == ("H", 1)


def test_infer_shapes_gives_every_node():
    node = parse_text("W @ h[t]")
    table = infer_shapes(node, {"W": (3, 3), "h": (3, 1)})
    assert table[node] == (3, 1) and table[node.factors[0]] == (3, 3)


def test_elementwise_mismatch_is_named():
    with pytest.raises(ShapeMismatch, match=r"cannot add h\[t\] \(3×1\) and grad_o\[t\] \(4×1\)"):
        infer_shape(parse_text("h[t] + grad_o[t]"), {"h": (3, 1), "grad_o": (4, 1)})


def test_shape_check_unknown_symbol():
    with pytest.raises(UnknownSymbol, match="U"):
        infer_shape(parse_text("U @ x[t]"), SHAPES, DIMS)


# -- spellings a class types -----------------------------------------------------------------

def _tanh_prime(arg):
    return sub(Number(1), Pow(Call("tanh", (arg,)), 2))


@pytest.mark.parametrize("latex, tree", [
    (r"\tanh^2(\mathbf{a}^{(t)})", Pow(Call("tanh", (sym("a", T),)), 2)),
    (r"\operatorname{sech}^{2}(a)", Pow(Call("sech", (sym("a"),)), 2)),
    (r"\tanh'(\mathbf{a}^{(t)})", _tanh_prime(sym("a", T))),
    (r"\sigma'(a)", mul(Call("sigma", (sym("a"),)), sub(Number(1), Call("sigma", (sym("a"),))))),
])
def test_latex_function_powers_and_activation_derivatives(latex, tree):
    """tanh'(a) = 1 - tanh(a)^2 (eq. 10.21) and sigma'(a) = sigma(a)(1 - sigma(a)), written out."""
    assert parse_latex(latex) == tree


@pytest.mark.parametrize("text", ["tanh'(a[t])", "1 - tanh(a[t])**2"])
def test_text_tanh_prime_is_the_derivative_written_out(text):
    assert parse_text(text) == _tanh_prime(sym("a", T))


@pytest.mark.parametrize("latex, tree", [
    (r"\mathbf{h}^{(t)2}", Pow(sym("h", T), 2)),
    (r"\mathbf{h}^{(t-1)^\top}", Transpose(sym("h", TM1))),
    (r"{\mathbf h}^{(t-1)^{\top}}", Transpose(sym("h", TM1))),
    (r"\mathbf{h}^{(t-1)\mathsf{T}}", Transpose(sym("h", TM1))),
    (r"\mathbf{W}^{\mathsf{T}}", Transpose(sym("W"))),
    (r"\mathbf{W}^{\mathrm T}", Transpose(sym("W"))),
    (r"h^{<t>}", sym("h", T)),
    (r"h^{\langle t-1 \rangle}", sym("h", TM1)),
    (r"h^{\left(t+1\right)}", sym("h", TP1)),
    (r"\mathbf{h}^{\top}_{t-1}", Transpose(sym("h", TM1))),
])
def test_latex_superscript_spellings(latex, tree):
    """Steps as (t), <t> (Andrew Ng's notation) or \\left(t\\right), with a transpose or power after them."""
    assert parse_latex(latex) == tree


@pytest.mark.parametrize("latex", [r"\nabla_{h^{(t)}}\mathcal{L}", r"\boldsymbol{\nabla}_{\mathbf{h}^{(t)}} L",
                                   r"\frac{\partial \mathcal{L}}{\partial \mathbf{h}^{(t)}}",
                                   r"\partial L / \partial \mathbf{h}^{(t)}"])
def test_latex_gradient_with_calligraphic_loss_or_bold_nabla(latex):
    assert parse_latex(latex) == sym("grad_h", T)


def test_latex_plain_one_with_subscript_is_the_indicator():
    """eq. 10.18: 1_{y^{(t)}}."""
    assert parse_latex(r"1_{y^{(t)}}") == Call("onehot", (sym("y", T),))


@pytest.mark.parametrize("latex, tree", [
    ("diag(a)", Call("diag", (sym("a"),))), (r"\diag(a)", Call("diag", (sym("a"),))),
    ("tanh a", Call("tanh", (sym("a"),))), ("yhat", sym("yhat")),
    ("wh_0", matmul(sym("w"), sym("h", TimeIndex(None, 0)))), ("h2", sym("h", TimeIndex(None, 2))),
])
def test_latex_words_typed_without_backslash(latex, tree):
    """Letters typed together spell a function or a name; others are single-letter symbols."""
    assert parse_latex(latex) == tree


def test_latex_limits_and_sizing_commands_are_ignored():
    assert parse_latex(r"\sum\limits_{t=1}^{\tau} \Bigl( \mathbf{h}^{(t)} \Bigr)") == SumOverTime(sym("h", T))


@pytest.mark.parametrize("text, tree", [("transpose(W)", Transpose(sym("W"))),
                                        ("one_hot(y[t])", Call("onehot", (sym("y", T),)))])
def test_text_numpy_spellings(text, tree):
    assert parse_text(text) == tree


def test_auto_reads_juxtaposition_without_backslash_as_latex():
    """A scalar answer typed (1-h_2^2)(h_1 + w h_0) has no backslash but only LaTeX reads it."""
    assert parse_answer("(1-h_2^2)(h_1 + w h_0)") == parse_latex("(1-h_2^2)(h_1 + w h_0)")
