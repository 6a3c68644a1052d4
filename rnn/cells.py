"""The simple recurrent cells of chapter 10: their one-step computations as graph nodes.

* `SimpleRNN`: hidden-to-hidden recurrence, Fig. 10.3, eqs 10.8-10.11;
* `SeqToOne`: the same cell read once at tau, Fig. 10.5;
* `OutputRNN`: output-to-hidden recurrence, Fig. 10.4;
* `TeacherForcedRNN`: the lecture's matrix R from y^(t-1) to h^(t), trained with teacher
  forcing and run on its own outputs at test time (Fig. 10.6).

Each ``step`` builds the nodes of one time step with `autodiff` primitives and names them
through the builder ``nb`` (``a_t``, ``h_t``...), so `rnn.unroll` gets an ordinary graph.
"""
from __future__ import annotations

import numpy as np

import autodiff as ad

from .errors import RNNError
from .model import Recurrence


class SimpleRNN(Recurrence):
    """The RNN of Fig. 10.3 (eqs 10.8-10.11):

    a^(t) = b + W h^(t-1) + U x^(t),  h^(t) = tanh(a^(t)),  o^(t) = c + V h^(t),
    yhat^(t) = softmax(o^(t)).  Parameters U (H, n_in), W (H, H), V (K, H), b (H, 1), c (K, 1).
    """

    def _declare(self):
        H = self.hidden
        return [("U", (H, self.n_in), self.n_in), ("W", (H, H), H), ("V", (self.n_out, H), H),
                ("b", (H, 1), None), ("c", (self.n_out, 1), None)]

    def step(self, nb, t, x, prev, ctx):
        """Eqs 10.8-10.9: a^(t) = b + W h^(t-1) + U x^(t), h^(t) = tanh(a^(t))."""
        p = self.params
        a = nb.node(p["b"] + p["W"] @ prev["h"] + p["U"] @ x, "a", t)
        return {"a": a, "h": nb.node(ad.tanh(a), "h", t)}


class SeqToOne(SimpleRNN):
    """Sequence to one (Fig. 10.5): the recurrence of eqs 10.8-10.9 over all tau steps and a
    single output o^(tau) = c + V h^(tau) with its loss L^(tau); targets y have shape (B,)."""

    def __init__(self, n_in, hidden, n_out, seed=0, head="softmax"):
        super().__init__(n_in, hidden, n_out, seed=seed, outputs="last", head=head)


class OutputRNN(Recurrence):
    """Output-to-hidden recurrence (Fig. 10.4): only o^(t-1) feeds the next step.

    a^(t) = b + W o^(t-1) + U x^(t), h^(t) = tanh(a^(t)), o^(t) = c + V h^(t),
    yhat^(t) = softmax(o^(t)); W is (H, K) and o^(0) (the node ``o_0``, zero unless given as
    ``h0``) starts the recurrence.
    """

    carry = ("o",)

    def _declare(self):
        H, K = self.hidden, self.n_out
        return [("U", (H, self.n_in), self.n_in), ("W", (H, K), K),
                ("V", (K, H), H), ("b", (H, 1), None), ("c", (K, 1), None)]

    def state_size(self, kind):
        return self.n_out

    def step(self, nb, t, x, prev, ctx):
        """a^(t) = b + W o^(t-1) + U x^(t); h^(t) = tanh(a^(t)); o^(t) = c + V h^(t) (Fig. 10.4)."""
        p = self.params
        a = nb.node(p["b"] + p["W"] @ prev["o"] + p["U"] @ x, "a", t)
        h = nb.node(ad.tanh(a), "h", t)
        return {"a": a, "h": h, "o": self.logits(nb, t, h)}


FEEDBACKS = ("softmax", "argmax")


class TeacherForcedRNN(Recurrence):
    """The lecture's RNN with a matrix R connecting y^(t-1) to h^(t) (Fig. 10.6):

    a^(t) = b + W h^(t-1) + U x^(t) + R y^(t-1),  h^(t) = tanh(a^(t)),  o^(t) = c + V h^(t).

    ``mode='train'`` feeds the true previous target as a one-hot constant (teacher forcing:
    no gradient flows through it). ``mode='test'`` feeds back the model's own previous output:
    ``feedback='softmax'`` the distribution yhat^(t-1) itself (differentiable, so BPTT also
    runs through the fed-back outputs), ``feedback='argmax'`` the one-hot of its most probable
    class (a constant). y^(0) is zero in every mode. R is (H, K).
    """

    def __init__(self, n_in, hidden, n_out, seed=0, mode="train", feedback="softmax"):
        super().__init__(n_in, hidden, n_out, seed=seed)
        self.mode, self.feedback = mode, feedback

    @property
    def mode(self):
        return self._mode

    @mode.setter
    def mode(self, value):
        if value not in ("train", "test"):
            raise RNNError(f"mode={value!r} is unknown; use 'train' (teacher forcing) or 'test' (own outputs)")
        self._mode = value

    @property
    def feedback(self):
        return self._feedback

    @feedback.setter
    def feedback(self, value):
        if value not in FEEDBACKS:
            raise RNNError(f"feedback={value!r} is unknown; use one of {', '.join(FEEDBACKS)}")
        self._feedback = value

    @property
    def carry(self):
        return ("h",) if self.mode == "train" else ("h", "yhat")

    def state_size(self, kind):
        return self.n_out if kind == "yhat" else self.hidden

    def _declare(self):
        H, K = self.hidden, self.n_out
        return [("U", (H, self.n_in), self.n_in), ("W", (H, H), H), ("V", (K, H), H),
                ("b", (H, 1), None), ("c", (K, 1), None), ("R", (H, K), K)]

    def initial_state(self, nb, batch, given=None):
        state = super().initial_state(nb, batch, given)
        if "yhat" in state:
            # carried only so that a truncation cut covers it; step 1 reads y^(0) = 0 instead
            state["yhat"].tag(role="constant")
            state["yhat"].requires_grad = False
        return state

    def _previous_output(self, nb, t, prev, ctx):
        """y^(t-1) as step t reads it: the true target (train) or the model's own output (test)."""
        K, B = self.n_out, ctx.batch
        if t == 1:
            return nb.leaf(np.zeros((K, B)), "yprev", t, role="constant")
        if self.mode == "train":
            if ctx.targets is None:
                raise RNNError("teacher forcing (mode='train') needs the targets y; pass y= or set mode='test'")
            return nb.leaf(ad.one_hot(ctx.targets[t - 2], K), "yprev", t, role="constant")
        if self.feedback == "softmax":
            return prev["yhat"]
        return nb.leaf(ad.one_hot(np.argmax(prev["yhat"].value, axis=0), K), "yprev", t, role="constant")

    def step(self, nb, t, x, prev, ctx):
        """a^(t) = b + W h^(t-1) + U x^(t) + R y^(t-1); h^(t) = tanh(a^(t))."""
        p = self.params
        y_prev = self._previous_output(nb, t, prev, ctx)
        a = nb.node(p["b"] + p["W"] @ prev["h"] + p["U"] @ x + p["R"] @ y_prev, "a", t)
        return {"a": a, "h": nb.node(ad.tanh(a), "h", t)}
