"""Every lecture figure, by kind: what it shows, how it is built, which views it has.

A builder takes a `Request` (steps, view, values, grads, truncate) and returns either a
`Diagram` (drawn by `rnn.figures.dot`) or, for the op-level graph, the engine's own
`autodiff.Graph` (drawn by `autodiff.render.to_dot`). Every figure starts from a real
`rnn.unroll` of a seeded model; nothing is drawn by hand.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import rnn
from autodiff.labels import format_array

from . import dot
from .book import BOOK_KINDS, PARTS, add_biases, number_nodes, parts_kinds, token_nodes, unrolled
from .bptt import backward_view, truncated_view
from .diagram import Diagram, side_by_side
from .folded import fold, folded_and_unfolded
from .gates import cell_view
from .opgraph import op_dot, op_graph
from .teacher import TeacherForcedOutputRNN
from .themes import FigureOptionError

N_IN, HIDDEN, N_OUT = 4, 3, 4


@dataclass(frozen=True)
class Request:
    """What the caller asked for; `steps` None means the kind's default."""

    steps: int | None = None
    view: str | None = None
    values: bool = False
    grads: bool = False
    truncate: int | None = None
    #: {part: shown} for the parts of `book.PARTS` the caller set (--show / --hide)
    parts: tuple = ()

    def shown(self):
        """{part: shown} with the book's defaults for the parts not set."""
        return {**PARTS, **dict(self.parts)}


@dataclass(frozen=True)
class Kind:
    """One figure kind: its name, one-line description, builder, views and defaults."""

    name: str
    description: str
    build: object
    views: tuple = ("unrolled",)
    steps: int = 3
    stem: str = ""


def inputs(tau, n_in=N_IN, seed=0):
    """A seeded input sequence x, shape (tau, n_in, 1), rounded so printed values stay short."""
    return np.random.default_rng(seed).normal(size=(tau, n_in, 1)).round(2)


def targets(tau, n_out=N_OUT):
    """Targets y^(t) = t mod K, shape (tau, 1)."""
    return (np.arange(tau) % n_out).reshape(tau, 1)


def _annotate(diagram, req, u):
    """Print values and gradients on the nodes (running BPTT first when gradients are asked)."""
    if req.grads and u.loss is not None:
        u.loss.backward()
    for node in diagram.nodes.values():
        src = node.source
        # a per-step copy of a parameter (W^(t), b) would print the whole parameter's gradient
        if src is None or (node.shape == "parameter" and node.t is not None):
            continue
        if req.values:
            node.value = format_array(src.value)
        if req.grads and src.grad is not None:
            node.grad = format_array(src.grad)
    return number_nodes(diagram)


def _recurrent(model_factory, kinds=BOOK_KINDS, parameter="W", with_targets=True, last_only=False):
    """A builder for a model drawn unrolled, folded, or with its backward pass."""
    def build(req):
        tau = req.steps
        y = None
        if with_targets:
            y = targets(tau)[-1] if last_only else targets(tau)
        u = rnn.unroll(model_factory(), inputs(tau), y)
        shown = parts_kinds(kinds, req.shown())
        view = unrolled(u, shown)
        if req.view == "backward":
            view = backward_view(u, parameter=parameter, kinds=shown)
        view = _biases(view, req, u)
        if req.view == "folded":
            return fold(view)
        return _annotate(view, req, u)
    return build


def _biases(view, req, u):
    return add_biases(view, u) if req.shown()["biases"] else view


def _simple():
    return rnn.SimpleRNN(N_IN, HIDDEN, N_OUT, seed=0)


def _dynamical_system(req):
    """Fig. 10.2: h^(t) = f(h^(t-1), x^(t); theta) (eq. 10.5), drawn with the book's generic f:
    the transition is whatever the model computes, so no matrix names and no tanh."""
    u = rnn.unroll(_simple(), inputs(req.steps))
    view = unrolled(u, ("x", "h"))
    for node in view.nodes.values():
        node.op = None
    for edge in view.edges:
        a, b = view.nodes[edge.src], view.nodes[edge.dst]
        edge.label = "f" if a.kind == b.kind == "h" else ""
    return folded_and_unfolded(view)


def _teacher_forcing(req):
    """Fig. 10.6: train time feeds the true y^(t-1) to h^(t) (losses drawn); test time feeds
    the model's own o^(t-1) (no targets, no losses). Output-to-hidden recurrence only."""
    train = rnn.unroll(TeacherForcedOutputRNN(N_IN, HIDDEN, N_OUT, seed=0), inputs(req.steps), targets(req.steps))
    test = rnn.unroll(rnn.OutputRNN(N_IN, HIDDEN, N_OUT, seed=0), inputs(req.steps))
    panels = [("train time (teacher forcing)", unrolled(train, BOOK_KINDS + ("yprev",))),
              ("test time (own outputs)", unrolled(test, ("x", "h", "o")))]
    return side_by_side([(caption, fold(view) if req.view == "folded" else view) for caption, view in panels])


def lecture_words(tau=None):
    """The lecture's one example sentence, "the dog buried the bone in the ground there.", as
    words; with `tau`, its first tau - 1 words and the end-of-sentence token x^(tau) the
    lecture's document-classification figure ends in."""
    words = [w for w in rnn.data.tokenize(rnn.data.LECTURE_SENTENCE) if w.isalnum()]
    return words if tau is None else words[:tau - 1] + ["<eos>"]


def _tokens_example(req):
    """The tau = 6 example sentence fed to a sequence-to-one RNN (document classification)."""
    words = lecture_words(req.steps)
    u = rnn.unroll(rnn.SeqToOne(N_IN, HIDDEN, 2, seed=0), inputs(len(words)), np.array([1]))
    return _annotate(token_nodes(unrolled(u), words), req, u)


def _sliding_window(req):
    """The lecture's window DNN (width 3) over its example sentence, one window per step."""
    words = lecture_words()
    width = 3
    windows, _ = rnn.data.sliding_windows(np.arange(len(words)), width)
    model = rnn.WindowDNN(N_IN, HIDDEN, N_OUT, width=width, seed=0)
    steps = min(req.steps, len(windows))
    u = rnn.unroll(model, inputs(steps + width - 1), targets(steps + width - 1))
    view = unrolled(u)
    last = max(n.t for n in view.nodes.values() if n.kind == "h")
    for edge in view.edges:
        # every window uses the same E and W: name them once, on the last window's edges
        dst = view.nodes[edge.dst]
        if dst.kind == "h" and dst.t != last:
            edge.label = ""
    return _annotate(token_nodes(view, words), req, u)


def _cell(model_factory):
    def build(req):
        u = rnn.unroll(model_factory(), inputs(1))
        return cell_view(u, 1)
    return build


def _lstm():
    return rnn.LSTM(N_IN, HIDDEN, N_OUT, seed=0)


def _gru():
    return rnn.GRU(N_IN, HIDDEN, N_OUT, seed=0)


#: The two GRU forms `rnn.GRU` computes, with what tells them apart.
GRU_FORMS = (("printed", "(a) as printed, eqs 10.45-10.47"),
             ("cho", "(b) Cho et al. (2014), as derived"))


def _gru_forms(req):
    """Both GRU forms side by side, each captioned with which it is (`GRU_FORMS`)."""
    return side_by_side([(caption, _cell(lambda form=form: rnn.GRU(N_IN, HIDDEN, N_OUT, seed=0, form=form))(req))
                         for form, caption in GRU_FORMS])


def _window_step():
    return rnn.WindowDNN(N_IN, HIDDEN, N_OUT, width=1, seed=0)


def _hidden_state_types(req):
    panels = [("(a) DNN", _window_step), ("(b) simple RNN", _simple), ("(c) LSTM", _lstm), ("(d) GRU", _gru)]
    return side_by_side([(caption, _cell(factory)(req)) for caption, factory in panels])


def _bptt(req):
    u = rnn.unroll(_simple(), inputs(req.steps), targets(req.steps))
    view = backward_view(u, parameter="W", kinds=parts_kinds(BOOK_KINDS, req.shown()))
    return _annotate(_biases(view, req, u), req, u)


def _truncated(req):
    k = req.truncate or max(1, req.steps // 2)
    u = rnn.unroll(_simple(), inputs(req.steps), targets(req.steps), truncate=k)
    view = truncated_view(u, title=f"truncated BPTT, k = {k}", kinds=parts_kinds(BOOK_KINDS, req.shown()))
    return _annotate(_biases(view, req, u), req, u)


def _op_graph(req):
    return op_graph(req.steps)


KINDS = {k.name: k for k in (
    Kind("dynamical-system", "Fig. 10.2: the folded recurrence with its delay square beside its unfolding",
         _dynamical_system, views=("folded",), stem="fig10_2_dynamical_system"),
    Kind("rnn", "Fig. 10.3: the unrolled RNN with x, h, o, L, y and U, V, W edges",
         _recurrent(_simple), views=("unrolled", "folded", "backward"), stem="fig10_3_rnn"),
    Kind("output-recurrence", "Fig. 10.4: recurrence from the output o^(t-1) to h^(t)",
         _recurrent(lambda: rnn.OutputRNN(N_IN, HIDDEN, N_OUT, seed=0)),
         views=("unrolled", "folded", "backward"), stem="fig10_4_output_recurrence"),
    Kind("seq-to-one", "Fig. 10.5: sequence to one, a single output and loss at tau",
         _recurrent(lambda: rnn.SeqToOne(N_IN, HIDDEN, N_OUT, seed=0), last_only=True),
         views=("unrolled", "folded", "backward"), steps=4, stem="fig10_5_seq_to_one"),
    Kind("teacher-forcing", "Fig. 10.6: teacher forcing, train and test time side by side",
         _teacher_forcing, views=("unrolled", "folded"), stem="fig10_6_teacher_forcing"),
    Kind("r-connection", "The lecture's R connection from y^(t-1) to h^(t)",
         _recurrent(lambda: rnn.TeacherForcedRNN(N_IN, HIDDEN, N_OUT, seed=0), kinds=BOOK_KINDS + ("yprev",)),
         views=("unrolled", "folded", "backward"), stem="r_connection"),
    Kind("hidden-state-types", "Hidden-state computations: DNN, simple RNN, LSTM, GRU side by side",
         _hidden_state_types, views=("cell",), steps=1, stem="hidden_state_types"),
    Kind("sliding-window", "The sliding-window DNN (width 3) over the lecture's example sentence",
         _sliding_window, steps=4, stem="sliding_window_dnn"),
    Kind("example-sentence", "The tau = 6 example sentence fed to an RNN for document classification",
         _tokens_example, steps=6, stem="example_sentence"),
    Kind("lstm-cell", "The LSTM cell at gate level (eqs 10.40-10.44)", _cell(_lstm), views=("cell",), steps=1,
         stem="lstm_cell"),
    Kind("gru-cell", "The GRU cell at gate level, both forms: as printed (eqs 10.45-10.47) and Cho et al.'s",
         _gru_forms, views=("cell",), steps=1, stem="gru_cell"),
    Kind("bptt", "BPTT over the unrolled graph: local Jacobians, paths from every L^(t) to W highlighted",
         _bptt, views=("backward",), stem="bptt_paths_to_W"),
    Kind("truncated-bptt", "Truncated BPTT with k steps: the cut edges dashed",
         _truncated, views=("backward",), steps=4, stem="truncated_bptt"),
    Kind("op-graph", "The full op-level graph of a tau = 3 RNN from the engine, one column per step, "
         "with values and gradients",
         _op_graph, views=("op",), stem="op_graph_tau3"),
)}


def kind(name):
    """The `Kind` called `name`."""
    try:
        return KINDS[name]
    except KeyError:
        raise FigureOptionError(f"unknown figure kind {name!r}; use one of {', '.join(KINDS)}") from None


def figure(name, steps=None, view=None, values=False, grads=False, truncate=None, parts=()):
    """The figure `name` (see `KINDS`) as built: a `Diagram`, or the engine's `Graph` for op-graph.

    `parts` is ``{part: shown}`` (or pairs) for the parts of `book.PARTS`: biases, yhat, losses."""
    k = kind(name)
    view = view or k.views[0]
    if view not in k.views:
        raise FigureOptionError(f"figure {name!r} has the views {', '.join(k.views)}; got --view {view}")
    steps = k.steps if steps is None else steps
    if steps < 1:
        raise FigureOptionError(f"--steps must be at least 1; got {steps}")
    parts = tuple(sorted(dict(parts).items()))
    unknown = [p for p, _ in parts if p not in PARTS]
    if unknown:
        raise FigureOptionError(f"unknown part {unknown[0]!r} for --show/--hide; use one of {', '.join(PARTS)}")
    return k.build(Request(steps, view, values, grads, truncate, parts))


def dot_of(made, name, style="book", theme="print", font=None):
    """DOT source of a figure `figure` built, in a style and theme."""
    if isinstance(made, Diagram):
        return dot.to_dot(made, style=style, theme=theme, name=name, font=font)
    # the op-level figure exists to show the engine's numbers: values and gradients always
    return op_dot(made, theme=theme, font=font)


def figure_dot(name, steps=None, view=None, style="book", theme="print", values=False, grads=False,
               truncate=None, font=None, parts=()):
    """DOT source of the figure `name` (see `KINDS`) in a style and theme (and `font`, a family
    instead of the style's); `parts` shows or hides biases, yhat, losses (see `figure`)."""
    return dot_of(figure(name, steps, view, values, grads, truncate, parts), name, style, theme, font)
