"""Specification of reverse mode: backward() semantics, the functional API and the errors.

Issue 2, section 2: gradients of reused nodes accumulate, repeated backward() calls
accumulate until zero_grad(), create_graph=True records the backward pass, and every error
names the culprit (the node, the op, the operands and their shapes).
"""
import numpy as np
import pytest

import autodiff as ad
from autodiff.errors import AnomalyError, BackwardError, ExponentError, GradbookError, ShapeError


def scalar(value, name):
    return ad.Tensor(value, name=name, requires_grad=True)


# ----- backward() ---------------------------------------------------------------------------

def test_backward_twice_accumulates_gradients():
    """Repeated backward() calls add up, as in PyTorch: dL/dw doubles after two passes."""
    w = scalar(3.0, "w")
    L = w * w
    L.backward()
    L.backward()
    assert w.grad == pytest.approx(2 * 6.0)


def test_zero_grad_clears_every_gradient_below_the_root():
    """zero_grad() resets the gradients of the root and everything it depends on."""
    w = scalar(3.0, "w")
    h = ad.tanh(w)
    L = h * h
    L.backward()
    L.zero_grad()
    assert w.grad is None and h.grad is None and L.grad is None
    L.backward()
    assert w.grad == pytest.approx(2 * np.tanh(3.0) * (1 - np.tanh(3.0) ** 2))


def test_intermediate_nodes_keep_their_gradients():
    """Every node on a path to a parameter keeps its gradient, so a figure can show it."""
    w = scalar(0.5, "w")
    h = ad.tanh(w).tag(name="h")
    (2 * h).backward()
    assert h.grad == pytest.approx(2.0)


def test_backward_of_a_non_scalar_root_needs_a_seed_and_names_the_node():
    """A vector root without a seed gradient is an error that names the node and its shape."""
    h = ad.tanh(scalar(np.ones((3, 1)), "W")).tag(name="h")
    with pytest.raises(BackwardError, match=r"h of shape \(3, 1\).*\.sum\(\)"):
        h.backward()


def test_backward_of_a_non_scalar_root_with_a_seed_is_a_vector_jacobian_product():
    """backward(v) computes v^T J: for h = tanh(a), grad_a = v * (1 - h^2) (eq. 10.21's diag)."""
    a = scalar([0.1, -0.2, 0.3], "a")
    v = np.array([1.0, 2.0, 3.0])
    ad.tanh(a).backward(v)
    np.testing.assert_allclose(a.grad, v * (1 - np.tanh(a.value) ** 2))


def test_seed_of_the_wrong_shape_is_an_error():
    a = scalar([1.0, 2.0], "a")
    with pytest.raises(BackwardError, match=r"seed gradient of shape \(3,\)"):
        (2 * a).backward(np.ones(3))


def test_backward_without_any_parameter_is_an_error():
    """A root that depends on no tensor with requires_grad=True says what to mark."""
    x = ad.Tensor(2.0, name="x")
    with pytest.raises(BackwardError, match="requires_grad=True"):
        (x * x).backward()


def test_differentiating_with_respect_to_integer_targets_is_an_error():
    """nll has no derivative in its targets; marking them requires_grad=True says so."""
    logp = scalar(np.log([[0.5], [0.5]]), "logp")
    targets = ad.Tensor(np.array([1]), name="y", requires_grad=True, dtype=np.int64)
    with pytest.raises(BackwardError, match="nll has no derivative with respect to its argument 1 \\(y\\)"):
        ad.nll(logp, targets).backward()


def test_parameter_used_at_every_step_receives_the_sum_of_its_contributions():
    """A weight shared by k uses gets the sum over its k dummy copies (eqs 10.22-10.28)."""
    W = scalar(0.7, "W")
    h = ad.Tensor(0.2, name="h0")
    for _ in range(3):
        h = ad.tanh(W * h + 1.0)
    h.backward()
    hs, grad = [0.2], 0.0
    for _ in range(3):
        hs.append(np.tanh(0.7 * hs[-1] + 1.0))
    upstream = 1.0
    for t in range(3, 0, -1):
        local = upstream * (1 - hs[t] ** 2)
        grad += local * hs[t - 1]
        upstream = local * 0.7
    assert W.grad == pytest.approx(grad)


def test_reflected_operators_with_numbers_and_arrays_build_nodes():
    """2 - x, 1 / x, an array @ x: the Tensor's reflected operators run, not NumPy's."""
    x = scalar([[1.0], [2.0]], "x")
    A = np.array([[1.0, 2.0]])
    out = (A @ x) + (2 - x).sum() + (1 / x).sum() + (3 * x ** 2).sum() + (-x).sum()
    assert isinstance(out, ad.Tensor)
    out.backward()
    np.testing.assert_allclose(x.grad, A.T - 1 - 1 / x.value ** 2 + 6 * x.value - 1)


def test_power_records_its_exponent_as_a_constant_parameter():
    """x ** 3 is one pow node with one input; the exponent is a parameter of the op."""
    x = scalar(2.0, "x")
    y = x ** 3
    assert y.op == "pow" and y.inputs == (x,) and y.params == {"exponent": 3}


def test_tensor_exponent_is_rejected_with_the_formula_to_use():
    x, y = scalar(2.0, "x"), scalar(3.0, "y")
    with pytest.raises(ExponentError, match=r"x \*\* y: .*exp\(y \* log\(x\)\)"):
        x ** y


def test_integer_data_become_float64_and_integer_constants_stay_integer():
    """Values default to float64; constants such as targets keep their integer dtype for indexing."""
    assert ad.Tensor([1, 2]).dtype == np.float64
    assert ad.constant(np.array([1, 2])).dtype.kind == "i"


def test_unknown_role_is_rejected_with_the_list_of_roles():
    with pytest.raises(ValueError, match="parameter"):
        ad.Tensor(1.0, name="W", role="weight")


# ----- create_graph=True ---------------------------------------------------------------------

def test_create_graph_gives_a_gradient_node_that_can_be_differentiated_again():
    """d/dx tanh = 1 - tanh^2 recorded as a graph; differentiating it gives -2 tanh (1 - tanh^2)."""
    x = scalar(0.4, "x")
    ad.tanh(x).backward(create_graph=True)
    first = x.grad_node
    assert isinstance(first, ad.Tensor) and first.name == "grad_x"
    assert first.item() == pytest.approx(1 - np.tanh(0.4) ** 2)
    (second,) = ad.gradients(first, [x])
    assert second == pytest.approx(-2 * np.tanh(0.4) * (1 - np.tanh(0.4) ** 2))


def test_third_derivative_through_nested_create_graph():
    """Three nested reverse passes of x^4 give 24 x."""
    x = scalar(1.5, "x")
    g = x ** 4
    for _ in range(3):
        (g,) = ad.gradients(g, [x], create_graph=True)
    assert g.item() == pytest.approx(24 * 1.5)


# ----- functional API -------------------------------------------------------------------------

def test_grad_of_a_function_of_arrays():
    """grad(f)(x) for f(x) = sum(x^3) is 3 x^2."""
    x = np.array([1.0, -2.0])
    np.testing.assert_allclose(ad.grad(lambda x: (x ** 3).sum())(x), 3 * x ** 2)


def test_value_and_grad_with_several_arguments():
    f = ad.value_and_grad(lambda a, b: (a * b).sum(), argnums=(0, 1))
    value, (ga, gb) = f(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    assert value == pytest.approx(11.0)
    np.testing.assert_allclose(ga, [3.0, 4.0])
    np.testing.assert_allclose(gb, [1.0, 2.0])


def test_jacobian_of_softmax_is_diag_minus_outer_product():
    """d yhat / d o = diag(yhat) - yhat yhat^T (the softmax Jacobian behind eq. 10.18)."""
    o = np.array([0.5, -1.0, 2.0])
    y = ad.softmax(o)
    np.testing.assert_allclose(ad.jacobian(ad.softmax)(o), np.diag(y) - np.outer(y, y), atol=1e-12)


def test_gradients_of_an_unrelated_tensor_are_zeros():
    """gradients() returns zeros for a tensor the root does not depend on, even for none at all."""
    a, b = scalar([1.0, 2.0], "a"), scalar(3.0, "b")
    ga, gb = ad.gradients((a * 2).sum(), [a, b])
    np.testing.assert_allclose(ga, [2.0, 2.0])
    assert gb == 0.0
    (zero,) = ad.gradients(ad.Tensor(1.0) * 2, [b])
    assert zero == 0.0


def test_gradients_with_respect_to_a_tensor_without_requires_grad_is_an_error():
    """No gradient flows to a tensor with requires_grad=False; silently returning zeros would mislead."""
    x = ad.Tensor(2.0, name="x")
    w = scalar(1.0, "w")
    with pytest.raises(BackwardError, match="x has requires_grad=False"):
        ad.gradients(w * x, [x])


# ----- gradcheck ------------------------------------------------------------------------------

def test_gradcheck_reports_each_input():
    """The report has one line per input with its worst absolute and relative error."""
    report = ad.gradcheck(lambda W, h: ad.tanh(W @ h), [np.eye(2), np.ones((2, 1))], names=["W", "h"])
    assert report.ok
    assert [r.name for r in report.inputs] == ["W", "h"]
    assert all(r.max_abs_error < 1e-8 for r in report.inputs)
    assert "max abs err" in str(report) and "max rel err" in str(report)


def test_gradcheck_catches_a_wrong_vjp():
    """A primitive whose VJP forgets the factor 2 of d(x^2)/dx fails, with an error of about |x|."""
    bad_square = ad.Primitive("bad_square", np.square, vjps=(lambda g, ans, x: ad.mul(g, x),))
    report = ad.gradcheck(bad_square, [np.array([1.0, -3.0])], names=["x"])
    assert not report
    assert report.inputs[0].max_abs_error == pytest.approx(3.0)
    assert "NO" in str(report)


# ----- errors ---------------------------------------------------------------------------------

def test_shape_error_names_the_op_the_operands_and_their_shapes():
    W = ad.Tensor(np.ones((3, 4)), name="W")
    x = ad.Tensor(np.ones((3, 1)), name="x")
    with pytest.raises(ShapeError) as info:
        W @ x
    message = str(info.value)
    assert message.startswith("matmul:")
    assert "W (3, 4)" in message and "x (3, 1)" in message


def test_shape_errors_are_value_errors():
    """Every engine error is a GradbookError, itself a ValueError."""
    assert issubclass(ShapeError, GradbookError) and issubclass(GradbookError, ValueError)


def test_detect_anomaly_names_the_first_node_that_produces_nan():
    """log of a negative number is NaN: the error names that log and its input, not a later node."""
    x = ad.Tensor([1.0, -1.0], name="x", requires_grad=True)
    with np.errstate(invalid="ignore"), ad.detect_anomaly():
        with pytest.raises(AnomalyError, match=r"^log\(x\) produced NaN"):
            ad.exp(2 * ad.log(x)).sum()


def test_detect_anomaly_names_the_edge_where_a_gradient_becomes_nan():
    """sqrt(x) * 0 at x = 0 is finite, but its backward pass computes 0 * inf = NaN."""
    x = ad.Tensor(0.0, name="x", requires_grad=True)
    root = (x ** 0.5).tag(name="r") * 0.0
    with np.errstate(divide="ignore", invalid="ignore"), ad.detect_anomaly():
        with pytest.raises(AnomalyError, match=r"from r \(pow\) to x"):
            root.backward()


def test_without_detect_anomaly_nan_flows_silently():
    x = ad.Tensor(-1.0, name="x")
    with np.errstate(invalid="ignore"):
        assert np.isnan(ad.log(x).item())
