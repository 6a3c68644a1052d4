"""Book notation of symbols in LaTeX, plain text and presentation MathML.

The spelling comes from `rnn.names` (one table for the figures and every printer): LaTeX
kinds and parameters as the graph's labels (``\\boldsymbol{h}``, ``\\hat{\\boldsymbol{y}}``,
``\\boldsymbol{W}^{f}``), MathML from the same letters and accents
(`rnn.expr.printers.mathml_base`, which the answers' notation uses too).
"""
from __future__ import annotations

from rnn.expr.printers import Notation, mathml_base
from rnn.names import GLYPHS, SCALARS, SYMBOLS, bold, is_parameter, param_latex, with_superscript

__all__ = ["BOOK", "is_parameter", "latex_base", "text_base"]

_TEXT = {"yhat": "yhat", "cand": "s_tilde", "htilde": "h_tilde"}


def latex_base(name, vector=False):
    """``\\boldsymbol{h}``, ``\\hat{\\boldsymbol{y}}``, ``\\boldsymbol{W}^{f}``; `vector` sets a
    kind that is usually a scalar (y, a class index under NLL) in bold: the squared error's
    target vector."""
    if is_parameter(name):
        return param_latex(name)
    if vector and name in SCALARS:
        return bold(GLYPHS[name][0])
    return SYMBOLS.get(name, bold(name))


def text_base(name):
    return _TEXT.get(name, name)


def _is_vector(s):
    """A symbol holding more than one number: a dimension of its shape is not 1 (the book's
    printed equations carry symbolic shapes such as ('H', '1'))."""
    return any(str(d) != "1" for d in s.shape)


def _text(s, transposed):
    return text_base(s.name) + ("" if s.index is None else f"[{s.index.text()}]") + (".T" if transposed else "")


def _latex(s, transposed):
    sup = ("" if s.index is None else f"({s.index.latex()})") + (r"\top" if transposed else "")
    base = latex_base(s.name, _is_vector(s))
    return with_superscript(base, sup) if sup else base


def _mathml(s, transposed):
    sup = "" if s.index is None else f"<mo>(</mo>{s.index.mathml()}<mo>)</mo>"
    if transposed:
        sup += "<mo>&#x22A4;</mo>"
    base = mathml_base(s.name, _is_vector(s))
    return f"<msup>{base}<mrow>{sup}</mrow></msup>" if sup else base


BOOK = Notation(text=_text, latex=_latex, mathml=_mathml, superscripted=lambda s: s.index is not None,
                latex_top=r"^{\top}",
                # the bold digit itself (U+1D7CF): Chromium's MathML Core ignores mathvariant="bold"
                one='<mn mathvariant="bold">&#x1D7CF;</mn>')
"""The derivation's symbols: bold when the shape says vector or matrix, every index a superscript (t)."""
