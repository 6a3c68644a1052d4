"""Lecture figures are read off the engine's graphs: structure, not bytes (Figs. 10.2-10.6, BPTT)."""
import re

import pytest

import rnn
from rnn.figures import FigureOptionError, figure_dot
from rnn.figures.bptt import backward_view, path_report
from rnn.figures.catalog import inputs, targets
from rnn.figures.dot import to_dot

EDGE = re.compile(r'^\s*"([^"]+)" -> "([^"]+)" \[(.*)\];$', re.M)
NODE = re.compile(r'^\s*"([^"]+)" \[(.*)\];$', re.M)


def edges(dot):
    """(src, dst, attribute text, plain label) of every drawn edge, in the direction it points
    (a backward edge is written forward with dir=back); layout-only edges left out."""
    out = []
    for a, b, attrs in EDGE.findall(dot):
        if 'style="invis"' in attrs:
            continue
        a, b = (b, a) if 'dir="back"' in attrs else (a, b)
        out.append((a, b, attrs, _plain(attrs)))
    return out


def nodes(dot):
    return {name: attrs for name, attrs in NODE.findall(dot) if "->" not in name}


def _plain(attrs):
    label = re.search(r"label=<(.*?)>(?:, |$)", attrs)
    return re.sub(r"<[^>]+>", "", label.group(1)) if label else ""


def labelled(dot, letter):
    return {(a, b) for a, b, _, text in edges(dot) if text == letter}


def test_fig_10_3_has_a_hidden_node_per_step():
    """Fig. 10.3 with tau = 3: h^(0) and h^(1..3), x^(t), o^(t), L^(t), y^(t) (eqs 10.8-10.14)."""
    names = set(nodes(figure_dot("rnn", steps=3)))
    assert {f"{k}_{t}" for k in "xhoLy" for t in (1, 2, 3)} | {"h_0"} <= names


def test_fig_10_3_W_edges_join_consecutive_hidden_states():
    """The recurrence a^(t) = b + W h^(t-1) + U x^(t) (eq. 10.8) draws W from h^(t-1) to h^(t)."""
    assert labelled(figure_dot("rnn", steps=3), "W") == {(f"h_{t - 1}", f"h_{t}") for t in (1, 2, 3)}


def test_fig_10_3_U_edges_come_from_the_inputs():
    assert labelled(figure_dot("rnn", steps=3), "U") == {(f"x_{t}", f"h_{t}") for t in (1, 2, 3)}


def test_fig_10_3_V_edges_go_to_the_outputs():
    """o^(t) = c + V h^(t) (eq. 10.10)."""
    assert labelled(figure_dot("rnn", steps=3), "V") == {(f"h_{t}", f"o_{t}") for t in (1, 2, 3)}


def test_fig_10_4_recurrence_runs_from_output_to_hidden():
    """Fig. 10.4: a^(t) = b + W o^(t-1) + U x^(t), so W edges leave o^(t-1)."""
    w = labelled(figure_dot("output-recurrence", steps=3), "W")
    assert {("o_1", "h_2"), ("o_2", "h_3")} <= w and not any(a.startswith("h_") for a, _ in w)


def test_fig_10_5_has_one_loss_at_tau():
    """Sequence to one: only o^(tau) and its loss (Fig. 10.5)."""
    names = set(nodes(figure_dot("seq-to-one", steps=4)))
    assert "o_4" in names and not {"o_1", "o_2", "o_3", "L_1"} & names


def test_r_connection_feeds_previous_target_to_hidden():
    """The lecture's R: a^(t) includes R y^(t-1)."""
    assert {("yprev_2", "h_2"), ("yprev_3", "h_3")} <= labelled(figure_dot("r-connection"), "R")


def test_teacher_forcing_shows_train_and_test_panels():
    """Fig. 10.6 as the book: output-to-hidden recurrence only. Train time feeds the true
    y^(t-1) to h^(t) through W and draws the losses; test time feeds o^(t-1) through W and
    has no targets and no losses; no panel has an h^(t-1) -> h^(t) edge."""
    dot = figure_dot("teacher-forcing")
    assert dot.count("subgraph \"cluster_panel") == 2
    w = labelled(dot, "W")
    assert {("p0_yprev_2", "p0_h_2"), ("p0_yprev_3", "p0_h_3")} <= w
    assert {("p1_o_1", "p1_h_2"), ("p1_o_2", "p1_h_3")} <= w
    assert not [(a, b) for a, b in w if "_h_" in a]
    names = set(nodes(dot))
    assert {"p0_L_1", "p0_y_1"} <= names and not [n for n in names if n.startswith(("p1_L", "p1_y"))]

def test_folded_view_has_one_hidden_node_with_a_delay_loop():
    """Collapsing time leaves one h with a self-loop through the black delay square (Fig. 10.2)."""
    dot = figure_dot("rnn", view="folded")
    assert [n for n in nodes(dot) if n == "h"] == ["h"]
    squares = [n for n, attrs in nodes(dot).items() if 'shape="square"' in attrs and "filled" in attrs]
    assert len(squares) == 1
    pairs = {(a, b) for a, b, _, _ in edges(dot)}
    assert ("h", squares[0]) in pairs and (squares[0], "h") in pairs


def test_fig_10_2_sets_the_folded_graph_beside_its_unfolding():
    dot = figure_dot("dynamical-system", steps=3)
    names = set(nodes(dot))
    assert "p0_h" in names and {"p1_h_1", "p1_h_2", "p1_h_3"} <= names


def test_figures_are_deterministic():
    for kind in ("rnn", "bptt", "truncated-bptt", "op-graph", "teacher-forcing"):
        assert figure_dot(kind, theme="screen") == figure_dot(kind, theme="screen")


def test_print_theme_uses_no_colour():
    """Black-and-white safe: only black, white and greys."""
    colours = set(re.findall(r'color="(#[0-9a-f]{6}|\w+)"', figure_dot("bptt", theme="print")))
    greys = {c for c in colours if c.startswith("#") and c[1:3] == c[3:5] == c[5:7]}
    assert colours - greys <= {"black", "white"}


def test_d2l_style_draws_rounded_boxes():
    assert 'style="rounded' in figure_dot("rnn", style="d2l", theme="screen")


def _bptt_dot(tau):
    model = rnn.SimpleRNN(4, 3, 4, seed=0)
    u = rnn.unroll(model, inputs(tau), targets(tau))
    return u, to_dot(backward_view(u, parameter="W"), theme="screen")


def test_W_receives_one_highlighted_contribution_per_step():
    """grad_W L = sum_t of the dummy copies W^(t) (eq. 10.26): one highlighted edge from h^(t)
    into each copy W^(t), and the sum written once."""
    for tau in (2, 4):
        _, dot = _bptt_dot(tau)
        into_w = {(a, b): attrs for a, b, attrs, _ in edges(dot) if b.startswith("W_copy_")}
        assert set(into_w) == {(f"h_{t}", f"W_copy_{t}") for t in range(1, tau + 1)}
        assert all("penwidth" in attrs for attrs in into_w.values())
        assert "W_sum" in nodes(dot) and "W" not in nodes(dot)


def test_loss_at_step_t_reaches_W_along_t_paths():
    """networkx on the engine graph: L^(t) depends on W through each of the steps 1..t."""
    u, _ = _bptt_dot(3)
    report = path_report(u.graph, u.params["W"])
    assert report.uses == 3 and report.paths == {1: 1, 2: 2, 3: 3}


def test_gradient_edges_carry_the_local_jacobians():
    """eq. 10.21: grad_h(t) L gets W^T diag(1 - (h^(t+1))^2) grad_h(t+1) L and V^T grad_o(t) L."""
    _, dot = _bptt_dot(3)
    texts = {(a, b): re.sub(r"\s", " ", text) for a, b, _, text in edges(dot)}
    assert texts[("h_3", "h_2")] == "W\u22a4 diag(1 \u2212 (h(3))2)"
    assert texts[("o_2", "h_2")] == "V\u22a4"


def test_input_edges_are_not_highlighted():
    """x^(t) needs no gradient, so no gradient edge leads to it."""
    _, dot = _bptt_dot(3)
    assert not [b for a, b, _, _ in edges(dot) if b.startswith("x_") and not a.startswith("word")
                and "#a0a0a0" not in _]


def test_truncated_figure_draws_cut_edges_dashed():
    """truncate=k: h^(t-k) enters L^(t)'s graph detached; the cut edges are dashed."""
    dot = figure_dot("truncated-bptt", steps=4, truncate=2)
    cut = [(a, b) for a, b, attrs, _ in edges(dot) if 'style="dashed"' in attrs]
    assert cut == [("h_1", "h_1_cut"), ("h_2", "h_2_cut")]


def test_op_graph_prints_values_and_gradients():
    """The engine's own op-level drawing, after BPTT: every parameter shows value and gradient."""
    dot = figure_dot("op-graph", steps=3)
    w = [line for line in dot.splitlines() if "<I>W</I>" in line and "shape=" in line]
    assert len(w) == 1 and "[0.443 0.5837; 0.1508 0.3246]" in w[0] and "\u2207 [" in w[0]


def test_unknown_kind_names_the_choices():
    with pytest.raises(FigureOptionError, match="unknown figure kind 'fig99'; use one of"):
        figure_dot("fig99")


def test_unsupported_view_is_refused():
    with pytest.raises(FigureOptionError, match="has the views"):
        figure_dot("bptt", view="folded")


@pytest.mark.parametrize("kind", ["lstm-cell", "gru-cell", "hidden-state-types", "sliding-window"])
def test_gate_level_cells_and_window_dnn_draw_from_their_models(kind):
    """Gate-level cells (eqs 10.40-10.47) and the window DNN are drawn from the rnn models."""
    assert "->" in figure_dot(kind)


def test_fig_10_2_draws_a_generic_f_and_one_loop_through_the_delay():
    """Fig. 10.2: h^(t) = f(h^(t-1), x^(t); theta) (eq. 10.5): the book's f on the transition,
    no matrix names, no tanh; the folded state has one loop through one delay square."""
    dot = figure_dot("dynamical-system", steps=3)
    assert "tanh" not in dot and not labelled(dot, "W") and not labelled(dot, "U")
    assert {("p1_h_0", "p1_h_1"), ("p1_h_1", "p1_h_2"), ("p1_h_2", "p1_h_3")} <= labelled(dot, "f")
    squares = [n for n in nodes(dot) if n.startswith("p0_delay_")]
    loop = [(a, b, attrs) for a, b, attrs, _ in edges(dot) if squares[0] in (a, b)]
    assert len(squares) == 1 and {(a, b) for a, b, _ in loop} == {("p0_h", squares[0]), (squares[0], "p0_h")}
    assert all("tailport" in attrs and "headport" in attrs for *_, attrs in loop)


def test_one_example_sentence_from_the_lecture_throughout():
    """The example-sentence and sliding-window figures read the lecture's one sentence,
    "the dog buried the bone in the ground there."; the tau = 6 document ends in <eos>."""
    word = re.compile(r'"word_\d+" \[shape="box", label=<([^>]*)>')
    example = word.findall(figure_dot("example-sentence"))
    window = word.findall(figure_dot("sliding-window"))
    assert example == ["the", "dog", "buried", "the", "bone", "&lt;eos&gt;"]
    assert window == ["the", "dog", "buried", "the", "bone", "in"]


def test_sliding_window_names_E_and_W_once_per_figure():
    dot = figure_dot("sliding-window")
    assert len([1 for *_, text in edges(dot) if "E" in text]) == 3


def test_lstm_cell_draws_the_sum_at_the_state_and_the_product_at_the_output():
    """Fig. 10.16 / eqs 10.41-10.42: s^(t) = f (.) s^(t-1) + g (.) s~ is a + node feeding s^(t);
    h^(t) = tanh(s^(t)) (.) q^(t) is a (.) node feeding h^(t)."""
    dot = figure_dot("lstm-cell")
    pairs = {(a, b) for a, b, *_ in edges(dot)}
    assert ("s_1_add", "s_1") in pairs and ("h_1_mul", "h_1") in pairs
    assert "label=<+>" in nodes(dot)["s_1_add"] and "\u2299" in nodes(dot)["h_1_mul"]


def test_gru_cell_draws_both_forms_with_one_minus_nodes():
    """Eq. 10.45: h^(t) = u (.) h^(t-1) + (1 - u) (.) h~; panel (a) the printed form (gates of
    step t-1, sigmoid candidate), panel (b) Cho et al.'s (gates at t, tanh candidate)."""
    dot = figure_dot("gru-cell")
    assert dot.count("subgraph \"cluster_panel") == 2 and "as printed" in dot and "Cho et al." in dot
    ones = [n for n, attrs in nodes(dot).items() if "label=<1\u2212>" in attrs]
    assert len(ones) == 2 and {n[:3] for n in ones} == {"p0_", "p1_"}
    assert ("p0_h_1_add", "p0_h_1") in {(a, b) for a, b, *_ in edges(dot)}
