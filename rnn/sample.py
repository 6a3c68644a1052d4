"""Sampling text from a trained character model, one character at a time."""
from __future__ import annotations

import numpy as np

import autodiff as ad

from .errors import RNNError
from .model import Recurrence
from .unrolling import Builder, Context
from .window import WindowDNN


def _distribution(logits, temperature):
    z = logits / temperature
    e = np.exp(z - z.max())
    return e / e.sum()


class _Stepper:
    """Feeds one input at a time and returns o^(t): the carried state for a recurrent cell
    (O(1) per character), the last `width` inputs for the window network, the whole history
    for layered models."""

    def __init__(self, model):
        self.model, self.t, self.inputs, self.targets = model, 0, [], []
        self.nb = Builder({}, model.scope)
        # teacher forcing reads y^(t-1) at step t: the target of step t-1 is the input x^(t)
        self.ctx = Context(self.targets, None, 1)
        self.prev = model.initial_state(self.nb, 1) if isinstance(model, Recurrence) else None

    def feed(self, x, token):
        model = self.model
        self.t += 1
        self.inputs.append(ad.Tensor(x, role="input"))
        if self.t >= 2:
            self.targets.append(np.array([token]))
        if self.prev is not None:
            produced = model.step(self.nb, self.t, self.inputs[-1], self.prev, self.ctx)
            self.prev = {kind: produced[kind] for kind in model.carry}
            o = produced.get("o") or model.logits(self.nb, self.t, produced["h"])
            return o.value[:, 0]
        history = self.inputs[-model.width:] if isinstance(model, WindowDNN) else self.inputs
        h = model.sequence(self.nb, history, None, self.ctx)[-1]
        return model.logits(self.nb, len(history), h).value[:, 0]


def sample(model, vocab, length=200, prime="the ", seed=0, temperature=1.0):
    """Generate `length` characters after `prime` from a model trained on next-character prediction.

    The prime is fed one character at a time; then each next character is drawn from
    softmax(o^(t) / temperature) (yhat^(t), eq. 10.11, at temperature 1) with
    ``numpy.random.default_rng(seed)`` and fed back as the input x^(t+1).
    """
    if model.outputs != "every" or model.n_in != len(vocab) or model.n_out != len(vocab):
        raise RNNError(f"sampling needs a character model with n_in = n_out = {len(vocab)} and outputs='every'")
    if temperature <= 0:
        raise RNNError(f"temperature={temperature} must be positive")
    if not prime:
        raise RNNError("give a non-empty prime string to start from")
    rng = np.random.default_rng(seed)
    ids = list(vocab.encode(prime))
    stepper = _Stepper(model)
    eye = np.eye(len(vocab))
    logits = None
    for token in ids:
        logits = stepper.feed(eye[:, [token]], token)
    out = []
    for _ in range(length):
        token = int(rng.choice(len(vocab), p=_distribution(logits, temperature)))
        out.append(token)
        logits = stepper.feed(eye[:, [token]], token)
    return prime + vocab.decode(out)
