"""Specification of the cell-level graph: one `rnn_step` node per time step (eqs 10.8-10.28)."""
import numpy as np
import pytest
import sympy

import autodiff as ad
import rnn
from autodiff import symbolic
from rnn import bptt
from rnn.gradcheck import engine_gradients, max_relative_error

N_IN, H, K = 3, 4, 3


def problem(tau, B, seed=0, model_type=rnn.SimpleRNN):
    rng = np.random.default_rng(seed)
    model = model_type(N_IN, H, K, seed=seed)
    model.load({"b": rng.normal(0, 0.5, (H, 1)), "c": rng.normal(0, 0.5, (K, 1))})
    x = rng.normal(size=(tau, N_IN, B))
    y = rng.integers(0, K, size=(tau, B))
    return model, x, y, rng.normal(size=(H, B))


def test_cell_primitives_are_registered_with_the_engine():
    """rnn_step, rnn_outputs and rnn_nll sit in the single primitive registry."""
    import rnn.cell_ops  # noqa: F401  (registers on import)
    assert {"rnn_step", "rnn_outputs", "rnn_nll"} <= set(ad.REGISTRY)


def test_one_node_per_time_step():
    """h_1..h_tau are single rnn_step nodes reading h^(t-1), x^(t), W, U, b."""
    model, x, y, _ = problem(6, 2)
    u = rnn.unroll(model, x, y, level="cell")
    steps = [n for n in u.graph.nodes if n.op == "rnn_step"]
    assert [n.name for n in steps] == [f"h_{t}" for t in range(1, 7)]
    assert [i.name for i in u.h[3].inputs] == ["h_2", "x_3", "W", "U", "b"]
    assert u.h[3].label == r"\boldsymbol{h}^{(3)}" and u.h[3].meta == {"t": 3, "kind": "h"}
    assert [n.op for n in u.graph.nodes if n.prim is not None][-2:] == ["rnn_outputs", "rnn_nll"]


@pytest.mark.parametrize("tau, B", [(1, 1), (2, 3), (5, 2)])
@pytest.mark.parametrize("loss", ["sum", "mean"])
def test_cell_level_gradients_equal_op_level_ones(tau, B, loss):
    """The same BPTT (eqs 10.17-10.28) whether each step is one node or a dozen."""
    model, x, y, h0 = problem(tau, B, seed=tau + B)
    op = engine_gradients(model, x, y, h0, loss=loss)
    cell = engine_gradients(model, x, y, h0, loss=loss, level="cell")
    for name in op:
        assert max_relative_error(cell[name], op[name]) < 1e-12, name


def test_cell_level_gradient_equals_hand_bptt():
    """And the same as the hand-written NumPy recurrences."""
    model, x, y, h0 = problem(7, 3, seed=2)
    cell = engine_gradients(model, x, y, h0, level="cell")
    hand = bptt.bptt(bptt.RNNParams(**model.arrays()), x, y, h0)
    for name in ("U", "W", "V", "b", "c"):
        assert max_relative_error(cell[name], hand.grads[name]) < 1e-12, name
    assert max_relative_error(cell["h_0"], hand.grad_h0) < 1e-12


def test_cell_level_sequence_to_one_equals_op_level():
    """Fig. 10.5 at cell level: one output, read from h^(tau)."""
    model, x, y, h0 = problem(5, 2, seed=1, model_type=rnn.SeqToOne)
    op = engine_gradients(model, x, y[-1], h0)
    cell = engine_gradients(model, x, y[-1], h0, level="cell")
    for name in op:
        assert max_relative_error(cell[name], op[name]) < 1e-12, name


def test_cell_level_loss_value_equals_op_level():
    """L = sum_t L^(t) (eqs 10.12-10.14) either way."""
    model, x, y, h0 = problem(4, 2)
    assert rnn.unroll(model, x, y, h0=h0, level="cell").loss.value == pytest.approx(
        rnn.unroll(model, x, y, h0=h0).loss.value, rel=1e-14)


def test_cell_vjps_are_differentiable_again():
    """create_graph=True records the cell VJPs as primitives: second derivatives agree with op level."""
    results = []
    for level in ("op", "cell"):
        model, x, y, h0 = problem(3, 2, seed=4)
        rnn.unroll(model, x, y, h0=h0, level=level).loss.backward(create_graph=True)
        norm = (model.params["W"].grad_node * model.params["W"].grad_node).sum()
        model.zero_grad()
        norm.backward()
        results.append(model.params["U"].grad)
    assert max_relative_error(results[0], results[1]) < 1e-12


def test_cell_jvps_give_the_directional_derivative():
    """Forward mode through rnn_step, rnn_outputs and rnn_nll equals grad . direction."""
    model, x, y, h0 = problem(4, 2, seed=6)
    names = ("W", "U", "b", "V", "c")
    rng = np.random.default_rng(0)
    directions = [rng.normal(size=model.params[n].shape) for n in names]

    def loss(*values):
        copy = rnn.SimpleRNN(N_IN, H, K)
        copy.params.update(zip(names, values))
        return rnn.unroll(copy, x, y, h0=h0, level="cell").loss
    _, derivative = ad.jvp(loss, [model.params[n].value for n in names], directions)
    grads = engine_gradients(model, x, y, h0)
    assert derivative == pytest.approx(sum(np.sum(grads[n] * d) for n, d in zip(names, directions)), rel=1e-12)


def test_cell_level_graph_reads_symbolically():
    """The SymPy forwards of the cell primitives give the op-level formula."""
    model = rnn.SimpleRNN(2, 1, 2)
    x = np.array([[[1.0], [0.0]], [[0.0], [1.0]]])
    y = np.array([[0], [1]])
    values = []
    for level in ("op", "cell"):
        u = rnn.unroll(model, x, y, level=level)
        W = model.params["W"]
        loss, (grad,) = symbolic.gradients(u.loss, [W], {W: symbolic.symbols_like(W.shape, "W")})
        values.append([sympy.N(e.subs("W_1_1", sympy.Rational(3, 10))) for e in (loss.item(), grad[0, 0])])
    assert values[0] == pytest.approx(values[1], rel=1e-12)


@pytest.mark.parametrize("model, options, message", [
    (rnn.WindowDNN(N_IN, H, K), {}, "level='op'"),
    (rnn.SimpleRNN(N_IN, H, K), {"truncate": 2}, "truncate"),
])
def test_cell_level_refuses_what_it_does_not_implement(model, options, message):
    """Errors point to level='op'."""
    _, x, y, _ = problem(3, 1)
    with pytest.raises(rnn.RNNError, match=message):
        rnn.unroll(model, x, y, level="cell", **options)


# ----- gated cells ---------------------------------------------------------------------------------

GATED = [rnn.LSTM(N_IN, H, K, seed=1), rnn.LSTM(N_IN, H, K, seed=2, candidate="tanh"),
         rnn.GRU(N_IN, H, K, seed=3), rnn.GRU(N_IN, H, K, seed=4, form="cho")]
GATED_IDS = ["lstm-sigmoid", "lstm-tanh", "gru-printed", "gru-cho"]


def gated_problem(model, tau=4, B=2, seed=0):
    rng = np.random.default_rng(seed)
    model.load({name: rng.normal(0, 0.5, p.shape) for name, p in model.params.items() if name.startswith("b")})
    x = rng.normal(size=(tau, N_IN, B))
    y = rng.integers(0, K, size=(tau, B))
    return x, y, {kind: rng.normal(size=(H, B)) for kind in model.carry if kind != "x"}


def test_lstm_step_is_a_state_node_and_an_output_node():
    """s_t = lstm_state(s^(t-1), h^(t-1), x^(t), ...) (eq. 10.41), h_t = lstm_output(s^(t), ...) (eq. 10.43)."""
    model = rnn.LSTM(N_IN, H, K)
    x, y, _ = gated_problem(model, tau=3)
    u = rnn.unroll(model, x, y, level="cell")
    assert [(n.name, n.op) for n in u.graph.nodes if n.op in ("lstm_state", "lstm_output")][:2] == [
        ("s_1", "lstm_state"), ("h_1", "lstm_output")]
    assert [i.name for i in u.h[2].inputs[:3]] == ["s_2", "h_1", "x_2"]


def test_printed_gru_cell_reads_the_previous_input():
    """As printed (eq. 10.45) the node h_t reads x^(t-1); x^(0) = 0."""
    model = rnn.GRU(N_IN, H, K)
    x, y, _ = gated_problem(model, tau=3)
    u = rnn.unroll(model, x, y, level="cell")
    assert [u.h[t].inputs[1].name for t in (1, 2, 3)] == ["x_0", "x_1", "x_2"]
    assert u.h[2].op == "gru_step"


@pytest.mark.parametrize("model", GATED, ids=GATED_IDS)
def test_gated_cell_level_gradients_equal_op_level_ones(model):
    """The gated cells' single nodes have the derivatives of their op-level form (eqs 10.40-10.47)."""
    x, y, h0 = gated_problem(model)
    op = engine_gradients(model, x, y, h0)
    cell = engine_gradients(model, x, y, h0, level="cell")
    for name in op:
        assert max_relative_error(cell[name], op[name]) < 1e-12, name


@pytest.mark.parametrize("model", GATED[::2], ids=GATED_IDS[::2])
def test_gated_cell_vjps_are_differentiable_again(model):
    """create_graph=True through lstm_state, lstm_output and gru_step: second derivatives agree."""
    x, y, h0 = gated_problem(model, tau=3)
    results = []
    for level in ("op", "cell"):
        model.zero_grad()
        rnn.unroll(model, x, y, h0=h0, level=level).loss.backward(create_graph=True)
        norm = (model.params["W"].grad_node * model.params["W"].grad_node).sum()
        model.zero_grad()
        norm.backward()
        results.append(model.params["U"].grad.copy())
    assert max_relative_error(results[0], results[1]) < 1e-12


@pytest.mark.parametrize("model", GATED[1::2], ids=GATED_IDS[1::2])
def test_gated_cell_jvps_give_the_directional_derivative(model):
    """Forward mode through the gated cell nodes equals grad . direction."""
    x, y, h0 = gated_problem(model, tau=3)
    names = list(model.params)
    rng = np.random.default_rng(1)
    directions = [rng.normal(size=model.params[n].shape) for n in names]
    template = type(model)(N_IN, H, K, **({"candidate": model.candidate} if isinstance(model, rnn.LSTM)
                                           else {"form": model.form}))

    def loss(*values):
        template.params.update(zip(names, values))
        return rnn.unroll(template, x, y, h0=h0, level="cell").loss
    _, derivative = ad.jvp(loss, [model.params[n].value for n in names], directions)
    grads = engine_gradients(model, x, y, h0)
    assert derivative == pytest.approx(sum(np.sum(grads[n] * d) for n, d in zip(names, directions)), rel=1e-12)
