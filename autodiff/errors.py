"""Exceptions a student can act on: each names the culprit and the fix in one line."""
from __future__ import annotations


class GradbookError(ValueError):
    """Base class for every error the engine raises on bad input."""


class ShapeError(GradbookError):
    """Operands whose shapes do not fit; names the op, the operands and their shapes."""

    @classmethod
    def for_op(cls, op, inputs, exc):
        described = ", ".join(f"{t.display_name} {tuple(t.shape)}" for t in inputs)
        return cls(f"{op}: shapes do not fit: {described} ({exc}); "
                   f"reshape or transpose an operand so the dimensions agree")


class ExponentError(GradbookError):
    """A tensor used as an exponent: ``x ** y`` takes a constant y (write exp(y * log(x)))."""


class AnomalyError(GradbookError):
    """A NaN or Inf appeared while `detect_anomaly()` was on."""


class BackwardError(GradbookError):
    """`backward()` cannot start, e.g. a non-scalar root without a seed gradient."""


class RendererMissing(GradbookError):
    """No Graphviz renderer is available (neither a system `dot` nor the pygraphviz wheel)."""


class RenderFailed(GradbookError):
    """Graphviz ran but could not lay out or write a figure."""


class StyleError(GradbookError):
    """An unknown style, view or layout direction was asked for."""


class StepThroughError(GradbookError):
    """The graph cannot be stepped through (e.g. no backward pass has run)."""
