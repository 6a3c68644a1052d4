"""The gated recurrent unit, as the book prints it (eqs 10.45-10.47) and as Cho et al. wrote it."""
from __future__ import annotations

import numpy as np

import autodiff as ad

from .errors import RNNError
from .model import Recurrence

FORMS = ("printed", "cho")


class GRU(Recurrence):
    """Gated recurrent unit with update gate u and reset gate r as graph nodes.

    ``form='printed'``, eqs 10.45-10.47 exactly as the book indexes them:

        h^(t) = u^(t-1) * h^(t-1) + (1 - u^(t-1)) * sigma(b + U x^(t-1) + W (r^(t-1) * h^(t-1)))  (10.45)
        u^(t) = sigma(b^u + U^u x^(t) + W^u h^(t))                                             (10.46)
        r^(t) = sigma(b^r + U^r x^(t) + W^r h^(t))                                             (10.47)

    so step t reads the previous input x^(t-1) and builds the gates u^(t-1), r^(t-1) (nodes
    ``u_{t-1}``, ``r_{t-1}``) from h^(t-1); x^(0) is taken as zero (node ``x_0``) and the last
    input x^(tau) reaches no h^(t): a one-step delay the printed indexing implies.

    ``form='cho'``, Cho et al. (2014), the common form: gates and input at the current step
    and a tanh candidate,

        u^(t) = sigma(b^u + U^u x^(t) + W^u h^(t-1)),  r^(t) = sigma(b^r + U^r x^(t) + W^r h^(t-1)),
        h^(t) = u^(t) * h^(t-1) + (1 - u^(t)) * tanh(b + U x^(t) + W (r^(t) * h^(t-1))).

    The candidate state is the node ``htilde_t``; o^(t) = c + V h^(t) as in eq. 10.10.
    """

    def __init__(self, n_in, hidden, n_out, seed=0, form="printed", outputs="every", head="softmax"):
        if form not in FORMS:
            raise RNNError(f"form={form!r} is unknown; use 'printed' (eqs 10.45-10.47 as in the book) or 'cho'")
        self.form = form
        super().__init__(n_in, hidden, n_out, seed=seed, outputs=outputs, head=head)

    @property
    def description(self):
        return ("GRU as printed, eqs 10.45-10.47 (gates and input of step t-1, sigmoid candidate)"
                if self.form == "printed" else "GRU, Cho et al. (2014) (gates and input of step t, tanh candidate)")

    @property
    def carry(self):
        return ("h", "x") if self.form == "printed" else ("h",)

    def state_size(self, kind):
        return self.n_in if kind == "x" else self.hidden

    def initial_state(self, nb, batch, given=None, t0=0):
        state = super().initial_state(nb, batch, given, t0)
        if "x" in state:
            # x^(0) of the printed eq. 10.45: a zero input, not a learnable state
            state["x"] = nb.leaf(np.zeros((self.n_in, batch)), "x", t0, role="constant")
        return state

    def _declare(self):
        return self._gated(("u", "r", ""))

    def step(self, nb, t, x, prev, ctx):
        """One step of eq. 10.45 (printed) or of Cho et al.'s GRU."""
        h_prev = prev["h"]
        if self.form == "printed":
            # the previous step is t-1, or t+1 when running backward in time
            gate_t, x_in, phi = prev["x"].meta["t"], prev["x"], ad.sigmoid
        else:
            gate_t, x_in, phi = t, x, ad.tanh
        u = nb.node(ad.sigmoid(self.affine("u", x_in, h_prev)), "u", gate_t)
        r = nb.node(ad.sigmoid(self.affine("r", x_in, h_prev)), "r", gate_t)
        if gate_t != t:
            nb.stamp([u, r], gate_t)
        htilde = nb.node(phi(self.affine("", x_in, r * h_prev)), "htilde", t)
        h = nb.node(u * h_prev + (1 - u) * htilde, "h", t)
        produced = {"u": u, "r": r, "htilde": htilde, "h": h}
        if self.form == "printed":
            produced["x"] = x
        return produced
