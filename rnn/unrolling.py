"""Unrolling through time: one ordinary `autodiff` graph for a whole sequence.

`unroll(model, x, y)` runs the model's step for t = 1..tau, then the output layer and the
loss, and names every node as the book does: ``x_t a_t h_t o_t yhat_t L_t`` and ``L``, with
labels such as ``\\mathbf{h}^{(3)}``, ``meta={'t': 3, 'kind': 'h'}``, h^(0) an explicit leaf
``h_0`` and each parameter a single shared node. ``u.loss.backward()`` is then BPTT by the
engine's reverse mode (eqs 10.17-10.28).

Truncated BPTT with k steps (``truncate=k``): the loss L^(t) back-propagates through at
most k steps, t-k+1..t, exactly as `rnn.bptt.truncated_bptt`. Its graph therefore starts from
a detached copy of h^(t-k) (a constant leaf ``h_{t-k}_cut`` with ``meta['cut'] = True``),
recomputes h^(t-k+1..t-1) as copies named ``h_s~t`` and ends at the shared h^(t); the
severed edges are listed in ``u.cut_edges`` as (from, to) node names. The truncated gradient
drops every term of lag >= k, so it is biased towards short-term dependencies (see
`rnn.bptt.truncated_bptt`); with k >= tau it is the full gradient.
"""
from __future__ import annotations

import numpy as np

import autodiff as ad
from autodiff.tensor import ROLES, input_leaf, recording
from autodiff.collector import paused

from .errors import RNNError
from .names import Scope

LOSSES = ("sum", "mean")
LEVELS = ("op", "cell")
STANDARD_KINDS = ("x", "a", "h", "o", "yhat", "L")
_FLOAT64 = np.dtype(np.float64)


class _Record:
    """What the builders of one unrolled graph share: its named nodes, the op nodes created
    since the last stamp (`created`, filled by `autodiff.tensor.recording` while `unroll`
    builds; None elsewhere) and the creation number (`Tensor.seq`) of the newest node
    already stamped with its time step."""

    __slots__ = ("nodes", "created", "stamped")

    def __init__(self, nodes, created=None):
        self.nodes, self.created, self.stamped = nodes, created, -1


class Builder:
    """Names, labels and records the nodes of one unrolled graph (in `nodes`, by name)."""

    __slots__ = ("record", "nodes", "scope", "copy_for")

    def __init__(self, nodes, scope=None, copy_for=None):
        self.record = nodes if isinstance(nodes, _Record) else _Record(nodes)
        self.nodes, self.scope, self.copy_for = self.record.nodes, scope or Scope(), copy_for

    def node(self, tensor, kind, t, role="intermediate"):
        """Tag `tensor` as the node ``<kind>_<t>`` (its name, book label, role, meta t and kind)."""
        name, label = self.scope.name_and_label(kind, t, self.copy_for)
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r} for {name}; use one of {', '.join(ROLES)}")
        # Tensor.tag's assignments, inlined: this runs for every node of every unroll
        tensor.name, tensor.role, tensor._label = name, role, label
        meta = tensor.meta
        meta["t"], meta["kind"] = t, kind
        if self.copy_for is not None:
            meta["copy_for"] = self.copy_for
        self.nodes[name] = tensor
        return tensor

    def leaf(self, value, kind, t, role="input", requires_grad=False):
        """A new named leaf (an input x^(t), an initial state h^(0), a target y^(t)...)."""
        if role == "input" and not requires_grad and type(value) is np.ndarray and value.dtype is _FLOAT64:
            leaf = input_leaf(value, None, None, {})  # the x^(t) of every step: no conversion
        else:
            dtype = np.asarray(value).dtype
            leaf = ad.Tensor(value, role=role, requires_grad=requires_grad,
                             dtype=dtype if dtype.kind in "iu" else None)
        return self.node(leaf, kind, t, role=role)

    def scoped(self, scope):
        """A builder for one layer (its nodes prefixed, e.g. ``l2.h_3``), sharing the record."""
        return Builder(self.record, scope, self.copy_for)

    def copy(self, t_loss):
        """A builder for the recomputed steps that only the truncated loss L^(t_loss) sees."""
        return Builder(self.record, self.scope, t_loss)

    def stamp(self, roots, t):
        """Give the unnamed nodes of step t (W h^(t-1), U x^(t)...) ``meta['t'] = t`` too.

        Steps are stamped as they are built, so only nodes created since the last stamp
        are new. While `unroll` builds, they are the ones `recording` collected, in
        creation order; a builder outside it (sampling) walks back from `roots` instead,
        stopping at older nodes (a smaller ``seq``), so each node is visited once.
        """
        created = self.record.created
        if created is not None:
            copy_for = self.copy_for
            for node in created:
                meta = node.meta
                if "t" not in meta:
                    meta["t"] = t
                elif meta["t"] != t:
                    continue
                if copy_for is not None:
                    meta.setdefault("copy_for", copy_for)
            if created:
                self.record.stamped = created[-1].seq
                created.clear()
            return
        since = self.record.stamped
        stack = [r for r in roots if r.prim is not None and r.seq > since]
        newest, seen = since, set()
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            if node.seq > newest:
                newest = node.seq
            meta = node.meta
            if "t" not in meta:
                meta["t"] = t
            elif meta["t"] != t:
                continue
            if self.copy_for is not None:
                meta.setdefault("copy_for", self.copy_for)
            for i in node.inputs:
                if i.prim is not None and i.seq > since:
                    stack.append(i)
        self.record.stamped = newest


class Steps:
    """The nodes of one kind indexed by time step: ``u.h[3]`` is h^(3), ``u.h[0]`` is h^(0)."""

    def __init__(self, unrolled, kind):
        self._u, self._kind = unrolled, kind

    def __getitem__(self, t):
        return self._u.node(self._kind, t)

    def keys(self):
        return sorted(t for t in range(self._u.tau + 1) if self._u.has(self._kind, t))

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        return len(self.keys())

    def __contains__(self, t):
        return self._u.has(self._kind, t)

    def values(self):
        return [self[t] for t in self.keys()]

    def items(self):
        return [(t, self[t]) for t in self.keys()]

    def __repr__(self):
        return f"<{self._kind}^(t) for t in {self.keys()}>"


class Unrolled:
    """An unrolled network: its loss, its graph and every named node.

    ``u.loss`` is the node ``L`` (None without targets); ``u.graph`` the `autodiff.Graph` of
    the loss together with the outputs yhat^(t) (of the last h^(tau) without targets);
    ``u.node('h', 3)`` or ``u.h[3]`` is h^(3); ``u.cut_edges`` the (from, to) node names of the
    edges truncated BPTT cuts.
    """

    def __init__(self, model, tau, batch, level="op"):
        self.model, self.tau, self.batch, self.level = model, tau, batch, level
        self.nodes = {}
        self.loss = None
        self.cut_edges = []
        self.state_scope = getattr(model, "output_scope", model.scope)
        self._graph = None

    @property
    def params(self):
        return self.model.params

    @property
    def graph(self):
        if self._graph is None:
            roots = [self.loss] if self.loss is not None else []
            roots += self.yhat.values() if self.model.head == "softmax" else []
            if not roots:
                roots = [self.nodes["O"] if "O" in self.nodes else self.h[self.tau]]
            self._graph = ad.trace(roots)
        return self._graph

    def _name(self, kind, t):
        return kind if t is None else f"{kind}_{t}"

    def has(self, kind, t=None):
        name = self._name(kind, t)
        return name in self.nodes or self.state_scope.prefix + name in self.nodes

    def node(self, kind, t=None):
        """The node ``<kind>_<t>`` (or the parameter / loss called `kind` when t is None)."""
        name = self._name(kind, t)
        for candidate in (name, self.state_scope.prefix + name):
            if candidate in self.nodes:
                return self.nodes[candidate]
        if t is None and kind in self.model.params:
            return self.model.params[kind]
        shown = ", ".join(sorted(self.nodes)[:12])
        raise KeyError(f"no node named {name!r} in this unrolled graph; some names: {shown}, ...")

    def __getattr__(self, kind):
        if kind.startswith("_") or kind in ("nodes", "model", "tau"):
            raise AttributeError(kind)
        if kind in STANDARD_KINDS or any(self.has(kind, t) for t in range(self.tau + 1)):
            return Steps(self, kind)
        raise AttributeError(f"{type(self).__name__} has no attribute or node kind {kind!r}")

    def __repr__(self):
        return (f"<Unrolled {type(self.model).__name__} tau={self.tau} batch={self.batch} "
                f"level={self.level!r} nodes={len(self.nodes)}>")


class Context:
    """What a step may need besides its inputs: the targets (teacher forcing), tau, batch."""

    __slots__ = ("targets", "tau", "batch")

    def __init__(self, targets, tau, batch):
        self.targets, self.tau, self.batch = targets, tau, batch


# ----- checks -------------------------------------------------------------------------------

def _check_x(model, x):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3 or x.shape[1] != model.n_in or x.shape[0] < 1:
        raise RNNError(f"x has shape {x.shape}; expected (tau, n_in={model.n_in}, batch) with tau >= 1")
    return x


def _check_targets(model, y, tau, batch):
    if y is None:
        return None
    y = np.asarray(y)
    K = model.n_out
    if model.head == "linear":
        shape = (tau, K, batch) if model.outputs == "every" else (K, batch)
        y = y.astype(np.float64)
        if model.outputs == "last" and K == 1 and y.shape in ((batch,), ()):
            y = y.reshape(1, batch)
        if y.shape != shape:
            raise RNNError(f"regression targets y have shape {y.shape}; expected {shape}")
        return y
    if y.dtype.kind not in "iu":
        raise RNNError(f"targets y have dtype {y.dtype}; give integer class ids (e.g. y.astype(int))")
    shape = (tau, batch) if model.outputs == "every" else (batch,)
    if model.outputs == "last" and y.shape == () and batch == 1:
        y = y.reshape(1)
    if y.shape != shape:
        raise RNNError(f"targets y have shape {y.shape}; expected {shape} "
                       f"({'one class per step' if model.outputs == 'every' else 'one class per sequence'})")
    if y.size and (y.min() < 0 or y.max() >= K):
        raise RNNError(f"targets y must lie in 0..{K - 1}; got {y.min()}..{y.max()}")
    return y


# ----- outputs and losses -------------------------------------------------------------------

def _outputs(model, nb, t, produced):
    """o^(t) (eq. 10.10) and, for a softmax head, yhat^(t) = softmax(o^(t)) (eq. 10.11)."""
    o = produced.get("o")
    if o is None:
        o = produced["o"] = model.logits(nb, t, produced["h"])
    if model.head == "softmax":
        produced["yhat"] = nb.node(ad.softmax(o), "yhat", t)
    return produced


def _step_loss(model, nb, t, o, target):
    """L^(t) = -sum_batch log yhat^(t)[y^(t)] (eqs 10.12-10.14), via log_softmax so that
    grad_o L^(t) = yhat^(t) - onehot(y^(t)) (eq. 10.18); a linear head gives 1/2 ||o - y||^2."""
    if model.head == "softmax":
        logp = ad.log_softmax(o)
        logp.tag(label=nb.scope.name_and_label("logyhat", t)[1], t=t)
        y = nb.leaf(target, "y", t, role="constant")
        return nb.node(ad.nll(logp, y), "L", t, role="loss")
    y = nb.leaf(target, "y", t, role="constant")
    diff = o - y
    return nb.node(0.5 * ad.sum(diff * diff), "L", t, role="loss")


def _total_loss(u, losses, reduction):
    """L = sum_t L^(t) (the book, no 1/tau), or divided by the number of terms L^(t) alone
    (tau; the batch stays summed, unlike d2l.ai's mean over batch and time)."""
    if len(losses) == 1:
        total = losses[0]
        u.nodes["L"] = total
        return total.tag(name="L", label="L", role="loss")
    total = ad.sum(ad.stack(*losses))
    if reduction == "mean":
        total = total / len(losses)
    total.tag(name="L", role="loss", label=r"\frac{1}{\tau}\sum_t L^{(t)}" if reduction == "mean" else "L",
              kind="L", reduction=reduction)
    u.nodes["L"] = total
    return total


# ----- the recurrence, step by step -----------------------------------------------------------

def _advance(model, nb, t, x, prev, ctx, with_outputs):
    produced = model.step(nb, t, x, prev, ctx)
    if with_outputs:
        _outputs(model, nb, t, produced)
    nb.stamp(list(produced.values()), t)
    return produced


def _cut(u, nb, carried, s):
    """Detached copies of the state of step s: where a truncated loss's graph starts."""
    cut = {}
    for kind, node in carried.items():
        if not node.requires_grad:
            cut[kind] = node  # a constant (the input x^(t-1) the printed GRU carries) needs no cut
            continue
        leaf = ad.Tensor(node.value, name=f"{node.name}_cut", role="constant",
                         label=rf"{node.label}_{{\mathrm{{cut}}}}",
                         meta={"t": s, "kind": kind, "cut": True, "source": node.name})
        nb.nodes[leaf.name] = leaf
        u.cut_edges.append((node.name, leaf.name))
        cut[kind] = leaf
    return cut


def _unroll_recurrence(u, model, nb, xs, ctx, h0, truncate):
    """Time-major loop: step t from the state of t-1 (or, truncated, from a cut at t-k)."""
    tau = len(xs)
    needs_outputs = "yhat" in model.carry
    carried = {0: model.initial_state(nb, ctx.batch, h0)}
    produced_at = {}
    for t in range(1, tau + 1):
        with_outputs = needs_outputs or model.outputs == "every" or t == tau
        if truncate is None or t - truncate <= 0:
            prev = carried[t - 1]
        else:
            start = t - truncate
            prev = _cut(u, nb, carried[start], start)
            branch = nb.copy(t)
            for s in range(start + 1, t):
                step = _advance(model, branch, s, xs[s - 1], prev, ctx, needs_outputs)
                prev = {kind: step[kind] for kind in model.carry}
        produced = _advance(model, nb, t, xs[t - 1], prev, ctx, with_outputs)
        carried[t] = {kind: produced[kind] for kind in model.carry}
        produced_at[t] = produced
    return produced_at


def _unroll_layers(model, nb, xs, ctx, h0):
    """Layer by layer (deep, bidirectional, window models): h^(1..tau), then the outputs."""
    hs = model.sequence(nb, xs, h0, ctx)
    produced_at = {}
    for t, h in enumerate(hs, start=1):
        if model.outputs == "every" or t == len(hs):
            produced = _outputs(model, nb, t, {"h": h})
            nb.stamp(list(produced.values()), t)
            produced_at[t] = produced
    return produced_at


@paused()  # the graph holds no cycles: no collector runs while it grows (autodiff.collector)
def unroll(model, x, y=None, h0=None, loss="sum", truncate=None, level="op"):
    """Unroll `model` over the inputs x (tau, n_in, B) into one graph, with loss if y is given.

    y: integer targets (tau, B), or (B,) (a scalar for B = 1) when the model reads only
    o^(tau) (Fig. 10.5); float (tau, K, B) / (K, B) for a linear head. h0: h^(0) (H, B), zeros
    by default (o^(0) for `OutputRNN`; ``{'h': ..., 's': ...}`` for the LSTM). loss: 'sum' is
    the book's L = sum_t L^(t) (eqs 10.12-10.14), 'mean' divides by the number of terms
    L^(t) only (tau; the batch is still summed, unlike d2l.ai's mean over batch and time). truncate: k for truncated BPTT (see the module docstring).
    level: 'op' builds every primitive; 'cell' one node per step (`rnn.cell_ops`).
    """
    if loss not in LOSSES:
        raise RNNError(f"loss={loss!r} is unknown; use 'sum' (the book, no 1/tau) or 'mean' (divides by tau only, the batch stays summed)")
    if level not in LEVELS:
        raise RNNError(f"level={level!r} is unknown; use 'op' (every primitive) or 'cell' (one node per step)")
    if truncate is not None and (not isinstance(truncate, (int, np.integer)) or truncate < 1):
        raise RNNError(f"truncate={truncate!r} must be a positive number of steps k, or None for full BPTT")
    x = _check_x(model, x)
    tau, _, batch = x.shape
    y = _check_targets(model, y, tau, batch)
    if level == "cell":
        from .cell_unroll import unroll_cells
        return unroll_cells(model, x, y, h0, loss, truncate)
    u = Unrolled(model, tau, batch)
    record = _Record(u.nodes, created=[])
    with recording(record.created):
        _unroll_ops(u, model, record, x, y, h0, loss, truncate)
    return u


def _unroll_ops(u, model, record, x, y, h0, loss, truncate):
    """The op-level graph of `unroll`, built into `u` (`record` collects the new op nodes)."""
    tau, _, batch = x.shape
    nb = Builder(record, model.scope)
    top = Builder(record)
    xs = [top.leaf(x[t - 1], "x", t) for t in range(1, tau + 1)]
    ctx = Context(y, tau, batch)
    if hasattr(model, "step"):
        produced_at = _unroll_recurrence(u, model, nb, xs, ctx, h0, truncate)
    else:
        if truncate is not None:
            raise RNNError(f"truncate is implemented for single recurrent cells, not {type(model).__name__}; "
                           f"unroll it with truncate=None")
        produced_at = _unroll_layers(model, nb, xs, ctx, h0)
    if y is not None:
        steps = range(1, tau + 1) if model.outputs == "every" else (tau,)
        losses = []
        for t in steps:
            target = y[t - 1] if model.outputs == "every" else y
            losses.append(_step_loss(model, nb, t, produced_at[t]["o"], target))
            nb.stamp([losses[-1]], t)
        u.loss = _total_loss(u, losses, loss)
