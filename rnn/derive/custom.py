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
from autodiff.symbolic import symbols_like
from rnn.expr.time import TimeIndex
from rnn.expr.tree import Add, Neg, Number, SumOverTime, Symbol, grad_of

from . import algebra as al
from . import evaluate, matrix
from .errors import DeriveError
from .graphs import Cell
from .results import Equation, MatrixDerivation

TOLERANCE = 1e-10
"""Largest difference between the derived and the engine's gradients, relative to max(1, |grad|)."""
FD_TOLERANCE = 1e-6
"""Largest relative difference between the engine's gradients and finite differences."""
CHECK_TAU = 6
FD_SEED = 12
"""The first point of the engine's finite-difference check, at the matrix form's sizes."""
FD_POINTS = 10
"""Points the finite-difference check may try. Central differences across a kink of the step
(ReLU at a = 0) are not its derivative, so a point whose stencil straddles one fails for a right
engine (about one ReLU exam variant in five meets such a point first); a wrong derivative fails
at every point, so trying the next one cannot pass it."""


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
    model, x, y, h0 = _sample(spec, tau, sizes, seed)
    return _unroll(spec, model, x, y, h0, sizes)


def _unroll(spec, model, x, y, h0, sizes):
    import rnn
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
                lhs = grad_of(matrix._relative(steps[last][0], tau, "tau"))
                rhs = matrix._relative(steps[last][1], tau, "tau")
                at = TimeIndex("tau", last - tau)
                out.append(Equation(lhs, rhs, lo=at, hi=at, key=key))
                continue
            lo = TimeIndex(None, first) if run is runs[0] else TimeIndex("tau", first - tau)
            out.append(Equation(grad_of(matrix._relative(steps[last][0], last, "t")), form, lo=lo,
                                hi=TimeIndex("tau", last - tau), key=kind))
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
                lo = TimeIndex(None, first) if run is runs[0] else TimeIndex("tau", first - tau)
                term = SumOverTime(form, lo, TimeIndex("tau", last - tau))
            total = term if total is None else al.add(total, term)
        out.append(Equation(grad_of(Symbol(name, None, shape=shapes[name])), total, key=name))
    return out


def collect(e):
    """Like terms of a sum added up: 1/2 (o - y) + 1/2 (o - y) is o - y, the squared error's
    grad_o (the lead's note: `algebra.add` is the place for this rule)."""
    if not isinstance(e, Add):
        return e
    weights = {}
    for term in map(collect, e.terms):
        c, core = al.scale_parts(term) or ((-1.0, term.operand) if isinstance(term, Neg) else (1.0, term))
        weights[core] = weights.get(core, 0.0) + c
    out = None
    for core, c in weights.items():
        if c != 0:
            term = al.mul(Number(c, shape=()), core)
            out = term if out is None else al.add(out, term)
    return al.constant(np.zeros(e.shape)) if out is None else out


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


def verify(derivation, spec, sizes=matrix.DERIVATION_SIZES, tau=CHECK_TAU, seed=FD_SEED - 1):
    """The derived equations against the engine on a fresh `tau`-step sequence, and the
    engine against finite differences; returns {'derived': err, 'fd': err}, raises otherwise."""
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
        worst = max(worst, agrees_with_engine(spec, what, derived(key), engine))
    fd = _engine_agrees_with_differences(spec, sizes, seed + 1)
    return {"derived": worst, "fd": fd}


def agrees_with_engine(spec, what, derived, engine):
    """The relative error of a derived gradient against the engine's; raises above TOLERANCE."""
    error = float(np.max(np.abs(derived - engine)) / max(1.0, float(np.max(np.abs(engine)))))
    if not error <= TOLERANCE:
        raise DeriveError(f"cell {spec.name}: the derived {what} differs from the engine's by {error:.2g} "
                          f"(more than {TOLERANCE:g}); the derivation is not printed")
    return error


def _engine_agrees_with_differences(spec, sizes, seed):
    """The engine's gradients of the cell's loss against finite differences (FD_TOLERANCE), at
    the first of FD_POINTS random points where they agree (see FD_POINTS)."""
    from rnn.gradcheck import engine_gradients, finite_differences, max_relative_error
    for k in range(FD_POINTS):
        model, x, y, h0 = _sample(spec, 4, sizes, seed + k)
        base = {k: v for k, v in h0.items() if "@" not in k}
        engine = engine_gradients(model, x, y, base)
        numeric = finite_differences(model, x, y, base)
        errors = {n: max_relative_error(engine[n], numeric[n]) for n in numeric}
        fd = max(errors.values())
        if fd <= FD_TOLERANCE:
            return fd
    name = max(errors, key=errors.get)
    raise DeriveError(f"cell {spec.name}: the engine's grad_{name} differs from finite differences by "
                      f"{fd:.2g} at {FD_POINTS} random points; an op of the step has a wrong derivative, "
                      f"nothing is printed")


def derive_custom_explicit(spec, wrt, tau=3, H=2, n_in=2, K=2, seed=0, check=True):
    """The explicit form (`explicit.py`) of a lecturer's cell: every entry of grad_{wrt} L for
    a `tau`-step sequence, over the entries of the parameters and of x^(t).

    As for the built-in cells the initial states are 0 (h^(0), and h^(-1) for a skip
    connection) and NLL targets are y^(t) = (t - 1) mod K; squared-error targets are symbols
    y_i^(t). The graph is `rnn.unroll`'s own, so a skip connection's two recurrences and the
    squared error come out of the engine's VJPs. Checked like the matrix form: evaluated at
    random parameters and inputs it must give the engine's gradient to 1e-10.
    """
    from .explicit import entry_symbols, explicit_gradient
    if wrt not in spec.params:
        raise DeriveError(f"{spec.name} has no parameter {wrt!r}; choose one of {', '.join(spec.params)}")
    sizes = (H, n_in, K)
    model, x, y, _ = _sample(spec, tau, sizes, seed)
    if spec.loss == "nll":
        y = (np.arange(tau) % K).reshape(tau, 1) if spec.outputs == "every" else np.array([(tau - 1) % K])
    u = _unroll(spec, model, x, y, None, sizes)
    leaves = {p: symbols_like(p.shape, name) for name, p in u.params.items()}
    for node in u.nodes.values():
        kind = node.meta.get("kind")
        if node.prim is None and (kind == "x" or (kind == "y" and spec.loss == "squared")):
            leaves[node] = entry_symbols(kind, node.meta.get("t", tau), node.shape)
    # every kind the step returns has its adjoint named, as in the matrix form: a gated
    # cell's grad_h is then a few terms over grad_f, grad_htilde ..., not one page
    produced = [k for k in dict.fromkeys(n.meta["kind"] for n in u.nodes.values() if n.prim is not None)
                if k not in ("yhat", "L")]
    result = explicit_gradient(spec.name, wrt, tau, u.loss, u.params[wrt], leaves, adjoint_kinds(spec, produced),
                               sizes, y.ravel() if spec.loss == "nll" else None)
    if check:
        u.loss.backward()
        numbers = {s: float(v) for node, syms in leaves.items() for s, v in zip(syms.ravel(), node.value.ravel())}
        agrees_with_engine(spec, f"grad_{wrt}", result.evaluate(numbers), u.params[wrt].grad)
        _engine_agrees_with_differences(spec, matrix.DERIVATION_SIZES, FD_SEED)
    return result


def derive_spec(spec, wrt=None, form="matrix", steps=None, H=2):
    """A `rnn.custom.CustomCell`'s matrix, explicit or scalar form, each checked first."""
    if form not in ("matrix", "explicit", "scalar"):
        raise DeriveError(f"unknown form {form!r}; choose matrix, explicit or scalar")
    if wrt not in (None, "all", *spec.params):
        raise DeriveError(f"{spec.name} has no parameter {wrt!r}; choose one of {', '.join(spec.params)}")
    if form == "explicit":
        return derive_custom_explicit(spec, wrt or next(iter(spec.params)), tau=steps or 3, H=H)
    if form == "scalar":
        from .scalar_cell import derive_scalar_cell
        return derive_scalar_cell(spec, wrt, tau=steps or 2)
    return derive_custom(spec)


def derive_file(target, wrt=None, form="matrix", steps=None, H=2):
    """``gradbook derive path/to/cell.py:NAME``: the cell file is imported (`rnn.custom.load_cell`)."""
    from rnn.custom import load_cell
    return derive_spec(load_cell(target), wrt, form, steps, H)
