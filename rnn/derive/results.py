"""Result objects of a derivation: printable as LaTeX, text, MathML and JSON, and shown as
LaTeX in Jupyter (``_repr_latex_``).

``latex(env=...)`` writes one of `layout.ENVS` (``align``, ``aligned``, ``beamer``);
``_repr_latex_`` is ``$$\\begin{aligned} ... \\end{aligned}$$``, the one form that classic
Jupyter, JupyterLab (MathJax) and VS Code (KaTeX) all display: no ``\\tag`` inside it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from . import layout, printers


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

    def row(self):
        """This equation laid out for `layout.latex_block` (lines broken, number apart)."""
        return printers.row(self)

    def latex(self, env=layout.DEFAULT_ENV):
        return layout.latex_block([self.row()], env)

    def text(self):
        return printers.equation_text(self)

    def mathml(self):
        return printers.equation_mathml(self)

    def to_dict(self):
        return {"key": self.key, "book": self.tag, "text": self.text(),
                "lhs": printers.text(self.lhs), "rhs": printers.text(self.rhs),
                "latex": printers.latex(self.rhs),
                "t_range": None if self.lo is None else [self.lo.text(), self.hi.text()]}

    def _repr_latex_(self):
        return "$$" + self.latex("aligned") + "$$"


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

    def latex(self, wrt=None, env=layout.DEFAULT_ENV):
        """The equations in `env`: ``align`` (default), ``aligned`` or ``beamer`` frames."""
        return layout.latex_block([eq.row() for eq in self.select(wrt)], env,
                                  title=f"BPTT, {self.cell.title}")

    def text(self, wrt=None):
        return "\n".join(eq.text() for eq in self.select(wrt))

    def mathml(self, wrt=None):
        return "\n".join(eq.mathml() for eq in self.select(wrt))

    def to_json(self, wrt=None):
        return json.dumps({"cell": self.cell.name, "form": "matrix", "title": self.cell.title,
                           "equations": [eq.to_dict() for eq in self.select(wrt)]}, indent=2)

    def _repr_latex_(self):
        return "$$" + self.latex(env="aligned") + "$$"
