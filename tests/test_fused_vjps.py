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


def _cell_level_graph(seed):
    rng = np.random.default_rng(seed)
    tau, n_in, H, K, B = 4, 3, 5, 4, 2
    model = rnn.SimpleRNN(n_in, H, K, seed=seed)
    x = rng.normal(size=(tau, n_in, B))
    y = rng.integers(0, K, size=(tau, B))
    u = rnn.unroll(model, x, y, h0=rng.normal(size=(H, B)), level="cell")
    u.loss.backward()
    return ad.trace(u.loss)


@pytest.mark.parametrize("seed", [0, 1])
def test_every_fused_vjp_equals_its_per_argument_rules(seed):
    graph = _cell_level_graph(seed)
    fused_nodes = [n for n in graph.nodes if n.prim is not None and n.prim.vjp_all is not None]
    assert {n.op for n in fused_nodes} >= {"rnn_step", "rnn_outputs"}
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
