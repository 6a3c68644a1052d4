"""dh^(t)/dh^(k) from the engine against finite differences and the closed form (book 10.7)."""
import numpy as np
import pytest

import autodiff
from rnn import bptt
from rnn.vanishing import jacobians

H, N_IN, TAU = 4, 2, 6


@pytest.fixture()
def setting():
    rng = np.random.default_rng(0)
    params = bptt.RNNParams.init(N_IN, H, 3, seed=0, scale=0.8)
    x = rng.normal(size=(TAU, N_IN, 1))
    h0 = 0.3 * rng.normal(size=(H, 1))
    return params, x, h0


def _graph_jacobians(params, x, h0):
    step = jacobians.tanh_step(params.W, params.U, params.b)
    states = jacobians.run_recurrence(step, autodiff.Tensor(h0, requires_grad=True), list(x))
    return jacobians.jacobians_from_graph(states, TAU)


def test_graph_jacobians_match_closed_form_product(setting):
    """dh^(t)/dh^(k) = prod_{j=t..k+1} diag(1 - (h^(j))^2) W for every k < t (eqs. 10.8 - 10.9)."""
    params, x, h0 = setting
    from_graph = _graph_jacobians(params, x, h0)
    closed = jacobians.closed_form_jacobians(params.W, bptt.forward(params, x, h0).h, TAU)
    assert sorted(from_graph) == list(range(TAU))
    for k in closed:
        np.testing.assert_allclose(from_graph[k], closed[k], rtol=1e-8, atol=1e-8)


def test_function_jacobian_matches_closed_form(setting):
    """autodiff.jacobian of h^(k) -> h^(t) equals the closed-form product."""
    params, x, h0 = setting
    step = jacobians.tanh_step(params.W, params.U, params.b)
    closed = jacobians.closed_form_jacobians(params.W, bptt.forward(params, x, h0).h, TAU)
    np.testing.assert_allclose(jacobians.jacobian_by_function(step, h0, list(x)), closed[0],
                               rtol=1e-8, atol=1e-8)


def test_graph_jacobians_match_finite_differences(setting):
    """Every dh^(t)/dh^(k) from the graph agrees with central differences of the recurrence."""
    params, x, h0 = setting
    from_graph = _graph_jacobians(params, x, h0)
    h = bptt.forward(params, x, h0).h
    for k in range(TAU):
        def h_t_of_h_k(v, k=k):
            return bptt.forward(params, x[k:], v.reshape(-1, 1)).h[-1]
        numeric = jacobians.finite_difference_jacobian(h_t_of_h_k, h[k])
        np.testing.assert_allclose(from_graph[k], numeric, rtol=1e-6, atol=1e-8)


def test_one_step_jacobian_is_diag_of_tanh_derivative_times_W(setting):
    """Eq. 10.21's factor: dh^(t)/dh^(t-1) = diag(1 - (h^(t))^2) W."""
    params, x, h0 = setting
    h = bptt.forward(params, x, h0).h
    closed = jacobians.closed_form_jacobians(params.W, h, TAU)
    np.testing.assert_allclose(closed[TAU - 1], np.diag(1 - h[TAU, :, 0] ** 2) @ params.W, rtol=1e-12)


def test_spectral_norm_is_the_largest_singular_value(setting):
    """The spectrum reports ||dh^(t)/dh^(k)||_2 = sigma_max, bounded by the Frobenius norm."""
    params, x, h0 = setting
    closed = jacobians.closed_form_jacobians(params.W, bptt.forward(params, x, h0).h, TAU)
    spec = jacobians.spectrum(closed, TAU)
    np.testing.assert_allclose(spec.spectral_norm, [np.linalg.norm(closed[k], 2) for k in spec.ks])
    assert np.all(spec.spectral_norm <= spec.frobenius + 1e-12)
    assert list(spec.distance) == list(range(TAU, 0, -1))


def test_constant_initial_state_has_no_jacobian(setting):
    """A constant h^(0) (no requires_grad) has no adjoint, so it is left out rather than zero."""
    params, x, h0 = setting
    step = jacobians.tanh_step(autodiff.Tensor(params.W, requires_grad=True), params.U, params.b)
    states = jacobians.run_recurrence(step, autodiff.constant(h0), list(x))
    assert 0 not in jacobians.jacobians_from_graph(states, TAU)


def test_unknown_step_is_rejected(setting):
    """Asking for h^(t) beyond the unrolled steps names the available range."""
    params, x, h0 = setting
    step = jacobians.tanh_step(params.W, params.U, params.b)
    states = jacobians.run_recurrence(step, autodiff.Tensor(h0, requires_grad=True), list(x))
    with pytest.raises(jacobians.JacobianError, match="steps available"):
        jacobians.jacobians_from_graph(states, TAU + 3)
