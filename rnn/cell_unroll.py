"""Unrolling at cell level: one graph node per time step (``unroll(..., level='cell')``).

The simple RNN of Fig. 10.3 becomes h_1, ..., h_tau, each a single `rnn_step` node reading
h^(t-1), x^(t) and the shared U, W, b; the LSTM two nodes per step, s_t (`lstm_state`) and
h_t (`lstm_output`); the GRU one, h_t (`gru_step`). Then two nodes for every output and
loss at once: ``O`` (`rnn_outputs`, eq. 10.10, reading every h^(t)) and ``L`` (`rnn_nll`,
eqs 10.11-10.14). The gradients are those of the op-level graph; the graph is small enough
to draw for long sequences and, for the simple RNN, cheap enough to benchmark against the
hand-written BPTT of `rnn.bptt`.
"""
from __future__ import annotations

import numpy as np

import autodiff as ad
from autodiff.tensor import input_leaf

from .cell_ops import rnn_nll, rnn_outputs, rnn_steps
from .cells import SeqToOne, SimpleRNN
from .errors import RNNError
from .gru import GRU
from .lstm import LSTM
from .names import bold
from .unrolling import Builder, Unrolled


def _simple_steps(model, nb, xs, state, stacked=None):
    p, scope, nodes = model.params, model.scope, nb.nodes
    hs = rnn_steps(state["h"], xs, p["W"], p["U"], p["b"], stacked)
    for t, h in enumerate(hs, start=1):
        # the Builder's generic tagging, inlined: this loop is what the benchmarks time
        name, label = scope.name_and_label("h", t)
        h.name, h._label = name, label
        h.meta["t"], h.meta["kind"] = t, "h"
        nodes[name] = h
    return hs


def _lstm_steps(model, nb, xs, state, stacked=None):
    from .gated_ops import lstm_output, lstm_state
    p = model.params
    state_params = [p[name] for gate in ("_f", "_g", "") for name in ("U" + gate, "W" + gate, "b" + gate)]
    output_params = [p["U_o"], p["W_o"], p["b_o"]]
    h, s, hs = state["h"], state["s"], []
    for t, x in enumerate(xs, start=1):
        s = nb.node(lstm_state(s, h, x, *state_params, candidate=model.candidate), "s", t)
        h = nb.node(lstm_output(s, h, x, *output_params), "h", t)
        hs.append(h)
    return hs


def _gru_steps(model, nb, xs, state, stacked=None):
    from .gated_ops import gru_reset_after, gru_step
    p = model.params
    params = [p[name] for gate in ("_u", "_r", "") for name in ("U" + gate, "W" + gate, "b" + gate)]
    h, hs = state["h"], []
    # as printed (eq. 10.45) step t reads x^(t-1), with x^(0) = 0
    inputs = [state["x"], *xs[:-1]] if model.form == "printed" else xs
    for t, x in enumerate(inputs, start=1):
        if model.form == "reset-after":
            h = nb.node(gru_reset_after(h, x, *params, p["b_h"]), "h", t)
        else:
            h = nb.node(gru_step(h, x, *params, form=model.form), "h", t)
        hs.append(h)
    return hs


_STEPS = {SimpleRNN: _simple_steps, SeqToOne: _simple_steps, LSTM: _lstm_steps, GRU: _gru_steps}


def unroll_cells(model, x, y, h0, loss, truncate):
    """The cell-level graph of a SimpleRNN, SeqToOne, LSTM or GRU (arguments as `rnn.unroll`)."""
    steps = _STEPS.get(type(model))
    if steps is None or model.head != "softmax":
        raise RNNError(f"level='cell' is implemented for SimpleRNN, SeqToOne, LSTM and GRU with a softmax "
                       f"head, not {type(model).__name__}; use level='op'")
    if truncate is not None:
        raise RNNError("level='cell' computes full BPTT; use level='op' for truncate=k")
    tau, _, batch = x.shape
    u = Unrolled(model, tau, batch, level="cell")
    nb = Builder(u.nodes, model.scope)
    state = model.initial_state(nb, batch, h0)
    name_and_label, nodes, xs = nb.scope.name_and_label, u.nodes, []
    for t, x_t in enumerate(x, start=1):  # x: float64 (tau, n_in, B), checked by `rnn.unroll`
        name, label = name_and_label("x", t)
        nodes[name] = leaf = input_leaf(x_t, name, label, {"t": t, "kind": "x"})
        xs.append(leaf)
    hs = steps(model, nb, xs, state, x)
    if model.outputs == "last":
        hs = hs[-1:]
    p = model.params
    outputs = rnn_outputs(p["V"], p["c"], *hs).tag(name="O", label=bold("O"), kind="O")
    u.nodes["O"] = outputs
    if y is not None:
        targets = np.asarray(y).reshape(len(hs), batch)
        Y = ad.Tensor(targets, name="Y", role="constant", label=bold("Y"), dtype=targets.dtype)
        total = rnn_nll(outputs, Y)
        mean = loss == "mean" and len(hs) > 1
        if mean:
            total = total / len(hs)
        label = r"\frac{1}{\tau}\sum_t L^{(t)}" if mean else "L"
        u.loss = total.tag(name="L", role="loss", label=label, kind="L", reduction=loss)
        u.nodes.update(Y=Y, L=u.loss)
    return u
