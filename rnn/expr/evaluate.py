"""The one NumPy evaluator of the expression tree (`rnn.expr.tree`): the derivation's checks
run their derived recurrences with it, the exam its students' answers and keys.

Semantics: MatMul is `@` (a scalar operand scales); Add, Mul and Div are elementwise, where a
scalar or 1×1 operand scales and an n×1 column spreads over an n×B batch. The operands'
shapes are checked first with `rnn.expr.shapes`, so a product that cannot exist is named
instead of NumPy's error. diag turns a column into a diagonal matrix (eq. 10.21); onehot(y)
has one row per class and a 1 in row y of each column (the 1_{i=y} of eq. 10.18); a sum over t
adds its body at every step of its range, t = 1..tau in the book (eqs. 10.22 - 10.28); every
other function is the table's (`rnn.expr.functions`).

The walk is the same for both sides; what differs is passed in as a `Values`: where a
symbol's value comes from (an environment, and for the derivation the adjoints it solves on
demand) and what a failure says.
"""
from __future__ import annotations

import numpy as np

from .functions import lookup
from .shapes import combine, elementwise_shape, matmul_shape
from .tree import Add, Array, Div, Grad, MatMul, Mul, Neg, Number, Pow, SumOverTime, Symbol, Transpose, children

_ELEMENTWISE = {Add: np.add, Mul: np.multiply, Div: np.divide}
_RULES = {Add: elementwise_shape, Mul: elementwise_shape, Div: elementwise_shape, MatMul: matmul_shape}


class Values:
    """The values of one concrete sequence, as the evaluator reads them.

    `env` maps (name, absolute step or None) to an array: {('h', 2): ..., ('W', None): ...}.
    `tau` is the sequence length (sums over t, h^(tau)); `n_classes` the rows of onehot(y)
    (without it, a onehot node's own shape gives them); `adjoint(kind, step)`, when given,
    is the value of grad_{kind^(step)} L, solved on demand instead of read from `env`.
    `text` prints a node for a message and `error` is the exception class a failure raises;
    `unknown`, `mismatch` and `not_a_column` build the failures a side words its own way.
    """

    def __init__(self, env, *, text, error, tau=None, n_classes=None, adjoint=None):
        self.env, self.text, self.error = env, text, error
        self.tau, self.n_classes, self.adjoint = tau, n_classes, adjoint

    def key(self, symbol, t=None):
        """(name, absolute step or None): the environment key of `symbol` when the current step is t."""
        index = symbol.index
        if index is None:
            return (symbol.name, None)
        if index.base == "t" and t is None:
            raise self.error(f"{self.text(symbol)} needs the current step: pass t=... or put it inside sum_t")
        if index.base == "tau" and self.tau is None:
            raise self.error(f"{self.text(symbol)} needs the sequence length: pass tau=...")
        return (symbol.name, index.resolve(t, self.tau))

    def value(self, symbol, t=None):
        """The array `symbol` stands for at step t."""
        key = self.key(symbol, t)
        if self.adjoint is not None and isinstance(symbol, Grad):
            return self.adjoint(symbol.of.name, key[1])
        try:
            return np.asarray(self.env[key])
        except KeyError:
            raise self.unknown(symbol, key) from None

    def steps(self, node):
        """The steps the sum over t `node` adds its body at."""
        if self.tau is None:
            raise self.error(f"{self.text(node)} sums over t = 1..tau: pass tau=...")
        if self.tau < 1:
            raise self.error(f"tau must be at least 1, got {self.tau}")
        return range(node.first.resolve(None, self.tau), node.last.resolve(None, self.tau) + 1)

    def classes(self, node):
        """The number of classes of the onehot call `node`."""
        if self.n_classes is not None:
            return self.n_classes
        if node.shape:
            return node.shape[0]
        raise self.error(f"{self.text(node)} needs the number of classes: pass n_classes=...")

    def unknown(self, symbol, key):
        """The failure for a symbol with no value under `key`."""
        step = "" if key[1] is None else f" at step {key[1]}"
        return self.error(f"no value for {self.text(symbol)}{step}: bind {key} in the environment")

    def mismatch(self, node, i, left, right, shape_of):
        """The failure for operand `i` of the sum or product `node`, of shape `right`, which cannot
        join the operands before it (combined shape `left`); `shape_of(operand)` is an operand's shape."""
        return self.error(f"operand {i + 1} of {self.text(node)} has shape {right}, which cannot join "
                          f"the shape {left} of the operands before it")

    def not_a_column(self, node, shape):
        """The failure for diag applied to something that is not a column."""
        return self.error(f"diag needs a column vector, but {self.text(node.args[0])} has shape {shape}")


def evaluate(node, values, t=None):
    """The float64 ndarray value of `node` with the symbols' `values` (a `Values`), at the
    current step `t` (for indices like h^(t-1) outside a sum over t).

    Walks the tree with an explicit stack, so a tree of any depth, and sums over t nested to
    any depth, evaluate without Python recursion.
    """
    with np.errstate(all="ignore"):
        return np.asarray(_walk(node, values, t), dtype=float)


def _walk(root, values, t):
    # (node, t, None) is a node to expand; (node, t, n) a node whose n operand values (or n
    # steps of a sum's body) are the last n results
    stack, results = [(root, t, None)], []
    while stack:
        node, step, count = stack.pop()
        if count is not None:
            below = results[len(results) - count:]
            del results[len(results) - count:]
            results.append(_combine(node, below, values))
        elif isinstance(node, SumOverTime):
            steps = values.steps(node)
            stack.append((node, step, len(steps)))
            stack.extend((node.body, s, None) for s in reversed(steps))
        elif isinstance(node, Symbol):
            results.append(values.value(node, step))
        elif isinstance(node, Number):
            results.append(np.float64(node.value) if node.shape is None else constant(node))
        elif isinstance(node, Array):
            results.append(constant(node))
        else:
            operands = children(node)
            stack.append((node, step, len(operands)))
            stack.extend((operand, step, None) for operand in reversed(operands))
    return results[0]


def constant(node):
    """The array of a `Number` of known shape (its value repeated) or an `Array`."""
    if isinstance(node, Number):
        return np.full(node.shape, node.value, dtype=np.float64)
    return np.array(node.data, dtype=np.float64).reshape(node.shape)


def _combine(node, below, values):
    """The value of `node` from its operands' values `below` (a sum's: its body at each step)."""
    kind = type(node)
    if kind in _RULES:
        shape, failed = combine([np.shape(v) for v in below], _RULES[kind])
        if failed is not None:
            shapes = {id(operand): np.shape(v) for operand, v in zip(children(node), below)}
            raise values.mismatch(node, failed, shape, np.shape(below[failed]), lambda n: shapes[id(n)])
        operation = _matmul if kind is MatMul else _ELEMENTWISE[kind]
        result = below[0]
        for value in below[1:]:
            result = operation(result, value)
        return result
    if kind is SumOverTime:
        total = 0.0
        for value in below:
            total = total + value
        return total
    if kind is Neg:
        return -below[0]
    if kind is Pow:
        return np.power(np.asarray(below[0], dtype=float), node.exponent)
    if kind is Transpose:
        return np.transpose(below[0])
    return _call(node, below[0], values)


def _matmul(left, right):
    """left @ right, where a scalar factor scales (c W in an answer)."""
    return left @ right if np.ndim(left) and np.ndim(right) else left * right


def _call(node, arg, values):
    """A function of the table; onehot reads its number of classes from `values`."""
    if node.func == "onehot":
        return _onehot(node, np.asarray(arg), values)
    known = lookup(node.func)
    if known is None or known.numpy is None:
        raise values.error(f"cannot evaluate {values.text(node)}: {node.func} has no numeric rule "
                           "in rnn/expr/functions.py")
    try:
        return known.numpy(np.asarray(arg, dtype=float))
    except ValueError:
        if known.name == "diag":
            raise values.not_a_column(node, np.shape(arg)) from None
        raise


def _onehot(node, y, values):
    """onehot(y): one column per entry of y with a 1 in row y (the 1_{i=y} of eq. 10.18)."""
    classes = values.classes(node)
    labels = y.reshape(-1)
    if y.ndim > 2 or y.ndim == 2 and y.shape[0] != 1:
        raise values.error(f"{values.text(node)} needs integer targets of shape (B,), got {y.shape}")
    if not np.all(np.equal(np.mod(labels, 1), 0)) or np.any(labels < 0) or np.any(labels >= classes):
        raise values.error(f"{values.text(node)} needs whole-number targets in 0..{classes - 1}")
    result = np.zeros((classes, labels.size))
    result[labels.astype(int), np.arange(labels.size)] = 1.0
    return result
