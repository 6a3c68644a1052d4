"""Simple RNN against LSTM and GRU on the adding problem (book 10.7 against 10.10).

The gated cells carry their state additively (s^(t) = f^(t) s^(t-1) + ..., eq. 10.41;
h^(t) = u h^(t-1) + (1 - u) ..., eq. 10.45), so a forget or update gate near 1 lets a
gradient pass many steps without the repeated diag(1 - h^2) W factor of the simple RNN.
Each cell is measured three times: its gradient profile at initialisation (loss at the last
step), whether a short Adam run learns the task, against the baseline that always predicts
the mean sum 1 (half squared error 1/12), and its gradient profile after that training.

Forms: the LSTM with the tanh candidate input and the GRU of Cho et al. (2014), the forms
software uses; the book's printed forms are `rnn.LSTM(candidate='sigmoid')` and
`rnn.GRU(form='printed')`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.ticker import MaxNLocator

import rnn
from rnn.data import adding_problem
from rnn.optim import Adam

from .plotting import COLOURS, FORMATS, new_figure, save
from .profile import GradientProfile, gradient_profile
from .runs import TITLES, SettingError
from .training import TrainingRun, train

BASELINE = 1.0 / 12.0
"""Half the variance of the sum of two U(0, 1) values: the loss of always answering 1."""

SUCCESS_FRACTION = 0.1
"""A run has learned the task when its final loss is below this fraction of the baseline."""

FORMS = {"rnn": {}, "lstm": {"candidate": "tanh"}, "gru": {"form": "cho"}}


@dataclass(frozen=True)
class CellRun:
    """One cell's gradient profile at initialisation, its training run, and its profile after."""

    cell: str
    tau: int
    profile: GradientProfile
    training: TrainingRun
    trained_profile: GradientProfile
    baseline: float = BASELINE

    @property
    def label(self) -> str:
        return TITLES[self.cell]

    @property
    def final_loss(self) -> float:
        return self.training.final_loss

    @property
    def succeeded(self) -> bool:
        return self.final_loss < SUCCESS_FRACTION * self.baseline


def comparison_model(cell: str, hidden: int, seed: int = 0):
    """The seq-to-one regression model of `cell` used in the comparison, in its common form."""
    if cell not in FORMS:
        raise SettingError(f"cell={cell!r} is unknown; use one of {', '.join(FORMS)}")
    cls = {"rnn": rnn.SimpleRNN, "lstm": rnn.LSTM, "gru": rnn.GRU}[cell]
    return cls(2, hidden, 1, seed=seed, outputs="last", head="linear", **FORMS[cell])


def compare_cells(cells=("rnn", "lstm", "gru"), tau: int = 20, hidden: int = 8, batch: int = 32,
                  iters: int = 300, lr: float = 0.03, threshold: float = 1.0, seed: int = 0) -> list[CellRun]:
    """Profile and train each cell on the adding problem of length `tau`, same data and budget.

    Adam with learning rate `lr`, gradients clipped at `threshold` for every cell alike.
    """
    runs = []
    x, y = adding_problem(tau, batch, seed=seed)
    for cell in cells:
        model = comparison_model(cell, hidden, seed)
        profile = _profile(model, x, y, cell)
        training = train(model, tau, batch, iters, Adam(model.params.values(), lr), threshold, seed=seed,
                         label=TITLES[cell])
        runs.append(CellRun(cell, tau, profile, training, _profile(model, x, y, cell)))
    return runs


def _profile(model, x, y, cell):
    u = rnn.unroll(model, x, y)
    return gradient_profile(u.h, u.loss, model.params["W"], label=TITLES[cell])


def plot_comparison(runs: list[CellRun], out_dir, stem: str = "compare_cells", formats=FORMATS):
    """Left: ||grad_{h^(t)} L|| / ||grad_{h^(tau)} L|| at initialisation (solid) and after
    training (dashed); right: training loss against the baseline."""
    fig, (left, right) = new_figure(ncols=2)
    for run in runs:
        colour = COLOURS.get(run.cell)
        p = run.profile
        left.semilogy(p.steps, p.grad_h_norm / p.grad_h_norm[-1], marker=".", ms=3, color=colour,
                      label=f"{run.label}, initial (ratio {p.ratio:.1e})")
        q = run.trained_profile
        left.semilogy(q.steps, q.grad_h_norm / q.grad_h_norm[-1], ls="--", color=colour,
                      label=f"{run.label}, trained (ratio {q.ratio:.1e})")
        losses = run.training.losses
        window = min(10, len(losses))
        smooth = np.convolve(losses, np.ones(window) / window, mode="valid")
        verdict = "learned" if run.succeeded else "not learned"
        right.semilogy(np.arange(window, len(losses) + 1), smooth, color=colour,
                       label=f"{run.label}: {run.final_loss:.4f} ({verdict})")
    right.axhline(runs[0].baseline, color="black", ls="--", lw=1, label="predict the mean (1/12)")
    tau = runs[0].tau
    left.xaxis.set_major_locator(MaxNLocator(integer=True))
    left.set_xlabel(r"time step $t$")
    left.set_ylabel(r"$\|\nabla_{\mathbf{h}^{(t)}} L\| \,/\, \|\nabla_{\mathbf{h}^{(\tau)}} L\|$")
    left.set_title(f"gradient reaching h(t), loss at \u03c4 = {tau}", fontsize=10)
    right.set_xlabel("Adam iteration")
    right.set_ylabel("loss per sequence (mean of 10)")
    right.set_title(f"training on the adding problem, \u03c4 = {tau}", fontsize=10)
    for ax in (left, right):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    return save(fig, out_dir, stem, formats)
