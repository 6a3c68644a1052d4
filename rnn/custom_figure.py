"""``gradbook draw path/to/cell.py:NAME``: the unrolled figure of a lecturer's own cell.

The figure is the book's (Fig. 10.3 style, `rnn.figures.book.unrolled`) drawn from a real
`rnn.unroll` of the cell (`rnn.custom`): one circle per carried state and step, x, o, L and
y as in the book, the edges labelled with the parameters that carry them; ``--view folded``
and ``--view backward`` (gradient edges, the paths to a parameter highlighted) as for the
built-in cells.
"""
from __future__ import annotations

import numpy as np

import rnn
from rnn.figures import catalog
from rnn.figures.book import BOOK_KINDS, unrolled
from rnn.figures.bptt import backward_view
from rnn.figures.folded import fold
from rnn.figures.themes import FigureOptionError

VIEWS = ("unrolled", "folded", "backward")


def is_cell_file(kind):
    """Whether a figure kind names a cell file (``cells.py`` or ``cells.py:NAME``)."""
    return bool(kind) and kind.partition(":")[0].endswith(".py")


def _targets(spec, tau, K):
    if spec.loss == "squared":
        y = np.random.default_rng(1).normal(size=(tau, K, 1)).round(2)
        return y if spec.outputs == "every" else y[-1]
    y = catalog.targets(tau, K)
    return y if spec.outputs == "every" else y[-1]


def figure(target, steps=None, view=None, values=False, grads=False, truncate=None):
    """(made, name): the figure of the cell `target` and the cell's name for the file."""
    from rnn.custom import load_cell
    spec = load_cell(target)
    view = view or "unrolled"
    if view not in VIEWS:
        raise FigureOptionError(f"a cell's figure has the views {', '.join(VIEWS)}; got --view {view}")
    if truncate is not None:
        raise FigureOptionError("--truncate draws the built-in truncated-bptt figure; drop it for a cell file")
    tau = steps or 3
    model = spec.model(catalog.N_IN, catalog.HIDDEN, catalog.N_OUT, seed=0)
    u = rnn.unroll(model, catalog.inputs(tau), _targets(spec, tau, catalog.N_OUT))
    kinds = tuple(dict.fromkeys(BOOK_KINDS + tuple(spec.state)))
    if view == "folded":
        return fold(unrolled(u, kinds)), spec.name
    made = backward_view(u, parameter="W" if "W" in spec.params else next(iter(spec.params)), kinds=kinds) \
        if view == "backward" else unrolled(u, kinds)
    return catalog._annotate(made, catalog.Request(tau, view, values, grads), u), spec.name
