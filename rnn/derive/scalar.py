"""Scalar exam form: the 1-unit RNN h_t = tanh(w h_{t-1} + u x_t + b), derived from its graph.

Three readings of the same graph, all with the engine's own rules on SymPy values, and the
states h_1 ... h_tau kept as symbols (the compact form an exam answer is written in):

* **nested** (forward mode: each primitive's JVP): the recurrence unfolded from the inside,
  dh_t/dw = (1 - h_t^2)(h_{t-1} + w dh_{t-1}/dw), e.g. dh_2/dw = (1 - h_2^2)(h_1 + w(1 - h_1^2)h_0);
* **paths** (reverse mode: each primitive's VJP): the same derivative as a sum with one
  term per dummy copy w^(t), each the adjoint reaching step t times h_{t-1};
* **expanded**: every h_t replaced by tanh(w h_{t-1} + u x_t + b), for small tau.

Losses: ``last`` L = (h_tau - y)^2 / 2; ``sum`` L = sum_t (h_t - y_t)^2 / 2; ``logistic``
L = -y log sigma(h_tau) - (1 - y) log(1 - sigma(h_tau)) with y in {0, 1}.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy

import autodiff as ad
from autodiff import mode, symbolic
from autodiff.backward import backprop
from autodiff.forward import push_tangents

from . import layout
from .errors import DeriveError

LOSSES = ("last", "sum", "logistic")
PARAMS = ("w", "u", "b")


def _leaf(name, value=0.3, grad=False, **meta):
    return ad.Tensor(np.asarray(value), name=name, requires_grad=grad, meta=meta)


def scalar_graph(tau, loss="last"):
    """The unrolled 1-unit RNN and its loss; nodes named h_t, x_t, y (or y_t), w, u, b."""
    if loss not in LOSSES:
        raise DeriveError(f"unknown scalar loss {loss!r}; choose one of {', '.join(LOSSES)}")
    if tau < 1:
        raise DeriveError(f"tau must be at least 1, got {tau}")
    params = {n: _leaf(n, v, grad=True) for n, v in zip(PARAMS, (0.7, -0.4, 0.2))}
    nodes = {"h_0": _leaf("h_0", 0.5, kind="h", t=0)}
    h = nodes["h_0"]
    terms = []
    for t in range(1, tau + 1):
        x = nodes[f"x_{t}"] = _leaf(f"x_{t}", 0.1 * t - 0.3, kind="x", t=t)
        h = ad.tanh(params["w"] * h + params["u"] * x + params["b"]).tag(name=f"h_{t}", kind="h", t=t)
        nodes[h.name] = h
        if loss == "sum" or t == tau:
            y = nodes[f"y_{t}" if loss == "sum" else "y"] = _leaf(f"y_{t}" if loss == "sum" else "y", 0.25, kind="y")
            if loss == "logistic":
                p = ad.sigmoid(h)
                terms.append(-(y * ad.log(p) + (1 - y) * ad.log(1 - p)))
            else:
                terms.append((h - y) ** 2 * 0.5)
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total.tag(name="L", role="loss"), params, nodes


def _symbols(nodes, params):
    leaves = {p: sympy.Symbol(n) for n, p in params.items()}
    leaves.update({node: sympy.Symbol(name) for name, node in nodes.items() if node.prim is None})
    return leaves


def _state_symbol(node):
    """h_t stands for itself (the compact form): its formula is not copied into h_{t+1}."""
    return sympy.Symbol(node.name) if node.meta.get("kind") == "h" else None


def _values(root, leaves, compact):
    """Symbolic value of every node; with `compact` the states h_t are their own symbols."""
    return symbolic.evaluate(root, leaves, name=_state_symbol if compact else None)


def _forward_mode(root, values, wrt):
    """d root / d wrt by the primitives' JVPs: the nested form."""
    with mode.symbolic():
        dots = push_tangents(root, {wrt: np.asarray(sympy.Integer(1), dtype=object)}, values)
    return _expression(dots[root].item()) if root in dots else sympy.Integer(0)


def _reverse_mode(root, values, wrt):
    """d root / d wrt by the primitives' VJPs: one term per dummy copy w^(t), latest first."""
    seed = np.asarray(sympy.Integer(1), dtype=object)
    with mode.symbolic():
        grads = backprop(root, seed, values=values)
    return _expression(np.asarray(grads.get(wrt, 0), dtype=object).item())


def _expression(value):
    """An engine-computed entry as a SymPy expression (a plain number when no symbol reached it)."""
    if isinstance(value, sympy.Basic):
        return value
    return sympy.Integer(value) if float(value).is_integer() else sympy.Float(value)


SIGMA = sympy.Function("sigma")


def tidy(e, tau):
    """Readable form: sigma(h_tau) for the logistic 1/(1 + exp(-h_tau)), common factors pulled
    out ((2 h - 2 y)/2 becomes h - y), and sigma's own factor collected to sigma(h) - y."""
    h = sympy.Symbol(f"h_{tau}")
    e = sympy.factor_terms(e.xreplace({1 / (1 + sympy.exp(-h)): SIGMA(h)}))
    if isinstance(e, sympy.Mul):
        e = sympy.Mul(*[sympy.expand(f) if f.has(SIGMA) else f for f in e.args])
    return e


def tidy_terms(e, tau):
    """`tidy` applied term by term, so a sum over the copies w^(t) keeps one term per copy."""
    return sympy.Add(*[tidy(t, tau) for t in sympy.Add.make_args(e)])


@dataclass
class ScalarDerivative:
    """d(of)/d(wrt) of the 1-unit RNN, nested, as a sum over paths, and expanded."""

    of: str
    wrt: str
    tau: int
    loss: str
    nested: object
    paths: object
    recurrence: dict
    expanded: object

    @property
    def name(self):
        return f"d{self.of}/d{self.wrt}"

    def symbol_values(self, w, u, b, h0, x, y):
        """{symbol: number} for a concrete sequence, the states h_t from the forward recurrence."""
        env = {sympy.Symbol("w"): w, sympy.Symbol("u"): u, sympy.Symbol("b"): b, sympy.Symbol("h_0"): h0}
        h = h0
        for t, xt in enumerate(x, start=1):
            h = np.tanh(w * h + u * xt + b)
            env[sympy.Symbol(f"x_{t}")] = xt
            env[sympy.Symbol(f"h_{t}")] = h
            env[sympy.Symbol(f"y_{t}")] = y
        env[sympy.Symbol("y")] = y
        return env

    def latex(self, env=layout.DEFAULT_ENV):
        """Nested, per copy w^(t) and expanded, one under the other, in `env` (`layout.ENVS`)."""
        lhs = rf"\frac{{\partial {self._of_latex()}}}{{\partial {self.wrt}}}"
        forms = [self.nested, self.paths] + ([] if self.expanded is None else [self.expanded])
        rows = [layout.Row(lhs if k == 0 else "", [sympy.latex(f)]) for k, f in enumerate(forms)]
        return layout.latex_block(rows, env, title=f"Scalar RNN: d{self.of}/d{self.wrt}, tau = {self.tau}")

    def _of_latex(self):
        return f"h_{{{self.tau}}}" if self.of.startswith("h") else "L"

    def text(self):
        out = [f"{self.name} = {self.nested}", f"    (sum over copies w^(t)) = {self.paths}"]
        if self.expanded is not None:
            out.append(f"    (expanded) = {self.expanded}")
        return "\n".join(out)

    def mathml(self):
        from sympy.printing.mathml import mathml
        from .entries import xml_entities
        of = f"<msub><mi>h</mi><mn>{self.tau}</mn></msub>" if self.of.startswith("h") else "<mi>L</mi>"
        lhs = (f"<mfrac><mrow><mo>&#x2202;</mo>{of}</mrow>"
               f"<mrow><mo>&#x2202;</mo><mi>{self.wrt}</mi></mrow></mfrac>")
        body = xml_entities(mathml(self.nested, printer="presentation"))
        return f'<math display="block"><mrow>{lhs}<mo>=</mo>{body}</mrow></math>'

    def to_dict(self):
        return {"cell": "scalar", "form": "scalar", "of": self.of, "wrt": self.wrt, "tau": self.tau,
                "loss": self.loss, "nested": str(self.nested), "paths": str(self.paths),
                "expanded": None if self.expanded is None else str(self.expanded)}

    def _repr_latex_(self):
        return "$$" + self.latex("aligned") + "$$"


def derive_scalar(tau=2, wrt="w", of="h", loss="last", expand_up_to=4):
    """d h_tau/d wrt (``of='h'``) or dL/d wrt (``of='L'``) of the 1-unit RNN.

    The expanded form (every h_t written out with tanh) is built when tau <= `expand_up_to`.
    """
    if wrt not in PARAMS:
        raise DeriveError(f"the scalar RNN has parameters w, u, b; got {wrt!r}")
    if of not in ("h", "L"):
        raise DeriveError(f"differentiate 'h' (h_tau) or 'L' (the loss), got {of!r}")
    L, params, nodes = scalar_graph(tau, loss)
    root = nodes[f"h_{tau}"] if of == "h" else L
    leaves = _symbols(nodes, params)
    values = _values(root, leaves, compact=True)
    nested = tidy(_forward_mode(root, values, params[wrt]), tau)
    paths = tidy_terms(_reverse_mode(root, values, params[wrt]), tau)
    recurrence = {}
    expanded = None
    if tau <= expand_up_to:
        full = _values(root, leaves, compact=False)
        states = {sympy.Symbol(n): full[node].item() for n, node in nodes.items()
                  if node.meta.get("kind") == "h" and node.prim is not None and node in full}
        sigma = {SIGMA(sympy.Symbol(f"h_{tau}")): 1 / (1 + sympy.exp(-sympy.Symbol(f"h_{tau}")))}
        expanded = nested.xreplace(sigma).xreplace(states)
        recurrence = states
    return ScalarDerivative(f"h_{tau}" if of == "h" else "L", wrt, tau, loss, nested, paths, recurrence, expanded)
