"""Optimisers for the shared parameters: SGD and Adam, and gradient-norm clipping (book 10.11.1).

Each optimiser updates ``p.value`` in place from ``p.grad`` for a list of parameter Tensors,
so a model's graph nodes keep their identity across training steps.
"""
from __future__ import annotations

import numpy as np

from .errors import RNNError


def global_norm(params):
    """||g||: the Euclidean norm of all the parameters' gradients taken as one vector."""
    return float(np.sqrt(sum(float(np.sum(p.grad * p.grad)) for p in params if p.grad is not None)))


def clip_grad_norm(params, threshold):
    """Gradient-norm clipping (section 10.11.1): if ||g|| > v then g <- g v / ||g||.

    Rescales every gradient by the same factor, so the step keeps its direction and only
    its length is bounded, which tames the exploding gradients of long recurrences.
    Returns the norm before clipping.
    """
    if threshold <= 0:
        raise RNNError(f"clipping threshold v={threshold} must be positive")
    norm = global_norm(params)
    if norm > threshold:
        scale = threshold / norm
        for p in params:
            if p.grad is not None:
                p.grad *= scale
    return norm


class Optimizer:
    """Base class: holds the parameter list and checks every parameter has a gradient."""

    def __init__(self, params, lr):
        self.params = list(params)
        if not self.params:
            raise RNNError("the optimiser got no parameters; pass model.params.values()")
        if lr <= 0:
            raise RNNError(f"learning rate lr={lr} must be positive")
        self.lr = lr

    def _grads(self):
        for p in self.params:
            if p.grad is None:
                raise RNNError(f"parameter {p.name} has no gradient; call loss.backward() before step()")
        return [p.grad for p in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None
            p.grad_node = None


class SGD(Optimizer):
    """Stochastic gradient descent, theta <- theta - lr g (with optional momentum)."""

    def __init__(self, params, lr=0.1, momentum=0.0):
        super().__init__(params, lr)
        if not 0.0 <= momentum < 1.0:
            raise RNNError(f"momentum={momentum} must lie in [0, 1)")
        self.momentum = momentum
        self.velocity = [np.zeros_like(p.value) for p in self.params]

    def step(self):
        for p, g, v in zip(self.params, self._grads(), self.velocity):
            if self.momentum:
                v *= self.momentum
                v += g
                g = v
            p.value -= self.lr * g


class Adam(Optimizer):
    """Adam (Kingma and Ba 2015): steps scaled by running estimates of the gradient's first
    and second moments, with bias correction."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, lr)
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.t = 0
        self.m = [np.zeros_like(p.value) for p in self.params]
        self.v = [np.zeros_like(p.value) for p in self.params]

    def step(self):
        self.t += 1
        correction1 = 1.0 - self.beta1 ** self.t
        correction2 = 1.0 - self.beta2 ** self.t
        for p, g, m, v in zip(self.params, self._grads(), self.m, self.v):
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * g * g
            p.value -= self.lr * (m / correction1) / (np.sqrt(v / correction2) + self.eps)


OPTIMIZERS = {"sgd": SGD, "adam": Adam}
