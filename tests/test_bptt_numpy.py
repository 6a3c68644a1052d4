"""Specification of the hand-written NumPy BPTT (Deep Learning book, section 10.2.2)."""
import numpy as np
import pytest

from rnn.bptt import (
    BPTTShapeError,
    RNNParams,
    bptt,
    bptt_fast,
    finite_difference_grads,
    forward,
    loss,
    output_recurrence_bptt,
    seq_to_one_bptt,
    truncated_bptt,
)

N_IN, H, K = 3, 4, 3


def relative_error(a, b):
    return np.max(np.abs(a - b)) / max(np.max(np.abs(a)), np.max(np.abs(b)), 1e-12)


def random_problem(tau, B, seed=0, recurrence="hidden"):
    """Random parameters with nonzero biases, inputs, targets and a nonzero initial state."""
    rng = np.random.default_rng(seed)
    params = RNNParams.init(N_IN, H, K, seed=seed + 1, scale=0.6, recurrence=recurrence)
    params.b = rng.normal(0.0, 0.5, params.b.shape)
    params.c = rng.normal(0.0, 0.5, params.c.shape)
    x = rng.normal(size=(tau, N_IN, B))
    y = rng.integers(0, K, size=(tau, B))
    state0 = rng.normal(size=(H if recurrence == "hidden" else K, B))
    return params, x, y, state0


def assert_matches(result, reference, state_name):
    for name in ("U", "W", "V", "b", "c"):
        assert relative_error(result.grads[name], reference[name]) < 1e-7, name
    state_grad = result.grad_h0 if state_name == "h0" else result.grad_o0
    assert relative_error(state_grad, reference[state_name]) < 1e-7, state_name


@pytest.mark.parametrize("tau", [1, 2, 5])
@pytest.mark.parametrize("B", [1, 3])
def test_hidden_recurrence_gradients_match_finite_differences(tau, B):
    """Eqs. 10.18 - 10.28 (corrected 10.21) give the true gradient, h^(0) included."""
    params, x, y, h0 = random_problem(tau, B, seed=tau * 10 + B)
    result = bptt(params, x, y, h0)
    assert_matches(result, finite_difference_grads(params, x, y, h0), "h0")


@pytest.mark.parametrize("tau", [1, 2, 5])
@pytest.mark.parametrize("B", [1, 3])
def test_output_recurrence_gradients_match_finite_differences(tau, B):
    """Fig. 10.4: h^(t) = tanh(b + W o^(t-1) + U x^(t)); hand BPTT equals the true gradient."""
    params, x, y, o0 = random_problem(tau, B, seed=tau * 10 + B, recurrence="output")
    result = output_recurrence_bptt(params, x, y, o0)
    assert_matches(result, finite_difference_grads(params, x, y, o0, variant="output"), "o0")


@pytest.mark.parametrize("tau", [1, 2, 5])
@pytest.mark.parametrize("B", [1, 3])
def test_seq_to_one_gradients_match_finite_differences(tau, B):
    """Fig. 10.5: only L^(tau) exists; hand BPTT equals the true gradient."""
    params, x, y, h0 = random_problem(tau, B, seed=tau * 10 + B)
    label = y[-1]
    result = seq_to_one_bptt(params, x, label, h0)
    assert_matches(result, finite_difference_grads(params, x, label, h0, variant="seq_to_one"), "h0")


def test_default_initial_state_is_zero():
    """h^(0) = 0 unless given (the lecture's h_0 = 0)."""
    params, x, y, _ = random_problem(4, 2)
    assert np.array_equal(forward(params, x).h[0], np.zeros((H, 2)))
    assert bptt(params, x, y).loss == bptt(params, x, y, np.zeros((H, 2))).loss


def test_forward_cache_has_tau_plus_one_hidden_states():
    """eqs. 10.8 - 10.11: a, o, yhat for t = 1..tau and h for t = 0..tau."""
    params, x, _, h0 = random_problem(5, 3)
    cache = forward(params, x, h0)
    assert cache.a.shape == (5, H, 3)
    assert cache.h.shape == (6, H, 3)
    assert cache.o.shape == (5, K, 3)
    assert np.allclose(cache.yhat.sum(axis=1), 1.0)
    assert np.allclose(cache.h[2], np.tanh(params.b + params.W @ cache.h[1] + params.U @ x[1]))


def test_loss_is_summed_negative_log_likelihood():
    """eqs. 10.12 - 10.14: L = -sum_t sum_batch log yhat^(t)[y^(t)], no 1/tau."""
    params, x, y, h0 = random_problem(4, 2)
    cache = forward(params, x, h0)
    expected = -sum(np.log(cache.yhat[t, y[t, j], j]) for t in range(4) for j in range(2))
    assert loss(cache, y) == pytest.approx(expected)
    assert loss(cache, y, reduce="mean") == pytest.approx(expected / 4)


def test_output_gradient_is_softmax_minus_one_hot():
    """eq. 10.18: (grad_{o^(t)} L)_i = yhat_i^(t) - 1[i = y^(t)]."""
    params, x, y, h0 = random_problem(3, 2)
    result = bptt(params, x, y, h0)
    one_hot = np.eye(K)[y].transpose(0, 2, 1)
    assert np.allclose(result.grad_o, forward(params, x, h0).yhat - one_hot)


def test_last_hidden_gradient_comes_only_from_last_output():
    """eq. 10.19: grad_{h^(tau)} L = V^T grad_{o^(tau)} L."""
    params, x, y, h0 = random_problem(4, 2)
    result = bptt(params, x, y, h0)
    assert np.allclose(result.grad_h[-1], params.V.T @ result.grad_o[-1])


def test_hidden_gradient_follows_corrected_eq_10_21_with_explicit_diag():
    """Corrected eq. 10.21 with diag(1 - (h^(t+1))^2) built as a matrix (batch of one)."""
    params, x, y, h0 = random_problem(4, 1)
    result = bptt(params, x, y, h0)
    h = forward(params, x, h0).h
    for t in range(1, 4):
        jacobian_factor = np.diag(1.0 - h[t + 1][:, 0] ** 2)
        expected = (params.W.T @ jacobian_factor @ result.grad_h[t]
                    + params.V.T @ result.grad_o[t - 1])
        assert np.allclose(result.grad_h[t - 1], expected)


def test_per_step_contributions_sum_to_shared_gradients():
    """eqs. 10.22 - 10.28: the gradient of W is the sum over t of those of its copies W^(t)."""
    params, x, y, h0 = random_problem(5, 3)
    result = bptt(params, x, y, h0)
    for name, steps in result.per_step.items():
        assert steps.shape == (5,) + result.grads[name].shape
        assert np.allclose(steps.sum(axis=0), result.grads[name])
    assert set(result.per_step) == {"U", "W", "V", "b", "c"}


def test_per_step_W_contribution_is_outer_product_of_eq_10_26():
    """eq. 10.26: the copy W^(t) gets diag(1 - (h^(t))^2) (grad_{h^(t)} L) h^(t-1)^T."""
    params, x, y, h0 = random_problem(4, 2)
    result = bptt(params, x, y, h0)
    h = forward(params, x, h0).h
    for t in range(1, 5):
        expected = ((1.0 - h[t] ** 2) * result.grad_h[t - 1]) @ h[t - 1].T
        assert np.allclose(result.per_step["W"][t - 1], expected)


def test_seq_to_one_per_step_contributions_sum_to_gradients():
    """Fig. 10.5 with dummy copies: W^(t), U^(t), b^(t) still sum to the shared gradients."""
    params, x, y, h0 = random_problem(5, 2)
    result = seq_to_one_bptt(params, x, y[-1], h0, per_step=True)
    for name in ("U", "W", "b"):
        assert np.allclose(result.per_step[name].sum(axis=0), result.grads[name])


def test_fast_variant_gives_the_same_loss_and_gradients():
    """bptt_fast skips the dummy copies but computes the same sums (eqs. 10.22 - 10.28)."""
    params, x, y, h0 = random_problem(6, 3)
    full, fast = bptt(params, x, y, h0), bptt_fast(params, x, y, h0)
    assert fast.loss == full.loss
    for name in full.grads:
        assert np.allclose(fast.grads[name], full.grads[name])
    assert np.allclose(fast.grad_h0, full.grad_h0)
    assert fast.per_step == {}


def test_mean_over_time_gradient_is_sum_gradient_over_tau():
    """The mean over time (1/tau) sum_t L^(t) scales every gradient by 1/tau."""
    params, x, y, h0 = random_problem(5, 2)
    summed, mean = bptt(params, x, y, h0), bptt(params, x, y, h0, mean_over_time=True)
    assert mean.loss == pytest.approx(summed.loss / 5)
    for name in summed.grads:
        assert np.allclose(mean.grads[name], summed.grads[name] / 5)
    assert np.allclose(mean.grad_h0, summed.grad_h0 / 5)


def test_mean_over_time_gradient_matches_finite_differences():
    """mean_over_time differentiates (1/tau) sum_t L^(t), checked numerically."""
    params, x, y, h0 = random_problem(3, 2)
    result = bptt(params, x, y, h0, mean_over_time=True)
    assert_matches(result, finite_difference_grads(params, x, y, h0, mean_over_time=True), "h0")


@pytest.mark.parametrize("k", [5, 6, 50])
def test_truncation_at_or_beyond_tau_is_full_bptt(k):
    """With k >= tau no path is cut, so truncated BPTT is the gradient of eqs. 10.22 - 10.28."""
    params, x, y, h0 = random_problem(5, 3)
    full, cut = bptt(params, x, y, h0), truncated_bptt(params, x, y, k, h0)
    for name in full.grads:
        assert np.allclose(cut.grads[name], full.grads[name])
    assert np.allclose(cut.grad_h0, full.grad_h0)


def test_truncation_after_one_step_differs_from_full_bptt():
    """k = 1 drops every path through W, so grad_W loses most of its terms."""
    params, x, y, h0 = random_problem(5, 3)
    full, cut = bptt(params, x, y, h0), truncated_bptt(params, x, y, 1, h0)
    assert not np.allclose(cut.grads["W"], full.grads["W"])
    assert np.allclose(cut.grads["V"], full.grads["V"])


def truncated_surrogate_loss(params, frozen_h, x, y, h0, k):
    """sum_t L^(t), each L^(t) recomputed from h^(t-k) frozen at its unperturbed value.

    Its exact gradient is the k-step truncated gradient: only steps t-k+1..t see the parameters.
    For t <= k the start is h^(0) itself, which is why h0 still gets a gradient.
    """
    tau = x.shape[0]
    total = 0.0
    for t in range(1, tau + 1):
        start = max(t - k, 0)
        h = h0 if start == 0 else frozen_h[start]
        for s in range(start + 1, t + 1):
            h = np.tanh(params.b + params.W @ h + params.U @ x[s - 1])
        o = params.V @ h + params.c
        log_yhat = o - o.max(axis=0) - np.log(np.exp(o - o.max(axis=0)).sum(axis=0))
        total -= log_yhat[y[t - 1], np.arange(x.shape[2])].sum()
    return total


@pytest.mark.parametrize("k", [1, 2, 3])
def test_truncated_gradient_matches_finite_differences_of_truncated_surrogate(k):
    """Truncated BPTT is the exact gradient of the loss whose windows start from frozen states."""
    params, x, y, h0 = random_problem(5, 2, seed=7)
    frozen_h = forward(params, x, h0).h
    result = truncated_bptt(params, x, y, k, h0)
    eps = 1e-6
    work = params.copy()
    state = h0.copy()
    arrays = {**work.as_dict(), "h0": state}
    for name, array in arrays.items():
        numeric = np.empty_like(array)
        for index in np.ndindex(array.shape):
            saved = array[index]
            array[index] = saved + eps
            up = truncated_surrogate_loss(work, frozen_h, x, y, state, k)
            array[index] = saved - eps
            down = truncated_surrogate_loss(work, frozen_h, x, y, state, k)
            array[index] = saved
            numeric[index] = (up - down) / (2 * eps)
        analytic = result.grad_h0 if name == "h0" else result.grads[name]
        assert relative_error(analytic, numeric) < 1e-7, name


def test_truncated_gradient_equals_per_loss_windowed_sum():
    """Back-propagating each L^(t) separately for k steps and summing gives the same gradient."""
    params, x, y, h0 = random_problem(6, 2, seed=3)
    k = 2
    cache = forward(params, x, h0)
    grad_o = cache.yhat - np.eye(K)[y].transpose(0, 2, 1)
    grad_W = np.zeros_like(params.W)
    for t in range(6):
        g = params.V.T @ grad_o[t]
        for s in range(t, max(t - k, -1), -1):
            g_a = (1.0 - cache.h[s + 1] ** 2) * g
            grad_W += g_a @ cache.h[s].T
            g = params.W.T @ g_a
    assert np.allclose(truncated_bptt(params, x, y, k, h0).grads["W"], grad_W)


def test_wrong_input_width_is_rejected_with_the_expected_shape():
    params, x, y, _ = random_problem(3, 2)
    with pytest.raises(ValueError, match=r"\(tau, 3, B\)"):
        bptt(params, x[:, :2], y)


def test_out_of_range_target_is_rejected():
    params, x, y, _ = random_problem(3, 2)
    with pytest.raises(BPTTShapeError, match="0..2"):
        bptt(params, x, y + K)


def test_truncation_length_must_be_positive():
    params, x, y, _ = random_problem(3, 2)
    with pytest.raises(ValueError, match="positive integer"):
        truncated_bptt(params, x, y, 0)
