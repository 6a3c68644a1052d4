"""Exceptions raised while reading, evaluating or shape-checking an exam answer."""

from autodiff.errors import GradbookError


class ParseError(GradbookError):
    """An answer could not be read; `position` is the 0-based column, `reason` says why and how to fix it."""

    def __init__(self, reason, position, source=""):
        self.reason = reason
        self.position = position
        self.source = source
        near = source[position:position + 20] if source else ""
        where = f"column {position + 1}"
        super().__init__(f"{where}: {reason}" + (f" (near {near!r})" if near else ""))

    def pointer(self):
        """Two lines: the (clipped) source and a caret under the offending column."""
        start = max(0, self.position - 40)
        line = self.source[start:start + 80]
        return f"{line}\n{' ' * (self.position - start)}^"


class UnknownSymbol(GradbookError):
    """A symbol of the answer has no value (or no shape) in the environment given."""

    def __init__(self, symbol, allowed):
        self.symbol = symbol
        self.allowed = tuple(allowed)
        listed = ", ".join(self.allowed) if self.allowed else "none"
        super().__init__(f"unknown symbol {symbol}: the question defines only {listed}")


class ShapeMismatch(GradbookError):
    """Two operands of one node have shapes that the operation cannot combine.

    `node` is the failing AST node; `left` and `right` are the operand shapes as displayed.
    """

    def __init__(self, message, node, left=None, right=None):
        self.node = node
        self.left = left
        self.right = right
        super().__init__(message)


class EvaluationError(GradbookError):
    """An answer parsed but cannot be evaluated with the values given (e.g. onehot without n_classes)."""
