"""Gradient-norm profiles for a loss at the last step (book 10.7, eqs. 10.19 - 10.26)."""
import numpy as np
import pytest

import autodiff
from rnn import bptt
from rnn.vanishing import jacobians, profile

H, N_IN, K, TAU = 4, 2, 3, 8


@pytest.fixture()
def seq_to_one():
    rng = np.random.default_rng(1)
    params = bptt.RNNParams.init(N_IN, H, K, seed=2, scale=0.7)
    x = rng.normal(size=(TAU, N_IN, 2))
    y = np.array([1, 2])
    W = autodiff.Tensor(params.W, name="W", requires_grad=True)
    states = jacobians.run_recurrence(jacobians.tanh_step(W, params.U, params.b),
                                      autodiff.constant(np.zeros((H, 2))), list(x))
    loss = autodiff.cross_entropy(autodiff.constant(params.V) @ states[-1] + params.c, y)
    return params, x, y, W, states, loss


def test_grad_h_norms_match_hand_bptt(seq_to_one):
    """||grad_{h^(t)} L|| from the engine equals the hand recursion of eq. 10.21 (Fig. 10.5)."""
    params, x, y, W, states, loss = seq_to_one
    hand = bptt.seq_to_one_bptt(params, x, y)
    prof = profile.gradient_profile(states, loss, W)
    expected = [np.linalg.norm(hand.grad_h[t - 1]) for t in range(1, TAU + 1)]
    np.testing.assert_allclose(prof.grad_h_norm, expected, rtol=1e-10)


def test_per_step_contributions_are_the_dummy_copies(seq_to_one):
    """grad_{W^(t)} L = diag(1 - (h^(t))^2) grad_{h^(t)} L h^(t-1)^T, as in hand BPTT (eq. 10.26)."""
    params, x, y, W, states, loss = seq_to_one
    hand = bptt.seq_to_one_bptt(params, x, y, per_step=True)
    prof = profile.gradient_profile(states, loss, W)
    for t in range(1, TAU + 1):
        np.testing.assert_allclose(prof.param_steps[t], hand.per_step["W"][t - 1], rtol=1e-10, atol=1e-14)


def test_per_step_contributions_sum_to_grad_W(seq_to_one):
    """The shared W's gradient is the sum over its dummy copies W^(t) (eq. 10.26)."""
    params, x, y, W, states, loss = seq_to_one
    prof = profile.gradient_profile(states, loss, W)
    np.testing.assert_allclose(sum(prof.param_steps.values()), prof.param_grad, rtol=1e-12, atol=1e-15)


def test_ratio_is_first_over_last_gradient_norm(seq_to_one):
    """The summary ratio is ||grad_{h^(1)} L|| / ||grad_{h^(tau)} L||."""
    *_, W, states, loss = seq_to_one
    prof = profile.gradient_profile(states, loss, W)
    assert prof.ratio == pytest.approx(prof.grad_h_norm[0] / prof.grad_h_norm[-1])


def test_profile_plot_writes_png_and_svg(seq_to_one, tmp_path):
    """The semilog figure is written once as PNG and once as SVG."""
    *_, W, states, loss = seq_to_one
    paths = profile.plot_profiles([profile.gradient_profile(states, loss, W, "rnn")], tmp_path)
    assert [p.suffix for p in paths] == [".png", ".svg"]
    assert all(p.stat().st_size > 1000 for p in paths)


def test_loss_that_skips_a_state_is_rejected(seq_to_one):
    """A loss that does not depend on every h^(t) cannot be profiled; the error names the step."""
    *_, W, states, _ = seq_to_one
    early_loss = (states[2] * states[2]).sum()
    with pytest.raises(profile.ProfileError, match="h\\^\\(3\\)"):
        profile.gradient_profile(states, early_loss, W)
