"""Static shape check of an answer: the shape of every node, or the product that cannot exist.

This is how the book's printed eq. 10.21, W^T (grad_{h^(t+1)} L) diag(1 - (h^(t+1))^2), is
rejected: an H×1 column times an H×H matrix is not a product.
"""
from rnn.expr.shapes import Dim, combine, elementwise_shape, matmul_shape
from rnn.expr.tree import Add, Div, MatMul, Mul, Neg, Number, Pow, SumOverTime, Symbol, Transpose, add, fold, matmul, mul

from .errors import ShapeMismatch, UnknownSymbol
from .printers import to_text

_VERBS = {Add: "add", Mul: "multiply elementwise", Div: "divide elementwise"}
_PARTIAL = {Add: add, MatMul: matmul, Mul: mul}


def shape_text(shape):
    """'H×1 = 3×1', '3×3', 'H×H' or 'scalar' for display."""
    if not shape:
        return "scalar"
    if not all(isinstance(d, Dim) for d in shape):
        return "×".join(str(d) for d in shape)
    labels = "×".join(d.label if d.label else str(d.size) for d in shape)
    sizes = "×".join(str(d.size) for d in shape) if all(d.size is not None for d in shape) else None
    if sizes is None or labels == sizes:
        return labels
    return f"{labels} = {sizes}"


def operands(node):
    """The operands of a flat sum or product, a Div's two sides: combined left to right."""
    return node.terms if isinstance(node, Add) else node.factors if isinstance(node, (MatMul, Mul)) \
        else (node.left, node.right)


def mismatch(node, i, left_shape, right_shape, shape_of=None):
    """The ShapeMismatch for operand `i` of `node` (a sum, product or Div), which cannot join the
    operands before it (their combined shape `left_shape`; ints or Dims).

    For a matrix product the message names the two factors that meet, e.g. grad_h[t+1] and
    diag(...) inside W.T @ grad_h[t+1] @ diag(...), when `shape_of(subnode)` can give their shapes;
    a subtracted term is named as such.
    """
    items = operands(node)
    left = items[0] if i == 1 else _PARTIAL[type(node)](*items[:i])
    right = items[i]
    whole = node if i == len(items) - 1 or isinstance(node, Div) else _PARTIAL[type(node)](*items[:i + 1])
    if isinstance(node, MatMul) and shape_of is not None:
        left = items[i - 1]
        left_shape, right_shape = shape_of(left), shape_of(right)
    a, b = shape_text(left_shape), shape_text(right_shape)
    if isinstance(node, MatMul):
        reason = (f"cannot multiply {to_text(left)} ({a}) by {to_text(right)} ({b}): the columns "
                  "of the left must match the rows of the right")
        if i > 1 and shape_of is not None:
            reason += f", in {to_text(whole)}"
    else:
        verb = _VERBS[type(node)]
        if isinstance(node, Add) and isinstance(right, Neg):
            verb, right = "subtract", right.operand
        reason = f"cannot {verb} {to_text(left)} ({a}) and {to_text(right)} ({b}): the shapes differ"
    return ShapeMismatch(reason, whole, a, b)


def diag_mismatch(node, shape):
    return ShapeMismatch(f"diag needs a column vector, but {to_text(node.args[0])} is "
                         f"{shape_text(shape)}", node, shape_text(shape))


def infer_shapes(node, shapes, dims=None, n_classes=None):
    """{node: shape} for every node of the tree; shapes are tuples of ints or dimension names.

    `shapes` maps each base symbol name ('h', 'W', 'grad_h', 'y', ...) to a tuple whose entries
    are ints or names like 'H'; `dims` maps names to sizes ({'H': 3, 'K': 4}). onehot(y) has
    n_classes (or dims['K']) rows. Raises ShapeMismatch naming the first impossible operation,
    or UnknownSymbol.
    """
    dims = dict(dims or {})
    if n_classes is not None:
        dims.setdefault("K", n_classes)
    dim_shapes = {}

    def visit(current, below):
        dim_shapes[current] = _node_shape(current, below, shapes, dims, dim_shapes.__getitem__)
        return dim_shapes[current]

    fold(node, visit)
    return {n: tuple(d.value() for d in shape) for n, shape in dim_shapes.items()}


def infer_shape(node, shapes, dims=None, n_classes=None):
    """The shape of the whole answer (see infer_shapes)."""
    return infer_shapes(node, shapes, dims, n_classes)[node]


def _dim(entry, dims):
    if isinstance(entry, str):
        return Dim(dims.get(entry), entry)
    return Dim(int(entry))


def _node_shape(node, below, shapes, dims, shape_of):
    if isinstance(node, Number):
        return ()
    if isinstance(node, Symbol):
        if node.name not in shapes:
            raise UnknownSymbol(to_text(node), sorted(shapes))
        return tuple(_dim(entry, dims) for entry in shapes[node.name])
    if isinstance(node, (MatMul, Mul, Add, Div)):
        result, failed = combine(below, matmul_shape if isinstance(node, MatMul) else elementwise_shape)
        if failed is not None:
            raise mismatch(node, failed, result, below[failed], shape_of=shape_of)
        return result
    if isinstance(node, Transpose):
        return tuple(reversed(below[0]))
    if isinstance(node, (Neg, Pow, SumOverTime)):
        return below[0]
    return _call_shape(node, below[0], dims)


def _call_shape(node, shape, dims):
    if node.func == "diag":
        if not shape or len(shape) == 2 and shape[0].is_one() and shape[1].is_one():
            return shape
        if len(shape) == 1 or len(shape) == 2 and shape[1].is_one():
            return (shape[0], shape[0])
        raise diag_mismatch(node, shape)
    if node.func == "onehot":
        classes = Dim(dims.get("K"), "K")
        batch = shape[-1] if shape else Dim(1)
        return (classes, batch)
    return shape
