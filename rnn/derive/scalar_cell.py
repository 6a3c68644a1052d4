"""Scalar form of a lecturer's cell (`rnn.custom`): every parameter and state of size 1.

The exam form of `scalar.py`, for any cell: H = n_in = K = 1, so W is the number w, W_s is
w^s, h^(t) is the number h_t, and dL/dw is read from the cell's own unrolled graph
(`rnn.unroll`) by the engine's VJPs on SymPy values: the adjoints dL/do_t, dL/dh_t (and of
every carried state) each named once, latest first (eqs 10.18-10.21 at size 1), then dL/dw
with one term per dummy copy w^(t) (eqs 10.22-10.28). As for the built-in 1-unit RNN, the
nested form (forward mode, the primitives' JVPs) and the expanded form follow, while each
fits a slide. Every node the step returns (a_t, f_t, h_t ...) and o_t keep their own
symbols, as h_t does in the built-in form.

The loss is the cell's at size 1: the squared error L^(t) = 1/2 (o_t - y_t)^2; a softmax over
K = 1 output is the constant 1 (its NLL is 0 whatever the cell does), so an NLL cell is read
through the two-class softmax of one output, the logistic sigmoid, L^(t) = -y_t log sigma(o_t)
- (1 - y_t) log(1 - sigma(o_t)) with y_t in {0, 1} (the book's section 6.2.2.2).

Nothing is returned unchecked: every form shown, evaluated at random numbers, must give the
engine's gradient to 1e-10, and the engine's must agree with finite differences to 1e-6.
A cell whose step cannot run with every size 1 (a fixed size, an index, a concatenation) has
no scalar form, and is refused in one line.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy

import autodiff as ad
from autodiff import mode, symbolic
from autodiff.forward import push_tangents

from . import entries, layout
from .custom import FD_TOLERANCE, agrees_with_engine
from .errors import DeriveError
from .scalar import _expression

EXPAND_UP_TO = 2
"""Largest tau written out in parameters and inputs only: a gated cell's expansion at tau = 3
runs to pages."""
SHOWN_LINES = 5
"""The nested and the expanded forms are shown only while each fits this many lines of a Beamer
frame: a gated cell's forward-mode form repeats each gate's tangent in every product and runs
to pages, where the per-copy sum (BPTT itself, always shown) stays a few lines."""


def _fits(expr):
    # the text is about as wide as the LaTeX: a form twice too long is not printed to find out
    if len(str(expr)) > 2 * SHOWN_LINES * layout.LINE_BUDGET:
        return False
    return len(_printer([expr]).row("", expr).lines) <= SHOWN_LINES


def _printer(exprs, symbols=()):
    """An `entries.Printer` spelling every scalar symbol of `exprs` in book notation."""
    symbols = set(symbols).union(*(e.free_symbols for e in exprs))
    return entries.Printer([], {s: scalar_latex(s.name) for s in symbols if scalar_latex(s.name)})


def scalar_name(param):
    """W -> w, W_s -> w_s (printed w^{s}): the book's lower-case italic for a scalar."""
    base, _, gate = param.partition("_")
    return base.lower() + (f"_{gate}" if gate else "")


def scalar_latex(name):
    """The LaTeX of a scalar-form symbol: w^{s} for w_s, \\tilde{h}_{2} for htilde_2, a
    fraction dL/dh_2 for the adjoint of h_2."""
    if name.startswith("dL/d"):
        inner = scalar_latex(name[4:]) or name[4:]
        return rf"\frac{{\partial L}}{{\partial {inner}}}"
    head, _, tail = name.rpartition("_")
    if head and head[0] in "uvwbc" and len(head) == 1 and tail.isalpha():
        return f"{head}^{{{tail}}}"
    if head and head in entries.GLYPHS:
        return f"{entries.kind_latex(head)}_{{{tail}}}"
    return None


def _refuse(spec, why):
    return DeriveError(f"cell {spec.name}: no scalar form, {why}; use --form matrix or explicit")


class _Scalar:
    """The cell unrolled at size 1 on `tau` random steps, its loss, and a symbol for every leaf
    and for every node the step returns."""

    def __init__(self, spec, tau, seed):
        import rnn
        fixed = [(n, s) for n, s in spec.params.items() if any(isinstance(d, int) and d > 1 for d in s)]
        if fixed:
            raise _refuse(spec, f"its parameter {fixed[0][0]} has the fixed shape {fixed[0][1]}")
        rng = np.random.default_rng(seed)
        model = spec.model(1, 1, 1)
        model.load({n: rng.normal(scale=0.5, size=p.shape) for n, p in model.params.items()})
        x = rng.normal(size=(tau, 1, 1))
        h0 = {key: rng.normal(scale=0.5, size=(1, 1)) for key in model.carry}
        try:
            u = rnn.unroll(model, x, h0=h0)
        except Exception as exc:  # the lecturer's step at size 1: whatever it raises is one line
            raise _refuse(spec, f"its step fails with every size 1 ({type(exc).__name__}: {exc}); an index or a "
                                f"concatenation needs a size above 1") from None
        steps = range(1, tau + 1) if spec.outputs == "every" else (tau,)
        self.spec, self.tau, self.params = spec, tau, u.params
        self.leaves = {p: np.full((1, 1), sympy.Symbol(scalar_name(n)), dtype=object) for n, p in u.params.items()}
        for node in u.nodes.values():
            if node.prim is None and "t" in node.meta and node.meta.get("kind") in (*spec.state, "x"):
                self.leaves[node] = np.full(node.shape, sympy.Symbol(f"{node.meta['kind']}_{node.meta['t']}"),
                                            dtype=object)
        terms = []
        for t in steps:
            name = f"y_{t}" if spec.outputs == "every" else "y"
            value = rng.normal() if spec.loss == "squared" else float(rng.integers(0, 2))
            y = ad.Tensor(np.full((1, 1), value), name=name, meta={"kind": "y", "t": t})
            self.leaves[y] = np.full((1, 1), sympy.Symbol(name), dtype=object)
            terms.append(_step_loss(spec.loss, u.nodes[f"o_{t}"], y))
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        self.loss = total.tag(name="L", role="loss")

    def named(self, node):
        """h_t, a_t, f_t, o_t ...: a node the step returns (or o) stands for itself."""
        kind, t = node.meta.get("kind"), node.meta.get("t")
        if node is self.loss or kind in (None, "L", "y", "yhat") or t is None:
            return None
        return np.full(node.shape, sympy.Symbol(f"{kind}_{t}"), dtype=object)

    def numbers(self):
        """{symbol: value} at this unrolling's random point, named nodes included."""
        env = {}
        for node in ad.Graph([self.loss]).nodes:
            syms = self.leaves.get(node) if node.prim is None else self.named(node)
            if syms is not None:
                env[syms.item()] = float(np.asarray(node.value).item())
        return env


def _forward_mode(root, values, wrt):
    """d root / d wrt by the primitives' JVPs (the nested form), wrt a (1, 1) parameter."""
    with mode.symbolic():
        dots = push_tangents(root, {wrt: np.full(wrt.shape, sympy.Integer(1), dtype=object)}, values)
    return _expression(np.asarray(dots[root]).item()) if root in dots else sympy.Integer(0)


def _step_loss(loss, o, y):
    """L^(t) at size 1: 1/2 (o - y)^2, or the NLL of the softmax over the two outputs (o, 0),
    log(1 + e^o) - y o, whose derivative in o is sigma(o) - y."""
    if loss == "squared":
        return ad.sum((o - y) * (o - y)) * 0.5
    return ad.sum(ad.log(1 + ad.exp(o)) - y * o)  # -y log sigma(o) - (1 - y) log(1 - sigma(o))


def derive_scalar_cell(spec, wrt=None, tau=2, seed=0, check=True):
    """dL/d`wrt` of a lecturer's cell with every size 1 (module docstring), checked first."""
    wrt = wrt or next(iter(spec.params))
    if wrt not in spec.params:
        raise DeriveError(f"{spec.name} has no parameter {wrt!r}; choose one of {', '.join(spec.params)}")
    if tau < 1:
        raise DeriveError(f"tau must be at least 1, got {tau}")
    cell = _Scalar(spec, tau, seed)
    param = cell.params[wrt]

    def adjoint(node):
        kind, t = node.meta.get("kind"), node.meta.get("t")
        if kind in ("o", *spec.state) and t is not None and t >= 1 and node.prim is not None:
            return np.full(node.shape, sympy.Symbol(f"dL/d{kind}_{t}"), dtype=object)
        return None

    definitions, _, (grad,) = symbolic.named_gradients(cell.loss, [param], cell.leaves, cell.named, adjoint)
    adjoints = [(sym, entries.sigmoids(e)) for sym, e in definitions if sym.name.startswith("dL/d")]
    paths = sympy.Add(*[sympy.factor_terms(t) for t in sympy.Add.make_args(grad.item())])
    values = symbolic.evaluate(cell.loss, cell.leaves, name=cell.named)
    nested = entries.sigmoids(_forward_mode(cell.loss, values, param))
    expanded = None
    if tau <= EXPAND_UP_TO:
        full = symbolic.evaluate(cell.loss, cell.leaves)
        states = {cell.named(n).item(): full[n].item() for n in full if n.prim is not None and cell.named(n) is not None}
        expanded = nested
        while expanded.free_symbols & set(states):
            expanded = expanded.xreplace(states)
    result = CellScalar(spec.title, scalar_name(wrt), tau, spec.loss, adjoints, paths,
                        nested if _fits(nested) else None, expanded if expanded is not None and _fits(expanded) else None)
    if check:
        cell.loss.backward()
        env = cell.numbers()
        for sym, e in adjoints:
            env[sym] = _number(e, env)
        for form, expr in result.forms():
            agrees_with_engine(spec, f"scalar dL/d{scalar_name(wrt)} ({form})", np.asarray(_number(expr, env)),
                    param.grad.reshape(()))
        _engine_agrees_with_differences(spec, cell)
    return result


def _number(expr, env):
    return float(expr.replace(entries.SIGMA, lambda z: 1 / (1 + sympy.exp(-z))).xreplace(env))


def _engine_agrees_with_differences(spec, cell):
    from rnn.gradcheck import graph_differences, max_relative_error
    numeric = graph_differences(cell.loss, {n: p.value for n, p in cell.params.items()})
    for name, p in cell.params.items():
        engine = np.zeros_like(p.value) if p.grad is None else p.grad
        error = max_relative_error(engine, numeric[name])
        if not error <= FD_TOLERANCE:
            raise DeriveError(f"cell {spec.name}: the engine's scalar dL/d{scalar_name(name)} differs from finite "
                              f"differences by {error:.2g}; an op of the step has a wrong derivative, nothing is printed")


@dataclass
class CellScalar:
    """The scalar BPTT of a lecturer's cell: the adjoints dL/do_t, dL/dh_t ... latest first
    (eqs 10.18-10.21 at size 1), dL/dw as one term per dummy copy w^(t) (eqs 10.22-10.28),
    and, while each fits a slide, the nested (forward-mode) and expanded forms."""

    title: str
    wrt: str
    tau: int
    loss: str
    adjoints: list
    paths: object
    nested: object
    expanded: object

    @property
    def name(self):
        return f"dL/d{self.wrt}"

    def forms(self):
        """(name, expression) of the forms of dL/dw shown: per copy, then nested and expanded."""
        return [(n, f) for n, f in (("sum over copies", self.paths), ("nested", self.nested),
                                    ("expanded", self.expanded)) if f is not None]

    def rows(self):
        """One `layout.Row` per adjoint and per form, every symbol in book notation."""
        printer = _printer([e for _, e in self.adjoints] + [f for _, f in self.forms()], [s for s, _ in self.adjoints])
        rows = [printer.row(scalar_latex(s.name), e) for s, e in self.adjoints]
        lhs = scalar_latex(f"dL/d{self.wrt}")
        return rows + [printer.row(lhs if k == 0 else "", f) for k, (_, f) in enumerate(self.forms())]

    def latex(self, env=layout.DEFAULT_ENV):
        return layout.latex_block(self.rows(), env, title=f"Scalar BPTT, {self.title}: dL/d{self.wrt}, tau = {self.tau}")

    def text(self):
        (_, first), *rest = self.forms()
        return "\n".join([f"{s} = {entries.shown(e)}" for s, e in self.adjoints]
                         + [f"{self.name} = {entries.shown(first)}"]
                         + [f"    ({name}) = {entries.shown(f)}" for name, f in rest])

    def mathml(self):
        from sympy.printing.mathml import mathml
        pairs = self.adjoints + [(sympy.Symbol(self.name), f) for _, f in self.forms()]
        return "\n".join(f'<math display="block">'
                         f'{entries.xml_entities(mathml(sympy.Eq(s, entries.shown(e), evaluate=False), printer="presentation"))}'
                         '</math>'
                         for s, e in pairs)

    def to_dict(self):
        return {"cell": self.title, "form": "scalar", "wrt": self.wrt, "tau": self.tau, "loss": self.loss,
                "adjoints": [[str(s), str(e)] for s, e in self.adjoints],
                **{name.replace("sum over copies", "paths"): str(f) for name, f in self.forms()}}

    def _repr_latex_(self):
        return "$$" + self.latex("aligned") + "$$"
