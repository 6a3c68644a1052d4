"""The reset-after GRU (`rnn.GRU(form="reset-after")`) is torch.nn.GRU's recurrence.

torch documents nn.GRU as
    r = sigma(W_ir x + b_ir + W_hr h + b_hr),  z = sigma(W_iz x + b_iz + W_hz h + b_hz),
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),  h' = (1 - z) * n + z * h.
A hand-written NumPy reference of these equations, fed torch-layout weights (gates stacked
r, z, n), must give the engine's h^(t) at op and cell level to 1e-12; where torch is
installed, nn.GRU in float64 must give the same states and weight gradients.
"""
import numpy as np
import pytest

import autodiff as ad
import rnn
from rnn.gru import from_torch_weights

TAU, N_IN, H, B = 5, 3, 4, 2


def _torch_layout(seed):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(3 * H, N_IN)) * 0.5, rng.normal(size=(3 * H, H)) * 0.5,
            rng.normal(size=3 * H) * 0.5, rng.normal(size=3 * H) * 0.5)


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _reference_states(weight_ih, weight_hh, bias_ih, bias_hh, x, h0):
    """torch's documented equations, column convention (size, batch), one step at a time."""
    W_ir, W_iz, W_in = np.split(weight_ih, 3)
    W_hr, W_hz, W_hn = np.split(weight_hh, 3)
    b_ir, b_iz, b_in = (v[:, None] for v in np.split(bias_ih, 3))
    b_hr, b_hz, b_hn = (v[:, None] for v in np.split(bias_hh, 3))
    h, states = h0, []
    for x_t in x:
        r = _sigmoid(W_ir @ x_t + b_ir + W_hr @ h + b_hr)
        z = _sigmoid(W_iz @ x_t + b_iz + W_hz @ h + b_hz)
        n = np.tanh(W_in @ x_t + b_in + r * (W_hn @ h + b_hn))
        h = (1 - z) * n + z * h
        states.append(h)
    return np.array(states)


def _model(weights):
    model = rnn.GRU(N_IN, H, 2, form="reset-after")
    return model.load(from_torch_weights(*weights))


def _inputs(seed):
    rng = np.random.default_rng(seed + 100)
    return rng.normal(size=(TAU, N_IN, B)), rng.normal(size=(H, B)) * 0.5


@pytest.mark.parametrize("level", ["op", "cell"])
@pytest.mark.parametrize("seed", [0, 1])
def test_reset_after_states_equal_torchs_documented_equations(level, seed):
    weights = _torch_layout(seed)
    x, h0 = _inputs(seed)
    u = rnn.unroll(_model(weights), x, h0=h0, level=level)
    states = np.array([u.node("h", t).value for t in range(1, TAU + 1)])
    np.testing.assert_allclose(states, _reference_states(*weights, x, h0), rtol=0, atol=1e-12)


def test_reset_after_differs_from_chos_reset_before():
    """The two forms are different functions once r < 1 (not a relabelling)."""
    weights = _torch_layout(3)
    x, h0 = _inputs(3)
    after = rnn.unroll(_model(weights), x, h0=h0).node("h", TAU).value
    cho = rnn.GRU(N_IN, H, 2, form="cho").load({k: v for k, v in from_torch_weights(*weights).items() if k != "b_h"})
    before = rnn.unroll(cho, x, h0=h0).node("h", TAU).value
    assert np.abs(after - before).max() > 1e-3


def test_reset_after_has_the_extra_candidate_bias_in_book_notation():
    model = rnn.GRU(N_IN, H, 2, form="reset-after")
    assert model.params["b_h"].label == r"\boldsymbol{b}^{h}" and model.params["b_h"].shape == (H, 1)
    assert "torch.nn.GRU" in model.description
    assert "b_h" not in rnn.GRU(N_IN, H, 2, form="cho").params


def test_reset_after_matches_torch_nn_gru_states_and_gradients():
    torch = pytest.importorskip("torch", reason="TORCH NOT INSTALLED: .venv/bin/pip install torch==2.13.0")
    weights = _torch_layout(5)
    x, h0 = _inputs(5)
    gru = torch.nn.GRU(N_IN, H, dtype=torch.float64)
    with torch.no_grad():
        for param, value in zip((gru.weight_ih_l0, gru.weight_hh_l0, gru.bias_ih_l0, gru.bias_hh_l0), weights):
            param.copy_(torch.from_numpy(value))
    seed_grad = np.random.default_rng(6).normal(size=(TAU, H, B))
    states, _ = gru(torch.from_numpy(x.transpose(0, 2, 1).copy()), torch.from_numpy(h0.T.copy())[None])
    (states * torch.from_numpy(seed_grad.transpose(0, 2, 1).copy())).sum().backward()

    for level in ("op", "cell"):
        model = _model(weights)
        u = rnn.unroll(model, x, h0=h0, level=level)
        hs = [u.node("h", t) for t in range(1, TAU + 1)]
        np.testing.assert_allclose(np.array([h.value for h in hs]), states.detach().numpy().transpose(0, 2, 1),
                                   rtol=0, atol=1e-12)
        total = hs[0] * seed_grad[0]
        for t in range(1, TAU):
            total = total + hs[t] * seed_grad[t]
        ad.sum(total).backward()
        torch_grads = from_torch_weights(gru.weight_ih_l0.grad.numpy(), gru.weight_hh_l0.grad.numpy(),
                                         gru.bias_ih_l0.grad.numpy(), gru.bias_hh_l0.grad.numpy())
        for name in ("U_u", "W_u", "U_r", "W_r", "U", "W", "b", "b_h"):
            np.testing.assert_allclose(model.params[name].grad, torch_grads[name], rtol=0, atol=1e-12,
                                       err_msg=f"{level}: {name}")
        # the gates' two torch biases receive the same gradient, which is the book's b^u, b^r gradient
        np.testing.assert_allclose(model.params["b_u"].grad, torch_grads["b_u"] / 2, rtol=0, atol=1e-12)
        np.testing.assert_allclose(model.params["b_r"].grad, torch_grads["b_r"] / 2, rtol=0, atol=1e-12)
