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


def resume():
    """Enable the collector again without the pass its next allocation would start.

    While the collector is off, the count of new objects keeps growing, so the first
    allocation after `gc.enable()` runs a young-generation collection over everything made
    meanwhile: after `rnn.unroll` of 1 000 steps, 40 ms spent walking a graph that has no
    cycles (a quarter of the op-level forward + backward). `gc.freeze()` moves every tracked
    object to the permanent generation and resets that count in constant time;
    `gc.unfreeze()` then hands them all to the oldest generation, where cyclic garbage is
    still found by the next full collection. A program that froze objects itself
    (`gc.freeze()` before a fork) keeps them frozen: then the collector is simply enabled.
    `gc.get_freeze_count()` walks the frozen list (17 ms for the 165 000 objects of NumPy,
    PyTorch and this package; constant time when nothing is frozen), so it is asked only
    after a large pause, and once it has found frozen objects it is not asked again: from
    then on the collector is simply enabled (a program that unfreezes later only loses the
    constant-time exit, and objects it freezes are never handed back).
    """
    if gc.get_count()[0] > _YOUNG and not _seen_frozen:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        else:
            _remember_frozen()
    gc.enable()


_YOUNG = 10 * gc.get_threshold()[0]
"""Below this many new objects the young collection is cheap: leave it to run as usual."""

_seen_frozen = False
"""True once `resume` has found objects the program froze itself (then it stops asking)."""


def _remember_frozen():
    global _seen_frozen
    _seen_frozen = True


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
            resume()


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
            resume()
