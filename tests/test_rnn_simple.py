"""Specification of the simple RNN unrolled as a graph (Fig. 10.3, eqs 10.8-10.28)."""
import numpy as np
import pytest

import autodiff as ad
import rnn
from rnn import bptt
from rnn.gradcheck import engine_gradients, finite_differences, max_relative_error

N_IN, H, K = 4, 3, 5


def problem(tau, B, seed=0):
    """A model with nonzero biases, random inputs and targets, and a nonzero h^(0)."""
    rng = np.random.default_rng(seed)
    model = rnn.SimpleRNN(N_IN, H, K, seed=seed)
    model.load({"b": rng.normal(0, 0.5, (H, 1)), "c": rng.normal(0, 0.5, (K, 1)),
                "W": rng.normal(0, 0.8, (H, H))})
    x = rng.normal(size=(tau, N_IN, B))
    y = rng.integers(0, K, size=(tau, B))
    h0 = rng.normal(size=(H, B))
    return model, x, y, h0


def hand(model):
    return bptt.RNNParams(**model.arrays())


def test_nodes_are_named_and_labelled_as_in_the_book():
    """x_t a_t h_t o_t yhat_t L_t and L, labels in book LaTeX, tagged with their step (eqs 10.8-10.14)."""
    model, x, y, _ = problem(3, 2)
    u = rnn.unroll(model, x, y)
    for kind in ("x", "a", "h", "o", "yhat", "L"):
        node = u.node(kind, 2)
        assert node.name == f"{kind}_2"
        assert node.meta["t"] == 2 and node.meta["kind"] == kind
    assert u.h[3].label == r"\boldsymbol{h}^{(3)}"
    assert u.yhat[1].label == r"\hat{\boldsymbol{y}}^{(1)}"
    assert u.L[2].label == "L^{(2)}"
    assert u.loss.name == "L" and u.loss.role == "loss"
    assert u.x[1].role == "input" and u.h[2].role == "intermediate"


def test_every_graph_node_carries_its_time_step():
    """Unnamed intermediate nodes (W h^(t-1), U x^(t)) are stamped with t as well."""
    model, x, y, _ = problem(4, 1)
    u = rnn.unroll(model, x, y)
    for node in u.graph.nodes:
        if node.prim is not None and node is not u.loss and node.op != "stack":
            assert "t" in node.meta, node


def _stamps(u):
    return [(node.name, node.op, dict(node.meta)) for node in u.graph.nodes]


@pytest.mark.parametrize("make, options", [
    (lambda: rnn.SimpleRNN(N_IN, H, K), {}),
    (lambda: rnn.SimpleRNN(N_IN, H, K), {"truncate": 2}),
    (lambda: rnn.GRU(N_IN, H, K), {}),
    (lambda: rnn.LSTM(N_IN, H, K), {}),
    (lambda: rnn.TeacherForcedRNN(N_IN, H, K, mode="test"), {}),
    (lambda: rnn.Bidirectional(rnn.GRU(N_IN, 2, K)), {}),
    (lambda: rnn.Stacked([rnn.SimpleRNN(N_IN, 3, K), rnn.SimpleRNN(3, H, K)]), {}),
    (lambda: rnn.WindowDNN(N_IN, H, K, embed=2), {}),
])
def test_time_stamps_recorded_at_creation_equal_the_graph_walk(monkeypatch, make, options):
    """unroll stamps each step's nodes with t from the nodes recorded as they are created;
    a builder outside unroll walks the graph back from the step's outputs. Both give every
    node the same meta (t, kind, copy_for), node for node."""
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(4, N_IN, 2)), rng.integers(0, K, size=(4, 2))
    recorded = _stamps(rnn.unroll(make(), x, y, **options))
    from rnn import unrolling

    class Walked(unrolling._Record):
        __slots__ = ()

        def __init__(self, nodes, created=None):
            super().__init__(nodes)  # no list of created nodes: stamp walks the graph
    monkeypatch.setattr(unrolling, "_Record", Walked)
    assert _stamps(rnn.unroll(make(), x, y, **options)) == recorded


def test_parameters_are_single_shared_nodes():
    """One node per parameter however long the sequence: parameter sharing (section 10.2)."""
    model, x, y, _ = problem(5, 2)
    graph = rnn.unroll(model, x, y).graph
    for name in ("U", "W", "V", "b", "c"):
        nodes = [n for n in graph.nodes if n.name == name]
        assert nodes == [model.params[name]]
        assert nodes[0].role == "parameter" and nodes[0].label == rf"\boldsymbol{{{name}}}"


def test_parameter_shapes_follow_the_column_convention():
    """U (H, n_in), W (H, H), V (K, H), b (H, 1), c (K, 1)."""
    shapes = {name: p.shape for name, p in rnn.SimpleRNN(N_IN, H, K).params.items()}
    assert shapes == {"U": (H, N_IN), "W": (H, H), "V": (K, H), "b": (H, 1), "c": (K, 1)}


def test_initial_state_is_an_explicit_zero_leaf_by_default():
    """h^(0) is the node h_0, zero unless given (the lecture's h_0 = 0)."""
    model, x, y, h0 = problem(2, 3)
    u = rnn.unroll(model, x, y)
    assert u.h[0].name == "h_0" and u.h[0].prim is None
    assert np.array_equal(u.h[0].value, np.zeros((H, 3)))
    assert np.array_equal(rnn.unroll(model, x, y, h0=h0).h[0].value, h0)


def test_forward_values_match_the_hand_forward_pass():
    """h^(t) and o^(t) equal eqs 10.8-10.10 computed by hand in NumPy."""
    model, x, y, h0 = problem(4, 2)
    u = rnn.unroll(model, x, y, h0=h0)
    cache = bptt.forward(hand(model), x, h0)
    for t in range(1, 5):
        assert np.allclose(u.h[t].value, cache.h[t], rtol=0, atol=1e-14)
        assert np.allclose(u.o[t].value, cache.o[t - 1], rtol=0, atol=1e-14)


def test_loss_is_the_sum_over_steps_without_one_over_tau():
    """L = sum_t L^(t) (eqs 10.12-10.14), equal to the hand loss."""
    model, x, y, h0 = problem(5, 3)
    u = rnn.unroll(model, x, y, h0=h0)
    assert u.loss.value == pytest.approx(sum(u.L[t].value for t in range(1, 6)), rel=1e-14)
    assert u.loss.value == pytest.approx(bptt.loss(bptt.forward(hand(model), x, h0), y), rel=1e-14)


def test_mean_loss_divides_by_tau_and_says_so():
    """loss='mean' is (1/tau) sum_t L^(t) (tau only, not d2l.ai's batch * time), labelled with the 1/tau."""
    model, x, y, h0 = problem(5, 2)
    total = rnn.unroll(model, x, y, h0=h0).loss.value
    mean = rnn.unroll(model, x, y, h0=h0, loss="mean").loss
    assert mean.value == pytest.approx(total / 5, rel=1e-14)
    assert r"\frac{1}{\tau}" in mean.label and mean.meta["reduction"] == "mean"


@pytest.mark.parametrize("tau", [1, 2, 5])
@pytest.mark.parametrize("B", [1, 3])
def test_engine_gradient_equals_hand_bptt(tau, B):
    """Reverse mode on the unrolled graph equals eqs 10.17-10.28 (corrected 10.21), h^(0) included."""
    model, x, y, h0 = problem(tau, B, seed=10 * tau + B)
    engine = engine_gradients(model, x, y, h0)
    reference = bptt.bptt(hand(model), x, y, h0)
    for name in ("U", "W", "V", "b", "c"):
        assert max_relative_error(engine[name], reference.grads[name]) < 1e-12, name
    assert max_relative_error(engine["h_0"], reference.grad_h0) < 1e-12


@pytest.mark.parametrize("tau", [1, 2, 5])
@pytest.mark.parametrize("B", [1, 3])
def test_engine_gradient_equals_finite_differences(tau, B):
    """The unrolled graph's gradient is the true gradient of L (central differences)."""
    model, x, y, h0 = problem(tau, B, seed=10 * tau + B)
    engine = engine_gradients(model, x, y, h0)
    numeric = finite_differences(model, x, y, h0)
    for name, value in numeric.items():
        assert max_relative_error(engine[name], value) < 1e-9, name


def test_mean_loss_gradient_equals_hand_bptt_over_tau():
    """d/dtheta of (1/tau) sum_t L^(t) is the book's gradient over tau."""
    model, x, y, h0 = problem(4, 2, seed=3)
    engine = engine_gradients(model, x, y, h0, loss="mean")
    reference = bptt.bptt(hand(model), x, y, h0, mean_over_time=True)
    for name in ("U", "W", "V", "b", "c"):
        assert max_relative_error(engine[name], reference.grads[name]) < 1e-12, name


def test_gradients_reach_every_named_node():
    """grad_{o^(t)} L = yhat^(t) - onehot(y^(t)) (eq. 10.18) is left on the node o_t."""
    model, x, y, h0 = problem(4, 2, seed=5)
    u = rnn.unroll(model, x, y, h0=h0)
    u.loss.backward()
    reference = bptt.bptt(hand(model), x, y, h0)
    for t in range(1, 5):
        assert np.allclose(u.o[t].grad, reference.grad_o[t - 1], rtol=0, atol=1e-14)
        assert np.allclose(u.h[t].grad, reference.grad_h[t - 1], rtol=0, atol=1e-14)
        assert np.allclose(u.o[t].grad, u.yhat[t].value - ad.one_hot(y[t - 1], K), atol=1e-14)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_truncated_gradient_equals_hand_truncated_bptt(k):
    """Each L^(t) back-propagates through k steps only, as `rnn.bptt.truncated_bptt`."""
    model, x, y, h0 = problem(6, 2, seed=k)
    engine = engine_gradients(model, x, y, h0, truncate=k)
    reference = bptt.truncated_bptt(hand(model), x, y, k, h0)
    for name in ("U", "W", "V", "b", "c"):
        assert max_relative_error(engine[name], reference.grads[name]) < 1e-12, name
    assert max_relative_error(engine["h_0"], reference.grad_h0) < 1e-12


def test_truncation_cuts_are_detached_leaves_listed_as_edges():
    """h^(t-k) enters the graph of L^(t) as a constant copy h_{t-k}_cut marked cut=True."""
    model, x, y, _ = problem(5, 1)
    u = rnn.unroll(model, x, y, truncate=2)
    assert u.cut_edges == [("h_1", "h_1_cut"), ("h_2", "h_2_cut"), ("h_3", "h_3_cut")]
    cut = u.graph.find("h_2_cut")
    assert cut.prim is None and not cut.requires_grad and cut.meta["cut"] is True
    assert np.array_equal(cut.value, u.h[2].value)
    assert u.graph.find("h_3~4").meta == {"t": 3, "kind": "h", "copy_for": 4}


def test_truncation_of_at_least_tau_steps_is_full_bptt():
    """With k >= tau nothing is cut: the gradient is the full one."""
    model, x, y, h0 = problem(4, 2)
    assert rnn.unroll(model, x, y, truncate=4).cut_edges == []
    full = engine_gradients(model, x, y, h0)
    truncated = engine_gradients(model, x, y, h0, truncate=7)
    assert all(np.array_equal(full[n], truncated[n]) for n in full)


def test_truncated_loss_value_is_unchanged():
    """Truncation changes the gradient only, never the forward values."""
    model, x, y, h0 = problem(6, 2)
    full = rnn.unroll(model, x, y, h0=h0).loss.value
    assert rnn.unroll(model, x, y, h0=h0, truncate=2).loss.value == pytest.approx(full, rel=1e-14)


def test_without_targets_the_graph_ends_at_the_outputs():
    """No y: no loss; the graph holds the outputs yhat^(t)."""
    model, x, _, _ = problem(3, 2)
    u = rnn.unroll(model, x)
    assert u.loss is None
    assert {"yhat_1", "yhat_3", "h_3"} <= {n.name for n in u.graph.nodes}


@pytest.mark.parametrize("bad, message", [
    (dict(x=np.zeros((3, 2, 1))), "n_in=4"),
    (dict(y=np.zeros((3, 1))), "integer class ids"),
    (dict(y=np.full((3, 1), 9)), "0..4"),
    (dict(loss="avg"), "'sum'"),
    (dict(truncate=0), "positive"),
    (dict(h0=np.zeros((2, 1))), "expected (3, 1)"),
])
def test_bad_arguments_raise_one_line_errors(bad, message):
    """Errors name the culprit and the fix."""
    model, x, y, _ = problem(3, 1)
    args = dict(x=x, y=y) | bad
    with pytest.raises(rnn.RNNError, match=message.replace("(", r"\(").replace(")", r"\)")):
        rnn.unroll(model, **args)
