"""The unrolled, BPTT and truncated figures lay time out left to right for any tau in 2..8.

Read off Graphviz's own layout (its ``json`` output) and its SVG: every variable of a kind
sits on one rank, step t+1 right of step t, x^(t) under h^(t); no two labels overlap and no
label covers a node (`svggeometry`); no edge skips a step.
"""
import re

import pytest

from autodiff.render import render_many
from rnn.figures.catalog import figure, figure_dot
from rnn.figures.tikz import layout

from svggeometry import clashes

UNROLLED = ("rnn", "bptt", "output-recurrence", "seq-to-one", "r-connection")
STEPS = range(2, 9)
NAME = re.compile(r"([A-Za-z]+)_(\d+)")


def positions(dot):
    """{node name: (x, y)} in points, from Graphviz's json layout."""
    laid = layout(dot)
    return {o["name"]: tuple(map(float, o["pos"].split(","))) for o in laid["objects"] if "pos" in o}


def rows(pos):
    """{kind: [(t, x, y), ...]} of the per-step variables (t >= 1; h^(0) sits beside h^(1))."""
    out = {}
    for name, (x, y) in pos.items():
        m = NAME.fullmatch(name)
        if m and int(m.group(2)) >= 1:
            out.setdefault(m.group(1), []).append((int(m.group(2)), x, y))
    return {k: sorted(v) for k, v in out.items()}


def assert_time_layout(pos, what):
    for kind, row in rows(pos).items():
        assert len({round(y, 1) for _, _, y in row}) == 1, f"{what}: {kind} is not on one rank"
        xs = [x for _, x, _ in row]
        assert all(a < b for a, b in zip(xs, xs[1:])), f"{what}: {kind} does not run left to right: {row}"


@pytest.mark.needs_graphviz
@pytest.mark.parametrize("parts", [{}, {"biases": True, "yhat": True}], ids=["book", "biases-yhat"])
@pytest.mark.parametrize("kind", UNROLLED)
def test_each_kind_on_one_rank_and_time_left_to_right(kind, parts):
    for tau in STEPS:
        pos = positions(figure_dot(kind, steps=tau, parts=parts))
        assert_time_layout(pos, f"{kind} tau={tau}")
        column = pos["h_2"][0] - pos["h_1"][0]
        for t in range(1, tau + 1):
            # one column per step: x^(t) under h^(t) (Fig. 10.3), well inside the step's column
            assert abs(pos[f"x_{t}"][0] - pos[f"h_{t}"][0]) < column / 8, f"{kind} tau={tau} t={t}"
        start = next(n for n in ("h_0", "o_0", "y_0") if n in pos)  # the initial state beside step 1
        assert pos[start][0] < pos["h_1"][0]


@pytest.mark.needs_graphviz
def test_targets_sit_above_their_losses():
    """Fig. 10.3 draws y^(t) over L^(t), the arrow pointing down into the loss."""
    pos = positions(figure_dot("rnn", steps=4))
    assert all(pos[f"y_{t}"][1] > pos[f"L_{t}"][1] > pos[f"o_{t}"][1] > pos[f"h_{t}"][1] for t in range(1, 5))


#: (tau, k) of truncated BPTT the layout holds for: k = 2..4, tau = 3..8 (k < tau).
TRUNCATED = [(tau, k) for k in (2, 3, 4) for tau in range(3, 9) if k < tau]


@pytest.mark.needs_graphviz
@pytest.mark.parametrize("tau,k", TRUNCATED, ids=[f"tau{t}-k{k}" for t, k in TRUNCATED])
def test_truncated_bptt_keeps_time_order_with_its_copies_on_a_band(tau, k):
    """The recomputed steps of each loss sit on a band between x and h, each loss's window in
    time order (cut leaf h^(t-k), then its copies of steps t-k+1..t-1), the windows in the
    order of their losses; the main rows stay in time order."""
    pos = positions(figure_dot("truncated-bptt", steps=tau, truncate=k))
    assert_time_layout(pos, f"truncated tau={tau} k={k}")
    # a copy's gradient name is a node of its own (``h_s~t_numbers``) on the half rank above
    band = sorted((x, name) for name, (x, y) in pos.items()
                  if ("~" in name or name.endswith("_cut")) and not name.endswith("_numbers"))
    ys = {round(pos[name][1], 1) for _, name in band}
    assert len(ys) == 1 and pos["x_1"][1] < ys.pop() < pos["h_1"][1]
    want = []
    for t in range(k + 1, tau + 1):
        want += [f"h_{t - k}_cut"] + [f"h_{s}~{t}" for s in range(t - k + 1, t)]
    assert [name for _, name in band] == want


def test_show_and_hide_parts():
    """--show biases draws b into every h^(t) and c into every o^(t); --show yhat adds
    yhat^(t) = softmax(o^(t)); --hide losses drops L^(t) and y^(t) (the book shows losses only)."""
    edge = re.compile(r'^\s*"([^"]+)" -> "([^"]+)" \[(.*)\];$', re.M)
    book = figure_dot("rnn", steps=3)
    assert "b_1" not in book and "yhat_1" not in book and "L_1" in book
    shown = {(a, b) for a, b, attrs in edge.findall(figure_dot("rnn", steps=3, parts={"biases": True, "yhat": True}))
             if "invis" not in attrs}
    assert {(f"b_{t}", f"h_{t}") for t in (1, 2, 3)} | {(f"c_{t}", f"o_{t}") for t in (1, 2, 3)} <= shown
    assert {(f"o_{t}", f"yhat_{t}") for t in (1, 2, 3)} <= shown
    hidden = figure_dot("bptt", steps=3, parts={"losses": False})
    assert '"L_1"' not in hidden and '"y_1"' not in hidden


@pytest.mark.needs_graphviz
def test_numbers_sit_beside_nodes_of_a_fixed_size():
    """--values --grads: each node keeps the size it has without numbers; the numbers sit in a
    table (a plain-text node) on a rank of their own just above the node's row."""
    numbers = positions(figure_dot("rnn", steps=3, values=True, grads=True))
    sizes = [{o["name"]: (o["width"], o["height"]) for o in layout(figure_dot("rnn", steps=3, values=v, grads=v))
              ["objects"] if "pos" in o} for v in (False, True)]
    assert all(sizes[1][n] == sizes[0][n] for n in sizes[0])
    for t in (1, 2, 3):
        assert numbers[f"h_{t}"][1] < numbers[f"h_{t}_numbers"][1] < numbers[f"o_{t}"][1]
        assert numbers[f"x_{t}"][1] < numbers[f"x_{t}_numbers"][1] < numbers[f"h_{t}"][1]
    dot = figure_dot("rnn", steps=3, values=True, grads=True)
    assert '"h_1_numbers" [shape="plaintext", label=<<TABLE' in dot and "\u2207 [" in dot


def test_no_edge_skips_a_step():
    """Edges join a step to itself or the next: nothing crosses a column on its way."""
    edge = re.compile(r'^\s*"([^"]+)" -> "([^"]+)" \[(.*)\];$', re.M)
    for kind in UNROLLED:
        for tau in (2, 5, 8):
            for a, b, attrs in edge.findall(figure_dot(kind, steps=tau)):
                ta, tb = (NAME.fullmatch(n.split("~")[0].replace("_copy", "")) for n in (a, b))
                if ta and tb:
                    assert abs(int(ta.group(2)) - int(tb.group(2))) <= 1, (kind, tau, a, b)


@pytest.mark.needs_graphviz
def test_no_label_overlaps_another_or_a_node(tmp_path):
    jobs = [(figure_dot(kind, steps=tau), tmp_path / f"{kind}-{tau}.svg") for kind in UNROLLED for tau in (2, 4, 6, 8)]
    jobs += [(figure_dot(kind, steps=tau, view="folded"), tmp_path / f"{kind}-folded.svg")
             for kind in ("rnn", "output-recurrence") for tau in (3,)]
    jobs += [(figure_dot("truncated-bptt", steps=tau, truncate=k), tmp_path / f"truncated-{tau}-{k}.svg")
             for tau, k in TRUNCATED]
    jobs += [(figure_dot(kind, steps=tau, values=True, grads=True), tmp_path / f"{kind}-{tau}-numbers.svg")
             for kind in ("rnn", "bptt") for tau in (3, 6)]
    for path in render_many(jobs):
        assert clashes(path) == [], path.name


@pytest.mark.needs_graphviz
def test_op_level_graph_has_one_column_per_step_and_fits_a_slide(tmp_path):
    """Every primitive of the tau = 3 RNN: each step's primitives in a column of their own, the
    columns left to right in time order and on the same ranks (x^(t) on one row, h^(t) on
    one row), so the figure is as high as one step and about as wide as the slide is."""
    graph = figure("op-graph", steps=3)
    pos = positions(figure_dot("op-graph", steps=3))
    step = {graph.id_of(n): n.meta["t"] for n in graph.nodes if n.meta.get("t") is not None}
    by_name = {n.name: graph.id_of(n) for n in graph.nodes if n.name}
    for kind in ("x", "h", "o", "L"):
        row = [pos[by_name[f"{kind}_{t}"]] for t in (1, 2, 3)]
        assert len({round(y, 1) for _, y in row}) == 1 and row[0][0] < row[1][0] < row[2][0], kind
    spans = {t: [pos[i][0] for i, s in step.items() if s == t] for t in (1, 2, 3)}
    # the median x of each step's primitives: the columns run left to right
    centre = {t: sorted(xs)[len(xs) // 2] for t, xs in spans.items()}
    assert centre[1] < centre[2] < centre[3]
    svg = render_many([(figure_dot("op-graph", steps=3), tmp_path / "op.svg")])[0].read_text(encoding="utf-8")
    width, height = (float(v) for v in re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
    assert width <= 1400 and height <= 1000 and 1 < width / height < 16 / 9
