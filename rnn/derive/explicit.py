"""Explicit form: exact gradients over per-entry symbols for small sizes.

Every parameter and input entry is a SymPy symbol (``W_1_2``, ``x_1^(3)``), h^(0) = 0 as in
the book, targets are fixed integers. The forward pass is read with SymPy
forwards, but every tagged node (a^(t), h^(t), o^(t), gates, s^(t)) is named by a symbol
per entry (``h_1^(3)``) defined once in terms of earlier ones, and the engine's own reverse
mode runs its VJPs on them, each adjoint named too (`autodiff.symbolic.named_gradients`): each
adjoint is computed once and shared, so the cost is linear in tau, where expanding the loss and calling
``sympy.diff`` grows about x2.2 per step. ``sympy.cse`` then names what the adjoints share.

The "sum over paths" view unrolls the same network with one dummy copy W^(t) per step
(eqs 10.22-10.28): the gradient with respect to W^(t) is step t's contribution, and the
contributions add up to grad_W L.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy

from autodiff.symbolic import named_gradients, symbols_like

from . import entries, layout
from .errors import DeriveError
from .graphs import Cell, Sample, cell as get_cell, unroll


def entry_symbols(kind, t, shape):
    """Object array of symbols ``h_1^(3)`` for the entries of a column ``kind^(t)``."""
    out = np.empty(shape, dtype=object)
    for index in np.ndindex(shape):
        out[index] = sympy.Symbol(f"{kind}_{index[0] + 1}^({t})")
    return out


def symbolic_adjoints(root, wrt, leaves, adjoint_kinds):
    """The engine's reverse mode on SymPy values, every tagged node and adjoint named per entry.

    Returns ``(definitions, gradients)``: definitions [(symbol, expression)] in the order
    computed, each in terms of leaves and earlier definitions (forward nodes ``h_1^(3)``,
    then adjoints ``gh_1^(3)`` = entry 1 of grad_{h^(3)} L); gradients of `root` with respect
    to each tensor in `wrt`, as object arrays over those symbols.
    """
    def name_value(node):
        kind = node.meta.get("kind")
        if kind in (None, "L", "y") or "t" not in node.meta or node is root:
            return None
        return entry_symbols(kind, node.meta["t"], node.shape)

    def name_adjoint(node):
        if node.meta.get("kind") in adjoint_kinds and "t" in node.meta:
            return entry_symbols("g" + node.meta["kind"], node.meta["t"], node.shape)
        return None

    definitions, _, grads = named_gradients(root, wrt, leaves, name_value, name_adjoint)
    return definitions, grads


@dataclass
class ExplicitGradient:
    """grad_{wrt} L over per-entry symbols, with its cse form and per-step contributions."""

    cell: str
    wrt: str
    sizes: tuple
    tau: int
    targets: np.ndarray
    definitions: list
    replacements: list
    reduced: np.ndarray
    per_step: list

    @property
    def ops(self):
        """Operation count after cse: named forward nodes, shared subexpressions, entries."""
        return int(sum(sympy.count_ops(e) for _, e in self.definitions + self.replacements)
                   + sum(sympy.count_ops(e) for e in self.reduced.ravel()))

    def _bind(self, numbers):
        env = dict(numbers)
        for sym, expr in self.definitions + self.replacements:
            env[sym] = expr.xreplace(env)
        return env

    def evaluate(self, numbers):
        """The gradient at `numbers` {symbol: float}, through the definitions in order."""
        env = self._bind(numbers)
        return np.array([float(e.xreplace(env)) for e in self.reduced.ravel()]).reshape(self.reduced.shape)

    def evaluate_per_step(self, numbers):
        """Each dummy copy's contribution at `numbers`, one array per step."""
        env = self._bind(numbers)
        return [np.array([float(e.xreplace(env)) for e in c.ravel()]).reshape(c.shape) for c in self.per_step]

    def expanded(self):
        """The gradient in parameters and inputs only (small tau: the size doubles per step)."""
        env = {}
        for sym, expr in self.definitions + self.replacements:
            env[sym] = expr.xreplace(env)
        return np.vectorize(lambda e: e.xreplace(env), otypes=[object])(self.reduced)

    def latex(self, env=layout.DEFAULT_ENV):
        """The definitions, shared parts and entries in `env` (one of `layout.ENVS`)."""
        pairs = self.definitions + self.replacements
        printer = entries.Printer([e for pair in pairs for e in pair] + list(self.reduced.ravel()))
        rows = [printer.row(printer.latex(s), e) for s, e in pairs]
        for index in np.ndindex(self.reduced.shape):
            entry = printer.symbol("_".join([self.wrt, *(str(i + 1) for i in index)]))
            rows.append(printer.row(rf"\frac{{\partial L}}{{\partial {entry}}}", self.reduced[index]))
        return layout.latex_block(rows, env, title=f"BPTT, {self.cell}: every entry of grad {self.wrt}, tau = {self.tau}")

    def text(self):
        lines = [f"{s} = {e}" for s, e in self.definitions + self.replacements]
        for index in np.ndindex(self.reduced.shape):
            entry = "_".join(str(i + 1) for i in index)
            lines.append(f"dL/d{self.wrt}_{entry} = {self.reduced[index]}")
        return "\n".join(lines)

    def mathml(self):
        from sympy.printing.mathml import mathml
        rows = [mathml(sympy.Eq(s, e, evaluate=False), printer="presentation")
                for s, e in self.definitions + self.replacements]
        rows += [mathml(sympy.Eq(sympy.Symbol(f"dL/d{self.wrt}_{'_'.join(str(i + 1) for i in index)}"),
                                 self.reduced[index], evaluate=False), printer="presentation")
                 for index in np.ndindex(self.reduced.shape)]
        return "\n".join(f'<math display="block">{entries.xml_entities(r)}</math>' for r in rows)

    def per_step_text(self):
        """grad_W L as the sum of the dummy copies' contributions W^(1) ... W^(tau)."""
        lines = []
        for t, contribution in enumerate(self.per_step, start=1):
            for index in np.ndindex(contribution.shape):
                entry = "_".join(str(i + 1) for i in index)
                lines.append(f"dL/d{self.wrt}^({t})_{entry} = {contribution[index]}")
        return "\n".join(lines)

    def to_dict(self):
        return {"cell": self.cell, "form": "explicit", "wrt": self.wrt, "tau": self.tau,
                "sizes": dict(zip(("H", "n_in", "K"), self.sizes)),
                "targets": None if self.targets is None else self.targets.ravel().tolist(),
                "ops_after_cse": self.ops,
                "definitions": [[str(s), str(e)] for s, e in self.definitions],
                "cse": [[str(s), str(e)] for s, e in self.replacements],
                "gradient": [str(e) for e in self.reduced.ravel()],
                "shape": list(self.reduced.shape)}

    def _repr_latex_(self):
        return "$$" + self.latex("aligned") + "$$"


def derive_explicit(cell="rnn", wrt="W", tau=3, H=2, n_in=2, K=2, targets=None, per_step=False):
    """Exact grad_{wrt} L of a small unrolled network, entries as SymPy expressions.

    h^(0) = 0; `targets` (ints, length tau) default to y^(t) = (t - 1) mod K. With
    ``per_step=True`` also the contributions of the dummy copies wrt^(1), ..., wrt^(tau)
    (eqs 10.22-10.28), whose sum is the gradient.
    """
    spec = cell if isinstance(cell, Cell) else get_cell(cell)  # a Cell: a lecturer's (rnn.derive.custom)
    cell = spec.name
    if wrt not in spec.shapes(H, n_in, K):
        raise DeriveError(f"{cell} has no parameter {wrt!r}; choose one of {', '.join(spec.params)}")
    if tau < 1:
        raise DeriveError(f"tau must be at least 1, got {tau}")
    y = np.arange(tau) % K if targets is None else np.asarray(targets, dtype=int)
    if y.shape != (tau,) or y.min() < 0 or y.max() >= K:
        raise DeriveError(f"targets must be {tau} integers in 0..{K - 1}, got {list(y)}")
    sample = Sample.random(spec, tau, H, n_in, K)
    sample = Sample(sample.params, sample.x, y.reshape(tau, 1), {k: np.zeros_like(v) for k, v in sample.state0.items()})
    param_syms = {n: symbols_like(v.shape, n) for n, v in sample.params.items()}

    def leaves_of(graph):
        leaves = {}
        for name, syms in param_syms.items():
            for p in [graph.params[name]] + graph.copies[name]:
                leaves[p] = syms
        # the printed GRU's last input x^(tau) reaches no h^(t) (eq. 10.45), so no node holds it
        for t in range(1, tau + 1):
            if f"x_{t}" in graph.nodes:
                leaves[graph.nodes[f"x_{t}"]] = entry_symbols("x", t, (n_in, 1))
        return leaves

    graph = unroll(spec, sample)
    contributions = []
    if per_step:
        copies = unroll(spec, sample, param_copies=True)
        _, contributions = symbolic_adjoints(copies.loss, copies.copies[wrt], leaves_of(copies), spec.adjoints)
    return explicit_gradient(cell, wrt, tau, graph.loss, graph.params[wrt], leaves_of(graph), spec.adjoints,
                             (H, n_in, K), y, contributions)


def explicit_gradient(name, wrt, tau, loss, param, leaves, adjoint_kinds, sizes, targets, contributions=()):
    """grad_{param} `loss` over the symbols `leaves` {leaf: object array}, named and cse-reduced.

    Any unrolled graph whose nodes carry ``kind`` and ``t`` (`graphs.unroll`, `rnn.unroll`)
    will do; `targets` are the integer targets the graph holds, or None when they are symbols.
    """
    definitions, (grad,) = symbolic_adjoints(loss, [param], leaves, adjoint_kinds)
    replacements, reduced = sympy.cse(list(grad.ravel()), symbols=sympy.numbered_symbols("z"))
    reduced = np.array(reduced, dtype=object).reshape(grad.shape)
    return ExplicitGradient(name, wrt, tuple(sizes), tau, targets, definitions, replacements, reduced,
                            [np.asarray(c, dtype=object) for c in contributions])
