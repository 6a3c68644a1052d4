"""Process-wide switches: symbolic evaluation and anomaly detection.

One small mutable object, read on every primitive call, so switching costs one attribute
look-up rather than an argument threaded through every function.
"""
from __future__ import annotations

from contextlib import contextmanager


class _State:
    __slots__ = ("symbolic", "anomaly")

    def __init__(self):
        self.symbolic = False
        self.anomaly = False


state = _State()


@contextmanager
def _switched_on(name):
    old = getattr(state, name)
    setattr(state, name, True)
    try:
        yield
    finally:
        setattr(state, name, old)


def symbolic():
    """Evaluate primitives with their SymPy forwards (object arrays of SymPy expressions)."""
    return _switched_on("symbolic")


def detect_anomaly():
    """Raise `AnomalyError` naming the first node whose value (or gradient) is NaN or Inf."""
    return _switched_on("anomaly")
