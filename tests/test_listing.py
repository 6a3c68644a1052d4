"""The listing of a graph (issue 17): one line per node, like a jaxpr, and the backward pass
as a listing of adjoints, derived from the VJP rules the engine records, not per op.

The text of small graphs is checked exactly; the backward listing is also run as a program
(`Listing.evaluate`) on numbers other than the recorded ones, and must give the engine's
gradients for those numbers.
"""
import numpy as np
import pytest

import autodiff as ad
import rnn
from autodiff.cli import main
from autodiff.cli_draw import EXAMPLES
from autodiff.listing import ListingError

TANH_NEURON = """\
w = parameter  # (1, 2)
b = parameter  # (1, 1)
x = input  # (2, 1)
n2 = w @ x  # (1, 1)
z = n2 + b  # (1, 1)
y = tanh(z)  # (1, 1)"""

TANH_NEURON_BACKWARD = """\
grad_y = 1  # (1, 1)
grad_z = grad_y * (1 - y * y)  # (1, 1)
grad_b = grad_z  # (1, 1)
grad_w = grad_z @ x.T  # (1, 2)"""

SOFTMAX_CE_BACKWARD = """\
grad_L = 1  # ()
tmp1 = constant [0, 0, 1]  # (3, 1)
grad_n1 = -grad_L * tmp1  # (3, 1)
grad_o = grad_n1 - exp(n1) * sum(grad_n1, axis=0, keepdims=True)  # (3, 1)"""


def test_tanh_neuron_lists_leaves_first_then_one_line_per_node():
    graph = ad.trace(EXAMPLES["tanh-neuron"]())
    assert str(graph) == TANH_NEURON
    assert str(graph.listing(backward=True)) == TANH_NEURON_BACKWARD


def test_softmax_cross_entropy_backward_is_the_registry_s_vjps():
    """nll's VJP (-g onehot(y)) and log_softmax's (g - exp(ans) sum g), as the rules read."""
    graph = ad.trace(EXAMPLES["softmax-ce"]())
    assert str(graph) == "o = parameter  # (3, 1)\nn2 = 2  # (1,)\nn1 = log_softmax(o)  # (3, 1)\nL = nll(n1, n2)  # ()"
    assert str(graph.listing(backward=True)) == SOFTMAX_CE_BACKWARD


def test_inlined_vjps_are_written_with_python_s_precedence():
    """div's VJP -(g ans / y), pow's g (e x^(e-1)), neg, transpose and indexing, inlined."""
    a = ad.Tensor([[1.0, 2.0]], name="a", requires_grad=True)
    b = ad.Tensor([[3.0], [4.0]], name="b")
    c = (-(a - a * 2) ** 2).tag(name="c")
    d = ((a @ b - 1) / (a.T[0] + 1).sum() + c.sum()).tag(name="d", role="loss")
    listing = ad.trace(d).listing(backward=True)
    assert str(listing).splitlines()[3:] == [
        "grad_n14 = -grad_c  # (1, 2)",
        "grad_n13 = grad_n14 * (2 * n13 ** 1)  # (1, 2)",
        "grad_n12 = -grad_n13  # (1, 2)",
        "grad_n9 = sum(-(grad_d * n10 / n9), axis=(0, 1))  # ()",
        "grad_n8 = broadcast_to(reshape(grad_n9, shape=(1,)), shape=(1,))  # (1,)",
        "grad_n5 = scatter(grad_n8, index=0, shape=(2, 1))  # (2, 1)",
        "grad_n4 = grad_d / n9  # (1, 1)",
        "grad_a = grad_n5.T + grad_n4 @ b.T + grad_n13 + grad_n12 * 2  # (1, 2)"]
    d.backward()
    assert np.array_equal(listing.evaluate()["grad_a"], a.grad)


def test_the_rnn_backward_listing_is_eq_10_21():
    """grad h^(2) = W^T grad a^(3) + V^T grad o^(2): the book's eq. 10.21 as the engine runs it."""
    lines = str(rnn_graph().listing(backward=True)).splitlines()
    assert "grad_h_2 = W.T @ grad_a_3 + V.T @ grad_o_2  # (3, 1)" in lines
    assert "grad_a_2 = grad_h_2 * (1 - h_2 * h_2)  # (3, 1)" in lines
    assert "grad_W = grad_a_3 @ h_2.T + grad_a_2 @ h_1.T + grad_a_1 @ h_0.T  # (3, 3)" in lines
    assert "grad_c = grad_o_3 + grad_o_2 + grad_o_1  # (2, 1)" in lines
    forward = str(rnn_graph()).splitlines()
    assert "h_2 = tanh(a_2)  # (3, 1)  t=2" in forward
    assert forward[:5] == ["c = parameter  # (2, 1)", "V = parameter  # (2, 3)", "b = parameter  # (3, 1)",
                           "W = parameter  # (3, 3)", "U = parameter  # (3, 2)"]


def test_listing_is_deterministic():
    assert str(rnn_graph()) == str(rnn_graph())
    assert str(rnn_graph().listing(backward=True)) == str(rnn_graph().listing(backward=True))


def rnn_graph(model=None, steps=3):
    model = model or rnn.SimpleRNN(n_in=2, hidden=3, n_out=2, seed=0)
    rng = np.random.default_rng(1)
    return rnn.unroll(model, rng.normal(size=(steps, 2, 1)), rng.integers(0, 2, size=(steps, 1))).graph


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru", "seq2one"])
def test_the_backward_listing_run_on_new_numbers_gives_the_engine_s_gradients(cell):
    """The listing is a program: fed parameters it never saw, it gives the gradients the engine
    computes for them (so it lists the computation, not the recorded numbers)."""
    from rnn.train import example_graph
    graph = example_graph(cell, steps=3)
    forward, backward = graph.listing(), graph.listing(backward=True)
    params = [node for node in graph.nodes if node.role == "parameter"]
    rng = np.random.default_rng(7)
    fresh = {p.name: rng.normal(size=p.shape) for p in params}
    env = backward.evaluate(forward.evaluate(fresh))
    for p in params:
        p.value = fresh[p.name]
    again = engine_gradients(graph)
    for p in params:
        assert np.allclose(env[f"grad_{p.name}"], again[p.name], rtol=1e-12, atol=1e-14), p.name


@pytest.mark.parametrize("model", [rnn.SimpleRNN(2, 3, 2, seed=0), rnn.LSTM(2, 3, 2, seed=0), rnn.GRU(2, 3, 2, seed=0)],
                         ids=["rnn", "lstm", "gru"])
def test_a_cell_level_graph_is_listed_through_its_steps_vjps(model):
    """One node per step (rnn_step, lstm_state...): the listing runs the step primitives' own VJPs."""
    rng = np.random.default_rng(1)
    graph = rnn.unroll(model, rng.normal(size=(3, 2, 2)), rng.integers(0, 2, size=(3, 2)), level="cell").graph
    forward, backward = graph.listing(), graph.listing(backward=True)
    assert any(line.startswith("h_3 = ") for line in str(forward).splitlines())
    fresh = {name: rng.normal(size=p.shape) for name, p in model.params.items()}
    env = backward.evaluate(forward.evaluate(fresh))
    for name, p in model.params.items():
        p.value = fresh[name]
    engine = engine_gradients(graph)
    for name in model.params:
        assert np.allclose(env[f"grad_{name}"], engine[name], rtol=1e-12, atol=1e-14), name


def engine_gradients(graph):
    """The engine's gradients of `graph`'s loss, recomputed node by node from its leaves."""
    values = {}
    for node in graph.nodes:
        values[node] = node.value if node.prim is None else node.prim.forward(
            *[values[i] for i in node.inputs], **node.params)
        node.value = values[node]
    root = next(r for r in graph.roots if r.role == "loss")
    adjoints = ad.backprop(root)
    return {node.name: adjoints[node] for node in graph.nodes if node.role == "parameter"}


def test_the_backward_graph_of_create_graph_is_listed_too():
    x = ad.Tensor(3.0, name="x", requires_grad=True)
    y = (x * x).tag(name="y", role="loss")
    y.backward(create_graph=True)
    assert str(ad.trace(x.grad_node)) == ("x = parameter  # ()\ngrad_y = 1  # ()\nn2 = grad_y * x  # ()\n"
                                          "n3 = grad_y * x  # ()\ngrad_x = n2 + n3  # ()")
    second = ad.trace(x.grad_node).listing(backward=True).evaluate()
    assert second["grad_x_"] == 2.0  # d/dx (2 x) through the listed backward graph


def test_backward_listing_needs_one_scalar_loss():
    a = ad.Tensor([1.0, 2.0], name="a", requires_grad=True)
    with pytest.raises(ListingError, match="scalar root"):
        ad.trace(a * 2).listing(backward=True)
    with pytest.raises(ListingError, match="trace the loss alone"):
        ad.trace([a * 2, a * 3]).listing(backward=True)


def test_cli_lists_an_example_and_an_unrolled_rnn(capsys):
    assert main(["graph", "--example", "tanh-neuron", "--listing"]) == 0
    assert capsys.readouterr().out == (TANH_NEURON + "\n# reverse mode: one line per adjoint\n"
                                       + TANH_NEURON_BACKWARD + "\n")
    assert main(["graph", "--rnn", "rnn", "--steps", "3", "--listing"]) == 0
    out = capsys.readouterr().out
    assert "grad_h_2 = W.T @ grad_a_3 + V.T @ grad_o_2  # (3, 1)" in out and "h_3 = tanh(a_3)  # (3, 1)  t=3" in out


def test_cli_listing_errors_are_one_line(capsys):
    assert main(["graph", "--rnn", "rnn", "--steps", "99", "--listing"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--steps" in err
