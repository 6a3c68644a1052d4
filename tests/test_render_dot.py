"""DOT text of a graph: deterministic, one edge per argument, book labels, roles, styles."""
import re

import numpy as np
import pytest

import autodiff as ad
from autodiff.dot import Style, StyleError, to_dot

NODE = re.compile(r"^\s*(\w+) \[(.*)\];$", re.M)
EDGE = re.compile(r"^\s*(\w+) -> (\w+)(?: \[(.*)\])?;$", re.M)


def nodes_of(dot):
    """{node id: attribute text} for every node statement (legend included)."""
    return {m.group(1): m.group(2) for m in NODE.finditer(dot) if m.group(1) not in ("graph", "node", "edge")}


def edges_of(dot):
    """[(tail, head, attribute text)] in the order written."""
    return [(m.group(1), m.group(2), m.group(3) or "") for m in EDGE.finditer(dot)]


def neuron():
    """h = tanh(W x + b) and L = sum(h * h): eq. 10.9's nonlinearity on one step."""
    W = ad.Tensor([[0.5, -1.0]], name="W", label=r"\mathbf{W}", requires_grad=True)
    x = ad.Tensor([[1.0], [2.0]], name="x_1", label=r"\mathbf{x}^{(1)}")
    b = ad.Tensor([[0.1]], name="b", label=r"\mathbf{b}", requires_grad=True)
    h = ad.tanh(W @ x + b).tag(name="h_1", label=r"\mathbf{h}^{(1)}", t=1)
    L = (h * h).sum().tag(name="L", label="L", role="loss")
    L.backward()
    return ad.trace(L)


def test_same_expression_twice_gives_identical_dot():
    """Ids come from the topological order, never id(): two builds, byte-identical DOT."""
    first = to_dot(neuron(), values=True, grads=True, cluster_by="t")
    second = to_dot(neuron(), values=True, grads=True, cluster_by="t")
    assert first == second


def test_op_view_is_deterministic_too():
    assert to_dot(neuron(), view="op", values=True) == to_dot(neuron(), view="op", values=True)


def test_x_times_x_draws_two_edges_labelled_by_position():
    """x*x keeps both arguments, so the graph has two edges from x (dy/dx = 2x)."""
    x = ad.Tensor(3.0, name="x", requires_grad=True)
    dot = to_dot(ad.trace(x * x), legend=False)
    edges = [e for e in edges_of(dot) if e[0] == "n0"]
    assert [(t, h) for t, h, _ in edges] == [("n0", "n1"), ("n0", "n1")]
    assert [a for _, _, a in edges] == ['xlabel="0"', 'xlabel="1"']


def test_argument_positions_are_placed_after_layout():
    """Positions are xlabels, never labels: a labelled edge becomes a virtual node on a rank of
    its own, which makes the unrolled graph's layout (long edges from W, U, V) explode."""
    W = ad.Tensor([[1.0, 2.0]], name="W", requires_grad=True)
    h = ad.Tensor([[1.0], [2.0]], name="h")
    edges = edges_of(to_dot(ad.trace(W @ h), legend=False))
    assert [a for _, _, a in edges] == ['xlabel="0"', 'xlabel="1"']


def test_single_input_edges_carry_no_position():
    x = ad.Tensor(3.0, name="x", requires_grad=True)
    (_, _, attrs), = edges_of(to_dot(ad.trace(ad.tanh(x)), legend=False))
    assert "label" not in attrs


def test_every_graph_node_appears_with_its_stable_id():
    graph = neuron()
    assert {k for k in nodes_of(to_dot(graph, legend=False))} == {graph.id_of(n) for n in graph.nodes}


def test_variable_view_writes_the_op_on_the_named_node():
    """The book's style: h^(1) = tanh on one node."""
    dot = to_dot(neuron())
    assert '<B><I>h</I></B><FONT POINT-SIZE="8"><SUP>(1)</SUP></FONT> = tanh' in dot


def test_labels_carry_html_sub_and_superscripts():
    """Scripts script-sized: 0.7 of the 12 pt node label (TeX's \\scriptstyle)."""
    dot = to_dot(neuron())
    assert '<B><I>x</I></B><FONT POINT-SIZE="8"><SUP>(1)</SUP></FONT>' in dot
    assert "<B><I>W</I></B>" in dot


def test_shape_is_on_every_node():
    dot = to_dot(neuron(), legend=False)
    assert "2\u00d71" in nodes_of(dot)["n1"]
    assert "scalar" in nodes_of(dot)["n7"]


def test_values_and_gradients_only_on_request():
    plain, full = to_dot(neuron()), to_dot(neuron(), values=True, grads=True)
    assert "\u2207" not in plain and "[0.5 \u22121]" not in plain
    assert "[0.5 \u22121]" in full
    assert "\u2207 1" in full  # the seed dL/dL = 1


def test_grads_can_be_limited_to_some_nodes():
    graph = neuron()
    h = graph.find("h_1")
    dot = to_dot(graph, grads={h}, legend=False)
    assert [k for k, a in nodes_of(dot).items() if "\u2207" in a] == [graph.id_of(h)]


def test_legend_lists_the_roles_present():
    dot = to_dot(neuron())
    legend = [k for k in nodes_of(dot) if k.startswith("legend_")]
    assert legend == ["legend_parameter", "legend_input", "legend_intermediate", "legend_loss"]
    assert "subgraph cluster_legend" in dot


def test_legend_can_be_left_out():
    assert "legend" not in to_dot(neuron(), legend=False)


def test_print_roles_differ_by_shape_line_or_grey_level():
    """Print style must stay readable in black and white: no two roles look alike."""
    looks = Style.get("print").roles
    signatures = {(r.shape, r.line, r.peripheries, r.fill) for r in looks.values()}
    assert len(signatures) == len(looks)


def _is_grey(colour):
    if colour in ("white", "black", "none", "transparent"):
        return True
    m = re.fullmatch(r"#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})", colour.lower())
    return bool(m) and m.group(1) == m.group(2) == m.group(3)


@pytest.mark.parametrize("view", ["variable", "op"])
def test_print_style_uses_only_greys(view):
    dot = to_dot(neuron(), view=view, style="print", highlight={neuron().nodes[0]})
    colours = re.findall(r'(?:fillcolor|color|bgcolor|fontcolor)="([^"]+)"', dot)
    assert colours and all(_is_grey(c) for c in colours), [c for c in colours if not _is_grey(c)]


def test_screen_style_uses_colour():
    dot = to_dot(neuron(), style="screen")
    fills = re.findall(r'fillcolor="([^"]+)"', dot)
    assert any(not _is_grey(c) for c in fills)


def test_dark_style_sets_a_dark_background():
    assert 'bgcolor="#1e1e1e"' in to_dot(neuron(), style="dark")


def test_op_view_puts_an_op_node_between_values():
    """micrograd's style: value -> op -> value."""
    graph = neuron()
    dot = to_dot(graph, view="op", legend=False)
    h = graph.id_of(graph.find("h_1"))
    assert (f"{h}_op", h) in [(t, hd) for t, hd, _ in edges_of(dot)]
    assert "tanh" in nodes_of(dot)[f"{h}_op"]
    assert "<TABLE" in nodes_of(dot)[h]


def test_op_view_records_show_data_and_grad():
    dot = to_dot(neuron(), view="op", values=True, grads=True, legend=False)
    assert "data [0.5 \u22121]" in nodes_of(dot)["n0"]
    assert "grad " in nodes_of(dot)["n0"]


def test_highlighted_node_and_edge_are_emphasised():
    graph = neuron()
    h = graph.find("h_1")
    square = graph.nodes[graph.nodes.index(h) + 1]
    dot = to_dot(graph, highlight={h, (h, square, 1)}, legend=False)
    assert "penwidth=3" in nodes_of(dot)[graph.id_of(h)]
    marked = [(t, hd, "penwidth" in a) for t, hd, a in edges_of(dot) if hd == graph.id_of(square)]
    assert marked == [(graph.id_of(h), graph.id_of(square), False), (graph.id_of(h), graph.id_of(square), True)]


def test_secondary_highlight_differs_from_primary():
    graph = neuron()
    h, W = graph.find("h_1"), graph.find("W")
    nodes = nodes_of(to_dot(graph, highlight={h: "primary", W: "secondary"}))
    assert "penwidth=3" in nodes[graph.id_of(h)] and "penwidth=2.2" in nodes[graph.id_of(W)]


def test_unknown_highlight_level_is_an_error():
    graph = neuron()
    with pytest.raises(StyleError, match="primary"):
        to_dot(graph, highlight={graph.nodes[0]: "loud"})


def test_cluster_by_time_step_boxes_the_nodes():
    """Clusters by t: the steps of an unrolled RNN (Fig. 10.3)."""
    graph = neuron()
    dot = to_dot(graph, cluster_by="t")
    assert 'subgraph cluster_t_1 {' in dot and 'label="t = 1"' in dot
    block = dot.split("subgraph cluster_t_1 {")[1].split("}")[0]
    assert graph.id_of(graph.find("h_1")) + " [" in block


def test_newrank_is_set_when_clusters_meet_rank_same():
    """rank=same across clusters only works with newrank=true."""
    graph = neuron()
    W, b = graph.find("W"), graph.find("b")
    assert 'newrank="true"' in to_dot(graph, cluster_by="t", same_rank=[[W, b]])


def test_newrank_is_left_out_without_rank_same():
    """newrank slows the layout of big graphs several times; it is only set when needed."""
    assert "newrank" not in to_dot(neuron(), cluster_by="t")


def test_same_rank_groups_are_written():
    graph = neuron()
    W, b = graph.find("W"), graph.find("b")
    assert f"{{ rank=same; {graph.id_of(W)}; {graph.id_of(b)}; }}" in to_dot(graph, same_rank=[[W, b]])


def test_boxes_draw_the_variable_view_without_ellipses():
    """boxes=True: the op view's shapes (rounded boxes, parameters as boxes) for the book's labels."""
    ellipses = to_dot(neuron())
    boxed = to_dot(neuron(), boxes=True)
    assert 'shape="ellipse"' in ellipses and 'shape="ellipse"' not in boxed
    assert 'shape="box", style="rounded,filled"' in boxed and " = " in boxed


def test_same_rank_groups_keep_their_order():
    """An invisible flat edge from each node of a row to the next puts them left to right."""
    graph = neuron()
    W, b = graph.find("W"), graph.find("b")
    dot = to_dot(graph, same_rank=[[b, W]])
    assert f'{graph.id_of(b)} -> {graph.id_of(W)} [style="invis"];' in dot
    assert f"{graph.id_of(W)} -> {graph.id_of(b)}" not in dot


def test_edge_attrs_hook_labels_an_edge_with_book_notation():
    """Edges of Fig. 10.3 carry U, V, W; a hook's label is LaTeX-ish."""
    graph = neuron()
    W = graph.find("W")
    dot = to_dot(graph, edge_attrs=lambda i, o, k: {"label": r"\mathbf{W}"} if i is W else None)
    (attrs,) = [a for t, _, a in edges_of(dot) if t == graph.id_of(W)]
    assert "label=<<B><I>W</I></B>>" in attrs


def test_node_attrs_hook_adds_attributes():
    graph = neuron()
    dot = to_dot(graph, node_attrs=lambda n: {"URL": f"#{n.name}"} if n.name else None, legend=False)
    assert 'URL="#W"' in nodes_of(dot)["n0"]


def test_title_is_escaped():
    assert "<B>a &lt; b</B>" in to_dot(neuron(), title="a < b")


def test_a_tensor_is_traced_automatically():
    x = ad.Tensor(2.0, name="x", requires_grad=True)
    assert "n0 -> n1" in to_dot(ad.exp(x))


@pytest.mark.parametrize("option, value", [("view", "sideways"), ("style", "neon"), ("rankdir", "XY")])
def test_unknown_options_are_errors_naming_the_choices(option, value):
    with pytest.raises(StyleError, match=repr(value)):
        to_dot(neuron(), **{option: value})


def test_graph_to_dot_method_matches_function():
    graph = neuron()
    assert graph.to_dot(view="op") == to_dot(graph, view="op")


def test_unnamed_constant_shows_its_value_as_label():
    x = ad.Tensor(np.array(1.5), name="x", requires_grad=True)
    dot = to_dot(ad.trace(2.0 * x), legend=False)
    assert nodes_of(dot)["n0"].startswith("label=<2<BR/>")
