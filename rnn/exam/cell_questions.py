"""Questions on a lecturer's own cell: ``cell = "relu_rnn.py:relu_rnn"`` in a question file.

The cell (`rnn.custom`) is loaded from a path relative to the TOML file, and a question on it
is checked like a built-in one: `rnn.exam.context` unrolls the cell's model at random points,
runs the engine's reverse mode and reads the asked gradient (grad_W, or an adjoint such as
grad_h[t], eqs 10.18-10.28 for the cell's own graph) from the node's ``.grad``. An answer may
name the cell's node kinds (a, h, o, yhat, z, f ...), its parameters (W, W_s ...), their
adjoints and x, y, tau.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from autodiff.errors import GradbookError

from .questions import QuestionError

MODEL = "cell"
"""The `Question.model` of a question on a lecturer's cell."""

_PROBE = (2, 3, 4)       # n_in, H, K of the unrolling that lists the cell's node kinds
_ALWAYS = frozenset({"x", "y", "tau"})


def load_question_cell(text, toml_path, where):
    """The `CustomCell` named by ``cell = "path.py:NAME"``, the path relative to the TOML file."""
    from rnn.custom import load_cell
    if not isinstance(text, str) or not text.strip():
        raise QuestionError(f"{where}: cell must be a string such as \"relu_rnn.py:relu_rnn\"")
    head, sep, name = text.rpartition(":")
    path_text = head if sep and name.isidentifier() else text
    path = Path(path_text)
    if not path.is_absolute():
        path = Path(toml_path).parent / path
    target = f"{path}:{name}" if sep and name.isidentifier() else str(path)
    try:
        return load_cell(target)
    except GradbookError as exc:
        raise QuestionError(f"{where}: cell = {text!r}: {exc}") from None


def cell_names(spec):
    """The names an answer on `spec` may use: every node kind of its unrolled graph and every
    parameter, their adjoints grad_<name>, and x, y, tau."""
    import rnn
    n_in, hidden, classes = _PROBE
    model = spec.model(n_in, hidden, classes)
    tau = spec.depth + 2
    state = {key: np.zeros((model.state_size(key), 1)) for key in model.carry}
    y = spec.sample_targets(np.random.default_rng(0), tau, classes)
    try:
        unrolled = rnn.unroll(model, np.zeros((tau, n_in, 1)), y, h0=state)
    except GradbookError:
        raise
    except Exception as exc:  # the lecturer's step function: whatever it raises is one line
        raise QuestionError(f"cell {spec.name}: its step raised {type(exc).__name__} on n_in, H, K = {_PROBE} "
                            f"({exc}); check its parameter names and the shapes of its products") from None
    kinds = {node.meta["kind"] for node in unrolled.nodes.values() if node.meta.get("kind")}
    kinds = {kind for kind in kinds | set(model.params) if kind.replace("_", "").isalnum()}
    return frozenset(kinds | {f"grad_{kind}" for kind in kinds} | _ALWAYS)

