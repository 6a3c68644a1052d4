"""ReLU RNN: eqs 10.8-10.11 with h = relu(a) instead of tanh(a)."""
import autodiff as ad
from rnn.custom import cell


@cell(params={"U": ("H", "n_in"), "W": ("H", "H"), "b": ("H", 1)}, title="ReLU RNN")
def relu_rnn(p, x, prev, t):
    a = p["b"] + p["W"] @ prev["h"] + p["U"] @ x      # eq. 10.8
    return {"a": a, "h": ad.relu(a)}                 # eq. 10.9, ReLU for tanh
