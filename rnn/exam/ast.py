"""The whitelisted expression tree of a gradient answer (frozen dataclasses).

Both input syntaxes (plain text and LaTeX) produce these nodes. Equality ignores
`source_span`, so an answer typed two ways compares equal when it means the same tree.
"""
from dataclasses import dataclass, field
from typing import Optional, Tuple

from rnn.expr.functions import NAMES
from rnn.expr.time import FIRST_STEP, LAST_STEP, TimeIndex

Span = Optional[Tuple[int, int]]


@dataclass(frozen=True)
class Node:
    """Base of every tree node; `source_span` is (start, end) in the typed answer."""

    source_span: Span = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True)
class Number(Node):
    """A numeric literal; `1` also stands for the ones vector when added to a vector."""

    value: float


@dataclass(frozen=True)
class Symbol(Node):
    """A named quantity such as h, W, yhat or grad_h (= nabla_h L), with an optional time index."""

    name: str
    index: Optional[TimeIndex] = None


@dataclass(frozen=True)
class MatMul(Node):
    """Matrix product `left @ right` (juxtaposition in the book)."""

    left: Node
    right: Node


@dataclass(frozen=True)
class Mul(Node):
    """Elementwise (Hadamard, the book's odot) or scalar product."""

    left: Node
    right: Node


@dataclass(frozen=True)
class Div(Node):
    """Elementwise division."""

    left: Node
    right: Node


@dataclass(frozen=True)
class Add(Node):
    left: Node
    right: Node


@dataclass(frozen=True)
class Sub(Node):
    left: Node
    right: Node


@dataclass(frozen=True)
class Neg(Node):
    operand: Node


@dataclass(frozen=True)
class Pow(Node):
    """Elementwise power with a literal exponent (at most `MAX_EXPONENT` in magnitude)."""

    base: Node
    exponent: float


@dataclass(frozen=True)
class Transpose(Node):
    operand: Node


@dataclass(frozen=True)
class Call(Node):
    """A function of the one table (`rnn.expr.functions`) applied to its arguments."""

    func: str
    args: Tuple[Node, ...]

    def __post_init__(self):
        if self.func not in NAMES:
            raise ValueError(f"function {self.func!r} is not one of {', '.join(NAMES)}")


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

    @property
    def full_range(self):
        """True for the book's sum over every step, t = 1..tau."""
        return self.first == FIRST_STEP and self.last == LAST_STEP

    def range_text(self):
        """'t=2..tau' style text of the bounds."""
        return f"t={self.first.text()}..{self.last.text()}"


BINARY = (MatMul, Mul, Div, Add, Sub)


def children(node):
    """The direct sub-nodes of `node`, left to right."""
    if isinstance(node, BINARY):
        return (node.left, node.right)
    if isinstance(node, (Neg, Transpose)):
        return (node.operand,)
    if isinstance(node, Pow):
        return (node.base,)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, SumOverTime):
        return (node.body,)
    return ()


def walk(node):
    """Every node of the tree, parents before children, without Python recursion."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def symbols(node):
    """The set of Symbols the tree mentions."""
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


def depth(node):
    """Number of nodes on the longest root-to-leaf path."""
    return fold(node, lambda _n, below: 1 + max(below, default=0))
