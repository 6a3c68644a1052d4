"""Specification of the explicit graph and its exports (issue 2, sections 2, 3 and 5).

Each node keeps its op, its ordered inputs (``x*x`` has two edges), a name, a role and free
metadata; ids are topological positions, so the same code gives the same export; the graph
survives backward().
"""
import json

import networkx as nx
import numpy as np
import pytest

import autodiff as ad


def small_rnn_step():
    """h = tanh(b + W h0 + U x), the book's eq. 10.8-10.9 for one step, with named leaves."""
    rng = np.random.default_rng(0)
    W = ad.Tensor(rng.normal(size=(2, 2)), name="W", requires_grad=True)
    U = ad.Tensor(rng.normal(size=(2, 3)), name="U", requires_grad=True)
    b = ad.Tensor(np.zeros((2, 1)), name="b", requires_grad=True)
    h0 = ad.Tensor(np.zeros((2, 1)), name="h_0", role="input", meta={"t": 0})
    x = ad.Tensor(rng.normal(size=(3, 1)), name="x_1", role="input", meta={"t": 1})
    a = (b + W @ h0 + U @ x).tag(name="a_1", label="a^{(1)}", t=1)
    h = ad.tanh(a).tag(name="h_1", label="h^{(1)}", t=1)
    return h.sum().tag(name="L", role="loss")


def test_x_times_x_has_two_edges_at_positions_0_and_1():
    """x * x keeps both arguments: two edges from x, one per argument position."""
    x = ad.Tensor(3.0, name="x", requires_grad=True)
    graph = ad.trace(x * x)
    assert [(i.name, k) for i, _, k in graph.edges()] == [("x", 0), ("x", 1)]
    g = graph.to_networkx()
    x_id, y_id = graph.id_of(x), graph.id_of(graph.roots[0])
    assert g.number_of_edges(x_id, y_id) == 2
    assert sorted(d["position"] for _, _, d in g.edges(x_id, data=True)) == [0, 1]


def test_x_times_x_gradient_counts_both_edges():
    """d(x*x)/dx = 2x: one contribution per edge."""
    x = ad.Tensor(3.0, name="x", requires_grad=True)
    (x * x).backward()
    assert x.grad == pytest.approx(6.0)


@pytest.mark.parametrize("k", [1, 2, 5])
def test_parameter_used_k_times_has_k_out_edges_and_sums_k_contributions(k):
    """A weight used k times (W^(1)..W^(k) in the book) has k out-edges, and its gradient is
    the sum of the k contributions, each computed on its own (eqs 10.22-10.28)."""
    rng = np.random.default_rng(k)
    W = ad.Tensor(rng.normal(size=(2, 2)), name="W", requires_grad=True)
    xs = [rng.normal(size=(2, 1)) for _ in range(k)]
    L = ad.sum(ad.stack(*[ad.tanh(W @ x) for x in xs]))
    L.backward()
    graph = ad.trace(L)
    assert graph.to_networkx().out_degree(graph.id_of(W)) == k
    contributions = []
    for x in xs:
        Wk = ad.Tensor(W.value, name="W_k", requires_grad=True)
        ad.tanh(Wk @ x).sum().backward()
        contributions.append(Wk.grad)
    np.testing.assert_allclose(W.grad, np.sum(contributions, axis=0))


def test_names_roles_and_metadata_are_preserved_in_networkx():
    graph = ad.trace(small_rnn_step())
    g = graph.to_networkx()
    by_name = {d["name"]: d for _, d in g.nodes(data=True) if d["name"]}
    assert by_name["W"]["role"] == "parameter" and by_name["W"]["op"] is None
    assert by_name["x_1"]["role"] == "input" and by_name["x_1"]["meta"] == {"t": 1}
    assert by_name["h_1"]["op"] == "tanh" and by_name["h_1"]["label"] == "h^{(1)}"
    assert by_name["h_1"]["meta"] == {"t": 1} and by_name["h_1"]["shape"] == [2, 1]
    assert by_name["a_1"]["role"] == "intermediate"
    assert by_name["L"]["role"] == "loss" and by_name["L"]["op"] == "sum"
    assert {d["op"] for _, d in g.nodes(data=True)} >= {"add", "matmul", "tanh", "sum"}


def test_json_round_trips_through_networkx_node_link():
    """to_json is node-link data with explicit edges; reading it back gives the same graph."""
    graph = ad.trace(small_rnn_step())
    original = graph.to_networkx()
    restored = nx.node_link_graph(json.loads(graph.to_json()), edges="edges")
    assert restored.is_multigraph() and restored.is_directed()
    assert dict(restored.nodes(data=True)) == dict(original.nodes(data=True))
    assert sorted(restored.edges(keys=True, data=True)) == sorted(original.edges(keys=True, data=True))


def test_building_the_same_expression_twice_gives_identical_json():
    """Ids are topological positions (n0, n1, ...), never id(), so exports are reproducible."""
    first, second = small_rnn_step(), small_rnn_step()
    assert ad.trace(first).to_json() == ad.trace(second).to_json()
    assert ad.trace(first).to_json(values=True) == ad.trace(second).to_json(values=True)


def test_ids_are_topological_positions():
    """Node n_k only depends on nodes with smaller k: inputs come before outputs."""
    graph = ad.trace(small_rnn_step())
    assert [graph.id_of(n) for n in graph] == [f"n{k}" for k in range(len(graph))]
    for inp, out, _ in graph.edges():
        assert int(graph.id_of(inp)[1:]) < int(graph.id_of(out)[1:])


def test_graph_survives_backward_with_values_and_gradients():
    """After backward() every node still has its inputs, value and gradient (for the figures)."""
    L = small_rnn_step()
    L.backward()
    graph = ad.trace(L)
    h = graph.find("h_1")
    assert h.op == "tanh" and h.inputs[0].name == "a_1"
    np.testing.assert_allclose(h.grad, np.ones((2, 1)))
    exported = graph.to_networkx(values=True).nodes[graph.id_of(h)]
    assert exported["value"] == h.value.tolist() and exported["grad"] == [[1.0], [1.0]]


def test_find_lists_the_names_there_are():
    with pytest.raises(KeyError, match="named nodes: L, U, W, a_1, b"):
        ad.trace(small_rnn_step()).find("V")


def test_literals_are_constant_nodes():
    """A number in an expression becomes a constant leaf labelled by its value."""
    x = ad.Tensor(1.0, name="x", requires_grad=True)
    graph = ad.trace(2 * x)
    two = graph.nodes[0]
    assert two.role == "constant" and two.label == "2"


def test_backward_graph_of_create_graph_is_a_graph_of_primitives():
    """With create_graph=True the gradient of W is a node whose own graph is the backward pass."""
    W = ad.Tensor(np.eye(2), name="W", requires_grad=True)
    h = ad.Tensor(np.ones((2, 1)), name="h")
    ad.tanh(W @ h).sum().backward(create_graph=True)
    grad_W = W.grad_node
    assert grad_W.name == "grad_W" and grad_W.role == "gradient"
    ops = {n.op for n in ad.trace(grad_W)}
    assert {"tanh", "matmul", "mul"} <= ops
    np.testing.assert_allclose(grad_W.value, W.grad)


def test_graph_zero_grad_clears_every_node():
    L = small_rnn_step()
    L.backward()
    graph = ad.trace(L)
    graph.zero_grad()
    assert all(n.grad is None for n in graph)
