"""Peephole LSTM: eqs 10.40-10.44 with the gates also reading the cell state.

The forget and input gates read s^(t-1) through W^{sf} and W^{sg}; the output gate reads
the new state s^(t) through W^{so} (Gers and Schmidhuber, 2000)."""
import autodiff as ad
from rnn.custom import cell

GATES = {f"{m}_{g}": shape for g in ("f", "g", "o", "sf", "sg", "so")
         for m, shape in (("U", ("H", "n_in")), ("W", ("H", "H")), ("b", ("H", 1)))
         if not (g.startswith("s") and m != "W")}
GATES.update({"U": ("H", "n_in"), "W": ("H", "H"), "b": ("H", 1)})


def affine(p, x, h, gate):
    return p["b_" + gate] + p["U_" + gate] @ x + p["W_" + gate] @ h


@cell(params=GATES, state=("h", "s"), title="peephole LSTM")
def peephole_lstm(p, x, prev, t):
    h, s = prev["h"], prev["s"]
    f = ad.sigmoid(affine(p, x, h, "f") + p["W_sf"] @ s)            # forget gate, eq. 10.40
    g = ad.sigmoid(affine(p, x, h, "g") + p["W_sg"] @ s)            # input gate, eq. 10.42
    cand = ad.tanh(p["b"] + p["U"] @ x + p["W"] @ h)
    s_new = f * s + g * cand                                        # eq. 10.41
    q = ad.sigmoid(affine(p, x, h, "o") + p["W_so"] @ s_new)        # output gate, eq. 10.44
    return {"f": f, "g": g, "cand": cand, "s": s_new, "q": q, "h": ad.tanh(s_new) * q}   # eq. 10.43
