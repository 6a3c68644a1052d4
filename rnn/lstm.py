"""The LSTM in the book's form (section 10.10.1, eqs 10.40-10.44, names f g q s)."""
from __future__ import annotations

import autodiff as ad

from .errors import RNNError
from .model import Recurrence

CANDIDATES = {"sigmoid": ad.sigmoid, "tanh": ad.tanh}


class LSTM(Recurrence):
    """Long short-term memory, eqs 10.40-10.44, with gates as graph nodes:

    f^(t) = sigma(b^f + U^f x^(t) + W^f h^(t-1))            forget gate   (10.40)
    g^(t) = sigma(b^g + U^g x^(t) + W^g h^(t-1))            input gate    (10.42)
    q^(t) = sigma(b^o + U^o x^(t) + W^o h^(t-1))            output gate   (10.44)
    s^(t) = f^(t) * s^(t-1) + g^(t) * phi(b + U x^(t) + W h^(t-1))        (10.41)
    h^(t) = tanh(s^(t)) * q^(t)                                           (10.43)

    then o^(t) = c + V h^(t) as in eq. 10.10. ``candidate='sigmoid'`` is phi = sigma as the
    book prints 10.41; ``candidate='tanh'`` is the form most software uses. The candidate
    input phi(...) is the node ``cand_t`` (meta ``candidate``), the state s^(t) the node
    ``s_t``; h^(0) and s^(0) are leaves ``h_0`` and ``s_0`` (``h0={'h': ..., 's': ...}``).
    """

    carry = ("h", "s")

    def __init__(self, n_in, hidden, n_out, seed=0, candidate="sigmoid", outputs="every", head="softmax"):
        if candidate not in CANDIDATES:
            raise RNNError(f"candidate={candidate!r} is unknown; use 'sigmoid' (the book's eq. 10.41) or 'tanh'")
        self.candidate = candidate
        super().__init__(n_in, hidden, n_out, seed=seed, outputs=outputs, head=head)

    @property
    def description(self):
        book = "as printed in eq. 10.41" if self.candidate == "sigmoid" else "the usual form"
        return f"LSTM, eqs 10.40-10.44, {self.candidate} candidate ({book})"

    def _declare(self):
        return self._gated(("f", "g", "o", ""))

    def step(self, nb, t, x, prev, ctx):
        """Eqs 10.40-10.44 for one step: gates f, g, q, candidate, state s^(t), h^(t)."""
        h_prev, s_prev = prev["h"], prev["s"]
        f = nb.node(ad.sigmoid(self.affine("f", x, h_prev)), "f", t)
        g = nb.node(ad.sigmoid(self.affine("g", x, h_prev)), "g", t)
        q = nb.node(ad.sigmoid(self.affine("o", x, h_prev)), "q", t)
        cand = nb.node(CANDIDATES[self.candidate](self.affine("", x, h_prev)), "cand", t)
        cand.meta["candidate"] = self.candidate
        s = nb.node(f * s_prev + g * cand, "s", t)
        h = nb.node(ad.tanh(s) * q, "h", t)
        return {"f": f, "g": g, "q": q, "cand": cand, "s": s, "h": h}
