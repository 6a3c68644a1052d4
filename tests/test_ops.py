"""Specification of every primitive's derivative rules (issue 2, section 5).

The property-based tests walk the check catalogue (`autodiff.checks`): for every primitive
and every variant (broadcast operands, vector/matrix/batched matmul, reductions over
negative axes and tuples, indexing with repeated indices...) hypothesis draws shapes and
values and the engine's gradient must equal central finite differences in float64.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autodiff as ad
from autodiff import checks
from autodiff.cli import main

VARIANTS = checks.all_variants()
IDS = [f"{op}-{variant}".replace(" ", "_") for op, variant in VARIANTS]


def test_every_engine_primitive_has_a_check():
    """The catalogue covers every primitive declared in autodiff/ops.py."""
    assert set(checks.engine_primitives()) <= set(checks.CATALOGUE)


@pytest.mark.parametrize("op, variant", VARIANTS, ids=IDS)
@given(data=st.data())
@settings(max_examples=20)
def test_vjp_matches_central_differences(draw_case, data, op, variant):
    """The VJP of each primitive, with a random cotangent w, equals the central-difference
    gradient of sum(w * f(x)) in float64 (broadcasting included)."""
    case = draw_case(data, op, variant)
    report = ad.gradcheck(case.objective, case.args, names=case.names)
    assert report, f"{case.title}\n{report}"


@pytest.mark.parametrize("op, variant", VARIANTS, ids=IDS)
@given(data=st.data())
@settings(max_examples=3)
def test_second_derivatives_through_create_graph_match_differences_of_the_gradient(
        draw_case, data, op, variant):
    """Differentiating the recorded backward pass (``create_graph=True``) twice gives
    Hessian-vector products equal to central differences of the first gradient."""
    case = draw_case(data, op, variant, max_side=2)
    report = ad.gradcheck(case.gradient_objective, case.args, names=case.names)
    assert report, f"{case.title}\n{report}"


# ----- specific rules a lecturer points at ----------------------------------------------------

def test_repeated_indices_accumulate_their_gradients():
    """x[[0, 0, 2]]: entry 0 is used twice, so its gradient is the sum of two contributions."""
    x = ad.Tensor([1.0, 2.0, 3.0], name="x", requires_grad=True)
    x[np.array([0, 0, 2])].sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 1.0])


def test_matrix_vector_product_gradients_are_outer_and_transposed_products():
    """For a = W h: grad_W = g h^T and grad_h = W^T g (the pattern of eqs 10.21-10.26)."""
    rng = np.random.default_rng(0)
    W = ad.Tensor(rng.normal(size=(3, 4)), name="W", requires_grad=True)
    h = ad.Tensor(rng.normal(size=(4, 1)), name="h", requires_grad=True)
    g = rng.normal(size=(3, 1))
    (W @ h).backward(g)
    np.testing.assert_allclose(W.grad, g @ h.value.T)
    np.testing.assert_allclose(h.grad, W.value.T @ g)


def test_batched_matmul_broadcasts_and_sums_the_batch_gradient():
    """A matrix shared by a batch of products receives the sum over the batch."""
    rng = np.random.default_rng(1)
    W = ad.Tensor(rng.normal(size=(2, 3)), name="W", requires_grad=True)
    xs = rng.normal(size=(5, 3, 4))
    (W @ xs).sum().backward()
    np.testing.assert_allclose(W.grad, np.tile(xs.sum(axis=(0, 2)), (2, 1)))


def test_softmax_is_finite_and_exact_at_large_logits():
    """softmax(o) shifts by max(o) before exponentiating, so logits of 1000 do not overflow (eq. 10.11)."""
    o = ad.Tensor([[1000.0, 0.0], [1000.0, 1000.0], [0.0, -1000.0]], name="o")
    np.testing.assert_allclose(ad.softmax(o).value, [[0.5, 0.0], [0.5, 1.0], [0.0, 0.0]], atol=1e-300)


def test_log_softmax_is_finite_at_large_logits():
    """log softmax at logits 1000 apart is -1000 exactly, not -inf."""
    o = ad.Tensor([1000.0, 0.0], name="o")
    np.testing.assert_allclose(ad.log_softmax(o).value, [0.0, -1000.0])


def test_cross_entropy_is_finite_at_large_logits():
    """L = -log softmax(o)[y] for logits of 1000 is the exact 1000, and its gradient is finite."""
    o = ad.Tensor([[1000.0], [0.0], [-1000.0]], name="o", requires_grad=True)
    loss = ad.cross_entropy(o, np.array([1]))
    loss.backward()
    assert loss.item() == pytest.approx(1000.0)
    np.testing.assert_allclose(o.grad, [[1.0], [-1.0], [0.0]], atol=1e-300)


@pytest.mark.parametrize("scale", [1.0, 1000.0])
def test_cross_entropy_gradient_is_softmax_minus_one_hot(scale):
    """grad_o L = yhat - 1[i = y] for each column of the batch (eq. 10.18), also at logits of 1000."""
    rng = np.random.default_rng(2)
    K, B = 4, 3
    o = ad.Tensor(scale * rng.normal(size=(K, B)), name="o", requires_grad=True)
    y = rng.integers(0, K, size=B)
    ad.cross_entropy(o, y, axis=0).backward()
    np.testing.assert_allclose(o.grad, ad.softmax(o.value, axis=0) - ad.one_hot(y, K, axis=0), atol=1e-12)


def test_nll_gradient_is_minus_one_hot():
    """d/dlogp of -sum log p[y] is -1 at the target class and 0 elsewhere (eq. 10.12)."""
    logp = ad.Tensor(np.log(np.full((3, 2), 1 / 3)), name="logp", requires_grad=True)
    ad.nll(logp, np.array([2, 0])).backward()
    np.testing.assert_array_equal(logp.grad, -ad.one_hot(np.array([2, 0]), 3))


def test_one_hot_rejects_float_targets():
    """Targets must be integers; the message says how to convert them."""
    with pytest.raises(ValueError, match="astype"):
        ad.one_hot(np.array([0.0, 1.0]), 3)


# ----- the gradbook gradcheck command --------------------------------------------------------

def test_gradcheck_command_reports_each_input_of_the_named_primitives(capsys):
    """``gradbook gradcheck tanh matmul --seed 3`` prints max abs/rel errors per input and exits 0."""
    assert main(["gradcheck", "tanh", "matmul", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "tanh: x" in out and "matmul [batched]" in out
    assert "max abs err" in out and "max rel err" in out
    assert "all gradients agree" in out


def test_gradcheck_command_checks_every_primitive_by_default(capsys):
    """With no names it checks every primitive of the catalogue, every variant."""
    assert main(["gradcheck"]) == 0
    out = capsys.readouterr().out
    for op in checks.engine_primitives():
        assert f"\n{op}" in "\n" + out, op
    assert f"{len(VARIANTS)} cases over {len(checks.CATALOGUE)} primitives" in out


def test_gradcheck_command_checks_second_derivatives(capsys):
    """``--order 2`` checks Hessian-vector products through create_graph=True."""
    assert main(["gradcheck", "tanh", "softmax", "--order", "2"]) == 0
    assert "all second derivatives agree" in capsys.readouterr().out


def test_gradcheck_command_names_an_unknown_primitive(capsys):
    """An unknown name exits with status 2 and lists the primitives that can be checked."""
    assert main(["gradcheck", "tanhh"]) == 2
    err = capsys.readouterr().err
    assert "tanhh" in err and "tanh" in err.split("checked primitives:")[1]
