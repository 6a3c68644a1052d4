"""The gated recurrent unit: as the book prints it (eqs 10.45-10.47), as Cho et al. wrote it,
and in the reset-after form of PyTorch's nn.GRU and cuDNN."""
from __future__ import annotations

import numpy as np

import autodiff as ad

from .errors import RNNError
from .model import Recurrence

FORMS = ("printed", "cho", "reset-after")


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

    This is Keras's ``GRU(reset_after=False)``: the reset gate multiplies h^(t-1) before W.

    ``form='reset-after'``, the form of ``torch.nn.GRU`` and cuDNN (Keras ``reset_after=True``):
    the reset gate multiplies W h^(t-1) + b^h after the product, with a second candidate bias
    b^h (torch's b_hn) inside it,

        h~^(t) = tanh(b + U x^(t) + r^(t) * (W h^(t-1) + b^h)),  h^(t) = u^(t) * h^(t-1) + (1 - u^(t)) * h~^(t),

    with u^(t), r^(t) as in Cho's form; torch's weights map as U^u = W_iz, W^u = W_hz,
    b^u = b_iz + b_hz, U^r = W_ir, W^r = W_hr, b^r = b_ir + b_hr, U = W_in, W = W_hn,
    b = b_in, b^h = b_hn (`rnn.gru.from_torch_weights`).

    The candidate state is the node ``htilde_t``; o^(t) = c + V h^(t) as in eq. 10.10.
    """

    def __init__(self, n_in, hidden, n_out, seed=0, form="printed", outputs="every", head="softmax"):
        if form not in FORMS:
            raise RNNError(f"form={form!r} is unknown; use 'printed' (eqs 10.45-10.47 as in the book), 'cho' "
                           f"(Cho et al.) or 'reset-after' (torch.nn.GRU)")
        self.form = form
        super().__init__(n_in, hidden, n_out, seed=seed, outputs=outputs, head=head)

    @property
    def description(self):
        return {"printed": "GRU as printed, eqs 10.45-10.47 (gates and input of step t-1, sigmoid candidate)",
                "cho": "GRU, Cho et al. (2014) (gates and input of step t, tanh candidate)",
                "reset-after": "GRU, reset-after form of torch.nn.GRU (r multiplies W h^(t-1) + b^h)"}[self.form]

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
        params = self._gated(("u", "r", ""))
        if self.form == "reset-after":
            params.insert(9, ("b_h", (self.hidden, 1), None))  # after b: the candidate's recurrent bias
        return params

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
        if self.form == "reset-after":
            p = self.params
            htilde = nb.node(ad.tanh(p["b"] + p["U"] @ x_in + r * (p["W"] @ h_prev + p["b_h"])), "htilde", t)
        else:
            htilde = nb.node(phi(self.affine("", x_in, r * h_prev)), "htilde", t)
        h = nb.node(u * h_prev + (1 - u) * htilde, "h", t)
        produced = {"u": u, "r": r, "htilde": htilde, "h": h}
        if self.form == "printed":
            produced["x"] = x
        return produced


def from_torch_weights(weight_ih, weight_hh, bias_ih, bias_hh):
    """The reset-after GRU's parameters {name: array} from torch.nn.GRU's layer-0 weights
    (as NumPy arrays; torch stacks the gates in the order r, z, n): see `GRU`'s docstring."""
    W_ir, W_iz, W_in = np.split(np.asarray(weight_ih, dtype=np.float64), 3)
    W_hr, W_hz, W_hn = np.split(np.asarray(weight_hh, dtype=np.float64), 3)
    b_ir, b_iz, b_in = (v[:, None] for v in np.split(np.asarray(bias_ih, dtype=np.float64), 3))
    b_hr, b_hz, b_hn = (v[:, None] for v in np.split(np.asarray(bias_hh, dtype=np.float64), 3))
    return {"U_u": W_iz, "W_u": W_hz, "b_u": b_iz + b_hz, "U_r": W_ir, "W_r": W_hr, "b_r": b_ir + b_hr,
            "U": W_in, "W": W_hn, "b": b_in, "b_h": b_hn}
