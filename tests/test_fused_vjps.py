"""A fused VJP (`Primitive.vjp_all`) is the same calculus as the per-argument rules it fuses.

The numeric backward pass uses `vjp_all` where a primitive declares one; `create_graph`,
symbolic values and anomaly mode use the per-argument `vjps`. Both must give the same
gradients, node by node, or the two paths would silently disagree.
"""
import numpy as np
import pytest

import autodiff as ad
import rnn
from autodiff.primitive import ProductTerm


def _value(contribution):
    return contribution.value() if isinstance(contribution, ProductTerm) else np.asarray(contribution)


MODELS = {
    "rnn": (lambda n_in, H, K, seed: rnn.SimpleRNN(n_in, H, K, seed=seed), {"rnn_step", "rnn_outputs"}),
    "lstm": (lambda n_in, H, K, seed: rnn.LSTM(n_in, H, K, seed=seed), {"lstm_state", "lstm_output"}),
    "lstm-tanh": (lambda n_in, H, K, seed: rnn.LSTM(n_in, H, K, seed=seed, candidate="tanh"),
                  {"lstm_state", "lstm_output"}),
    "gru": (lambda n_in, H, K, seed: rnn.GRU(n_in, H, K, seed=seed), {"gru_step"}),
    "gru-cho": (lambda n_in, H, K, seed: rnn.GRU(n_in, H, K, seed=seed, form="cho"), {"gru_step"}),
    "gru-reset-after": (lambda n_in, H, K, seed: rnn.GRU(n_in, H, K, seed=seed, form="reset-after"),
                        {"gru_reset_after"}),
}


def _cell_level_graph(seed, kind="rnn"):
    rng = np.random.default_rng(seed)
    tau, n_in, H, K, B = 4, 3, 5, 4, 2
    model = MODELS[kind][0](n_in, H, K, seed)
    x = rng.normal(size=(tau, n_in, B))
    y = rng.integers(0, K, size=(tau, B))
    u = rnn.unroll(model, x, y, h0=rng.normal(size=(H, B)) if kind == "rnn" else None, level="cell")
    u.loss.backward()
    return ad.trace(u.loss)


@pytest.mark.parametrize("kind", sorted(MODELS))
@pytest.mark.parametrize("seed", [0, 1])
def test_every_fused_vjp_equals_its_per_argument_rules(seed, kind):
    """rnn_step's grad_a once per step, and the LSTM's and GRU's derivatives written out
    (eqs 10.40-10.47 differentiated), against the per-argument rules (for the gated cells,
    reverse mode on the step's own graph)."""
    graph = _cell_level_graph(seed, kind)
    fused_nodes = [n for n in graph.nodes if n.prim is not None and n.prim.vjp_all is not None]
    assert {n.op for n in fused_nodes} >= MODELS[kind][1]
    rng = np.random.default_rng(seed)
    for node in fused_nodes:
        g = rng.normal(size=node.shape)
        args = [i.value for i in node.inputs]
        needs = [True] * len(args)
        fused = node.prim.vjp_all(needs, g, node.value, *args, **node.params)
        for k, inp in enumerate(node.inputs):
            single = node.prim.vjp(k)(g, node.value, *args, **node.params)
            np.testing.assert_allclose(ad.sum_to(_value(fused[k]), inp.shape), ad.sum_to(np.asarray(single), inp.shape),
                                       rtol=1e-12, atol=1e-12, err_msg=f"{node.op} argument {k}")


def test_fused_vjp_skips_arguments_that_need_no_gradient():
    graph = _cell_level_graph(0)
    node = next(n for n in graph.nodes if n.op == "rnn_step")
    args = [i.value for i in node.inputs]
    needs = [False] * len(args)
    needs[2] = True
    fused = node.prim.vjp_all(needs, np.ones(node.shape), node.value, *args, **node.params)
    assert [c is None for c in fused] == [not n for n in needs]


# ----- chain rules (Primitive.vjp_chain): a whole recurrence back-propagated in one call -----

def _node_by_node(monkeypatch):
    """Run the backward pass with the chain rule switched off: node by node (vjp_all)."""
    from rnn.cell_ops import rnn_step
    monkeypatch.setattr(rnn_step, "vjp_chain", None)


def _gradients(loss, wrt):
    adjoints = ad.backprop(loss)
    return [adjoints.get(t) for t in wrt]


def _steps(rng, tau=5, n_in=3, H=4, B=2, x_grad=False, h0_grad=True):
    from rnn.cell_ops import rnn_step
    W, U, b = (ad.Tensor(rng.normal(size=s), requires_grad=True) for s in ((H, H), (H, n_in), (H, 1)))
    xs = [ad.Tensor(rng.normal(size=(n_in, B)), requires_grad=x_grad) for _ in range(tau)]
    h0 = ad.Tensor(rng.normal(size=(H, B)), requires_grad=h0_grad)
    hs, h = [], h0
    for x in xs:
        h = rnn_step(h, x, W, U, b)
        hs.append(h)
    return hs, [W, U, b, h0, *xs]


@pytest.mark.parametrize("outputs", ["every", "last", "some"])
@pytest.mark.parametrize("x_grad, h0_grad", [(False, True), (True, False), (True, True)])
def test_chain_rule_equals_node_by_node(monkeypatch, outputs, x_grad, h0_grad):
    """eq. 10.21 run as one loop gives every node's adjoint the per-node pass gives, with
    steps that get no gradient from outside the chain (only h^(tau) read: Fig. 10.5)."""
    rng = np.random.default_rng(3)
    hs, leaves = _steps(rng, x_grad=x_grad, h0_grad=h0_grad)
    read = {"every": hs, "last": hs[-1:], "some": hs[1::2]}[outputs]
    loss = ad.sum(ad.stack(*[ad.sum(ad.tanh(h) * (k + 1)) for k, h in enumerate(read)]))
    wrt = [w for w in leaves if w.requires_grad] + hs
    chained = _gradients(loss, wrt)
    with monkeypatch.context() as m:
        _node_by_node(m)
        single = _gradients(loss, wrt)
    for got, want in zip(chained, single):
        if want is None:  # a step after the last one read: on no path to the loss
            assert got is None
            continue
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_the_cell_level_backward_pass_uses_the_chain_rule(monkeypatch):
    """At cell level the recurrence goes through vjp_chain once, not node by node."""
    from rnn.cell_ops import rnn_step
    calls = []
    original = rnn_step.vjp_chain
    monkeypatch.setattr(rnn_step, "vjp_chain", lambda nodes, gs: calls.append(len(nodes)) or original(nodes, gs))
    rng = np.random.default_rng(0)
    model = rnn.SimpleRNN(3, 4, 3, seed=0)
    u = rnn.unroll(model, rng.normal(size=(6, 3, 2)), rng.integers(0, 3, size=(6, 2)), level="cell")
    u.loss.backward()
    assert calls == [6]
    assert u.h[2].grad is not None and not u.h[2].grad.flags.writeable


def test_chain_rule_declines_steps_with_different_weights(monkeypatch):
    """Steps with their own W (no sharing) are not a recurrence it fuses: node by node, same result."""
    from rnn.cell_ops import rnn_step
    rng = np.random.default_rng(1)
    H, B = 3, 2
    h = h0 = ad.Tensor(rng.normal(size=(H, B)), requires_grad=True)
    Ws = [ad.Tensor(rng.normal(size=(H, H)), requires_grad=True) for _ in range(3)]
    U, b = ad.Tensor(rng.normal(size=(H, 2)), requires_grad=True), ad.Tensor(rng.normal(size=(H, 1)), requires_grad=True)
    for W in Ws:
        h = rnn_step(h, ad.Tensor(rng.normal(size=(2, B))), W, U, b)
    loss = ad.sum(h)
    assert rnn_step.vjp_chain([h, h.inputs[0]], [np.ones((H, B)), None]) is None
    chained = _gradients(loss, [*Ws, U, b, h0])
    with monkeypatch.context() as m:
        _node_by_node(m)
        single = _gradients(loss, [*Ws, U, b, h0])
    for got, want in zip(chained, single):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_a_step_read_twice_inside_the_chain_breaks_it(monkeypatch):
    """h^(1) fed to step 3 as its input x too: its adjoint is not complete when the chain
    would start, so those steps go node by node, and the gradient is still right."""
    from rnn.cell_ops import rnn_step
    rng = np.random.default_rng(2)
    H, B = 3, 2
    W, U = (ad.Tensor(rng.normal(size=(H, H)) * 0.5, requires_grad=True) for _ in range(2))
    b = ad.Tensor(rng.normal(size=(H, 1)), requires_grad=True)
    h0 = ad.Tensor(rng.normal(size=(H, B)), requires_grad=True)
    x = ad.Tensor(rng.normal(size=(H, B)))
    h1 = rnn_step(h0, x, W, U, b)
    h2 = rnn_step(h1, x, W, U, b)
    h3 = rnn_step(h2, h1, W, U, b)
    loss = ad.sum(h3 * h3)
    chained = _gradients(loss, [W, U, b, h0, h1])
    with monkeypatch.context() as m:
        _node_by_node(m)
        single = _gradients(loss, [W, U, b, h0, h1])
    for got, want in zip(chained, single):
        np.testing.assert_allclose(got, want, rtol=1e-12)

    def through_w(W_):
        h1_ = rnn_step(h0, x, W_, U, b)
        h3_ = rnn_step(rnn_step(h1_, x, W_, U, b), h1_, W_, U, b)
        return ad.sum(h3_ * h3_)
    assert ad.gradcheck(through_w, [W])


def test_a_chain_rule_needs_the_fused_rule_of_one_node():
    """A declined chain goes node by node through vjp_all, so a chain rule alone is refused."""
    with pytest.raises(ValueError, match="vjp_chain but no vjp_all"):
        ad.Primitive("lonely", np.tanh, vjps=(lambda g, ans, x: g,), vjp_chain=lambda nodes, gs: None)


def test_gated_fused_rules_hand_vectors_to_the_step_graph():
    """Written for (size, batch) columns, the gated cells' fused rules leave 1-D vectors to
    reverse mode on the step's own graph: the gradient still matches finite differences."""
    from rnn.gated_ops import gru_step
    rng = np.random.default_rng(4)
    H, n = 3, 2
    args = [rng.normal(size=s) for s in [(H,), (n,)] + [(H, n), (H, H), (H,)] * 3]
    assert ad.gradcheck(lambda *a: gru_step(*a, form="cho"), args)


# ----- values a forward keeps for its fused VJP (autodiff.primitive.Saved) -----

GATED = ("lstm", "lstm-tanh", "gru", "gru-cho", "gru-reset-after")


@pytest.mark.parametrize("kind", GATED)
def test_gated_vjps_read_the_gates_their_forward_kept(kind):
    """Each gated node's forward keeps its gates for its own output; the fused VJP reading
    them gives what it gives recomputing them (a copy of the output finds nothing kept)."""
    from rnn.gated_ops import SAVED
    graph = _cell_level_graph(2, kind)
    nodes = [n for n in graph.nodes if n.op in MODELS[kind][1]]
    rng = np.random.default_rng(5)
    for node in nodes:
        assert SAVED[node.op].get(node.value) is not None
        copy = node.value.copy()
        assert SAVED[node.op].get(copy) is None
        g = rng.normal(size=node.shape)
        args = [i.value for i in node.inputs]
        needs = [True] * len(args)
        kept = node.prim.vjp_all(needs, g, node.value, *args, **node.params)
        recomputed = node.prim.vjp_all(needs, g, copy, *args, **node.params)
        for k, (a, b) in enumerate(zip(kept, recomputed)):
            np.testing.assert_array_equal(_value(a), _value(b), err_msg=f"{node.op} arg {k}")


def test_kept_gates_go_with_their_graph():
    """What a forward keeps lives as long as its output array: none of it outlives the graph."""
    import gc
    from rnn.gated_ops import SAVED
    gc.collect()  # graphs other tests left in reference cycles go first
    before = {name: len(saved) for name, saved in SAVED.items()}
    graph = _cell_level_graph(0, "lstm")
    assert len(SAVED["lstm_state"]) == before["lstm_state"] + 4  # tau = 4 steps
    del graph
    gc.collect()
    assert {name: len(saved) for name, saved in SAVED.items()} == before


def test_saved_keeps_values_for_that_very_array_only():
    from autodiff.primitive import Saved
    saved = Saved()
    out = np.ones((2, 3))
    assert saved.put(out, ("gate",)) is out
    assert saved.get(out) == ("gate",)
    assert saved.get(out.copy()) is None and saved.get(out[:1]) is None
    symbolic = np.array([[1]], dtype=object)
    saved.put(symbolic, ("formula",))  # the fused VJPs serve the numeric pass only
    assert saved.get(symbolic) is None and len(saved) == 1
    del out
    assert len(saved) == 0
