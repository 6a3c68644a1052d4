"""Pausing Python's cyclic garbage collector while a graph is built or back-propagated.

A graph holds no reference cycles (children point at parents only, see `autodiff.tensor`),
so reference counting frees it and the cycle collector has nothing to find in it. But the
collector runs whenever enough container objects have been allocated, and every full
collection walks every live object: an unrolled graph of tau steps is built and swept by
O(tau) collections of O(tau) objects each, quadratic in tau (about 950 collections and
0.9 s of a 3.4 s backward pass at tau = 20 000 before this).
"""
from __future__ import annotations

import gc
from contextlib import contextmanager


def run_paused(fn, *args):
    """``fn(*args)`` with the collector disabled, restored after (the per-call form of
    `paused`, cheaper than entering a context manager: the backward pass of a two-node graph
    takes a few microseconds)."""
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        return fn(*args)
    finally:
        if enabled:
            gc.enable()


@contextmanager
def paused():
    """Disable the cyclic collector inside the block and restore its previous state after.

    Nested blocks are fine: only the outermost one that found the collector enabled
    enables it again, also when the block raises.
    """
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
