"""SymPy derives closed-form BPTT from the graph (issue 4).

Three forms, each derived from an unrolled graph by the engine's own VJPs (and JVPs):

* `derive_matrix` (`matrix.py`): recurrences and sums in book notation for any tau, the
  corrected eq. 10.21 among them (``derive('rnn')``);
* `derive_explicit` (`explicit.py`): exact per-entry gradients for small sizes, cse-named,
  with the per-step contributions of the dummy copies W^(t);
* `derive_scalar` (`scalar.py`): the 1-unit RNN of exam questions, nested, per copy and
  expanded;
* `derive_custom` (`custom.py`): the matrix form of a lecturer's own cell (`rnn.custom`),
  checked against the engine and finite differences before it is returned; its explicit
  form (`custom.derive_custom_explicit`) and scalar form (`scalar_cell.py`) are checked too.

Every result prints as LaTeX, text, MathML and JSON and shows as LaTeX in Jupyter.
"""
from __future__ import annotations

from .custom import derive_custom, derive_spec
from .errors import DeriveError
from .explicit import ExplicitGradient, derive_explicit
from .graphs import CELLS
from .matrix import derive_matrix
from .printed import check, printed_10_21
from .results import Equation, MatrixDerivation
from .scalar import ScalarDerivative, derive_scalar

FORMS = ("matrix", "explicit", "scalar")

__all__ = ["derive", "derive_matrix", "derive_explicit", "derive_scalar", "derive_custom", "printed_10_21", "check",
           "Equation", "MatrixDerivation", "ExplicitGradient", "ScalarDerivative", "DeriveError",
           "CELLS", "FORMS"]


def derive(cell="rnn", wrt=None, form="matrix", steps=None, **options):
    """One entry point: ``derive('rnn')``, ``derive('rnn', 'W', 'explicit', steps=4)``,
    ``derive('scalar', 'w', steps=2)``. `steps` is tau for the explicit and scalar forms.
    `cell` may be a lecturer's `rnn.custom.CustomCell` (any of the three forms)."""
    if not isinstance(cell, str):
        return derive_spec(cell, wrt, form, steps, **options)
    if cell == "scalar" or form == "scalar":
        if cell != "scalar":
            raise DeriveError(f"the scalar form is the 1-unit RNN: use cell 'scalar', not {cell!r}")
        return derive_scalar(tau=steps or 2, wrt=wrt or "w", **options)
    if form == "matrix":
        derivation = derive_matrix(cell)
        names = [e.key for e in derivation.params]
        if wrt not in (None, "all", *names):
            raise DeriveError(f"{cell} has no parameter {wrt!r}; choose one of {', '.join(names)}")
        return derivation
    if form == "explicit":
        return derive_explicit(cell, wrt=wrt or "W", tau=steps or 3, **options)
    raise DeriveError(f"unknown form {form!r}; choose one of {', '.join(FORMS)}")

