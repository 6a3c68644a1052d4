"""Specification of the sliding-window baseline, deep (stacked) and bidirectional RNNs."""
import numpy as np
import pytest

import rnn
from rnn.gradcheck import engine_gradients, finite_differences, max_relative_error

N_IN, H, K = 3, 2, 3


def data(tau, B, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(tau, N_IN, B)), rng.integers(0, K, size=(tau, B))


def with_biases(model, seed=0):
    rng = np.random.default_rng(seed)
    model.load({name: rng.normal(0, 0.5, p.shape) for name, p in model.params.items()
                if name.rsplit(".", 1)[-1].startswith(("b", "c"))})
    return model


def assert_true_gradient(model, x, y):
    engine = engine_gradients(model, x, y)
    for name, value in finite_differences(model, x, y).items():
        assert max_relative_error(engine[name], value) < 1e-9, name


# ----- the sliding-window DNN -------------------------------------------------------------------

@pytest.mark.parametrize("tau, B", [(1, 1), (5, 2)])
def test_window_network_gradient_equals_finite_differences(tau, B):
    """Embeddings, concatenation, one hidden layer, softmax: an ordinary feed-forward graph."""
    model = with_biases(rnn.WindowDNN(N_IN, H, K, embed=2))
    assert_true_gradient(model, *data(tau, B))


def test_window_concatenates_the_last_three_embeddings():
    """z^(t) = [e^(t-2); e^(t-1); e^(t)] with e^(t) = E x^(t); zero embeddings before the start."""
    model = rnn.WindowDNN(N_IN, H, K, embed=2)
    x, y = data(4, 1)
    u = rnn.unroll(model, x, y)
    E = model.params["E"].value
    assert np.allclose(u.z[4].value, np.concatenate([E @ x[1], E @ x[2], E @ x[3]]))
    assert np.array_equal(u.z[1].value[:4], np.zeros((4, 1)))


def test_window_memory_is_exactly_the_window():
    """Unlike an RNN, h^(t) does not depend on x^(t-3): the lecture's fixed, limited span."""
    model = rnn.WindowDNN(N_IN, H, K)
    x, y = data(5, 2)
    moved = x.copy()
    moved[0] += 1.0
    assert np.array_equal(rnn.unroll(model, x, y).h[4].value, rnn.unroll(model, moved, y).h[4].value)
    assert not np.array_equal(rnn.unroll(model, x, y).h[3].value, rnn.unroll(model, moved, y).h[3].value)


def test_window_network_has_no_recurrent_state():
    """There is no h^(0) to set."""
    model = rnn.WindowDNN(N_IN, H, K)
    x, y = data(2, 1)
    assert not rnn.unroll(model, x, y).has("h", 0)
    with pytest.raises(rnn.RNNError, match="h0=None"):
        rnn.unroll(model, x, y, h0=np.zeros((H, 1)))


# ----- stacked ----------------------------------------------------------------------------------

def test_stacked_gradient_equals_finite_differences():
    """Two layers of different cells (Fig. 10.13a): BPTT through both."""
    model = with_biases(rnn.Stacked([rnn.SimpleRNN(N_IN, 3, K), rnn.LSTM(3, H, K)]))
    assert_true_gradient(model, *data(4, 2))


def test_stacked_layers_are_named_by_depth():
    """Layer l's nodes are l<l>.h_t and its parameters l<l>.W, labelled W^[l]; u.h is the top layer."""
    model = rnn.Stacked([rnn.SimpleRNN(N_IN, 3, K), rnn.GRU(3, H, K, form="cho")])
    u = rnn.unroll(model, *data(3, 1))
    assert u.h[2] is u.nodes["l2.h_2"]
    assert u.nodes["l1.h_2"].label == r"\boldsymbol{h}^{[1](2)}"
    assert model.params["l1.W"].label == r"\boldsymbol{W}^{[1]}"
    assert model.params["l2.W_u"].label == r"\boldsymbol{W}^{u,[2]}"
    assert set(model.params) >= {"V", "c"} and "l1.V" not in model.params


def test_upper_layer_reads_the_lower_layers_states():
    """h^[2](t) = tanh(b^[2] + W^[2] h^[2](t-1) + U^[2] h^[1](t))."""
    model = rnn.Stacked([rnn.SimpleRNN(N_IN, 3, K), rnn.SimpleRNN(3, H, K)])
    u = rnn.unroll(model, *data(2, 1))
    p = model.params
    expected = np.tanh(p["l2.b"].value + p["l2.W"].value @ u.nodes["l2.h_1"].value
                       + p["l2.U"].value @ u.nodes["l1.h_2"].value)
    assert np.allclose(u.h[2].value, expected, rtol=0, atol=1e-14)


def test_stacked_layer_sizes_must_fit():
    """A layer's n_in must be the size of the layer below."""
    with pytest.raises(rnn.RNNError, match="n_in=4"):
        rnn.Stacked([rnn.SimpleRNN(N_IN, 4, K), rnn.SimpleRNN(3, H, K)])


# ----- bidirectional ----------------------------------------------------------------------------

def test_bidirectional_gradient_equals_finite_differences():
    """Forward h^(t) and backward g^(t) (Fig. 10.11), both read by o^(t)."""
    model = with_biases(rnn.Bidirectional(rnn.SimpleRNN(N_IN, H, K)))
    assert_true_gradient(model, *data(4, 2))


def test_backward_direction_depends_only_on_the_future():
    """g^(t) depends on x^(t..tau) only; it starts from the state bwd.h_{tau+1}."""
    model = rnn.Bidirectional(rnn.GRU(N_IN, H, K, form="cho"))
    x, y = data(4, 1)
    moved = x.copy()
    moved[0] += 1.0
    before, after = rnn.unroll(model, x, y), rnn.unroll(model, moved, y)
    assert np.array_equal(before.nodes["bwd.h_2"].value, after.nodes["bwd.h_2"].value)
    assert not np.array_equal(before.nodes["fwd.h_2"].value, after.nodes["fwd.h_2"].value)
    assert before.nodes["bwd.h_5"].prim is None


def test_bidirectional_output_reads_the_concatenated_states():
    """o^(t) = c + V [h^(t); g^(t)], V of shape (K, 2H); directions have their own parameters."""
    model = rnn.Bidirectional(rnn.SimpleRNN(N_IN, H, K))
    u = rnn.unroll(model, *data(3, 1))
    assert model.params["V"].shape == (K, 2 * H)
    assert np.array_equal(u.h[2].value, np.concatenate([u.nodes["fwd.h_2"].value, u.nodes["bwd.h_2"].value]))
    assert not np.array_equal(model.params["fwd.W"].value, model.params["bwd.W"].value)
    assert model.params["bwd.W"].label == r"\overleftarrow{\boldsymbol{W}}"


def test_truncation_is_refused_for_layered_models():
    """Truncated BPTT is defined here for a single recurrent cell."""
    with pytest.raises(rnn.RNNError, match="truncate=None"):
        rnn.unroll(rnn.Bidirectional(rnn.SimpleRNN(N_IN, H, K)), *data(3, 1), truncate=1)
