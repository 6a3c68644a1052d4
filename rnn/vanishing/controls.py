"""The three knobs of section 10.7 and 10.11.1, each turned with the others held fixed.

* Spectral radius of W below, at and above 1 (scaled orthogonal or rescaled random):
  the linear reading of eq. 10.39 predicts ||grad_{h^(1)} L|| / ||grad_{h^(tau)} L|| ~ rho^(tau-1).
* tanh saturation: every step multiplies by diag(1 - (h^(t))^2), whose entries fall towards 0
  as |a^(t)| grows, so large inputs make gradients vanish even when rho > 1.
* Gradient-norm clipping (section 10.11.1): if ||g|| > v then g <- g v / ||g||; on an
  exploding run, plain SGD jumps off the cliff and diverges while the clipped run trains.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from rnn.optim import SGD

from .plotting import FORMATS, new_figure, save
from .runs import Setting, mean_tanh_derivative, measure, prepare
from .training import TrainingRun, train


@dataclass(frozen=True)
class Measured:
    """One setting's profile with the quantities that explain it."""

    setting: Setting
    profile: object
    tanh_derivative: float   # mean of 1 - (h^(t))^2

    @property
    def ratio(self) -> float:
        return self.profile.ratio


def _measured(setting):
    profile, u = measure(setting)
    return Measured(setting, profile, mean_tanh_derivative(u))


def radius_sweep(radii=(0.9, 1.0, 1.1), base: Setting = Setting()) -> list[Measured]:
    """The profile for each spectral radius of W, everything else as in `base`."""
    return [_measured(replace(base, radius=r)) for r in radii]


def saturation_sweep(input_scales=(0.1, 1.0, 5.0), base: Setting = Setting(radius=1.1)) -> list[Measured]:
    """The profile for each scale of the input weights U: larger scales saturate tanh."""
    return [_measured(replace(base, input_scale=s)) for s in input_scales]


def sgd_run(setting: Setting, iters: int, lr: float, threshold: float | None = None,
            label: str = "") -> TrainingRun:
    """Plain SGD on fresh adding-problem batches, optionally clipped at `threshold`."""
    model = prepare(setting)
    return train(model, setting.tau, setting.batch, iters, SGD(model.params.values(), lr), threshold,
                 seed=setting.seed, label=label)


def clipping_experiment(setting: Setting = Setting(radius=1.5, tau=30, input_scale=0.3, batch=16),
                        iters: int = 60, lr: float = 0.02, threshold: float = 1.0) -> tuple[TrainingRun, TrainingRun]:
    """The same exploding run (rho > 1, tanh near its linear range) without and with clipping."""
    return (sgd_run(setting, iters, lr, None, "plain SGD"),
            sgd_run(setting, iters, lr, threshold, f"clipped at {threshold:g}"))


# ---------------------------------------------------------------------------------------------
# figures

def plot_sweep(measured: list[Measured], out_dir, stem: str, title: str, formats=FORMATS):
    """||grad_{h^(t)} L|| against t for each setting of a sweep, on a log scale."""
    fig, (ax,) = new_figure(width=6.0)
    for m in measured:
        p = m.profile
        ax.semilogy(p.steps, p.grad_h_norm, marker=".", ms=3,
                    label=f"{m.setting.label}  (ratio {m.ratio:.1e}, mean tanh' {m.tanh_derivative:.2f})")
    ax.set_xlabel(r"time step $t$")
    ax.set_ylabel(r"$\|\nabla_{\mathbf{h}^{(t)}} L\|$, loss at $t=\tau$")
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    return save(fig, out_dir, stem, formats)


def plot_clipping(runs, out_dir, stem: str = "clipping", formats=FORMATS):
    """Loss (left) and gradient norm before clipping (right) per SGD iteration, log scale."""
    fig, (left, right) = new_figure(ncols=2)
    for run in runs:
        its = np.arange(1, len(run.losses) + 1)
        tag = run.label + (f" (diverged at {run.diverged_at + 1})" if run.diverged_at is not None else "")
        left.semilogy(its, run.losses, label=tag)
        right.semilogy(its, run.grad_norms, label=run.label)
    left.set_xlabel("SGD iteration")
    left.set_ylabel(r"loss per sequence, $\frac{1}{2}(o^{(\tau)} - y)^2$")
    left.set_title("adding problem, exploding setting", fontsize=10)
    right.set_xlabel("SGD iteration")
    right.set_ylabel(r"$\|\mathbf{g}\|$ before clipping")
    right.set_title("gradient norm", fontsize=10)
    for ax in (left, right):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    return save(fig, out_dir, stem, formats)
