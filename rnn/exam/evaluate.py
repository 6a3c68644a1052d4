"""Numerical value of an answer tree with NumPy, for given values of its symbols.

Semantics: MatMul is `@` (a scalar operand scales); Mul, Div, Add are elementwise where
a scalar or 1×1 operand scales and an n×1 column spreads over an n×B batch; diag turns a
column into a diagonal matrix; onehot(y) has n_classes rows (eq. 10.18); SumOverTime adds its
body for t = 1..tau (eqs. 10.22 - 10.28).
"""
import numpy as np

from rnn.expr.functions import function
from rnn.expr.tree import Add, Div, MatMul, Mul, Neg, Number, Pow, SumOverTime, Symbol, Transpose, fold

from .errors import EvaluationError, UnknownSymbol
from .printers import to_text
from .shapes import combine, diag_mismatch, elementwise_shape, matmul_shape, mismatch

_ELEMENTWISE = {Add: np.add, Mul: np.multiply, Div: np.divide}


def environment_key(symbol, t=None, tau=None):
    """The key (name, absolute step or None) under which `evaluate` looks up a Symbol."""
    if symbol.index is None:
        return (symbol.name, None)
    if symbol.index.base == "t" and t is None:
        raise EvaluationError(f"{to_text(symbol)} needs the current step: pass t=... or put it inside sum_t")
    if symbol.index.base == "tau" and tau is None:
        raise EvaluationError(f"{to_text(symbol)} needs the sequence length: pass tau=...")
    return (symbol.name, symbol.index.resolve(t, tau))


def key_text(key):
    """'h[3]' or 'W' for an environment key."""
    name, step = key
    return name if step is None else f"{name}[{step}]"


def defined_symbols(env):
    """Compact names of the environment's keys: ['W', 'h[0..4]', 'y[1,3]']."""
    steps = {}
    for name, step in env:
        steps.setdefault(name, set()).add(step)
    shown = []
    for name in sorted(steps):
        numbered = sorted(s for s in steps[name] if s is not None)
        if None in steps[name]:
            shown.append(name)
        if len(numbered) > 2 and numbered == list(range(numbered[0], numbered[-1] + 1)):
            shown.append(f"{name}[{numbered[0]}..{numbered[-1]}]")
        elif numbered:
            shown.append(f"{name}[{','.join(map(str, numbered))}]")
    return shown


def evaluate(node, env, *, t=None, tau=None, n_classes=None):
    """The float64 ndarray value of `node`.

    `env` maps (name, absolute step or None) to an array, e.g. {('h', 2): ..., ('W', None): ...};
    `t` is the current step for indices like h[t-1]; `tau` the sequence length (needed by sums
    and h[tau]); `n_classes` the rows of onehot(y). Raises UnknownSymbol for a symbol with no
    value, ShapeMismatch for operands that cannot combine, EvaluationError otherwise.
    """
    values = {key: np.asarray(value) for key, value in env.items()}
    with np.errstate(all="ignore"):
        return np.asarray(_evaluate(node, values, t, tau, n_classes), dtype=float)


def _evaluate(node, values, t, tau, n_classes):
    shapes = {}

    def visit(current, below):
        result = _value(current, below, values, t, tau, n_classes, shapes.__getitem__)
        shapes[current] = np.shape(result)
        return result

    return fold(node, visit, opaque=(SumOverTime,))


def _value(node, below, values, t, tau, n_classes, shape_of):
    if isinstance(node, Number):
        return np.float64(node.value)
    if isinstance(node, Symbol):
        key = environment_key(node, t, tau)
        if key not in values:
            shown = to_text(node)
            if shown != key_text(key):
                shown += f" (= {key_text(key)})"
            raise UnknownSymbol(shown, defined_symbols(values))
        return values[key]
    if isinstance(node, SumOverTime):
        return _sum_over_time(node, values, tau, n_classes)
    if isinstance(node, (MatMul, Add, Mul, Div)):
        # the shapes first, so a product that cannot exist is named instead of NumPy's error
        rule = matmul_shape if isinstance(node, MatMul) else elementwise_shape
        shape, failed = combine(node, [np.shape(v) for v in below], rule)
        if failed is not None:
            raise mismatch(node, failed, shape, np.shape(below[failed]), shape_of)
        result = below[0]
        for value in below[1:]:
            result = _combine(node, result, value)
        return result
    if isinstance(node, Neg):
        return -below[0]
    if isinstance(node, Pow):
        return np.power(np.asarray(below[0], dtype=float), node.exponent)
    if isinstance(node, Transpose):
        return np.transpose(below[0])
    return _call(node, below[0], n_classes)


def _combine(node, left, right):
    if isinstance(node, MatMul):
        return left @ right if np.ndim(left) and np.ndim(right) else left * right
    return _ELEMENTWISE[type(node)](left, right)


def _sum_over_time(node, values, tau, n_classes):
    """sum_{t=first}^{last} body (t = 1..tau in the book), evaluating the body once per step with t bound."""
    if tau is None:
        raise EvaluationError(f"{to_text(node)} sums over t = 1..tau: pass tau=...")
    if tau < 1:
        raise EvaluationError(f"tau must be at least 1, got {tau}")
    total = 0.0
    for step in range(node.first.resolve(None, tau), node.last.resolve(None, tau) + 1):
        total = total + _evaluate(node.body, values, step, tau, n_classes)
    return total


def _call(node, arg, n_classes):
    """A function of the table (`rnn.expr.functions`); onehot needs the number of classes."""
    if node.func == "onehot":
        return _onehot(node, np.asarray(arg), n_classes)
    try:
        return function(node.func).numpy(np.asarray(arg, dtype=float))
    except ValueError:
        if node.func == "diag":
            raise diag_mismatch(node, np.shape(arg)) from None
        raise


def _onehot(node, y, n_classes):
    """onehot(y): one column per entry of y with a 1 in row y (the 1_{i=y} of eq. 10.18)."""
    if n_classes is None:
        raise EvaluationError(f"{to_text(node)} needs the number of classes: pass n_classes=...")
    labels = y.reshape(-1)
    if y.ndim > 2 or y.ndim == 2 and y.shape[0] != 1:
        raise EvaluationError(f"{to_text(node)} needs integer targets of shape (B,), got {y.shape}")
    if not np.all(np.equal(np.mod(labels, 1), 0)) or np.any(labels < 0) or np.any(labels >= n_classes):
        raise EvaluationError(f"{to_text(node)} needs whole-number targets in 0..{n_classes - 1}")
    result = np.zeros((n_classes, labels.size))
    result[labels.astype(int), np.arange(labels.size)] = 1.0
    return result
