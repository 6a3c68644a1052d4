"""What every RNN model shares: named parameters used at every step, and the output layer.

A model owns its parameters as single `autodiff.Tensor` leaves (role ``parameter``), so
the unrolled graph holds one node per parameter however long the sequence: the book's
parameter sharing, and the reason their gradients are sums over time (eqs 10.22-10.28).
The output layer o^(t) = c + V h^(t) (eq. 10.10) is read at every step (``outputs='every'``)
or only at tau (``outputs='last'``, Fig. 10.5), through a softmax (eq. 10.11, negative
log-likelihood loss) or linearly (squared-error loss, for regression such as the adding task).
"""
from __future__ import annotations

import numpy as np

import autodiff as ad

from .errors import RNNError
from .names import Scope

OUTPUTS = ("every", "last")
HEADS = ("softmax", "linear")


def _positive(name, value):
    if not isinstance(value, (int, np.integer)) or value < 1:
        raise RNNError(f"{name}={value!r} must be a positive integer")
    return int(value)


class Model:
    """Base of every model: named shared parameters and the output layer o = c + V h (eq. 10.10).

    Subclasses list their parameters in `_declare` as ``(name, shape, fan_in)`` (``fan_in``
    None for a bias, which starts at zero); matrices are drawn from U(-1/sqrt(fan_in),
    1/sqrt(fan_in)) with ``numpy.random.default_rng(seed)``, in declaration order.
    """

    carry = ("h",)
    """The state kinds step t+1 reads from step t (h for Fig. 10.3, o for Fig. 10.4, h and s for the LSTM)."""

    def __init__(self, n_in, hidden, n_out, seed=0, outputs="every", head="softmax"):
        self.n_in = _positive("n_in", n_in)
        self.hidden = _positive("hidden", hidden)
        self.n_out = _positive("n_out", n_out)
        if outputs not in OUTPUTS:
            raise RNNError(f"outputs={outputs!r} is unknown; use 'every' (an output per step) or 'last' (Fig. 10.5)")
        if head not in HEADS:
            raise RNNError(f"head={head!r} is unknown; use 'softmax' (classes, eq. 10.11) or 'linear' (regression)")
        self.outputs, self.head = outputs, head
        self.scope = Scope()
        self.params = {}
        self.reinitialize(seed)

    def _declare(self):
        raise NotImplementedError

    def _output_layer(self):
        """The declarations of V and c, the output layer o = c + V h (eq. 10.10)."""
        return [("V", (self.n_out, self.hidden), self.hidden), ("c", (self.n_out, 1), None)]

    def _gated(self, gates):
        """The declarations of U^g, W^g, b^g for each gate (``''``: the plain U, W, b), then
        of the output layer: the parameters of eqs 10.40-10.47, in the order they are drawn."""
        H, n_in = self.hidden, self.n_in
        params = []
        for gate in gates:
            suffix = f"_{gate}" if gate else ""
            params += [("U" + suffix, (H, n_in), n_in), ("W" + suffix, (H, H), H), ("b" + suffix, (H, 1), None)]
        return params + self._output_layer()

    def reinitialize(self, seed):
        """Draw fresh parameter values from ``numpy.random.default_rng(seed)``; returns self."""
        self.seed = seed
        rng = np.random.default_rng(seed)
        for name, shape, fan_in in self._declare():
            if fan_in is None:
                value = np.zeros(shape)
            else:
                bound = 1.0 / np.sqrt(fan_in)
                value = rng.uniform(-bound, bound, size=shape)
            if name in self.params:
                self.params[name].value = value
            else:
                self.params[name] = ad.Tensor(value, name=self.scope.param_name(name), role="parameter",
                                              requires_grad=True, label=self.scope.param_label(name))
        return self

    def affine(self, gate, x, h):
        """b^gate + U^gate x + W^gate h: the pre-activation every gate of eqs 10.40-10.47 shares
        (``gate=''`` gives the plain b + U x + W h)."""
        p, suffix = self.params, f"_{gate}" if gate else ""
        return p["b" + suffix] + p["U" + suffix] @ x + p["W" + suffix] @ h

    # ----- parameters ------------------------------------------------------------------------
    def arrays(self):
        """Copies of the parameter values, by name."""
        return {name: p.value.copy() for name, p in self.params.items()}

    def load(self, arrays):
        """Set parameter values in place from ``{name: array}`` (e.g. `rnn.bptt.RNNParams.as_dict()`)."""
        for name, value in arrays.items():
            if name not in self.params:
                raise RNNError(f"{type(self).__name__} has no parameter {name!r}; "
                               f"its parameters are {', '.join(self.params)}")
            value = np.asarray(value, dtype=np.float64)
            if value.shape != self.params[name].shape:
                raise RNNError(f"parameter {name} has shape {self.params[name].shape}; got {value.shape}")
            self.params[name].value[...] = value
        return self

    def zero_grad(self):
        """Forget accumulated gradients (`backward` adds to ``.grad``)."""
        for p in self.params.values():
            p.grad = None
            p.grad_node = None

    def rescope(self, scope):
        """Move the model into `scope` (a layer of a stack, a direction): renames and relabels
        its parameters, e.g. W -> l2.W labelled \\boldsymbol{W}^{[2]}."""
        self.scope = scope
        for name, p in self.params.items():
            p.tag(name=scope.param_name(name), label=scope.param_label(name))
        return self

    @property
    def size(self):
        """Size of the representation h^(t) fed to the output layer (or to the layer above)."""
        return self.hidden

    def __repr__(self):
        return (f"{type(self).__name__}(n_in={self.n_in}, hidden={self.hidden}, n_out={self.n_out}, "
                f"outputs={self.outputs!r}, head={self.head!r})")

    # ----- the output layer -------------------------------------------------------------------
    def logits(self, nb, t, h):
        """o^(t) = c + V h^(t) (eq. 10.10)."""
        p = self.params
        return nb.node(p["c"] + p["V"] @ h, "o", t)


class Recurrence(Model):
    """A model advanced one step at a time from the state it carries (h, o, or h and s).

    Subclasses define ``step(nb, t, x, prev, ctx) -> {kind: Tensor}``, building the named
    nodes of step t from the input x^(t) and the carried state ``prev`` of step t-1.
    """

    def state_size(self, kind):
        return self.hidden

    def initial_state(self, nb, batch, given=None, t0=0):
        """h^(0) (and s^(0), o^(0)...) as explicit leaves named ``h_0``..., zeros unless given.

        `given` is an array for the first carried state, or ``{kind: array}``. `t0` is the
        step the state belongs to: 0, or tau + 1 for a backward-in-time direction.
        """
        if given is not None and not isinstance(given, dict):
            given = {self.carry[0]: given}
        given = dict(given or {})
        state = {}
        for kind in self.carry:
            shape = (self.state_size(kind), batch)
            value = given.pop(kind, None)
            if value is None:
                value = np.zeros(shape)
            value = np.asarray(value, dtype=np.float64)
            if value.shape != shape:
                raise RNNError(f"initial state {kind}_0 has shape {value.shape}; expected {shape} (size, batch)")
            state[kind] = nb.leaf(value, kind, t0, role="input", requires_grad=True)
        if given:
            raise RNNError(f"{type(self).__name__} carries {', '.join(self.carry)}; "
                           f"no initial state called {', '.join(given)}")
        return state

    def sequence(self, nb, xs, given, ctx, reverse=False):
        """[h^(1), ..., h^(tau)] for inputs ``xs`` (full BPTT, no outputs): one layer of a deep
        network. ``reverse=True`` runs from t = tau down to 1, starting from the state ``h_{tau+1}``
        (the backward direction of a bidirectional network, Fig. 10.11)."""
        tau = len(xs)
        times = range(tau, 0, -1) if reverse else range(1, tau + 1)
        prev = self.initial_state(nb, xs[0].shape[1], given, t0=tau + 1 if reverse else 0)
        hs = {}
        for t in times:
            produced = self.step(nb, t, xs[t - 1], prev, ctx)
            nb.stamp(list(produced.values()), t)
            prev = {kind: produced[kind] for kind in self.carry}
            hs[t] = produced["h"]
        return [hs[t] for t in range(1, tau + 1)]
