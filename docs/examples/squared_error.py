"""RNN of Fig. 10.3 with a linear output and squared error, L^(t) = 1/2 ||o^(t) - y^(t)||^2."""
import autodiff as ad
from rnn.custom import cell


@cell(params={"U": ("H", "n_in"), "W": ("H", "H"), "b": ("H", 1)}, loss="squared",
      title="RNN with squared-error output")
def regression_rnn(p, x, prev, t):
    return {"h": ad.tanh(p["b"] + p["W"] @ prev["h"] + p["U"] @ x)}
