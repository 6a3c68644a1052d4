"""Cell-level primitives for the gated cells: an LSTM or GRU step as single graph nodes.

* ``lstm_state(s_prev, h_prev, x, U_f, W_f, b_f, U_g, W_g, b_g, U, W, b, candidate) -> s``:
  s^(t) = f^(t) * s^(t-1) + g^(t) * phi(b + U x^(t) + W h^(t-1)) with the forget and input
  gates of eqs 10.40 and 10.42 (eq. 10.41);
* ``lstm_output(s, h_prev, x, U_o, W_o, b_o) -> h``: h^(t) = tanh(s^(t)) * q^(t), with the
  output gate q^(t) of eq. 10.44 (eq. 10.43);
* ``gru_step(h_prev, x, U_u, W_u, b_u, U_r, W_r, b_r, U, W, b, form) -> h``: eq. 10.45 with the
  gates of eqs 10.46-10.47 read from (h_prev, x) (as printed, `x` is x^(t-1); Cho et al.'s
  form reads x^(t) and uses tanh for the candidate).

Each primitive is declared by its step function, written with `autodiff` primitives. The
forward runs it on arrays; the VJPs run reverse mode on that step's own small graph, once
per node and shared by all its arguments; the JVP runs forward mode on it; in symbolic mode
the same function evaluates to SymPy formulas. So a gated step has exactly the derivatives
of its op-level form, which the tests check.
"""
from __future__ import annotations

import numpy as np

import autodiff as ad
from autodiff.backward import backprop, toposort
from autodiff.primitive import Primitive, register

from .lstm import CANDIDATES


def _affine(x, h, U, W, b):
    return b + U @ x + W @ h


def lstm_state_step(s_prev, h_prev, x, U_f, W_f, b_f, U_g, W_g, b_g, U, W, b, candidate="sigmoid"):
    """s^(t) = f s^(t-1) + g phi(b + U x + W h^(t-1)), f and g the gates of eqs 10.40, 10.42 (eq. 10.41)."""
    f = ad.sigmoid(_affine(x, h_prev, U_f, W_f, b_f))
    g = ad.sigmoid(_affine(x, h_prev, U_g, W_g, b_g))
    return f * s_prev + g * CANDIDATES[candidate](_affine(x, h_prev, U, W, b))


def lstm_output_step(s, h_prev, x, U_o, W_o, b_o):
    """h^(t) = tanh(s^(t)) q^(t), q^(t) = sigma(b^o + U^o x^(t) + W^o h^(t-1)) (eqs 10.43-10.44)."""
    return ad.tanh(s) * ad.sigmoid(_affine(x, h_prev, U_o, W_o, b_o))


def gru_step_fn(h_prev, x, U_u, W_u, b_u, U_r, W_r, b_r, U, W, b, form="printed"):
    """h = u h_prev + (1 - u) phi(b + U x + W (r h_prev)) (eq. 10.45), u and r from (x, h_prev)."""
    u = ad.sigmoid(_affine(x, h_prev, U_u, W_u, b_u))
    r = ad.sigmoid(_affine(x, h_prev, U_r, W_r, b_r))
    phi = ad.sigmoid if form == "printed" else ad.tanh
    return u * h_prev + (1 - u) * phi(_affine(x, r * h_prev, U, W, b))


class _LocalVJPs:
    """VJPs of a step function by reverse mode on its own graph, rebuilt once per node.

    Called for argument k with the node's gradient g, output and inputs: the step is
    recomputed on fresh leaves and back-propagated from g, and the adjoints of all inputs
    are kept for the node's other arguments (a one-entry cache keyed on the identity of g
    and the output). With ``create_graph=True`` (Tensor arguments) the adjoints of
    sum(g * step(leaves)) are built as a graph and then replayed on the real arguments, so
    the backward graph is differentiable again.
    """

    def __init__(self, fn):
        self.fn = fn
        self.key = (None, None)
        self.adjoints = ()
        self._fns = {}

    def __call__(self, argnum):
        fn = self._fns.get(argnum)
        if fn is None:
            fn = self._fns[argnum] = lambda g, ans, *args, **params: self._all(g, ans, args, params)[argnum]
        return fn

    def _all(self, g, ans, args, params):
        if self.key[0] is not g or self.key[1] is not ans:
            if any(isinstance(a, ad.Tensor) for a in (g, *args)):
                self.adjoints = self._recorded(g, args, params)
            else:
                leaves = [ad.Tensor(a, requires_grad=True) for a in args]
                grads = backprop(self.fn(*leaves, **params), g)
                self.adjoints = [grads.get(leaf, np.zeros_like(leaf.value)) for leaf in leaves]
            self.key = (g, ans)
        return self.adjoints

    def _recorded(self, g, args, params):
        leaves = [ad.Tensor(_value(a), requires_grad=True) for a in args]
        seed = ad.Tensor(_value(g), role="constant")
        grads = backprop(ad.sum(seed * self.fn(*leaves, **params)), create_graph=True)
        replay = {leaf: a for leaf, a in zip(leaves, args)}
        replay[seed] = g
        return [_replayed(grads[leaf], replay) if leaf in grads else
                ad.Tensor(np.zeros_like(leaf.value), role="constant") for leaf in leaves]


def _value(a):
    return a.value if isinstance(a, ad.Tensor) else a


def _replayed(root, replay):
    """`root`'s graph recomputed with some leaves replaced (``replay``: leaf -> Tensor)."""
    done = dict(replay)
    for node in toposort(root):
        if node not in done:
            done[node] = node if node.prim is None else node.prim(
                *[done[i] for i in node.inputs], **node.params)
    return done[root]


def _jvp(fn):
    def jvp(dots, ans, *args, **params):
        return ad.jvp(lambda *xs: fn(*xs, **params), args, dots)[1]
    return jvp


def _primitive(name, fn, symbol, doc):
    return register(Primitive(name, fn, vjps=_LocalVJPs(fn), jvp=_jvp(fn), symbol=symbol, doc=doc))


lstm_state = _primitive("lstm_state", lstm_state_step, "LSTM state", lstm_state_step.__doc__)
lstm_output = _primitive("lstm_output", lstm_output_step, "LSTM output", lstm_output_step.__doc__)
gru_step = _primitive("gru_step", gru_step_fn, "GRU step", gru_step_fn.__doc__)
