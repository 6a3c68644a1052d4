"""Minimal gated unit (Zhou et al., 2016): one forget gate f does the GRU's two jobs."""
import autodiff as ad
from rnn.custom import cell


@cell(params={"U_f": ("H", "n_in"), "W_f": ("H", "H"), "b_f": ("H", 1),
              "U": ("H", "n_in"), "W": ("H", "H"), "b": ("H", 1)}, title="minimal gated unit")
def mgu(p, x, prev, t):
    h = prev["h"]
    f = ad.sigmoid(p["b_f"] + p["U_f"] @ x + p["W_f"] @ h)
    htilde = ad.tanh(p["b"] + p["U"] @ x + p["W"] @ (f * h))
    return {"f": f, "htilde": htilde, "h": (1 - f) * h + f * htilde}
