"""Specification of the gated cells: the LSTM (eqs 10.40-10.44) and the GRU (eqs 10.45-10.47)."""
import numpy as np
import pytest

import rnn
from rnn.gradcheck import engine_gradients, finite_differences, max_relative_error

N_IN, H, K = 2, 3, 2
CONFIGS = [(1, 1), (2, 3), (4, 2)]  # (tau, batch)


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def problem(model, tau, B, seed):
    """Random nonzero biases, inputs, targets and initial states for `model`."""
    rng = np.random.default_rng(seed)
    model.load({name: rng.normal(0, 0.5, p.shape) for name, p in model.params.items() if name.startswith("b")})
    x = rng.normal(size=(tau, N_IN, B))
    y = rng.integers(0, K, size=(tau, B))
    h0 = {kind: rng.normal(size=(H, B)) for kind in model.carry if kind != "x"}
    return x, y, h0


def assert_true_gradient(model, x, y, h0):
    engine = engine_gradients(model, x, y, h0)
    for name, value in finite_differences(model, x, y, h0).items():
        assert max_relative_error(engine[name], value) < 1e-9, name


# ----- LSTM ----------------------------------------------------------------------------------

@pytest.mark.parametrize("candidate", ["sigmoid", "tanh"])
@pytest.mark.parametrize("tau, B", CONFIGS)
def test_lstm_gradient_equals_finite_differences(candidate, tau, B):
    """BPTT through f, g, q and the state s (eqs 10.40-10.44), h^(0) and s^(0) included."""
    model = rnn.LSTM(N_IN, H, K, seed=tau, candidate=candidate)
    assert_true_gradient(model, *problem(model, tau, B, seed=tau + B))


@pytest.mark.parametrize("candidate", ["sigmoid", "tanh"])
def test_lstm_step_computes_the_book_equations(candidate):
    """f, g, q gates, s = f s_prev + g phi(b + U x + W h_prev), h = tanh(s) q (eqs 10.40-10.44)."""
    model = rnn.LSTM(N_IN, H, K, seed=1, candidate=candidate)
    x, y, h0 = problem(model, 1, 2, seed=0)
    u = rnn.unroll(model, x, y, h0=h0)
    p, x1, h, s = model.arrays(), x[0], h0["h"], h0["s"]

    def gate(suffix):
        return p["b" + suffix] + p["U" + suffix] @ x1 + p["W" + suffix] @ h
    phi = sigmoid if candidate == "sigmoid" else np.tanh
    f, g, q = sigmoid(gate("_f")), sigmoid(gate("_g")), sigmoid(gate("_o"))
    s1 = f * s + g * phi(gate(""))
    for node, value in ((u.f[1], f), (u.g[1], g), (u.q[1], q), (u.s[1], s1), (u.h[1], np.tanh(s1) * q)):
        assert np.allclose(node.value, value, rtol=0, atol=1e-14), node.name


def test_lstm_nodes_carry_the_books_names():
    """Gates f_t, g_t, q_t, state s_t, h_t; parameters W^f, U^g, b^o as in eqs 10.40-10.44."""
    model = rnn.LSTM(N_IN, H, K)
    u = rnn.unroll(model, *problem(model, 2, 1, seed=0)[:2])
    assert [u.node(kind, 2).label for kind in ("f", "g", "q", "s")] == [
        r"\boldsymbol{f}^{(2)}", r"\boldsymbol{g}^{(2)}", r"\boldsymbol{q}^{(2)}", r"\boldsymbol{s}^{(2)}"]
    assert u.s[0].name == "s_0" and u.h[0].name == "h_0"
    assert model.params["W_f"].label == r"\boldsymbol{W}^{f}" and model.params["b_o"].label == r"\boldsymbol{b}^{o}"


def test_lstm_candidate_nonlinearity_is_selectable_and_labelled():
    """The book's sigma in eq. 10.41, or the usual tanh; the node and the model say which."""
    for candidate in ("sigmoid", "tanh"):
        model = rnn.LSTM(N_IN, H, K, candidate=candidate)
        u = rnn.unroll(model, *problem(model, 1, 1, seed=0)[:2])
        assert u.cand[1].op == candidate and u.cand[1].meta["candidate"] == candidate
        assert candidate in model.description
    with pytest.raises(rnn.RNNError, match="'tanh'"):
        rnn.LSTM(N_IN, H, K, candidate="relu")


def test_lstm_truncation_leaves_output_layer_gradient_exact():
    """Truncated BPTT cuts h and s together; V and c never cross the recurrence, so they are exact."""
    model = rnn.LSTM(N_IN, H, K, seed=2)
    x, y, h0 = problem(model, 5, 2, seed=3)
    full = engine_gradients(model, x, y, h0)
    cut = engine_gradients(model, x, y, h0, truncate=1)
    assert max_relative_error(full["V"], cut["V"]) < 1e-13 and max_relative_error(full["c"], cut["c"]) < 1e-13
    assert max_relative_error(full["W_f"], cut["W_f"]) > 1e-6
    edges = rnn.unroll(model, x, y, truncate=1).cut_edges
    assert ("h_2", "h_2_cut") in edges and ("s_2", "s_2_cut") in edges


# ----- GRU -------------------------------------------------------------------------------------

@pytest.mark.parametrize("form", ["printed", "cho", "reset-after"])
@pytest.mark.parametrize("tau, B", CONFIGS)
def test_gru_gradient_equals_finite_differences(form, tau, B):
    """BPTT through the update and reset gates u, r (eqs 10.45-10.47, or Cho et al.)."""
    model = rnn.GRU(N_IN, H, K, seed=tau, form=form)
    assert_true_gradient(model, *problem(model, tau, B, seed=tau + 2 * B))


def test_printed_gru_step_computes_eq_10_45_with_the_previous_gates_and_input():
    """h^(2) = u^(1) h^(1) + (1 - u^(1)) sigma(b + U x^(1) + W (r^(1) h^(1))), gates from h^(1), x^(1)."""
    model = rnn.GRU(N_IN, H, K, seed=3)
    x, y, h0 = problem(model, 2, 2, seed=1)
    u = rnn.unroll(model, x, y, h0=h0)
    p, h1, x1 = model.arrays(), u.h[1].value, x[0]
    gate_u = sigmoid(p["b_u"] + p["U_u"] @ x1 + p["W_u"] @ h1)
    gate_r = sigmoid(p["b_r"] + p["U_r"] @ x1 + p["W_r"] @ h1)
    expected = gate_u * h1 + (1 - gate_u) * sigmoid(p["b"] + p["U"] @ x1 + p["W"] @ (gate_r * h1))
    assert np.allclose(u.u[1].value, gate_u, rtol=0, atol=1e-14)
    assert np.allclose(u.h[2].value, expected, rtol=0, atol=1e-14)


def test_printed_gru_delays_the_input_by_one_step():
    """As printed, h^(t) reads x^(t-1): x^(1) first reaches h^(2), and x^(tau) reaches no h."""
    model = rnn.GRU(N_IN, H, K, seed=0)
    x, y, _ = problem(model, 3, 1, seed=0)
    moved = x.copy()
    moved[-1] += 1.0
    assert np.array_equal(rnn.unroll(model, x, y).h[3].value, rnn.unroll(model, moved, y).h[3].value)
    assert rnn.unroll(model, x, y).u[0].name == "u_0"


def test_cho_gru_step_reads_the_current_input_with_a_tanh_candidate():
    """Cho et al.: u^(t), r^(t) from x^(t), h^(t-1); h^(t) = u h^(t-1) + (1 - u) tanh(b + U x + W (r h))."""
    model = rnn.GRU(N_IN, H, K, seed=4, form="cho")
    x, y, h0 = problem(model, 1, 2, seed=2)
    u = rnn.unroll(model, x, y, h0=h0)
    p, h, x1 = model.arrays(), h0["h"], x[0]
    gate_u = sigmoid(p["b_u"] + p["U_u"] @ x1 + p["W_u"] @ h)
    gate_r = sigmoid(p["b_r"] + p["U_r"] @ x1 + p["W_r"] @ h)
    expected = gate_u * h + (1 - gate_u) * np.tanh(p["b"] + p["U"] @ x1 + p["W"] @ (gate_r * h))
    assert np.allclose(u.h[1].value, expected, rtol=0, atol=1e-14)
    assert u.htilde[1].op == "tanh"


def test_gru_forms_are_labelled():
    """Both forms say which they are; an unknown form is refused."""
    assert "printed" in rnn.GRU(N_IN, H, K).description
    assert "Cho" in rnn.GRU(N_IN, H, K, form="cho").description
    with pytest.raises(rnn.RNNError, match="'cho'"):
        rnn.GRU(N_IN, H, K, form="minimal")
