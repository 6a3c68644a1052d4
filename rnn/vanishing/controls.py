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

from autodiff.errors import GradbookError

import rnn
from rnn.data import adding_problem

from .plotting import new_figure, save
from .runs import Setting, mean_tanh_derivative, measure, prepare

DIVERGED = 1e6
"""A mean loss per sequence above this (the adding problem's is below 1 at the start) counts as diverged."""


class ControlError(GradbookError):
    """A threshold or learning rate that cannot be used."""


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


def clip_by_norm(grads: dict, threshold: float) -> tuple[dict, float]:
    """Gradient-norm clipping (section 10.11.1): if ||g|| > v, g <- g v / ||g||.

    ||g|| is taken over all parameters together. Returns (clipped gradients, ||g|| before).
    """
    if not threshold > 0:
        raise ControlError(f"clipping threshold {threshold!r} must be positive")
    norm = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))
    factor = threshold / norm if norm > threshold else 1.0
    return {k: g * factor for k, g in grads.items()}, norm


@dataclass(frozen=True)
class TrainingRun:
    """Losses (mean per sequence) and gradient norms of a short SGD run; `diverged_at` is the
    iteration where the loss passed `DIVERGED` or overflowed (None if it never did)."""

    label: str
    losses: np.ndarray
    grad_norms: np.ndarray
    diverged_at: int | None

    @property
    def final_loss(self) -> float:
        return float(np.mean(self.losses[-10:]))


def sgd_run(setting: Setting, iters: int, lr: float, threshold: float | None = None,
            label: str = "") -> TrainingRun:
    """Plain SGD on fresh adding-problem batches, optionally with norm clipping at `threshold`.

    The run stops at the first overflow or loss above `DIVERGED`.
    """
    if not lr > 0:
        raise ControlError(f"learning rate {lr!r} must be positive")
    model = prepare(setting)
    losses, norms, diverged = [], [], None
    for i in range(iters):
        x, y = adding_problem(setting.tau, setting.batch, seed=setting.seed + 1 + i)
        try:
            with np.errstate(over="raise", invalid="raise"):
                u = rnn.unroll(model, x, y)
                model.zero_grad()
                u.loss.backward()
                grads = {k: p.grad for k, p in model.params.items()}
                if threshold is None:
                    norm = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))
                else:
                    grads, norm = clip_by_norm(grads, threshold)
                for k, p in model.params.items():
                    p.value -= lr * grads[k]
        except FloatingPointError:
            diverged = i
            break
        loss = float(u.loss.value) / setting.batch
        losses.append(loss)
        norms.append(norm)
        if not np.isfinite(loss) or loss > DIVERGED or not np.isfinite(norm):
            diverged = i
            break
    return TrainingRun(label, np.array(losses), np.array(norms), diverged)


def clipping_experiment(setting: Setting = Setting(radius=1.5, tau=30, input_scale=0.3, batch=16),
                        iters: int = 60, lr: float = 0.02, threshold: float = 1.0) -> tuple[TrainingRun, TrainingRun]:
    """The same exploding run (rho > 1, tanh near its linear range) without and with clipping."""
    return (sgd_run(setting, iters, lr, None, "plain SGD"),
            sgd_run(setting, iters, lr, threshold, f"clipped at {threshold:g}"))


# ---------------------------------------------------------------------------------------------
# figures

def plot_sweep(measured: list[Measured], out_dir, stem: str, title: str):
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
    return save(fig, out_dir, stem)


def plot_clipping(runs, out_dir, stem: str = "clipping"):
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
    return save(fig, out_dir, stem)
