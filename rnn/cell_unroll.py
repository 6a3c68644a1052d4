"""Unrolling at cell level: one graph node per time step (``unroll(..., level='cell')``).

The simple RNN of Fig. 10.3 becomes h_1, ..., h_tau, each a single `rnn_step` node reading
h^(t-1), x^(t) and the shared U, W, b, followed by three nodes for every output and loss at
once: ``O`` (`rnn_outputs`, eq. 10.10, reading every h^(t)) and ``L`` (`rnn_nll`,
eqs 10.11-10.14). The gradients are those of the op-level graph; the graph is
small enough to draw for long sequences and cheap enough to benchmark against the
hand-written BPTT of `rnn.bptt`.
"""
from __future__ import annotations

import numpy as np

import autodiff as ad

from .cell_ops import rnn_nll, rnn_outputs, rnn_step
from .cells import SeqToOne, SimpleRNN
from .errors import RNNError
from .unrolling import Builder, Unrolled


def unroll_cells(model, x, y, h0, loss, truncate):
    """The cell-level graph of a `SimpleRNN` or `SeqToOne` (arguments as `rnn.unroll`)."""
    if type(model) not in (SimpleRNN, SeqToOne) or model.head != "softmax":
        raise RNNError(f"level='cell' is implemented for SimpleRNN and SeqToOne with a softmax head, "
                       f"not {type(model).__name__}; use level='op'")
    if truncate is not None:
        raise RNNError("level='cell' computes full BPTT; use level='op' for truncate=k")
    tau, _, batch = x.shape
    u = Unrolled(model, tau, batch, level="cell")
    nb = Builder(u.nodes, model.scope)
    p = model.params
    W, U, b = p["W"], p["U"], p["b"]
    h = model.initial_state(nb, batch, h0)["h"]
    hs = []
    scope, nodes, Tensor = model.scope, u.nodes, ad.Tensor
    for t in range(1, tau + 1):
        # the Builder's generic tagging, inlined: this loop is what the benchmarks time
        x_name, h_name = scope.name("x", t), scope.name("h", t)
        x_t = nodes[x_name] = Tensor(x[t - 1], name=x_name, role="input", label=scope.label("x", t),
                                     meta={"t": t, "kind": "x"})
        h = nodes[h_name] = rnn_step(h, x_t, W, U, b).tag(name=h_name, label=scope.label("h", t), t=t, kind="h")
        hs.append(h)
    if model.outputs == "last":
        hs = hs[-1:]
    outputs = rnn_outputs(p["V"], p["c"], *hs).tag(name="O", label=r"\mathbf{O}", kind="O")
    u.nodes["O"] = outputs
    if y is not None:
        targets = np.asarray(y).reshape(len(hs), batch)
        Y = ad.Tensor(targets, name="Y", role="constant", label=r"\mathbf{Y}", dtype=targets.dtype)
        total = rnn_nll(outputs, Y)
        if loss == "mean" and len(hs) > 1:
            total = total / len(hs)
        label = r"\frac{1}{\tau}\sum_t L^{(t)}" if loss == "mean" and len(hs) > 1 else "L"
        u.loss = total.tag(name="L", role="loss", label=label, kind="L", reduction=loss)
        u.nodes.update(Y=Y, L=u.loss)
    return u
