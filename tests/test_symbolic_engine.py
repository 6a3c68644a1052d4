"""Specification of the symbolic reading of a graph (autodiff.symbolic).

The same recorded graph evaluated with SymPy gives formulas; substituting the numbers the
graph was built with must give back the NumPy value and the NumPy gradients (to 1e-10), for
every primitive and variant of the check catalogue. All expressions are built by the
engine from SymPy symbols; nothing is parsed from text.
"""
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import autodiff as ad
from autodiff import checks, symbolic

VARIANTS = checks.all_variants()
IDS = [f"{op}-{variant}".replace(" ", "_") for op, variant in VARIANTS]


def at_numbers(expressions, numbers):
    """Evaluate an object array of SymPy expressions with symbols replaced by numbers."""
    def one(e):
        return float(e.xreplace(numbers).evalf()) if isinstance(e, sympy.Basic) else float(e)
    arr = np.asarray(expressions, dtype=object)
    return np.array([one(e) for e in arr.ravel()], dtype=np.float64).reshape(arr.shape)


@pytest.mark.parametrize("op, variant", VARIANTS, ids=IDS)
@given(data=st.data())
@settings(max_examples=2)
def test_symbolic_value_and_gradients_evaluate_to_the_numpy_ones(draw_case, data, op, variant):
    """Symbols in, formulas out: at the recorded numbers they equal NumPy's value and gradients."""
    case = draw_case(data, op, variant, max_dims=2, max_side=2)
    leaves = [ad.Tensor(a, name=n, requires_grad=True) for a, n in zip(case.args, case.names)]
    root = case.objective(*leaves)
    symbols = {leaf: symbolic.symbols_like(leaf.shape, leaf.name) for leaf in leaves}
    numbers = {s: sympy.Float(v) for leaf in leaves
               for s, v in zip(np.ravel(symbols[leaf]), leaf.value.ravel())}
    value, grads = symbolic.gradients(root, leaves, symbols)
    np.testing.assert_allclose(at_numbers(value, numbers), root.value, rtol=1e-10, atol=1e-10)
    for leaf, expressions, numeric in zip(leaves, grads, ad.gradients(root, leaves)):
        np.testing.assert_allclose(at_numbers(expressions, numbers), numeric, rtol=1e-10, atol=1e-10,
                                   err_msg=f"{case.title}: gradient of {leaf.name}")


def test_symbols_are_named_one_based_like_the_book():
    """W_1_2 is the entry in row 1, column 2, as a lecturer writes W_12."""
    W = symbolic.symbols_like((2, 2), "W")
    assert [str(s) for s in W.ravel()] == ["W_1_1", "W_1_2", "W_2_1", "W_2_2"]


def test_symbolic_gradient_of_tanh_of_a_product_is_the_chain_rule():
    """d/dw tanh(w x) = x (1 - tanh^2(w x)), as a formula (eq. 10.9's derivative)."""
    w_leaf = ad.Tensor(0.5, name="w", requires_grad=True)
    x_leaf = ad.Tensor(2.0, name="x", requires_grad=True)
    root = ad.tanh(w_leaf * x_leaf)
    w, x = sympy.Symbol("w"), sympy.Symbol("x")
    value, (grad_w, grad_x) = symbolic.gradients(root, [w_leaf, x_leaf], {w_leaf: w, x_leaf: x})
    assert sympy.simplify(value.item() - sympy.tanh(w * x)) == 0
    assert sympy.simplify(grad_w.item() - x * (1 - sympy.tanh(w * x) ** 2)) == 0
    assert sympy.simplify(grad_x.item() - w * (1 - sympy.tanh(w * x) ** 2)) == 0


def test_symbolic_cross_entropy_gradient_is_softmax_minus_one_hot():
    """grad_o L = yhat - 1[i = y] (eq. 10.18) holds as an identity between formulas."""
    o_leaf = ad.Tensor(np.zeros((3, 1)), name="o", requires_grad=True)
    o = symbolic.symbols_like((3, 1), "o")
    _, (grad,) = symbolic.gradients(ad.cross_entropy(o_leaf, np.array([1])), [o_leaf], {o_leaf: o})
    exps = [sympy.exp(s) for s in o.ravel()]
    expected = [e / sum(exps) - (1 if i == 1 else 0) for i, e in enumerate(exps)]
    assert all(sympy.simplify(g - e) == 0 for g, e in zip(grad.ravel(), expected))


def test_constants_in_the_graph_stay_exact():
    """A recorded 0.5 becomes the rational 1/2, so formulas print as a lecturer writes them."""
    x_leaf = ad.Tensor(1.0, name="x", requires_grad=True)
    x = sympy.Symbol("x")
    value, _ = symbolic.gradients(0.5 * x_leaf * x_leaf, [x_leaf], {x_leaf: x})
    assert value.item() == x ** 2 / 2


def scalar_chain(tau):
    """h_t = tanh(w h_{t-1}), h_0 = 1, loss h_tau: the scalar recurrence of eq. 10.9 (no input)."""
    w = ad.Tensor(0.5, name="w", requires_grad=True)
    h = ad.Tensor(1.0, name="h_0")
    for t in range(1, tau + 1):
        h = ad.tanh(w * h).tag(name=f"h_{t}", t=t)
    return w, h


def chain_names(node):
    return np.asarray(sympy.Symbol(node.name), dtype=object) if node.name else None


def adjoint_names(node):
    return np.asarray(sympy.Symbol("g" + node.name), dtype=object) if node.name else None


def test_named_values_and_adjoints_are_defined_once_in_terms_of_earlier_names():
    """h_2 = tanh(h_1 w) and gh_1 = gh_2 w (1 - h_2^2): each formula refers to the names
    before it, never to their formulas (eq. 10.21's recurrence in one dimension)."""
    w, h3 = scalar_chain(3)
    definitions, _, _ = symbolic.named_gradients(h3, [w], {w: sympy.Symbol("w")}, chain_names, adjoint_names)
    defined = dict(definitions)
    W, h1, h2, gh1, gh2 = sympy.symbols("w h_1 h_2 gh_1 gh_2")
    assert defined[h2] == sympy.tanh(h1 * W)
    assert sympy.expand(defined[gh1] - gh2 * W * (1 - h2 ** 2)) == 0


def test_named_gradients_equal_the_numpy_gradient_through_their_definitions():
    """Substituting the definitions in order gives back dh_tau/dw at the recorded numbers."""
    w, h4 = scalar_chain(4)
    W = sympy.Symbol("w")
    definitions, _, (grad,) = symbolic.named_gradients(h4, [w], {w: W}, chain_names, adjoint_names)
    env = {W: sympy.Float(0.5)}
    for symbol, formula in definitions:
        env[symbol] = formula.xreplace(env)
    np.testing.assert_allclose(float(grad.item().xreplace(env)), ad.gradients(h4, [w])[0], rtol=1e-12)


def test_named_gradient_size_grows_linearly_with_the_number_of_steps():
    """Named once, each step adds the same few operations, where the unnamed formula doubles."""
    def size(tau):
        w, h = scalar_chain(tau)
        definitions, _, (grad,) = symbolic.named_gradients(h, [w], {w: sympy.Symbol("w")}, chain_names,
                                                           adjoint_names)
        return sum(sympy.count_ops(f) for _, f in definitions) + sympy.count_ops(grad.item())
    assert size(12) - size(8) == size(8) - size(4)
