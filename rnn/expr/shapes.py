"""The shape rules of the language's operations, on sizes (ints) or named axes (`Dim`).

One place says which operands combine: the evaluator (`rnn.expr.evaluate`) checks values
with it before NumPy sees them, and the exam's static check (`rnn.exam.shapes`) checks
declared shapes such as H×1 with it. A scalar or 1×1 operand scales, an n×1 column spreads
over an n×B batch (the bias b of eq. 10.8), and a matrix product needs the columns of its
left factor to match the rows of its right (eq. 10.21's W^T grad_{h^(t+1)} L).
"""


class Dim:
    """One axis length: a size (int), a name such as 'H', or both."""

    __slots__ = ("size", "label")

    def __init__(self, size, label=None):
        self.size = size
        self.label = label

    def same(self, other):
        if self.size is not None and other.size is not None:
            return self.size == other.size
        return self.label is not None and self.label == other.label

    def is_one(self):
        return self.size == 1

    def value(self):
        return self.size if self.size is not None else self.label


def elementwise_shape(a, b):
    """The result shape of an elementwise op on shapes a and b, or None if they do not fit.

    Equal shapes combine; a scalar or 1×1 operand scales the other; a column (n×1) spreads
    over the B columns of an n×B batch (the bias b in eq. 10.8). Works on ints or Dims.
    """
    one = [_is_one(d) for d in a], [_is_one(d) for d in b]
    if len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b)):
        return a
    if all(one[0]):
        return b
    if all(one[1]):
        return a
    if len(a) == len(b) == 2 and _same(a[0], b[0]) and (one[0][1] or one[1][1]):
        return (a[0], b[1] if one[0][1] else a[1])
    return None


def matmul_shape(a, b):
    """The shape of a @ b (NumPy rules for vectors, a scalar scales), or None if it does not exist."""
    if not a:
        return b
    if not b:
        return a
    if len(a) > 2 or len(b) > 2:
        return None
    inner_left, inner_right = a[-1], b[0] if len(b) == 1 else b[-2]
    if not _same(inner_left, inner_right):
        return None
    return tuple(a[:-1]) + tuple(b[1:] if len(b) == 2 else ())


def _is_one(d):
    return d.is_one() if isinstance(d, Dim) else d == 1


def _same(x, y):
    return x.same(y) if isinstance(x, Dim) else x == y


def combine(shapes, rule):
    """The shape of a flat sum or product from its operands' `shapes`, combined left to right
    with `rule` (matmul_shape or elementwise_shape): (shape, None), or (shape so far, i) when
    operand i cannot join the ones before it."""
    result = shapes[0]
    for i, shape in enumerate(shapes[1:], 1):
        joined = rule(result, shape)
        if joined is None:
            return result, i
        result = joined
    return result, None
