"""Short training runs for the lab: an `rnn.optim` optimiser on fresh adding-problem batches,
with optional gradient-norm clipping (section 10.11.1), stopping when the run diverges.

The loop records what the lab plots: the loss and the gradient norm before clipping at
every iteration, and the iteration where the run left the cliff.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import rnn
from rnn.data import adding_problem
from rnn.optim import clip_grad_norm, global_norm

DIVERGED = 1e6
"""A mean loss per sequence above this (the adding problem's starts below 1) counts as diverged."""


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
    """Train `model` with `optimizer` (an `rnn.optim` optimiser over ``model.params``) on
    fresh adding-problem batches (seeds seed + 1, seed + 2, ...), clipping ||g|| at `threshold`."""
    params = list(model.params.values())
    losses, norms, diverged = [], [], None
    for i in range(iters):
        x, y = adding_problem(tau, batch, seed=seed + 1 + i)
        try:
            with np.errstate(over="raise", invalid="raise"):
                u = rnn.unroll(model, x, y)
                model.zero_grad()
                u.loss.backward()
                norm = global_norm(params) if threshold is None else clip_grad_norm(params, threshold)
                optimizer.step()
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
