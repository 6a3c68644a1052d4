"""The Python source of a variant's cell: a lecturer's cell file (`rnn.custom`), readable as one.

The file is what ``gradbook derive cell.py`` and a question's ``cell = "cell.py:variant_7"``
read, so the key, the figure and the checker all come from the same recurrence. tanh and the
sigmoid name only the adjoint of h^(t), so the derived key carries their derivative
diag(1 - h^2) or diag(h (1 - h)) as eq. 10.21 does; ReLU's derivative is the step function,
which an answer cannot write, so a ReLU cell also names the adjoint of a^(t) and its key
goes through grad_a (docs/custom-cells.md).
"""
from __future__ import annotations

CODE = {"tanh": "ad.tanh(a)", "relu": "ad.relu(a)", "sigmoid": "ad.sigmoid(a)"}
"""The autodiff op of each activation, applied to a^(t) (eq. 10.9 with it for tanh)."""
WORDS = {"tanh": "tanh", "relu": "ReLU", "sigmoid": "logistic sigmoid"}
FORMULA = {"tanh": "tanh(a^(t))", "relu": "max(0, a^(t))", "sigmoid": "sigma(a^(t)) = 1 / (1 + exp(-a^(t)))"}
LOSS_WORDS = {"nll": "softmax output and negative log-likelihood",
              "squared": "linear output and squared error"}
ADJOINTS = {"tanh": ("h",), "sigmoid": ("h",), "relu": ("a", "h")}
"""The kinds whose adjoint the derivation names (o is always named)."""


def title(variant):
    return f"RNN with {WORDS[variant.activation]} hidden units, {LOSS_WORDS[variant.loss]}"


def cell_source(variant):
    """The text of ``cell.py`` for `variant`: deterministic, one cell named ``variant.name``."""
    loss = ("L^(t) = -log yhat^(t)_y(t), yhat^(t) = softmax(o^(t)) (eqs 10.11-10.14)"
            if variant.loss == "nll" else "L^(t) = 1/2 ||o^(t) - y^(t)||^2")
    adjoints = repr(ADJOINTS[variant.activation]).replace("'", '"')
    return f'''"""Exam variant {variant.seed} (gradbook variant): {title(variant)}.

a^(t) = b + W h^(t-1) + U x^(t)     (eq. 10.8)
h^(t) = {FORMULA[variant.activation]}     (eq. 10.9{"" if variant.activation == "tanh" else f" with {WORDS[variant.activation]} for tanh"})
o^(t) = c + V h^(t)     (eq. 10.10, added by rnn.custom; V and c are declared for the cell)
{loss}
Sizes of this variant: n_in = {variant.n_in}, H = {variant.hidden}, K = {variant.classes}, tau = {variant.tau}.
"""
import autodiff as ad
from rnn.custom import cell


@cell(params={{"U": ("H", "n_in"), "W": ("H", "H"), "b": ("H", 1)}}, loss="{variant.loss}",
      adjoints={adjoints}, title="{title(variant)}")
def {variant.name}(p, x, prev, t):
    a = p["b"] + p["W"] @ prev["h"] + p["U"] @ x
    return {{"a": a, "h": {CODE[variant.activation]}}}
'''
