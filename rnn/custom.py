"""Bring your own cell: a lecturer's recurrence, written as a Python step function (issue 17).

    import autodiff as ad
    from rnn.custom import cell

    @cell(params={"U": ("H", "n_in"), "W": ("H", "H"), "b": ("H", 1)}, title="ReLU RNN")
    def relu_rnn(p, x, prev, t):
        a = p["b"] + p["W"] @ prev["h"] + p["U"] @ x          # eq. 10.8
        return {"a": a, "h": ad.relu(a)}                     # eq. 10.9 with ReLU for tanh

The step reads the parameters ``p``, the input x^(t), the previous state ``prev`` (``prev["h"]``
is h^(t-1); with ``state={"h": 2}`` also ``prev["h", 2]``, h^(t-2)) and t, and returns its
named nodes ``{kind: Tensor}``; every kind is then a node ``<kind>_t`` labelled in book
notation. Unless the step returns o^(t) itself, the output layer o^(t) = c + V h^(t) of
eq. 10.10 follows, and V, c are declared for you. ``loss="nll"`` reads o^(t) through a
softmax with the negative log-likelihood of eqs 10.12-10.14 (integer targets);
``loss="squared"`` is L^(t) = 1/2 ||o^(t) - y^(t)||^2 (float targets).

The decorated function becomes a `CustomCell`: ``relu_rnn.model(n_in, hidden, n_out)`` is
a model for `rnn.unroll` and `rnn.train`; `rnn.derive.derive_custom` derives its BPTT.
`load_cell("cells.py:relu_rnn")` imports a lecturer's file (their own code, run as Python).
"""
from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import autodiff as ad

from .errors import RNNError
from .model import Recurrence
from .names import GLYPHS, SYMBOLS, bold, is_parameter

LOSSES = {"nll": "softmax", "squared": "linear"}
"""Loss -> output head: NLL of a softmax (eqs 10.11-10.14) or squared error of a linear output."""

DIMENSIONS = ("H", "n_in", "K")
RESERVED = frozenset({"x", "y", "yhat", "L", "logyhat", "yprev"})
"""Kinds the unrolling names itself: inputs, targets, outputs and losses."""

_KIND = re.compile(r"^[A-Za-z]$")


def _check_kind(kind, cell_name):
    if kind in RESERVED or not (kind in GLYPHS or _KIND.match(kind)):
        known = ", ".join(sorted(set(GLYPHS) - RESERVED))
        raise RNNError(f"cell {cell_name}: node kind {kind!r} has no book notation; name it with one letter "
                       f"(printed bold) or one of {known}")


def _shape(spec, name, cell_name):
    if not isinstance(spec, tuple) or len(spec) != 2 or not all(
            d in DIMENSIONS or (isinstance(d, int) and d >= 1) for d in spec):
        raise RNNError(f"cell {cell_name}: parameter {name} has shape {spec!r}; give two of "
                       f"{', '.join(DIMENSIONS)} or positive integers, e.g. ('H', 'n_in') or ('H', 1)")
    return spec


@dataclass(frozen=True)
class CustomCell:
    """A recurrence a lecturer wrote: the step function and what the book notation needs."""

    step: object
    name: str
    title: str
    params: dict                      # name -> (rows, cols) over H, n_in, K or integers
    state: dict                       # carried kind -> how many steps back it is read (1: t-1)
    loss: str = "nll"
    outputs: str = "every"
    adjoints: tuple | None = None     # kinds whose adjoint is named; None: every returned kind and o
    book: dict = field(default_factory=dict)  # equation key ('h', 'h@tau', 'W') -> number shown

    @property
    def head(self):
        return LOSSES[self.loss]

    @property
    def depth(self):
        """The furthest step back the recurrence reads: 2 for a skip connection over h^(t-2)."""
        return max(self.state.values())

    def shapes(self, H, n_in, K):
        size = dict(zip(DIMENSIONS, (H, n_in, K)))
        return {n: tuple(size.get(d, d) for d in s) for n, s in self.params.items()}

    def model(self, n_in, hidden, n_out, seed=0):
        """A model of this cell for `rnn.unroll`, `rnn.train` and the derivation."""
        return CustomRNN(self, n_in, hidden, n_out, seed=seed)

    def model_for(self, task, hidden, seed=0):
        """A model sized for an `rnn.tasks` task (`rnn.train.train(cell=this_cell, ...)`)."""
        if (task.outputs, task.head) != (self.outputs, self.head):
            raise RNNError(f"cell {self.name} has outputs={self.outputs!r}, loss={self.loss!r}; task {task.name} "
                           f"needs outputs={task.outputs!r} with a {task.head} output")
        return self.model(task.n_in, hidden, task.n_out, seed=seed)

    def sample_targets(self, rng, tau, K):
        """Targets in the form `rnn.unroll` takes for this cell: class indices for the NLL
        (eq. 10.14), float columns for the squared error; one per step, or for o^(tau) only."""
        if self.loss == "nll":
            return rng.integers(0, K, size=(tau, 1) if self.outputs == "every" else (1,))
        return rng.normal(size=(tau, K, 1) if self.outputs == "every" else (K, 1))

    def example_graph(self, steps=3, hidden=3, n_in=2, n_out=2, seed=0):
        """The op-level graph of this cell unrolled on `steps` small random steps, after
        ``backward()``: ``gradbook graph --rnn cell.py:NAME --listing`` or ``--step-through``."""
        import rnn
        rng = np.random.default_rng(seed)
        model = self.model(n_in, hidden, n_out, seed=seed)
        try:
            u = rnn.unroll(model, rng.normal(size=(steps, n_in, 1)), self.sample_targets(rng, steps, n_out))
        except ad.GradbookError:
            raise
        except Exception as exc:  # the lecturer's step function: whatever it raises is one line
            raise RNNError(f"cell {self.name}: its step raised {type(exc).__name__} ({exc}); check its parameter "
                           f"names and the shapes of its products") from None
        u.loss.backward()
        return u.graph

    def __repr__(self):
        return f"<cell {self.name}: {self.title}>"

    def __str__(self):
        return self.name

    def __call__(self, *args, **kwargs):
        return self.step(*args, **kwargs)


def cell(params, state=("h",), loss="nll", title=None, outputs="every", adjoints=None, book=None, name=None):
    """Decorator: the step function ``(p, x, prev, t) -> {kind: Tensor}`` as a `CustomCell`.

    params: {name: (rows, cols)} with U V W b c and gate suffixes (W_f is W^f, eq. 10.40);
    V (K, H) and c (K, 1) are added when absent. state: the carried kinds, or {kind: depth}
    to read further back (``{"h": 2}`` gives ``prev["h", 2]`` = h^(t-2)). loss: ``nll`` or
    ``squared``. outputs: ``every`` step or the ``last`` (Fig. 10.5). adjoints: the kinds
    whose adjoint grad_{k^(t)} L the derivation names (default: every kind the step returns,
    and o). book: equation numbers to print beside the derived equations.
    """
    def wrap(fn):
        cell_name = name or fn.__name__
        if loss not in LOSSES:
            raise RNNError(f"cell {cell_name}: loss={loss!r} is unknown; use 'nll' (softmax, eq. 10.18) or 'squared'")
        if outputs not in ("every", "last"):
            raise RNNError(f"cell {cell_name}: outputs={outputs!r} is unknown; use 'every' or 'last'")
        declared = dict(params)
        declared.setdefault("V", ("K", "H"))
        declared.setdefault("c", ("K", 1))
        for pname, spec in declared.items():
            if not is_parameter(pname):
                raise RNNError(f"cell {cell_name}: parameter name {pname!r} has no book notation; use U, V, W, "
                               f"b or c, with a gate suffix such as W_f (printed W^f)")
            _shape(spec, pname, cell_name)
        carried = dict.fromkeys(state, 1) if not isinstance(state, dict) else dict(state)
        for kind, depth in carried.items():
            _check_kind(kind, cell_name)
            if not isinstance(depth, int) or not 1 <= depth <= 4:
                raise RNNError(f"cell {cell_name}: state {kind} reads {depth!r} steps back; give 1 to 4")
        for kind in adjoints or ():
            _check_kind(kind, cell_name)
        doc = (fn.__doc__ or "").strip().splitlines()
        return CustomCell(fn, cell_name, title or (doc[0] if doc else cell_name), declared, carried, loss,
                          outputs, None if adjoints is None else tuple(adjoints), dict(book or {}))
    return wrap


def _lag_key(kind, k):
    return f"{kind}@{k}"


class CustomRNN(Recurrence):
    """A `CustomCell` as a model: its parameters, carried state (with the earlier steps a
    skip connection reads) and the output layer of eq. 10.10 unless the step gives o^(t)."""

    def __init__(self, spec, n_in, hidden, n_out, seed=0):
        self.spec = spec
        super().__init__(n_in, hidden, n_out, seed=seed, outputs=spec.outputs, head=spec.head)

    @property
    def description(self):
        return f"{self.spec.title} (a lecturer's cell, {self.spec.name})"

    @property
    def carry(self):
        keys = list(self.spec.state)
        keys += [_lag_key(kind, k) for kind, depth in self.spec.state.items() for k in range(2, depth + 1)]
        return tuple(keys)

    def state_size(self, kind):
        base = kind.partition("@")[0]
        return self.n_out if base == "o" else self.hidden

    def _declare(self):
        out = []
        for pname, shape in self.spec.shapes(self.hidden, self.n_in, self.n_out).items():
            bias = pname[0] in "bc" and shape[1] == 1
            out.append((pname, shape, None if bias else shape[1]))
        return out

    def initial_state(self, nb, batch, given=None, t0=0):
        """h^(0), and for a state read k steps back also h^(-1) ... h^(1-k) (leaves ``h_-1``...)."""
        if given is not None and not isinstance(given, dict):
            given = {self.carry[0]: given}
        given = dict(given or {})
        lags = {key: given.pop(key, None) for key in self.carry if "@" in key}
        state = super().initial_state(nb, batch, {k: v for k, v in given.items() if "@" not in k} or None, t0)
        for key, value in lags.items():
            kind, k = key.split("@")
            shape = (self.state_size(kind), batch)
            value = np.zeros(shape) if value is None else np.asarray(value, dtype=np.float64)
            if value.shape != shape:
                raise RNNError(f"initial state {kind}_{t0 + 1 - int(k)} has shape {value.shape}; expected {shape}")
            state[key] = nb.leaf(value, kind, t0 + 1 - int(k), role="input", requires_grad=True)
        return state

    def step(self, nb, t, x, prev, ctx):
        """One step of the lecturer's function; its nodes named ``<kind>_t`` in book notation."""
        view = {kind: prev[kind] for kind in self.spec.state}
        for key in self.carry:
            if "@" in key:
                kind, k = key.split("@")
                view[kind, int(k)] = prev[key]
        produced = self.spec.step(self.params, x, view, t)
        if not isinstance(produced, dict) or not produced:
            raise RNNError(f"cell {self.spec.name}: the step must return a dict of its nodes, "
                           f"e.g. {{'h': h}}; it returned {type(produced).__name__}")
        for kind, node in produced.items():
            _check_kind(kind, self.spec.name)
            if not isinstance(node, ad.Tensor) or node.prim is None:
                raise RNNError(f"cell {self.spec.name}: {kind} must be a node the step computes with autodiff "
                               f"ops, not {'a leaf' if isinstance(node, ad.Tensor) else type(node).__name__}")
            nb.node(node, kind, t)
            if kind not in SYMBOLS:
                node.tag(label=f"{bold(kind)}^{{({t})}}")
        missing = [kind for kind in (*self.spec.state, "h" if "o" not in produced else "o") if kind not in produced]
        if missing:
            raise RNNError(f"cell {self.spec.name}: the step must return {missing[0]!r} (a carried state, "
                           f"or h for the output layer o = c + V h)")
        for kind, depth in self.spec.state.items():
            for k in range(2, depth + 1):
                produced[_lag_key(kind, k)] = view[kind] if k == 2 else view[kind, k - 1]
        return produced


def load_cell(target):
    """The `CustomCell` named in ``path/to/cell.py:NAME`` (NAME may be left out when the file
    defines one cell). The file is imported as Python: it is the lecturer's own code, as a
    pytest conftest.py is, never a string a student typed."""
    head, sep, attr = str(target).rpartition(":")
    path_text, attr = (head, attr) if sep and attr.isidentifier() else (str(target), "")
    path = Path(path_text)
    if path.suffix != ".py":
        raise RNNError(f"{target}: give a Python file and a cell, path/to/cell.py:NAME")
    if not path.is_file():
        raise RNNError(f"{path}: no such cell file")
    module_name = f"gradbook_cell_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except RNNError:
        raise
    except Exception as exc:  # the lecturer's code: any error it raises is reported in one line
        line = f" (line {exc.lineno})" if isinstance(exc, SyntaxError) else ""
        raise RNNError(f"{path}: importing it raised {type(exc).__name__}{line}: {exc}") from None
    finally:
        sys.modules.pop(module_name, None)
    cells = {k: v for k, v in vars(module).items() if isinstance(v, CustomCell)}
    if not attr:
        if len(cells) != 1:
            raise RNNError(f"{path}: defines {len(cells)} cells ({', '.join(cells) or 'none'}); "
                           f"name one as {path}:NAME")
        return next(iter(cells.values()))
    if attr not in cells:
        raise RNNError(f"{path}: no cell {attr!r}; its cells are {', '.join(cells) or 'none (decorate a step with rnn.custom.cell)'}")
    return cells[attr]
