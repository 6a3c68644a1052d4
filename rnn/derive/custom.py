"""Matrix-form BPTT of a lecturer's own cell (`rnn.custom`), checked before it is shown.

The derivation is the built-in cells' (`matrix.py`): `rnn.unroll` builds the cell's graph,
reverse accumulation with the engine's VJPs on matrix symbols names each adjoint, and each
equation is generalised over t. Two things differ:

* a step may read further back than t-1 (a skip connection over h^(t-2)), so the adjoint of
  h^(t) has one boundary form per step near tau (tau, tau-1); these are kept relative to
  tau, and the cell is unrolled longer, so the interior form still repeats;
* nothing is printed unless it is right: the derived recurrences are run on a concrete
  sequence and must give the engine's gradients (every parameter and named adjoint) to
  1e-10, and the engine's must agree with finite differences.
"""
from __future__ import annotations

import numpy as np

import autodiff as ad

from . import evaluate, graphs, matrix
from . import mexpr as mx
from .errors import DeriveError
from .graphs import Cell
from .results import Equation, MatrixDerivation

TOLERANCE = 1e-10
"""Largest difference between the derived and the engine's gradients, relative to max(1, |grad|)."""
FD_TOLERANCE = 1e-6
"""Largest relative difference between the engine's gradients and finite differences."""
CHECK_TAU = 6


def adjoint_kinds(spec, produced):
    """The kinds whose adjoint is named: the cell's choice, else every kind its step returns, and o."""
    if spec.adjoints is not None:
        return ["o", *[k for k in spec.adjoints if k != "o"]]
    kinds = ["o"] + [k for k in (produced or spec.state) if k != "o"]
    return list(dict.fromkeys(kinds))


def _sample(spec, tau, sizes, seed, scale=0.5):
    """A model with random parameters, inputs, targets and initial states (every lag)."""
    H, n_in, K = sizes
    rng = np.random.default_rng(seed)
    model = spec.model(n_in, H, K)
    model.load({n: rng.normal(scale=scale, size=p.shape) for n, p in model.params.items()})
    x = rng.normal(size=(tau, n_in, 1))
    if spec.loss == "nll":
        y = rng.integers(0, K, size=(tau, 1) if spec.outputs == "every" else (1,))
    else:
        y = rng.normal(size=(tau, K, 1) if spec.outputs == "every" else (K, 1))
    h0 = {key: rng.normal(scale=scale, size=(model.state_size(key), 1)) for key in model.carry}
    return model, x, y, h0


def _unrolled(spec, tau, sizes, seed):
    import rnn
    model, x, y, h0 = _sample(spec, tau, sizes, seed)
    try:
        return rnn.unroll(model, x, y, h0=h0)
    except (ValueError, IndexError, TypeError) as exc:
        raise DeriveError(f"cell {spec.name}: its step fails on H, n_in, K = {sizes} ({exc}); check the shapes "
                          f"of its parameters and products") from None


def generalise_adjoints(equations, tau, depth):
    """Per kind: the interior recurrence, and one boundary equation per step near tau."""
    out = []
    for kind, steps in matrix.adjoints_by_kind(equations).items():
        forms = {s: matrix._relative(rhs, s, "t") for s, (_, rhs) in steps.items()}
        runs = matrix._runs(forms)
        _check_runs(runs, tau, depth, f"grad_{kind}")
        for run in runs:
            first, last, form = run
            if first == last and run is not runs[0]:
                key = kind + "@tau" + ("" if last == tau else f"{last - tau}")
                lhs = mx.Grad(matrix._relative(steps[last][0], tau, "tau"))
                rhs = matrix._relative(steps[last][1], tau, "tau")
                at = mx.Time("tau", last - tau)
                out.append(Equation(lhs, rhs, lo=at, hi=at, key=key))
                continue
            lo = mx.Time("abs", first) if run is runs[0] else mx.Time("tau", first - tau)
            out.append(Equation(mx.Grad(matrix._relative(steps[last][0], last, "t")), form, lo=lo,
                                hi=mx.Time("tau", last - tau), key=kind))
    return out


def _check_runs(runs, tau, depth, what):
    """The first run is the interior recurrence (at least two steps, unless it is the only
    one); every later run is one boundary step among the last `depth` + 1 before tau."""
    start = runs[0][0]
    if len(runs) > 1 and runs[0][1] - start < 1:
        raise DeriveError(f"{what} takes its interior form at one step only (step {start}): the step does "
                          f"not repeat, so no recurrence in t exists; make the step the same function at every t")
    for first, last, _ in runs[1:]:
        if first != last or first < runs[-1][1] - depth + 1:
            raise DeriveError(f"{what} changes form at steps {first}-{last} of {start}-{runs[-1][1]}: the step does "
                              f"not repeat, so no recurrence in t exists; make the step the same function at every t")


def generalise_parameters(contributions, shapes, tau, depth):
    """Per parameter: the sum over t of its dummy copies' contributions (eqs 10.22-10.28),
    plus a term per boundary step when the last steps differ."""
    out = []
    for name, per_step in contributions.items():
        forms = {s: matrix._relative(e, s, "t") for s, e in per_step.items()}
        runs = matrix._runs(forms)
        _check_runs(runs, tau, depth, f"grad_{name}")
        total = None
        for run in runs:
            first, last, form = run
            if first == last and run is not runs[0]:
                term = matrix._relative(per_step[last], tau, "tau")
            else:
                lo = mx.Time("abs", first) if run is runs[0] else mx.Time("tau", first - tau)
                term = mx.SumT(form, lo, mx.Time("tau", last - tau))
            total = term if total is None else mx.add(total, term)
        out.append(Equation(mx.Grad(mx.Sym(name, None, shapes[name])), total, key=name))
    return out


def collect(e):
    """Like terms of a sum added up: 1/2 (o - y) + 1/2 (o - y) is o - y, the squared error's
    grad_o (the lead's note: `mexpr.add` is the place for this rule)."""
    if not isinstance(e, mx.Add):
        return e
    weights = {}
    for term in map(collect, e.terms):
        c, core = (term.c, term.x) if isinstance(term, mx.Scale) else (
            (-1.0, term.x) if isinstance(term, mx.Neg) else (1.0, term))
        weights[core] = weights.get(core, 0.0) + c
    out = None
    for core, c in weights.items():
        if c != 0:
            term = mx.mul(mx.Const.of(c), core)
            out = term if out is None else mx.add(out, term)
    return mx.Const.of(np.zeros(e.shape)) if out is None else out


def derive_custom(spec, sizes=matrix.DERIVATION_SIZES, seed=0, check=True):
    """Matrix-form BPTT of a `rnn.custom.CustomCell` (any tau), checked numerically first.

    Raises `DeriveError` with one line when the step does not repeat over t, or when the
    derived gradients disagree with the engine (or the engine with finite differences).
    """
    tau = matrix.DERIVATION_TAU + 2 * (spec.depth - 1)
    u = _unrolled(spec, tau, sizes, seed)
    produced = [k for k in dict.fromkeys(n.meta["kind"] for n in u.nodes.values() if n.prim is not None)
                if k not in ("yhat", "L")]
    kinds = adjoint_kinds(spec, produced)
    named = [n for n in u.graph.nodes if "kind" in n.meta]
    named += [u.yhat[t] for t in range(1, tau + 1) if t in u.yhat]
    values, names, steps = matrix.forward_values([u.loss, *named])
    equations, contributions = matrix.reverse(u.loss, values, names, steps, kinds)
    shapes = {n.name: n.shape for n in ad.Graph([u.loss]).nodes if n.role == "parameter"}
    try:
        adjoints = generalise_adjoints(equations, tau, spec.depth)
        params = generalise_parameters(contributions, shapes, tau, spec.depth)
    except DeriveError as exc:
        raise DeriveError(f"cell {spec.name}: {exc}") from None
    for eq in adjoints + params:
        eq.rhs = collect(eq.rhs)
        eq.tag = spec.book.get(eq.key)
    order = list(spec.params)
    params.sort(key=lambda e: order.index(e.key) if e.key in order else len(order))
    cell = Cell(spec.name, spec.title, tuple(spec.state), tuple(kinds), dict(spec.params), None,
                "all" if spec.outputs == "every" else "last", dict(spec.book))
    derivation = MatrixDerivation(cell, adjoints, params, sizes)
    if check:
        verify(derivation, spec, sizes)
    return derivation


def verify(derivation, spec, sizes=matrix.DERIVATION_SIZES, tau=CHECK_TAU, seed=11):
    """The derived equations against the engine on a fresh `tau`-step sequence, and the
    engine against finite differences; returns {'derived': err, 'fd': err}, raises otherwise."""
    from rnn.gradcheck import engine_gradients, finite_differences, max_relative_error
    u = _unrolled(spec, tau, sizes, seed)
    u.loss.backward()
    solution = evaluate.Solution(derivation, evaluate.environment(u), tau)
    worst = 0.0
    checks = [(f"grad_{name}", solution.parameter, name, p.grad) for name, p in u.params.items()]
    kinds = derivation.cell.adjoints
    checks += [(f"grad_{n.meta['kind']}^({n.meta['t']})", lambda k, n=n: solution.adjoint(k, n.meta["t"]),
                n.meta["kind"], n.grad) for n in u.nodes.values()
               if n.meta.get("kind") in kinds and n.prim is not None and n.grad is not None]
    for what, derived, key, engine in checks:
        value = derived(key)
        error = float(np.max(np.abs(value - engine)) / max(1.0, float(np.max(np.abs(engine)))))
        worst = max(worst, error)
        if not error <= TOLERANCE:
            raise DeriveError(f"cell {spec.name}: the derived {what} differs from the engine's by {error:.2g} "
                              f"(more than {TOLERANCE:g}); the derivation is not printed")
    model, x, y, h0 = _sample(spec, 4, sizes, seed + 1)
    base = {k: v for k, v in h0.items() if "@" not in k}
    engine = engine_gradients(model, x, y, base)
    numeric = finite_differences(model, x, y, base)
    fd = max(max_relative_error(engine[n], numeric[n]) for n in numeric)
    if not fd <= FD_TOLERANCE:
        name = max(numeric, key=lambda n: max_relative_error(engine[n], numeric[n]))
        raise DeriveError(f"cell {spec.name}: the engine's grad_{name} differs from finite differences by "
                          f"{fd:.2g}; an op of the step has a wrong derivative, nothing is printed")
    return {"derived": worst, "fd": fd}


def explicit_cell(spec):
    """The cell as the explicit form's builder (`graphs.unroll`) reads one: a step giving its
    carried state and o^(t) = c + V h^(t) (eq. 10.10), every node tagged in book notation."""
    if spec.depth > 1 or spec.loss != "nll" or spec.outputs != "every" or set(spec.state) - {"h", "s", "o"}:
        raise DeriveError(f"cell {spec.name}: the explicit form takes cells that read only step t-1, carry h, s "
                          f"or o and end in softmax and NLL at every step; use --form matrix")

    def step(p, x, prev, t):
        out = spec.step(p, x, dict(prev), t)
        for kind, node in out.items():
            graphs.tag(node, kind, t)
        o = out["o"] if "o" in out else graphs._output(p, out["h"], t)
        return {k: out[k] for k in spec.state}, o

    def builder(shape):
        return lambda H, n_in, K: tuple({"H": H, "n_in": n_in, "K": K}.get(d, d) for d in shape)

    params = {name: builder(shape) for name, shape in spec.params.items()}
    return Cell(spec.name, spec.title, tuple(spec.state), tuple(adjoint_kinds(spec, spec.adjoints)), params, step)


def derive_spec(spec, wrt=None, form="matrix", steps=None, H=2):
    """A `rnn.custom.CustomCell`'s matrix form (checked first) or its explicit form."""
    if form == "scalar":
        raise DeriveError(f"the scalar form is the built-in 1-unit RNN (gradbook derive scalar); derive "
                          f"{spec.name} with --form matrix or explicit")
    if form not in ("matrix", "explicit"):
        raise DeriveError(f"unknown form {form!r}; choose matrix or explicit for a cell of your own")
    if wrt not in (None, "all", *spec.params):
        raise DeriveError(f"{spec.name} has no parameter {wrt!r}; choose one of {', '.join(spec.params)}")
    if form == "explicit":
        from .explicit import derive_explicit
        cell = explicit_cell(spec)
        derive_custom(spec)  # the same cell's matrix form must pass the numerical check first
        return derive_explicit(cell, wrt=wrt or next(iter(spec.params)), tau=steps or 3, H=H)
    return derive_custom(spec)


def derive_file(target, wrt=None, form="matrix", steps=None, H=2):
    """``gradbook derive path/to/cell.py:NAME``: the cell file is imported (`rnn.custom.load_cell`)."""
    from rnn.custom import load_cell
    return derive_spec(load_cell(target), wrt, form, steps, H)
