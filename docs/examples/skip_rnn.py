"""RNN with a skip connection over two steps: h^(t) reads h^(t-1) and h^(t-2)."""
import autodiff as ad
from rnn.custom import cell


@cell(params={"U": ("H", "n_in"), "W": ("H", "H"), "W_s": ("H", "H"), "b": ("H", 1)},
      state={"h": 2}, title="RNN with a skip connection over two steps")
def skip_rnn(p, x, prev, t):
    a = p["b"] + p["W"] @ prev["h"] + p["W_s"] @ prev["h", 2] + p["U"] @ x
    return {"h": ad.tanh(a)}
