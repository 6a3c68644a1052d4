"""The time index of a symbol or a sum's bound, one type for the derivation and the answers.

``h^(t-1)`` is ``TimeIndex("t", -1)``, ``h^(tau)`` ``TimeIndex("tau", 0)`` and ``h^(3)``
``TimeIndex(None, 3)``: relative to the current step t, relative to the sequence length tau,
or absolute. The book's sums over t run from the first step to the last (eqs 10.22-10.28).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class TimeIndex:
    """A time step: `base` 't' (relative to the current t), 'tau' (relative to tau) or None (absolute)."""

    base: Optional[str]
    offset: int

    def __post_init__(self):
        if self.base not in (None, "t", "tau"):
            raise ValueError(f"time index base must be 't', 'tau' or None, not {self.base!r}")

    def resolve(self, t=None, tau=None):
        """The absolute step this index names when the current step is `t` and the length `tau`."""
        if self.base is None:
            return self.offset
        anchor = t if self.base == "t" else tau
        if anchor is None:
            raise ValueError(f"time index {self.text()} needs a value for {self.base}")
        return anchor + self.offset

    def shifted(self, base, origin):
        """This absolute index re-expressed relative to `base`, with step `origin` playing its role
        (h^(4) with origin 3 is h^(t+1)); a relative index is kept."""
        return TimeIndex(base, self.offset - origin) if self.base is None else self

    def text(self):
        """Plain form: 't', 't-1', 'tau+1', '2'."""
        if self.base is None:
            return str(self.offset)
        if self.offset == 0:
            return self.base
        return f"{self.base}{self.offset:+d}"

    def latex(self):
        """'t-1', '\\tau', '2': the index inside a superscript (t) or a sum's bound."""
        return self.text().replace("tau", r"\tau")

    def mathml(self):
        """Presentation MathML of the index: <mi>t</mi>, <mi>&#x3C4;</mi>, <mn>2</mn>, t&#x2212;1 in one <mrow>."""
        if self.base is None:
            return f"<mn>{self.offset}</mn>"
        sym = "<mi>&#x3C4;</mi>" if self.base == "tau" else "<mi>t</mi>"
        if self.offset == 0:
            return sym
        sign = "+" if self.offset > 0 else "&#x2212;"
        return f"<mrow>{sym}<mo>{sign}</mo><mn>{abs(self.offset)}</mn></mrow>"


FIRST_STEP = TimeIndex(None, 1)
LAST_STEP = TimeIndex("tau", 0)
