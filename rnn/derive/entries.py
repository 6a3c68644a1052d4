"""Book notation for the per-entry symbols of the explicit and scalar forms.

The explicit form names each entry by a plain SymPy symbol (``W_s_1_2``, ``cand_1^(3)``,
``gh_1^(3)``, the entry of grad_{h^(3)} L) so that its formulas evaluate and print as text.
A person reads the LaTeX, so there each symbol is spelled as the book spells a scalar entry
(the book's Notation: italic, indices as subscripts, a gate as a superscript, eq. 10.40):
W^{s}_{12}, \\tilde{s}^{(3)}_{1}, (\\nabla_{h^{(3)}_{1}} L); the logistic sigmoid
1/(1 + exp(-z)) is shown as sigma(z), as eq. 10.40 writes it. Long sums, and a function of a
long sum, are broken after whole terms (`layout.break_lines`) so every row fits a Beamer frame.
"""
from __future__ import annotations

import re
from html.entities import html5

import sympy
from sympy.printing.latex import LatexPrinter

from rnn.names import GLYPHS, symbol_latex

from . import layout

SIGMA = sympy.Function("sigma")
STEP = sympy.Function("step")
"""ReLU's derivative, 1 where a > 0 (SymPy's Heaviside(a, 0)), as the matrix form prints it."""
_Z = sympy.Wild("z")
SMALL = 12
"""Widest part (in `layout.width` letters) kept whole when a row is broken: 1 - (h^(2)_1)^2."""

_PARAMETER = re.compile(r"^(?P<base>[UVWbc])(?:_(?P<gate>[a-z]+))?(?:_(?P<index>\d+(?:_\d+)*))?$")
_NODE = re.compile(r"^(?P<grad>g?)(?P<kind>[A-Za-z]+?)(?:_(?P<index>\d+))?\^\((?P<t>-?\d+)\)$")


def kind_latex(kind):
    """A node kind as a scalar entry is set: italic, with the book's accent (\\tilde{s})."""
    return symbol_latex(kind, italic=True) if kind in GLYPHS else kind


def symbol_latex_name(name):
    """The book's spelling of one per-entry symbol, or None for a name it does not know."""
    m = _PARAMETER.match(name)
    if m:
        gate = f"^{{{m['gate']}}}" if m["gate"] else ""
        index = f"_{{{m['index'].replace('_', '')}}}" if m["index"] else ""
        return f"{m['base']}{gate}{index}"
    m = _NODE.match(name)
    if m and (m["kind"] in GLYPHS or len(m["kind"]) == 1):
        entry = f"{kind_latex(m['kind'])}^{{({m['t']})}}" + (f"_{{{m['index']}}}" if m["index"] else "")
        return rf"(\nabla_{{{entry}}} L)" if m["grad"] else entry
    return None


_ENTITY = re.compile(r"&([A-Za-z]+);")


def xml_entities(mathml):
    """SymPy's MathML with its HTML entity names (``&InvisibleTimes;``) as numeric references,
    so each ``<math>`` element is well-formed XML as well as HTML."""
    def numeric(m):
        char = html5.get(m.group(1) + ";")
        return m.group(0) if char is None or m.group(1) in ("amp", "lt", "gt", "quot", "apos") else \
            "".join(f"&#x{ord(c):x};" for c in char)
    return _ENTITY.sub(numeric, mathml)


def sigmoids(expr):
    """e^z / (1 + e^z) as sigma(z) wherever a product holds both factors (the derivative of
    log(1 + e^o) is sigma(o))."""
    if not expr.args:
        return expr
    expr = expr.func(*[sigmoids(a) for a in expr.args])
    if not isinstance(expr, sympy.Mul):
        return expr
    factors = list(expr.args)
    for f in expr.args:
        if isinstance(f, sympy.exp) and f in factors and 1 / (1 + f) in factors:
            factors.remove(f)
            factors.remove(1 / (1 + f))
            factors.append(SIGMA(f.args[0]))
    return sympy.Mul(*factors)


def shown(expr):
    """`expr` as it is shown: 1/(1 + exp(-z)) written sigma(z), Heaviside(a, 0) step(a)
    (printed only: the stored formulas stay SymPy's, which evaluate)."""
    expr = expr.replace(sympy.Heaviside, lambda z, at=None: STEP(z))
    expr = sigmoids(expr)
    return expr.replace(1 / (1 + sympy.exp(_Z)), lambda z: SIGMA(sympy.expand(-z)))


class Printer:
    """LaTeX of expressions over per-entry symbols, every symbol in book notation."""

    def __init__(self, expressions, names=None):
        names = dict(names or {})
        for e in expressions:
            for s in e.free_symbols:
                tex = symbol_latex_name(s.name)
                if tex is not None:
                    names[s] = tex
        self._latex = LatexPrinter({"symbol_names": names})

    def latex(self, expr):
        return self._latex.doprint(shown(expr))

    def symbol(self, name):
        return symbol_latex_name(name) or self._latex.doprint(sympy.Symbol(name))

    def _function(self, f, exponent=""):
        """``\\tanh^{2}\\bigl(``: a function's name (and power) before its broken argument;
        None for a function not printed as name(argument) (exp is e^z)."""
        head, found, _ = self._latex.doprint(f.func(sympy.Symbol("Z"))).partition(r"{\left(Z \right)}")
        return f"{head}{exponent}" + r"\bigl(" if found else None

    def pieces(self, expr, small=SMALL):
        """The LaTeX of `expr` as pieces a line may break between: the terms of a sum, the
        factors of a product, a function of a sum as f\\bigl( terms \\bigr); a part narrower
        than `small` letters stays whole. Each piece is (text, joins), joins True when the
        piece starts a term (it carries its sign), so a broken product continues with a dot."""
        tex = self._latex.doprint(expr)
        if layout.width(tex) <= small:
            return [(tex, False)]
        if isinstance(expr, sympy.Add):
            out = []
            for k, term in enumerate(self._latex._as_ordered_terms(expr)):
                negative = term.could_extract_minus_sign()
                first, *rest = self.pieces(-term if negative else term, small)
                sign = ("-" if negative else "") if k == 0 else (" - " if negative else " + ")
                out += [(sign + first[0], True), *rest]
            return out
        if isinstance(expr, sympy.Function) and len(expr.args) == 1 and self._function(expr):
            return self._wrapped(self._function(expr), expr.args[0], small)
        if (isinstance(expr, sympy.Pow) and isinstance(expr.base, sympy.Function) and len(expr.base.args) == 1
                and expr.exp.is_Integer and expr.exp > 0 and self._function(expr.base)):
            return self._wrapped(self._function(expr.base, f"^{{{expr.exp}}}"), expr.base.args[0], small)
        if isinstance(expr, sympy.Mul) and sympy.fraction(expr)[1] == 1:
            if expr.could_extract_minus_sign():
                first, *rest = self.pieces(-expr, small)
                return [("-" + first[0], first[1]), *rest]
            out = []
            for k, factor in enumerate(expr.as_ordered_factors()):
                first, *rest = (self._wrapped(r"\bigl(", factor, small) if isinstance(factor, sympy.Add)
                                else self.pieces(factor, small))
                out += [((" " if k else "") + first[0], first[1]), *rest]
            return out
        return [(tex, False)]

    def _wrapped(self, head, inner, small):
        first, *rest = self.pieces(inner, small)
        out = [(head + first[0], False), *rest]
        out[-1] = (out[-1][0] + r"\bigr)", out[-1][1])
        return out

    def row(self, lhs, expr):
        """``lhs = expr`` laid out for `layout.latex_block`, broken between whole pieces."""
        pieces = self.pieces(shown(expr))
        lines = layout.break_lines(lhs, [text for text, _ in pieces])
        texts = []
        for k, line in enumerate(lines):
            text = "".join(pieces[i][0] for i in line)
            if k and line and not pieces[line[0]][1]:
                text = r" \cdot " + text
            texts.append(text)
        return layout.Row(lhs, texts)
