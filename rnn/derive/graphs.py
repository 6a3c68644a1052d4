"""Unrolled graphs of the cells the derivation reads, built with the engine's own ops.

Every node a person reads is tagged as `rnn.unroll` tags it: name ``<kind>_<t>``, book
label, ``meta={'t': t, 'kind': kind}``; parameters are single shared leaves (or, for the
"sum over paths" view of eqs 10.22-10.28, one dummy copy W^(t) per step). One builder
serves the three readings: matrix symbols (B = 1, column vectors), per-entry SymPy symbols
and plain numbers for the checks.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import autodiff as ad
from rnn.names import Scope

from .errors import DeriveError

_SCOPE = Scope()


def tag(tensor, kind, t=None):
    """Name and label `tensor` as the book's ``kind^(t)``."""
    meta = {"kind": kind} if t is None else {"kind": kind, "t": t}
    return tensor.tag(name=_SCOPE.name(kind, t), label=_SCOPE.label(kind, t), **meta)


@dataclass(frozen=True)
class Cell:
    """What the derivation needs to know about one network shape of chapter 10."""

    name: str
    title: str
    state: tuple            # recurrent state kinds, e.g. ('h',) or ('h', 's')
    adjoints: tuple         # kinds whose adjoint is named grad_{k^(t)} L
    params: dict            # name -> shape builder (H, n_in, K) -> shape
    step: object            # (p, x, prev, t) -> (state dict, o or None)
    loss_steps: str = "all"  # 'all' or 'last' (sequence to one, Fig. 10.5)
    book: dict = field(default_factory=dict)  # equation key -> book number

    def shapes(self, H, n_in, K):
        return {name: fn(H, n_in, K) for name, fn in self.params.items()}


def _affine(p, x, prev, gate=""):
    """b + W prev + U x of eq. 10.8 (gate-superscripted for 10.40-10.47)."""
    sfx = f"_{gate}" if gate else ""
    return p["b" + sfx] + p["W" + sfx] @ prev + p["U" + sfx] @ x


def _output(p, h, t):
    return tag(p["c"] + p["V"] @ h, "o", t)


def _rnn_step(p, x, prev, t):
    """Eqs 10.8-10.10: a = b + W h^(t-1) + U x^(t), h = tanh(a), o = c + V h."""
    a = tag(_affine(p, x, prev["h"]), "a", t)
    h = tag(ad.tanh(a), "h", t)
    return {"h": h}, _output(p, h, t)


def _output_step(p, x, prev, t):
    """Fig. 10.4: the recurrence goes through the output, a = b + W o^(t-1) + U x^(t)."""
    a = tag(_affine(p, x, prev["o"]), "a", t)
    h = tag(ad.tanh(a), "h", t)
    o = _output(p, h, t)
    return {"o": o}, o


def _seq2one_step(p, x, prev, t, tau):
    """Fig. 10.5: eqs 10.8-10.9 at every step, an output only at tau."""
    a = tag(_affine(p, x, prev["h"]), "a", t)
    h = tag(ad.tanh(a), "h", t)
    return {"h": h}, _output(p, h, t) if t == tau else None


def _lstm_step(candidate):
    def step(p, x, prev, t):
        """Eqs 10.40-10.44: gates f, g, q, state s = f*s^(t-1) + g*candidate, h = tanh(s)*q."""
        h_prev = prev["h"]
        f = tag(ad.sigmoid(_affine(p, x, h_prev, "f")), "f", t)
        g = tag(ad.sigmoid(_affine(p, x, h_prev, "g")), "g", t)
        q = tag(ad.sigmoid(_affine(p, x, h_prev, "o")), "q", t)
        act = ad.sigmoid if candidate == "sigmoid" else ad.tanh
        cand = tag(act(_affine(p, x, h_prev)), "cand", t)
        s = tag(f * prev["s"] + g * cand, "s", t)
        h = tag(ad.tanh(s) * q, "h", t)
        return {"h": h, "s": s}, _output(p, h, t)
    return step


def _gru_step(p, x, prev, t):
    """GRU, Cho et al. form of eqs 10.45-10.47: gates at the current step, tanh candidate,
    h = u*h^(t-1) + (1-u)*htilde with htilde = tanh(b + U x + W (r*h^(t-1)))."""
    h_prev = prev["h"]
    u = tag(ad.sigmoid(_affine(p, x, h_prev, "u")), "u", t)
    r = tag(ad.sigmoid(_affine(p, x, h_prev, "r")), "r", t)
    htilde = tag(ad.tanh(p["b"] + p["W"] @ (r * h_prev) + p["U"] @ x), "htilde", t)
    h = tag(u * h_prev + (1 - u) * htilde, "h", t)
    return {"h": h}, _output(p, h, t)


def _gru_printed_step(p, x, prev, t):
    """GRU as printed, eqs 10.45-10.47: step t reads the previous input x^(t-1) and the gates
    u^(t-1), r^(t-1), which eqs 10.46-10.47 build from h^(t-1); sigmoid candidate. The
    previous input rides along with the state; x^(0) is zero, as in `rnn.GRU(form='printed')`."""
    h_prev = prev["h"]
    x_prev = prev["x"] if "x" in prev else tag(ad.Tensor(np.zeros(x.shape)), "x", 0)
    u = tag(ad.sigmoid(_affine(p, x_prev, h_prev, "u")), "u", t - 1)
    r = tag(ad.sigmoid(_affine(p, x_prev, h_prev, "r")), "r", t - 1)
    htilde = tag(ad.sigmoid(_affine(p, x_prev, r * h_prev)), "htilde", t)
    h = tag(u * h_prev + (1 - u) * htilde, "h", t)
    return {"h": h, "x": x}, _output(p, h, t)


def _gated(gates):
    shapes = {}
    for gate in gates:
        sfx = f"_{gate}" if gate else ""
        shapes["U" + sfx] = lambda H, n, K: (H, n)
        shapes["W" + sfx] = lambda H, n, K: (H, H)
        shapes["b" + sfx] = lambda H, n, K: (H, 1)
    shapes["V"] = lambda H, n, K: (K, H)
    shapes["c"] = lambda H, n, K: (K, 1)
    return shapes


_SIMPLE = _gated([""])

CELLS = {
    "rnn": Cell("rnn", "hidden-to-hidden RNN (Fig. 10.3, eqs 10.8-10.11)", ("h",), ("o", "h"),
                _SIMPLE, _rnn_step,
                book={"o": "10.18", "h@tau": "10.19", "h": "10.21", "c": "10.22", "b": "10.23",
                      "V": "10.24", "W": "10.26", "U": "10.28"}),
    "output": Cell("output", "output-to-hidden recurrence (Fig. 10.4)", ("o",), ("o", "h"),
                   {**_SIMPLE, "W": lambda H, n, K: (H, K)}, _output_step),
    "seq2one": Cell("seq2one", "sequence to one (Fig. 10.5)", ("h",), ("o", "h"), _SIMPLE,
                    None, loss_steps="last"),
    "lstm": Cell("lstm", "LSTM, sigmoid candidate as printed (eqs 10.40-10.44)", ("h", "s"),
                 ("o", "h", "s", "f", "g", "q", "cand"), _gated(["f", "g", "o", ""]),
                 _lstm_step("sigmoid")),
    "lstm-tanh": Cell("lstm-tanh", "LSTM, tanh candidate as in most software", ("h", "s"),
                      ("o", "h", "s", "f", "g", "q", "cand"), _gated(["f", "g", "o", ""]),
                      _lstm_step("tanh")),
    "gru": Cell("gru", "GRU, Cho et al. form of eqs 10.45-10.47", ("h",), ("o", "h", "u", "r", "htilde"),
                _gated(["u", "r", ""]), _gru_step),
    "gru-printed": Cell("gru-printed", "GRU as printed, eqs 10.45-10.47 (gates and input of step t-1)",
                        ("h",), ("o", "h", "u", "r", "htilde"), _gated(["u", "r", ""]), _gru_printed_step),
}


def cell(name):
    """The `Cell` called `name`; a one-line error listing the choices otherwise."""
    try:
        return CELLS[name]
    except KeyError:
        raise DeriveError(f"unknown cell {name!r}; choose one of {', '.join(CELLS)}") from None


@dataclass
class Unrolled:
    """An unrolled graph: the loss, its parameters (or dummy copies) and its named nodes."""

    cell: Cell
    tau: int
    loss: object
    params: dict
    copies: dict
    nodes: dict
    sizes: tuple

    def named(self):
        """Every tagged node, the loss's ancestors and side outputs such as yhat^(t)."""
        return list(self.nodes.values())


@dataclass
class Sample:
    """Numbers for one unrolled graph: parameters, inputs x^(t), targets y^(t), initial state."""

    params: dict
    x: np.ndarray
    y: np.ndarray
    state0: dict

    @staticmethod
    def random(cell_, tau, H=3, n_in=2, K=4, seed=0, scale=0.5):
        rng = np.random.default_rng(seed)
        params = {name: rng.normal(scale=scale, size=shape) for name, shape in cell_.shapes(H, n_in, K).items()}
        sizes = {"h": H, "s": H, "o": K}
        state0 = {k: rng.normal(scale=scale, size=(sizes[k], 1)) for k in cell_.state}
        return Sample(params, rng.normal(size=(tau, n_in, 1)), rng.integers(0, K, size=(tau, 1)), state0)


def unroll(cell_, sample, param_copies=False):
    """The unrolled graph of `cell_` on `sample` (B = 1), every node tagged in book notation.

    With ``param_copies=True`` step t uses its own leaves W^(t), U^(t), ... (the book's dummy
    copies), so the gradient with respect to each copy is that step's contribution.
    """
    tau = sample.x.shape[0]
    shared = {n: ad.Tensor(v, name=n, label=_SCOPE.param_label(n), requires_grad=True)
              for n, v in sample.params.items()}
    copies = {n: [] for n in shared}
    nodes = {}
    prev = {k: tag(ad.Tensor(v), k, 0) for k, v in sample.state0.items()}
    nodes.update({p.name: p for p in prev.values()})
    step = cell_.step if cell_.step is not None else (lambda p, x, pr, t: _seq2one_step(p, x, pr, t, tau))
    losses = []
    for t in range(1, tau + 1):
        if param_copies:
            p = {n: ad.Tensor(v, name=f"{n}^{t}", label=_SCOPE.param_label(n) + f"^{{({t})}}",
                              requires_grad=True, meta={"t": t, "copy_of": n}) for n, v in sample.params.items()}
            for n, c in p.items():
                copies[n].append(c)
        else:
            p = shared
        x = tag(ad.Tensor(sample.x[t - 1]), "x", t)
        prev, o = step(p, x, prev, t)
        if o is None:
            continue
        nodes[f"yhat_{t}"] = tag(ad.softmax(o, axis=0), "yhat", t)
        y = ad.constant(sample.y[t - 1].astype(int), name=f"y_{t}", t=t, kind="y")
        nodes[y.name] = y
        losses.append(tag(ad.cross_entropy(o, y, axis=0), "L", t))
    loss = losses[0]
    for term in losses[1:]:
        loss = loss + term
    loss.tag(name="L", label="L", role="loss", kind="L")
    for node in ad.Graph([loss, *nodes.values()]).nodes:
        if "t" in node.meta and "kind" in node.meta and node.role != "parameter":
            nodes[node.name] = node
    sizes = (sample.params["W"].shape[0], sample.x.shape[1], sample.params["V"].shape[0])
    return Unrolled(cell_, tau, loss, shared, copies, nodes, sizes)
