"""Short training runs for the lab: SGD or Adam on fresh adding-problem batches, with
optional gradient-norm clipping (section 10.11.1), stopping when the run diverges.

The lab keeps its two update rules here, a few lines each, so that clipping is visible
where it happens and the runs do not depend on a training loop written for other purposes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import rnn
from autodiff.errors import GradbookError
from rnn.data import adding_problem

DIVERGED = 1e6
"""A mean loss per sequence above this (the adding problem's starts below 1) counts as diverged."""


class TrainingError(GradbookError):
    """A learning rate, threshold or optimiser name that cannot be used."""


def clip_by_norm(grads: dict, threshold: float) -> tuple[dict, float]:
    """Gradient-norm clipping (section 10.11.1): if ||g|| > v, g <- g v / ||g||.

    ||g|| is taken over all parameters together. Returns (clipped gradients, ||g|| before).
    """
    if not threshold > 0:
        raise TrainingError(f"clipping threshold {threshold!r} must be positive")
    norm = global_norm(grads)
    factor = threshold / norm if norm > threshold else 1.0
    return {k: g * factor for k, g in grads.items()}, norm


def global_norm(grads: dict) -> float:
    """||g|| over all parameters: the square root of the sum of every squared entry."""
    return float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))


class SGD:
    """theta <- theta - lr g (section 8.3.1)."""

    def __init__(self, lr: float):
        if not lr > 0:
            raise TrainingError(f"learning rate {lr!r} must be positive")
        self.lr = lr

    def update(self, params: dict, grads: dict):
        for k, p in params.items():
            p.value -= self.lr * grads[k]


class Adam:
    """Adam (section 8.5.3, Algorithm 8.7) with bias-corrected first and second moments."""

    def __init__(self, lr: float = 0.01, rho1: float = 0.9, rho2: float = 0.999, delta: float = 1e-8):
        if not lr > 0:
            raise TrainingError(f"learning rate {lr!r} must be positive")
        self.lr, self.rho1, self.rho2, self.delta = lr, rho1, rho2, delta
        self.s, self.r, self.t = {}, {}, 0

    def update(self, params: dict, grads: dict):
        self.t += 1
        for k, p in params.items():
            g = grads[k]
            self.s[k] = self.rho1 * self.s.get(k, 0.0) + (1 - self.rho1) * g
            self.r[k] = self.rho2 * self.r.get(k, 0.0) + (1 - self.rho2) * g * g
            s_hat = self.s[k] / (1 - self.rho1 ** self.t)
            r_hat = self.r[k] / (1 - self.rho2 ** self.t)
            p.value -= self.lr * s_hat / (np.sqrt(r_hat) + self.delta)


@dataclass(frozen=True)
class TrainingRun:
    """Losses (mean per sequence) and gradient norms (before clipping) per iteration;
    `diverged_at` is the iteration where the loss passed `DIVERGED` or overflowed."""

    label: str
    losses: np.ndarray
    grad_norms: np.ndarray
    diverged_at: int | None

    @property
    def final_loss(self) -> float:
        """Mean loss over the last 10 iterations (inf when the run diverged)."""
        if self.diverged_at is not None:
            return float("inf")
        return float(np.mean(self.losses[-10:]))


def train(model, tau: int, batch: int, iters: int, optimizer, threshold: float | None = None,
          seed: int = 0, label: str = "") -> TrainingRun:
    """Train `model` on fresh adding-problem batches (seeds seed + 1, seed + 2, ...)."""
    losses, norms, diverged = [], [], None
    for i in range(iters):
        x, y = adding_problem(tau, batch, seed=seed + 1 + i)
        try:
            with np.errstate(over="raise", invalid="raise"):
                u = rnn.unroll(model, x, y)
                model.zero_grad()
                u.loss.backward()
                grads = {k: p.grad for k, p in model.params.items()}
                if threshold is None:
                    norm = global_norm(grads)
                else:
                    grads, norm = clip_by_norm(grads, threshold)
                optimizer.update(model.params, grads)
        except FloatingPointError:
            diverged = i
            break
        loss = float(u.loss.value) / batch
        losses.append(loss)
        norms.append(norm)
        if not np.isfinite(loss) or loss > DIVERGED or not np.isfinite(norm):
            diverged = i
            break
    return TrainingRun(label, np.array(losses), np.array(norms), diverged)
