"""Matrix-form BPTT derived by reverse accumulation over the unrolled graph.

The derivation reads a concretely unrolled graph (tau = 4, B = 1, H, n_in and K distinct so
a wrong product cannot type-check by accident) in three passes:

1. **Values.** Every tagged node becomes a book symbol (``h^(3)``, ``W``); untagged nodes get
   the expression of their primitive applied to their inputs' values. Tagged nodes remember
   their defining expression so that a formula rebuilt by a VJP (``softmax(o^(3))``) is
   recognised and renamed (``yhat^(3)``).
2. **Reverse accumulation** with the engine's own VJPs (``autodiff.ops``) evaluated on those
   symbols. When a node of a named kind (o, h, s, gates) has received all its contributions,
   its adjoint is recorded as an equation and replaced by the symbol grad_{k^(t)} L, exactly
   as the engine reuses each adjoint once (eq. 10.20). Parameters collect one contribution
   per step: the book's dummy copies W^(t) (eqs 10.22-10.28).
3. **Generalisation over t.** Each equation is shifted to the relative time t (and to tau at
   the end of the sequence). Steps with the same shifted form are one recurrence; the form
   must repeat at two or more interior steps, which is the check that it holds for every t.
   Parameter contributions with one shifted form become a sum over t.

Nothing here knows the book's answers: they come out of the VJPs and the simplification
rules of `algebra`.
"""
from __future__ import annotations

import numpy as np

import autodiff as ad
from autodiff.backward import backprop
from autodiff.ops import one_hot, sum_to
from rnn.expr.time import TimeIndex
from rnn.expr.tree import Add, Call, Grad, SumOverTime, Symbol, grad_of, walk

from . import algebra as al
from .algebra import Term
from .errors import DeriveError
from .graphs import Sample, cell as get_cell, unroll
from .results import Equation, MatrixDerivation

# Primitives whose NumPy forward already builds the matrix expression through dispatch.
_DISPATCHED = {"add", "sub", "mul", "div", "neg", "matmul", "transpose", "reshape", "broadcast_to",
               "sum", "pow"}

DERIVATION_TAU = 4
DERIVATION_SIZES = (3, 2, 4)   # H, n_in, K: distinct, so shapes identify the symbols


def symbol_for(node):
    """The book symbol of a tagged node or parameter, None for an untagged intermediate."""
    if node.role == "parameter":
        return Symbol(node.meta.get("copy_of", node.name), None, shape=node.shape)
    kind, t = node.meta.get("kind"), node.meta.get("t")
    if kind is None or kind == "L":
        return None
    return Symbol(kind, None if t is None else TimeIndex(None, t), shape=node.shape)


def _forward_expr(node, values):
    args = [values[i] for i in node.inputs]
    if node.op in _DISPATCHED:
        return al.lift(node.prim.forward(*args, **node.params))
    return al.call(node.op, (a.node for a in args if isinstance(a, Term)), node.shape)


def forward_values(roots):
    """Matrix-level value (a `Term`) of every node below `roots` (integer targets stay
    arrays), and {definition: symbol} of tagged ones."""
    values, names = {}, {}
    nodes = ad.Graph(roots).nodes
    for node in nodes:
        sym = symbol_for(node)
        if node.prim is None:
            if sym is None or node.value.dtype.kind in "iu":
                values[node] = node.value if node.value.dtype.kind in "iu" else Term(al.constant(node.value))
            else:
                values[node] = Term(sym)
            continue
        expr = _forward_expr(node, values)
        if sym is not None:
            names[expr] = sym
            values[node] = Term(sym)
        else:
            values[node] = Term(expr)
    return values, names, _steps(nodes)


def _steps(nodes):
    """The time step each node belongs to: its own t if tagged, else the earliest step of the
    tagged nodes it feeds (``b + W h^(t-1)`` belongs to step t, not t-1)."""
    consumers = {}
    for node in nodes:
        for i in node.inputs:
            consumers.setdefault(i, []).append(node)
    steps = {}
    for node in reversed(nodes):
        t = node.meta.get("t")
        if t is None:
            later = [steps[c] for c in consumers.get(node, ()) if steps[c] is not None]
            t = min(later, default=None)
        steps[node] = t
    return steps


def _target_names(node, values):
    """Name the one-hot columns a VJP builds from an integer target input as 1_{y^(t)}."""
    out = {}
    for inp in node.inputs:
        if inp.prim is None and inp.value.dtype.kind in "iu" and inp.meta.get("kind") == "y":
            axis = node.params.get("axis", 0)
            other = next(i for i in node.inputs if i is not inp)
            mask = one_hot(inp.value, other.shape[axis], axis=axis)
            target = Symbol("y", TimeIndex(None, inp.meta["t"]), shape=inp.shape)
            out[al.constant(mask)] = Call("onehot", (target,), shape=mask.shape)
    return out


def _consumer_targets(root, values):
    """{node: names of the one-hot columns its consumers' VJPs build}: a mask is renamed
    1_{y^(t)} by the consumer that read y^(t), since two steps may have equal targets."""
    out = {}
    for node in ad.Graph([root]).nodes:
        if node.prim is not None:
            for inp in node.inputs:
                out.setdefault(inp, {}).update(_target_names(node, values))
    return out


def reverse(root, values, names, steps, adjoint_kinds):
    """Reverse accumulation with named adjoints: (equations, parameter contributions).

    equations: [(symbol, rhs)] in the order the adjoints were completed;
    contributions: {parameter name: {step: expression}} (one dummy copy per step).
    """
    equations = []
    targets = _consumer_targets(root, values)

    def on_adjoint(node, g):
        g = _later_steps_first(al.substitute(al.lift(g), {**names, **targets.get(node, {})}))
        sym = values[node].node
        # the initial state h^(0) is an input: its adjoint is not part of the recurrences; the
        # gates u^(0), r^(0) of the printed GRU (eq. 10.45) are computed, so theirs is
        if al.is_plain_symbol(sym) and sym.name in adjoint_kinds and node.prim is not None:
            equations.append((sym, g))
            return Term(grad_of(sym))
        return Term(g)

    adjoints = backprop(root, Term(al.constant(np.ones(root.shape))), values=values, on_adjoint=on_adjoint)
    return equations, _copy_contributions(adjoints, values, steps, names)


def _latest_adjoint(e):
    """The latest step whose adjoint occurs in `e` (None: no adjoint)."""
    return max((n.index.offset for n in walk(e) if isinstance(n, Grad) and n.index is not None
                and n.index.base is None), default=None)


def _later_steps_first(g):
    """A sum with the terms from later steps first, as the book writes eq. 10.21
    (W^T ... grad_{h^(t+1)} L + V^T grad_{o^(t)} L): the printed form does not depend on the
    order in which reverse mode happened to visit the consumers."""
    if not isinstance(g, Add):
        return g
    keys = [_latest_adjoint(term) for term in g.terms]
    order = sorted(range(len(keys)), key=lambda i: -keys[i] if keys[i] is not None else float("inf"))
    return Add(tuple(g.terms[i] for i in order), shape=g.shape)


def _copy_contributions(adjoints, values, steps, names):
    """{parameter: {step: contribution}}: each use of a shared parameter is the book's dummy
    copy W^(t) of its consumer's step, whose gradient is that use's VJP (eqs 10.22-10.28)."""
    contributions = {}
    for node, g in adjoints.items():
        if node.prim is None:
            continue
        args = [values[i] for i in node.inputs]
        for k, inp in enumerate(node.inputs):
            if inp.role != "parameter" or not inp.requires_grad:
                continue
            c = al.substitute(al.lift(sum_to(node.prim.vjp(k)(g, values[node], *args, **node.params), inp.shape)),
                              names)
            name, step = inp.meta.get("copy_of", inp.name), inp.meta.get("t", steps[node])
            per_step = contributions.setdefault(name, {})
            per_step[step] = c if step not in per_step else al.add(per_step[step], c)
    return contributions


def _relative(expr, s, base):
    return al.retime(expr, lambda time: time.shifted(base, s))


def _runs(forms):
    """Group consecutive steps with equal shifted forms: [(first, last, form)]."""
    runs = []
    for s in sorted(forms):
        if runs and runs[-1][2] == forms[s] and runs[-1][1] == s - 1:
            runs[-1] = (runs[-1][0], s, forms[s])
        else:
            runs.append((s, s, forms[s]))
    return runs


def _general(runs, what):
    """Check that every run is anchored at the first or the last step and repeats where it
    claims to. The first step is 1, or 0 for the gates u^(0), r^(0) of the printed GRU
    (eq. 10.45 reads u^(t-1)); the last is tau, or tau - 1 for those gates."""
    start, end = runs[0][0], runs[-1][1]
    for first, last, _ in runs:
        if first != start and last != end:
            raise DeriveError(f"{what} changes form in the middle of the sequence (steps {first}-{last} "
                              f"of {start}-{end}); the cell is not time-invariant, so no recurrence in t exists")
        if first == start and last < end and last - first < 1:
            raise DeriveError(f"{what} takes its interior form at one step only; unroll more steps")


def adjoints_by_kind(equations):
    """``{kind: {step: (sym, rhs)}}`` of the per-step adjoint equations, kinds in first-seen order."""
    grouped = {}
    for sym, rhs in equations:
        grouped.setdefault(sym.name, {})[sym.index.offset] = (sym, rhs)
    return grouped


def generalise_adjoints(equations, tau):
    """Per kind: recurrences valid for a range of t, in book form (relative time indices)."""
    out = []
    for kind, steps in adjoints_by_kind(equations).items():
        forms = {s: _relative(rhs, s, "t") for s, (sym, rhs) in steps.items()}
        runs = _runs(forms)
        _general(runs, f"grad_{kind}")
        for first, last, form in runs:
            sym = steps[last][0]
            if first == last == tau:
                lhs, rhs = grad_of(_relative(sym, tau, "tau")), _relative(steps[tau][1], tau, "tau")
                out.append(Equation(lhs, rhs, lo=TimeIndex("tau", 0), hi=TimeIndex("tau", 0), key=f"{kind}@tau"))
            else:
                lhs = grad_of(_relative(sym, last, "t"))
                hi = TimeIndex("tau", last - tau)
                out.append(Equation(lhs, form, lo=TimeIndex(None, first), hi=hi, key=kind))
    return out


def generalise_parameters(contributions, shapes, tau):
    """Per parameter: the sum over t of its dummy copies' contributions (eqs 10.22-10.28)."""
    out = []
    for name, per_step in contributions.items():
        forms = {s: _relative(e, s, "t") for s, e in per_step.items()}
        runs = _runs(forms)
        _general(runs, f"grad_{name}")
        total = None
        for first, last, form in runs:
            if first == last == tau:
                term = _relative(per_step[tau], tau, "tau")
            else:
                term = SumOverTime(form, TimeIndex(None, first), TimeIndex("tau", last - tau))
            total = term if total is None else al.add(total, term)
        lhs = grad_of(Symbol(name, None, shape=shapes[name]))
        out.append(Equation(lhs, total, lo=None, hi=None, key=name))
    return out


def _model(cell_name, sizes):
    """The `rnn` package's model for a cell, so the derivation reads `rnn.unroll`'s own graph."""
    import rnn
    H, n_in, K = sizes
    make = {
        "rnn": lambda: rnn.SimpleRNN(n_in=n_in, hidden=H, n_out=K, seed=0),
        "output": lambda: rnn.OutputRNN(n_in=n_in, hidden=H, n_out=K, seed=0),
        "seq2one": lambda: rnn.SeqToOne(n_in=n_in, hidden=H, n_out=K, seed=0),
        "lstm": lambda: rnn.LSTM(n_in=n_in, hidden=H, n_out=K, seed=0, candidate="sigmoid"),
        "lstm-tanh": lambda: rnn.LSTM(n_in=n_in, hidden=H, n_out=K, seed=0, candidate="tanh"),
        "gru": lambda: rnn.GRU(n_in=n_in, hidden=H, n_out=K, seed=0, form="cho"),
        "gru-printed": lambda: rnn.GRU(n_in=n_in, hidden=H, n_out=K, seed=0, form="printed"),
    }
    return make[cell_name]()


def unrolled_graph(cell_name, tau, sizes, seed=0, source="rnn.unroll"):
    """(loss, tagged nodes) of the cell unrolled for `tau` steps with B = 1.

    ``source='rnn.unroll'`` reads the graph the rest of gradbook evaluates and draws;
    ``source='builder'`` the small builder of `graphs.py` (same tags, no dependency).
    """
    spec = get_cell(cell_name)
    H, n_in, K = sizes
    if source == "builder":
        graph = unroll(spec, Sample.random(spec, tau, H, n_in, K, seed=seed))
        return graph.loss, graph.named()
    if source != "rnn.unroll":
        raise DeriveError(f"unknown graph source {source!r}; use 'rnn.unroll' or 'builder'")
    import rnn
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(tau, n_in, 1))
    y = rng.integers(0, K, size=(1,) if cell_name == "seq2one" else (tau, 1))
    u = rnn.unroll(_model(cell_name, sizes), x, y)
    named = [n for n in u.graph.nodes if "kind" in n.meta]
    named += [u.yhat[t] for t in range(1, tau + 1) if t in u.yhat]
    return u.loss, named


def derive_matrix(cell_name="rnn", tau=DERIVATION_TAU, sizes=DERIVATION_SIZES, seed=0, source="rnn.unroll"):
    """Derive the BPTT recurrences and parameter sums of a cell in matrix form (any tau).

    For ``rnn`` the result is eqs 10.18, 10.19, the corrected 10.21 and 10.22-10.28.
    """
    if tau < 3:
        raise DeriveError(f"the matrix derivation needs at least 3 unrolled steps to see a "
                          f"recurrence repeat, got {tau}; pass tau >= 3")
    spec = get_cell(cell_name)
    loss, named = unrolled_graph(cell_name, tau, sizes, seed, source)
    values, names, steps = forward_values([loss, *named])
    equations, contributions = reverse(loss, values, names, steps, spec.adjoints)
    adjoints = generalise_adjoints(equations, tau)
    shapes = {n.name: n.shape for n in ad.Graph([loss]).nodes if n.role == "parameter"}
    params = generalise_parameters(contributions, shapes, tau)
    order = list(spec.params)
    for eq in adjoints + params:
        eq.tag = spec.book.get(eq.key)
    # the book's order where the book has the cell (10.18, 10.19, 10.21, 10.22 ...)
    adjoints.sort(key=lambda e: float(e.tag) if e.tag else 0.0)
    params.sort(key=lambda e: (float(e.tag) if e.tag else 0.0,
                               order.index(e.lhs.of.name) if e.lhs.of.name in order else len(order)))
    return MatrixDerivation(spec, adjoints, params, sizes)
