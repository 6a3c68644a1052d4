"""Result objects of a derivation: printable as LaTeX, text, MathML and JSON, and shown as
LaTeX in Jupyter (``_repr_latex_``)."""
from __future__ import annotations

import json
from dataclasses import dataclass

from . import printers
from .notation import time_text


@dataclass
class Equation:
    """``lhs = rhs`` for t in [lo, hi] (both None for a parameter's sum over t).

    `key` is the adjoint kind (``'h'``, ``'h@tau'``) or the parameter name; `tag` the book's
    equation number when the cell is the book's (eq. 10.21 ...).
    """

    lhs: object
    rhs: object
    lo: object = None
    hi: object = None
    key: str = ""
    tag: str | None = None

    def latex(self):
        return printers.LatexPrinter().equation(self)

    def text(self):
        return printers.TextPrinter().equation(self)

    def mathml(self):
        return printers.MathMLPrinter().equation(self)

    def to_dict(self):
        return {"key": self.key, "book": self.tag, "text": self.text(),
                "lhs": printers.text(self.lhs), "rhs": printers.text(self.rhs),
                "latex": printers.latex(self.rhs),
                "t_range": None if self.lo is None else [time_text(self.lo), time_text(self.hi)]}

    def _repr_latex_(self):
        return "$$\\begin{aligned}" + self.latex() + "\\end{aligned}$$"


def _aligned(lines):
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


@dataclass
class MatrixDerivation:
    """The derived recurrences (adjoints) and parameter gradients of one cell, any tau."""

    cell: object
    adjoints: list
    params: list
    sizes: tuple

    @property
    def equations(self):
        return self.adjoints + self.params

    def equation(self, key):
        """The equation for adjoint kind `key` (``'h'``, ``'h@tau'``) or parameter `key`."""
        for eq in self.equations:
            if eq.key == key:
                return eq
        raise KeyError(f"no derived equation {key!r}; have {', '.join(e.key for e in self.equations)}")

    def select(self, wrt=None):
        """The adjoint recurrences plus the gradient of `wrt` (all parameters when None)."""
        params = self.params if wrt in (None, "all") else [self.equation(wrt)]
        return self.adjoints + params

    def latex(self, wrt=None):
        return _aligned([eq.latex() for eq in self.select(wrt)])

    def text(self, wrt=None):
        return "\n".join(eq.text() for eq in self.select(wrt))

    def mathml(self, wrt=None):
        return "\n".join(eq.mathml() for eq in self.select(wrt))

    def to_json(self, wrt=None):
        return json.dumps({"cell": self.cell.name, "form": "matrix", "title": self.cell.title,
                           "equations": [eq.to_dict() for eq in self.select(wrt)]}, indent=2)

    def _repr_latex_(self):
        return "$$" + self.latex() + "$$"
