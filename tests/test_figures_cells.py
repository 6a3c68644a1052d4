"""Gate-level cells as the book's block diagram (Fig. 10.16), read off Graphviz's own layout.

The weight edges (U, W and the block matrices [W U]) are sampled from the splines Graphviz
laid out (`edgecrossings`): none crosses another. The LSTM's state keeps its value through a
self-loop with the one-step delay square; the hidden-state-types panels share one scale and
one bottom line.
"""
import re

import networkx as nx
import pytest

from rnn.figures.catalog import figure_dot
from rnn.figures.tikz import layout

from edgecrossings import crossings, edges, polyline

EDGE = re.compile(r'^\s*"([^"]+)" -> "([^"]+)" \[(.*)\];$', re.M)
CELLS = ("lstm-cell", "gru-cell", "hidden-state-types")


@pytest.mark.needs_graphviz
@pytest.mark.parametrize("kind", CELLS)
def test_no_two_weight_edges_cross(kind):
    """Every labelled edge is a weight (U, W, [W U]); sampled from Graphviz's splines, no two
    of them cross (the book's block diagram: one input node fans out to the gates)."""
    weights = [e for e in edges(figure_dot(kind)) if e[2]]
    assert len(weights) >= 4
    assert crossings(weights) == []


@pytest.mark.needs_graphviz
def test_no_two_edges_of_the_lstm_cross():
    """Fig. 10.16: every edge of the LSTM cell, weights, gates, products, sum and the state's
    self-loop through the delay square, crossing-free."""
    assert crossings(edges(figure_dot("lstm-cell"))) == []


@pytest.mark.needs_graphviz
@pytest.mark.parametrize("kind", ["gru-cell", "hidden-state-types"])
def test_the_gru_crosses_only_where_its_graph_forces_it(kind):
    """Every edge of the GRU cells: the one crossing left is h^(t-1) -> r (.) h^(t-1) over
    x -> [h^(t-1); x], one per GRU panel. No drawing avoids one: the cell's graph with its
    inputs h^(t-1), x^(t) on the bottom line and h^(t) on top (both on the outer face) is not
    planar (networkx.check_planarity of the graph plus an outer frame joining them is False)."""
    drawn = edges(figure_dot(kind))
    grus = []
    for p in {a[:2] for a, b, _, _ in drawn if a.startswith("p") and f"{a[:2]}_input" in {b for _, b, _, _ in drawn}}:
        cell = nx.Graph([(a, b) for a, b, _, _ in drawn if a.startswith(p + "_")])
        if f"{p}_htilde_1" not in cell:
            continue  # not a GRU (the LSTM's panel)
        x = next(n for n in cell if re.fullmatch(p + r"_x_[01]", n))
        cell.add_edges_from([("below", f"{p}_h_0"), ("below", x), ("below", "above"), ("above", f"{p}_h_1")])
        assert not nx.check_planarity(cell)[0]
        grus.append(p)
    assert len(grus) == (2 if kind == "gru-cell" else 1)
    found = crossings(drawn)
    forced = {((f"{p}_x_{t}", f"{p}_input"), (f"{p}_h_0", f"{p}_mul_2")) for p in ("p0", "p1", "p3") for t in (0, 1)}
    assert found and set(found) <= forced and len(found) == len({a[0][:2] for a, _ in found})


@pytest.mark.needs_graphviz
@pytest.mark.parametrize("kind", CELLS)
def test_inputs_sit_in_the_order_the_input_box_names_them(kind):
    """Under the box [h^(t-1); x^(t)], h^(t-1) is drawn left of x^(t) in every cell."""
    laid = layout(figure_dot(kind))
    pos = {o["name"]: float(o["pos"].split(",")[0]) for o in laid["objects"] if "pos" in o}
    boxes = [n for n in pos if n.endswith("input")]
    assert boxes
    for box in boxes:
        prefix = box[:-len("input")]
        x = next(n for n in pos if re.fullmatch(re.escape(prefix) + r"x_[01]", n))
        assert pos[prefix + "h_0"] < pos[x], box


def test_gates_read_one_input_node_with_block_matrices():
    """eqs 10.40-10.44: W^f h^(t-1) + U^f x^(t) = [W^f U^f][h^(t-1); x^(t)]: h^(t-1) and x^(t)
    feed the input node, and each of f, g, q and the candidate reads it once, through its
    block matrix; no gate reads h^(t-1) or x^(t) on its own."""
    dot = figure_dot("lstm-cell")
    pairs = {(a, b): attrs for a, b, attrs in EDGE.findall(dot)}
    assert ("h_0", "input") in pairs and ("x_1", "input") in pairs
    for gate, sup in (("f_1", "f"), ("g_1", "g"), ("q_1", "o")):
        label = pairs[("input", gate)]
        assert label.count("<B><I>W</I></B>") == label.count("<B><I>U</I></B>") == 1 and f"<I>{sup}</I>" in label
    assert not [(a, b) for (a, b), attrs in pairs.items() if a in ("h_0", "x_1") and b != "input"
                and "invis" not in attrs]
    assert '"input" [shape="box", label=<[<B><I>h</I></B>' in dot


def test_lstm_state_keeps_its_value_through_a_self_loop_with_a_delay():
    """Fig. 10.16: s^(t) -> delay square -> the forget gate's product (.) -> + -> s^(t); there is
    no separate s^(t-1) node."""
    dot = figure_dot("lstm-cell")
    pairs = {(a, b) for a, b, _ in EDGE.findall(dot)}
    square = next(n for n in re.findall(r'^\s*"(delay_[^"]+)" \[shape="square"', dot, re.M))
    product = next(b for a, b in pairs if a == square)
    assert ("s_1", square) in pairs and ("f_1", product) in pairs and (product, "s_1_add") in pairs
    assert ("s_1_add", "s_1") in pairs and '"s_0"' not in dot


@pytest.mark.needs_graphviz
def test_hidden_state_types_share_one_scale_and_one_bottom_line():
    """(a) DNN, (b) simple RNN, (c) LSTM, (d) GRU: every variable circle the same size, the
    inputs of all four on one line, the four boxes starting from one bottom line."""
    laid = layout(figure_dot("hidden-state-types"))
    count = laid["_subgraph_cnt"]
    panels = [o for o in laid["objects"][:count] if o["name"].startswith("cluster_panel")]
    bottoms = {float(o["bb"].split(",")[1]) for o in panels}
    assert len(panels) == 4 and len(bottoms) == 1
    nodes = laid["objects"][count:]
    variables = [o for o in nodes if o.get("shape") == "circle" and float(o["width"]) > 0.7]
    assert {o["width"] for o in variables} == {"0.75"} and len(variables) >= 16
    inputs = [o for o in nodes if re.fullmatch(r"p\d_(x_[01]|h_0)", o["name"])]
    assert {o["name"][:2] for o in inputs} == {"p0", "p1", "p2", "p3"}
    assert len({o["pos"].split(",")[1] for o in inputs}) == 1


@pytest.mark.needs_graphviz
@pytest.mark.parametrize("kind", ["hidden-state-types", "gru-cell", "teacher-forcing", "dynamical-system"])
def test_side_by_side_panels_keep_apart(kind):
    """Each panel's box stands clear of the next one's (Graphviz may pack boxes edge to edge)."""
    laid = layout(figure_dot(kind))
    boxes = [tuple(map(float, o["bb"].split(","))) for o in laid["objects"][:laid["_subgraph_cnt"]]
             if o["name"].startswith("cluster_panel")]
    assert len(boxes) >= 2 and all(b[0] - a[2] >= 8 for a, b in zip(boxes, boxes[1:]))


def _cluster_clearances(dot):
    """[(cluster, node, clearance in points)] of every node drawn in a cluster, from Graphviz's
    json layout: how far the node's box stays inside its cluster's box."""
    laid = layout(dot)
    count = laid["_subgraph_cnt"]
    objects = laid["objects"]
    out = []
    for cluster in objects[:count]:
        if not cluster["name"].startswith("cluster") or "bb" not in cluster:
            continue
        x0, y0, x1, y1 = map(float, cluster["bb"].split(","))
        for gvid in cluster.get("nodes", []):
            node = objects[gvid]
            x, y = map(float, node["pos"].split(","))
            w, h = float(node["width"]) * 36, float(node["height"]) * 36
            out.append((cluster["name"], node["name"], min(x - w - x0, x1 - x - w, y - h - y0, y1 - y - h)))
    return out


PANELLED = ("dynamical-system", "hidden-state-types", "teacher-forcing", "gru-cell", "truncated-bptt")


@pytest.mark.needs_graphviz
@pytest.mark.parametrize("kind", PANELLED)
def test_every_node_stands_clear_of_its_panel_box(kind):
    """No node's box touches the box of a panel (or window) it is drawn in: >= 4 pt clear."""
    found = _cluster_clearances(figure_dot(kind))
    assert found and [(c, n, round(d, 1)) for c, n, d in found if d < 4] == []


@pytest.mark.needs_graphviz
@pytest.mark.parametrize("kind", PANELLED)
def test_every_edge_of_a_panel_stays_inside_its_box(kind):
    """An edge between two nodes of one panel, and its label, stay inside the panel's box
    (Fig. 10.2's folded self-loop rose over its box's top)."""
    laid = layout(figure_dot(kind))
    count, objects = laid["_subgraph_cnt"], laid["objects"]
    names = {o["_gvid"]: o["name"] for o in objects[count:]}
    outside = []
    for cluster in objects[:count]:
        if not cluster["name"].startswith("cluster_") or cluster["name"].startswith("cluster_space"):
            continue
        x0, y0, x1, y1 = map(float, cluster["bb"].split(","))
        members = {objects[g]["name"] for g in cluster.get("nodes", [])}
        for e in laid.get("edges", []):
            if e.get("style") == "invis" or names[e["tail"]] not in members or names[e["head"]] not in members:
                continue
            points = polyline(e["pos"]) + ([tuple(map(float, e["lp"].split(",")))] if "lp" in e else [])
            if any(not (x0 <= x <= x1 and y0 <= y <= y1) for x, y in points):
                outside.append((cluster["name"], names[e["tail"]], names[e["head"]]))
    assert outside == []
