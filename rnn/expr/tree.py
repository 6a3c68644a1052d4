"""The one expression tree: what the derivation writes and what the answer parsers read.

A formula in book notation is a tree of frozen dataclasses. The derivation (`rnn.derive`)
builds these nodes through its simplifying constructors, with a concrete NumPy `shape` on
every node; the text and LaTeX parsers (`rnn.exam`) build the same nodes with a
`source_span` into the typed answer. Neither field takes part in equality, so a student's
answer and the derived key compare as trees.

Sums and products are n-ary and flat: ``a - b + c`` is ``Add((a, Neg(b), c))``, and
``A @ B @ C`` one `MatMul` of three factors (use `add`, `matmul`, `mul` to build them
flat). The adjoint nabla_{h^(t)} L is the `Grad` symbol ``grad_h`` at t; ``diag``,
``onehot`` and every function of the one table (`rnn.expr.functions`) are `Call` nodes.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Optional, Tuple

from .time import FIRST_STEP, LAST_STEP, TimeIndex

Span = Optional[Tuple[int, int]]
GRAD_PREFIX = "grad_"


@dataclass(frozen=True)
class Node:
    """Base of every node. `shape` (the derivation's concrete NumPy shape) and `source_span`
    ((start, end) in a typed answer) are optional and not compared."""

    shape: Optional[tuple] = field(default=None, compare=False, repr=False, kw_only=True)
    source_span: Span = field(default=None, compare=False, repr=False, kw_only=True)

    def _inherit_shape(self, shape):
        if self.shape is None and shape is not None:
            object.__setattr__(self, "shape", tuple(shape))


# ----- leaves ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Number(Node):
    """A numeric literal; `1` also stands for the ones vector when added to a vector."""

    value: float


@dataclass(frozen=True)
class Array(Node):
    """A numeric matrix that is not one number repeated (the derivation's masks and seeds);
    stored flat so the node stays hashable. No answer syntax writes one."""

    data: tuple


@dataclass(frozen=True)
class Symbol(Node):
    """A named quantity such as h, W, yhat with an optional time index: h^(t-1) is
    ``Symbol("h", TimeIndex("t", -1))``."""

    name: str
    index: Optional[TimeIndex] = None

    def at(self, index):
        """The same symbol at another step (shape kept)."""
        return type(self)(self.name, index, shape=self.shape)


@dataclass(frozen=True)
class Grad(Symbol):
    """The adjoint nabla_{of} L of the book (grad_h[t] = nabla_{h^(t)} L), named once and
    reused; its name is ``grad_`` + the name of what it is the gradient of."""

    def __post_init__(self):
        if not self.name.startswith(GRAD_PREFIX) or self.name == GRAD_PREFIX:
            raise ValueError(f"an adjoint's name starts with {GRAD_PREFIX!r}, got {self.name!r}")

    @property
    def of(self):
        """The symbol this is the gradient of: h^(t) for grad_h[t]."""
        return Symbol(self.name[len(GRAD_PREFIX):], self.index, shape=self.shape)


def symbol(name, index=None, **meta):
    """The Symbol named `name`, or the adjoint `Grad` when the name is grad_ + a name: what the
    parsers build for every name they read, so grad_h[t] is always a Grad."""
    kind = Grad if name.startswith(GRAD_PREFIX) and name != GRAD_PREFIX else Symbol
    return kind(name, index, **meta)


def grad_of(symbol):
    """The adjoint of `symbol` (nabla_{h^(t)} L for h^(t)), of its shape."""
    return Grad(GRAD_PREFIX + symbol.name, symbol.index, shape=symbol.shape)


# ----- interior nodes -------------------------------------------------------------------------

@dataclass(frozen=True)
class Add(Node):
    """A sum of two or more terms; a subtracted term is a `Neg` term."""

    terms: tuple


@dataclass(frozen=True)
class MatMul(Node):
    """A matrix product of two or more factors (juxtaposition in the book)."""

    factors: tuple


@dataclass(frozen=True)
class Mul(Node):
    """An elementwise product (the book's odot) or a scaling by a number, of two or more factors."""

    factors: tuple


@dataclass(frozen=True)
class Div(Node):
    """Elementwise division, as an answer writes it (the derivation writes powers of -1)."""

    left: Node
    right: Node

    def __post_init__(self):
        self._inherit_shape(self.left.shape)


@dataclass(frozen=True)
class Neg(Node):
    operand: Node

    def __post_init__(self):
        self._inherit_shape(self.operand.shape)


@dataclass(frozen=True)
class Pow(Node):
    """Elementwise power with a literal exponent ((h^(t))^2 of eq. 10.21)."""

    base: Node
    exponent: float

    def __post_init__(self):
        self._inherit_shape(self.base.shape)


@dataclass(frozen=True)
class Transpose(Node):
    operand: Node

    def __post_init__(self):
        if self.operand.shape is not None:
            self._inherit_shape(reversed(self.operand.shape))


@dataclass(frozen=True)
class Call(Node):
    """A function applied to its arguments: a function of the one table
    (`rnn.expr.functions`: tanh, sigma, diag, onehot, softmax ...) by its table name, or an
    engine primitive the derivation has no matrix-level rule for, kept under its own name.
    The parsers only build the first kind."""

    func: str
    args: Tuple[Node, ...]


@dataclass(frozen=True)
class SumOverTime(Node):
    """sum_{t=first}^{last} body, with t bound inside the body (eqs. 10.22 - 10.28).

    The book's sums run over every step, t = 1..tau (the defaults); a student's sum that
    starts or ends elsewhere (t = 2, tau - 1) keeps its range so the missing term can be named.
    """

    body: Node
    first: TimeIndex = FIRST_STEP
    last: TimeIndex = LAST_STEP

    def __post_init__(self):
        for bound in (self.first, self.last):
            if bound.base == "t":
                raise ValueError("a sum over t cannot have t in its own bounds")
        self._inherit_shape(self.body.shape)

    @property
    def full_range(self):
        """True for the book's sum over every step, t = 1..tau."""
        return self.first == FIRST_STEP and self.last == LAST_STEP

    def range_text(self):
        """'t=2..tau' style text of the bounds."""
        return f"t={self.first.text()}..{self.last.text()}"


# ----- flat builders (no simplification: the derivation's simplifying ones are rnn.derive.algebra's)

def _flat(kind, items, attribute):
    out = []
    for item in items:
        out.extend(getattr(item, attribute) if type(item) is kind else (item,))
    return tuple(out)


def add(*terms, **meta):
    """The flat sum of `terms` (a nested Add's terms are spliced in); one term is itself."""
    flat = _flat(Add, terms, "terms")
    return flat[0] if len(flat) == 1 else Add(flat, **meta)


def sub(left, right, **meta):
    """left - right, as the sum of left and the negated right."""
    return add(left, Neg(right, source_span=meta.get("source_span")), **meta)


def matmul(*factors, **meta):
    """The flat matrix product of `factors`."""
    flat = _flat(MatMul, factors, "factors")
    return flat[0] if len(flat) == 1 else MatMul(flat, **meta)


def mul(*factors, **meta):
    """The flat elementwise product of `factors`."""
    flat = _flat(Mul, factors, "factors")
    return flat[0] if len(flat) == 1 else Mul(flat, **meta)


# ----- structure --------------------------------------------------------------------------------

_NODE_FIELDS = {
    Add: "terms", MatMul: "factors", Mul: "factors", Call: "args",
}
_SINGLE_FIELDS = {
    Div: ("left", "right"), Neg: ("operand",), Pow: ("base",), Transpose: ("operand",),
    SumOverTime: ("body",),
}


def children(node):
    """The direct sub-nodes of `node`, left to right."""
    kind = type(node)
    if kind in _NODE_FIELDS:
        return getattr(node, _NODE_FIELDS[kind])
    return tuple(getattr(node, name) for name in _SINGLE_FIELDS.get(kind, ()))


def rebuild(node, kids):
    """`node` over new children `kids`, the same kind and fields otherwise (no simplification;
    shape and span kept)."""
    kind = type(node)
    meta = {"shape": node.shape, "source_span": node.source_span}
    if kind in _NODE_FIELDS:
        values = {f.name: getattr(node, f.name) for f in fields(node) if f.init and not f.kw_only}
        values[_NODE_FIELDS[kind]] = tuple(kids)
        return kind(**values, **meta)
    names = _SINGLE_FIELDS.get(kind, ())
    if not names:
        return node
    values = {f.name: getattr(node, f.name) for f in fields(node) if f.init and not f.kw_only}
    values.update(zip(names, kids))
    return kind(**values, **meta)


def walk(node):
    """Every node of the tree, parents before children, without Python recursion."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def symbols(node):
    """The set of Symbols (adjoints included) the tree mentions."""
    return {n for n in walk(node) if isinstance(n, Symbol)}


def fold(node, visit, opaque=()):
    """visit(n, child_results) applied bottom-up over the tree, without Python recursion.

    Nodes whose type is in `opaque` are visited with no child results (their children are
    left to `visit`, e.g. a sum that evaluates its body once per step).
    """
    stack, results = [(node, False)], []
    while stack:
        current, expanded = stack.pop()
        if expanded:
            count = 0 if isinstance(current, opaque) else len(children(current))
            args = tuple(results[len(results) - count:]) if count else ()
            del results[len(results) - count:]
            results.append(visit(current, args))
        else:
            stack.append((current, True))
            if not isinstance(current, opaque):
                stack.extend((child, False) for child in reversed(children(current)))
    return results[0]


def transform(node, visit):
    """The tree rebuilt bottom-up: visit(n, rebuilt) for every node, where `rebuilt` is `n`
    over its already transformed children (returned as is when none changed)."""
    def step(current, below):
        same = all(a is b for a, b in zip(below, children(current)))
        return visit(current, current if same else rebuild(current, below))
    return fold(node, step)


def depth(node):
    """Number of nodes on the longest root-to-leaf path."""
    return fold(node, lambda _n, below: 1 + max(below, default=0))


def is_call(node, func):
    """Whether `node` applies the function `func` (by table name): is_call(n, "diag")."""
    return isinstance(node, Call) and node.func == func
