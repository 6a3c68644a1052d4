"""One measured setting: a cell, its recurrent matrices at a spectral radius, the adding
problem's inputs, and the gradient profile of a loss at the last step (book 10.7, 10.10).

The adding problem (`rnn.data.adding_problem`) asks for the sum of two marked values, one
in each half of the sequence, read out linearly at tau: a loss L = L^(tau) whose gradient
must travel back at least tau/2 steps to reach the first marked value.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import rnn
from autodiff.errors import GradbookError
from rnn.data import adding_problem

from .init import set_radius
from .profile import GradientProfile, gradient_profile

CELLS = {"rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}
TITLES = {"rnn": "simple RNN", "lstm": "LSTM", "gru": "GRU"}


class SettingError(GradbookError):
    """A cell name or size the lab cannot build."""


@dataclass(frozen=True)
class Setting:
    """What one run measures: the cell, the spectral radius of its W..., tau and the sizes.

    radius None keeps the model's own initialisation. input_scale multiplies the input
    weights U...: small keeps tanh in its linear range, large saturates it.
    """

    cell: str = "rnn"
    radius: float | None = 0.9
    tau: int = 50
    hidden: int = 16
    batch: int = 8
    init: str = "orthogonal"
    input_scale: float = 1.0
    seed: int = 0

    @property
    def label(self) -> str:
        parts = [self.cell]
        if self.radius is not None:
            parts.append(f"\u03c1={self.radius:g}")
        if self.input_scale != 1.0:
            parts.append(f"U\u00d7{self.input_scale:g}")
        return ", ".join(parts)


def make_model(cell: str, hidden: int, seed: int = 0, n_in: int = 2):
    """A seq-to-one regression model of `cell` ('rnn', 'lstm', 'gru'): one linear output at tau.

    The gated cells come in the book's printed forms (`rnn.LSTM` with the sigmoid candidate of
    eq. 10.41, `rnn.GRU(form='printed')`); `compare` trains the forms software uses.
    """
    if cell not in CELLS:
        raise SettingError(f"cell={cell!r} is unknown; use one of {', '.join(CELLS)}")
    if hidden < 1:
        raise SettingError(f"hidden={hidden} must be a positive number of units")
    return getattr(rnn, CELLS[cell])(n_in, hidden, 1, seed=seed, outputs="last", head="linear")


def prepare(setting: Setting):
    """The model of `setting`, with its radius and input scale applied."""
    model = make_model(setting.cell, setting.hidden, setting.seed)
    if setting.radius is not None:
        set_radius(model, setting.radius, setting.init, setting.seed)
    if setting.input_scale != 1.0:
        for name, p in model.params.items():
            if name.split(".")[-1].startswith("U"):
                p.value *= setting.input_scale
    return model


def measure(setting: Setting, model=None) -> tuple[GradientProfile, "rnn.Unrolled"]:
    """Unroll `model` (by default the one `setting` prepares) on an adding-problem batch and
    profile the last-step loss against the shared W. Returns (profile, unrolled graph)."""
    model = model if model is not None else prepare(setting)
    x, y = adding_problem(setting.tau, setting.batch, seed=setting.seed)
    u = rnn.unroll(model, x, y)
    return gradient_profile(u.h, u.loss, model.params["W"], label=setting.label), u


def mean_tanh_derivative(u) -> float:
    """The mean of 1 - (h^(t))^2 over all steps and units: near 1 linear, near 0 saturated."""
    return float(np.mean([1.0 - u.h[t].value ** 2 for t in u.h.keys() if t >= 1]))
