"""A readable listing of a graph, one line per node, like a jaxpr; and of its backward pass.

``print(graph)`` lists the leaves first (parameters, then inputs and constants), then every
op node in topological order, each named as the graph names it (``h_2``) or by its stable
id (``n7``) when it has no name::

    W = parameter  # (3, 3)
    h_2 = tanh(a_2)  # (3, 1)  t=2

`backward_listing(root)` lists reverse mode the same way, one line per adjoint
(``grad_h_1 = W.T @ grad_a_2 + V.T @ grad_o_1``). Nothing in it is written per op: it is the
graph the primitives' own VJP rules record when reverse mode runs with ``create_graph=True``
(eqs 10.17-10.28 for an unrolled RNN), with the forward nodes it reads shown by name and the
VJPs' single-use intermediate results written inline. A listing is also a program:
`Listing.evaluate` runs it again from its leaves, so its numbers can be checked against the
engine's.
"""
from __future__ import annotations

import inspect

import numpy as np

from .backward import backprop
from .errors import GradbookError

INFIX = {"add": ("+", 1), "sub": ("-", 1), "mul": ("*", 2), "div": ("/", 2), "matmul": ("@", 2)}
"""Ops written between their operands, with Python's precedence (higher binds tighter)."""
UNARY, POWER, POSTFIX, ATOM = 3, 4, 5, 6
LEAF_ORDER = ("parameter", "input", "constant")


class ListingError(GradbookError):
    """A graph whose backward pass cannot be listed (no scalar root, nothing to differentiate)."""


class Listing:
    """Named lines over graph nodes: ``lines`` is [(name, node, source)], where source is
    None for a line computing `node` from its inputs, or the name an alias line copies."""

    def __init__(self, lines, names, literals):
        self.lines, self.names, self.literals = lines, names, literals

    def __str__(self):
        return "\n".join(self.text_lines())

    def text_lines(self):
        return [self._line(name, node, source) for name, node, source in self.lines]

    def _line(self, name, node, source):
        if source is not None:
            rhs = source
        elif node.prim is None:
            rhs = _leaf(node)
        else:
            rhs = self._expression(node)[0]
        return f"{name} = {rhs}  # {_comment(node)}"

    def _operand(self, node):
        """(text, precedence) of an input: its name, a literal, or its expression inlined."""
        if node in self.names:
            return self.names[node], ATOM
        if node in self.literals:
            value = float(node.value)
            return f"{value:g}", (ATOM if value >= 0 else UNARY)
        return self._expression(node)

    def _expression(self, node):
        operands = [self._operand(i) for i in node.inputs]
        return _format(node.prim, node.params, operands)

    def evaluate(self, values=None):
        """Run the listing line by line from its leaves; {name: value}.

        `values` ({name: array}) replaces the values of leaves (a forward listing's
        parameters, or the forward nodes a backward listing reads); every other leaf keeps
        its recorded value. Op lines run their primitive's NumPy forward.
        """
        env = dict(values or {})
        own = {node for _, node, _ in self.lines}
        cache = {}

        def value_of(node):
            name = self.names.get(node)
            if name is not None and name in env:
                return env[name]
            if node.prim is None or (name is not None and node not in own):
                return node.value  # a literal, or a forward node a backward listing reads
            if node not in cache:
                cache[node] = node.prim.forward(*[value_of(i) for i in node.inputs], **node.params)
            return cache[node]

        for name, node, source in self.lines:
            if source is not None:
                env[name] = env[source]
            elif node.prim is None:
                env.setdefault(name, node.value)
            else:
                env[name] = value_of(node)
        return env


def _leaf(node):
    """A leaf's right-hand side: a parameter's or an input's role, else its numbers (a
    constant, or the seed 1 of a recorded backward pass)."""
    if node.role in ("parameter", "input"):
        return node.role
    if node.size == 1 and node.dtype != object:
        return f"{node.value.item():g}"
    if node.size <= 6:
        return "constant " + np.array2string(node.value.ravel(), separator=", ")
    return "constant"


def _comment(node):
    text = str(tuple(node.shape))
    if "t" in node.meta:
        text += f"  t={node.meta['t']}"
    return text


def _format(prim, params, operands):
    """(text, precedence) of one op applied to formatted operands."""
    name = prim.name
    if name in INFIX and len(operands) == 2 and not params:
        symbol, level = INFIX[name]
        (left, lp), (right, rp) = operands
        left = f"({left})" if lp < level else left
        right = f"({right})" if rp <= level else right
        return f"{left} {symbol} {right}", level
    if name == "neg":
        text, level = operands[0]
        return ("-" + (f"({text})" if level < UNARY else text)), UNARY
    if name == "pow":
        text, level = operands[0]
        return f"{f'({text})' if level <= POWER else text} ** {params['exponent']!r}", POWER
    if name == "transpose" and params.get("axes") is None:
        text, level = operands[0]
        return f"{f'({text})' if level < POSTFIX else text}.T", POSTFIX
    if name == "getitem":
        text, level = operands[0]
        return f"{f'({text})' if level < POSTFIX else text}[{_index(params['index'])}]", POSTFIX
    shown = [f"{key}={_param(value)}" for key, value in params.items() if not _is_default(prim, key, value)]
    return f"{name}({', '.join([text for text, _ in operands] + shown)})", ATOM


def _is_default(prim, key, value):
    """Whether `value` is what the primitive's forward takes when `key` is not given."""
    try:
        parameter = inspect.signature(prim.forward).parameters.get(key)
    except (TypeError, ValueError):  # a NumPy ufunc: no signature to read
        return False
    if parameter is None or parameter.default is inspect.Parameter.empty:
        return False
    default = parameter.default
    return not isinstance(value, np.ndarray) and type(default) is type(value) and default == value


def _param(value):
    if isinstance(value, np.ndarray):
        return np.array2string(value, separator=", ")
    if isinstance(value, tuple):
        return "(" + ", ".join(_param(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, slice):
        return _slice(value)
    if isinstance(value, np.generic):
        return repr(value.item())
    return repr(value)


def _slice(s):
    text = ("" if s.start is None else str(s.start)) + ":" + ("" if s.stop is None else str(s.stop))
    return text + ("" if s.step is None else f":{s.step}")


def _index(index):
    parts = index if isinstance(index, tuple) else (index,)
    return ", ".join(_slice(p) if isinstance(p, slice) else _param(p) for p in parts)


# ----- naming ---------------------------------------------------------------------------------

def _is_literal(node):
    """A 0-d unnamed constant (the 1 of 1 - h*h, the seed, a literal 0.5): written inline."""
    return (node.prim is None and node.name is None and node.role == "constant" and node.ndim == 0
            and node.dtype != object)


def _forward_names(graph):
    """Every node of `graph` but the literals, named by its name or, unnamed, its stable id."""
    taken = {node.name for node in graph.nodes if node.name}
    names, literals = {}, set()
    for node in graph.nodes:
        if _is_literal(node):
            literals.add(node)
        elif node.name:
            names[node] = node.name
        else:
            names[node] = _fresh(graph.id_of(node), taken)
    return names, literals


def _fresh(base, taken):
    name = base
    while name in taken:
        name += "_"
    taken.add(name)
    return name


def listing(graph):
    """The forward listing of `graph`: leaves first (parameters, inputs, constants), then its
    op nodes in topological order, one line each."""
    names, literals = _forward_names(graph)
    leaves = [node for node in graph.nodes if node.prim is None and node not in literals]
    rank = {role: k for k, role in enumerate(LEAF_ORDER)}
    leaves.sort(key=lambda node: rank.get(node.role, 1))  # stable: topological within a role
    ops = [node for node in graph.nodes if node.prim is not None]
    return Listing([(names[node], node, None) for node in leaves + ops], names, literals)


def backward_listing(graph):
    """Reverse mode over `graph` (one scalar root) as a listing of adjoints, newest first.

    Each forward node that receives a gradient gets the line ``grad_<name> = ...``: its
    adjoint as the VJPs of its consumers recorded it (``create_graph=True``), summed over its
    uses (the book's sum over the dummy copies W^(t), eqs 10.22-10.28). An adjoint that is
    another's unchanged (add hands its gradient on) is written as that name, and left out for
    an unnamed node (``grad_n5 = grad_a_1`` would say nothing). A VJP result
    used by more than one line gets a line of its own (``tmp1``).
    """
    root = _loss_root(graph)
    if root.size != 1:
        raise ListingError(f"the backward listing needs a scalar root; {root.display_name} has shape "
                           f"{root.shape}: reduce it first (e.g. .sum())")
    forward_names, forward_literals = _forward_names(graph)
    adjoints = backprop(root, create_graph=True)
    forward = set(graph.nodes)
    taken = set(forward_names.values())
    names = dict(forward_names)
    order = [node for node in reversed(graph.nodes) if node in adjoints]
    heads, node_named = [], {}
    for node in order:
        g = adjoints[node]
        name = _fresh(f"grad_{forward_names[node]}", taken)
        heads.append((name, g, names.get(g)))
        node_named[name] = node.name is not None
        names.setdefault(g, name)
    body = _backward_nodes([adjoints[node] for node in order], forward)
    uses = {}
    for node in body:
        for i in node.inputs:
            uses[i] = uses.get(i, 0) + 1
    literals = forward_literals | {node for node in body if _is_literal(node)}
    count = 0
    for node in body:
        if node not in names and node not in literals and (uses.get(node, 0) > 1 or node.prim is None):
            count += 1
            names[node] = _fresh(f"tmp{count}", taken)
    lines, written = [], set(forward)
    for name, g, alias in heads:
        for node in _needed(g, names, written):
            lines.append((names[node], node, None))
            written.add(node)
        if alias is None and g not in written:
            lines.append((name, g, None))
            written.add(g)
        elif node_named[name]:  # an unnamed node's copy of a named adjoint says nothing new
            lines.append((name, g, names[g]))
    return Listing(lines, names, literals)


def _loss_root(graph):
    """The root reverse mode starts from: the only root, or the only root that is a loss
    (an unrolled RNN's graph also ends at its outputs yhat^(t))."""
    roots = graph.roots if len(graph.roots) == 1 else [r for r in graph.roots if r.role == "loss"]
    if len(roots) != 1:
        names = ", ".join(r.display_name for r in graph.roots)
        raise ListingError(f"the backward listing starts from one loss; this graph ends at {names}: "
                           f"trace the loss alone (autodiff.trace(loss))")
    return roots[0]


def _post_order(start, seen):
    """The nodes below `start` not in `seen` (which it extends), inputs first, `start` last."""
    seen.add(start)
    stack = [(start, iter(start.inputs))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if child not in seen:
                seen.add(child)
                stack.append((child, iter(child.inputs)))
                break
        else:
            stack.pop()
            yield node


def _backward_nodes(adjoints, forward):
    """The backward graph's own nodes below `adjoints`, inputs first; forward nodes are where
    it stops (they are read by name)."""
    order, seen = [], set(forward)
    for start in adjoints:
        if start not in seen:
            order.extend(_post_order(start, seen))
    return order


def _needed(g, names, written):
    """The named nodes below `g` not yet written, inputs first (`g` itself excluded)."""
    return [node for node in _post_order(g, set(written)) if node is not g and node in names]
