"""Book notation of symbols in LaTeX, plain text and presentation MathML.

The spelling comes from `rnn.names` (one table for the figures and every printer): LaTeX
kinds and parameters as the graph's labels (``\\boldsymbol{h}``, ``\\hat{\\boldsymbol{y}}``,
``\\boldsymbol{W}^{f}``), MathML from the same letters and accents. MathML bold italic is
written as the Unicode mathematical bold italic letter (what MathML Core renders: Chromium
ignores ``mathvariant`` other than normal) and also marked ``mathvariant="bold-italic"`` for
renderers that read the attribute instead (MathJax, older Firefox).
"""
from __future__ import annotations

from rnn.names import GLYPHS, SCALARS, SYMBOLS, bold, is_parameter, param_latex

__all__ = ["is_parameter", "latex_base", "text_base", "mathml_base", "mathml_letter"]

_TEXT = {"yhat": "yhat", "cand": "s_tilde", "htilde": "h_tilde"}

# Spacing accents MathML Core's operator dictionary knows as accents: placed by the font's
# accent attachment over the letter (ASCII ^ and ~ sit beside it, as full-size operators).
_MATHML_ACCENTS = {"hat": "&#x2C6;", "tilde": "&#x2DC;"}

_BOLD_ITALIC_A, _BOLD_ITALIC_SMALL_A = 0x1D468, 0x1D482


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


def mathml_letter(letter, bold_italic=True):
    """``<mi>`` of one Latin letter: bold italic (𝒉) for vectors and matrices, italic otherwise."""
    if not bold_italic:
        return f"<mi>{letter}</mi>"
    first, origin = (_BOLD_ITALIC_A, "A") if letter.isupper() else (_BOLD_ITALIC_SMALL_A, "a")
    code = first + ord(letter) - ord(origin)
    return f'<mi mathvariant="bold-italic">&#x{code:X};</mi>'


def mathml_base(name, vector=False):
    if is_parameter(name):
        base, _, gate = name.partition("_")
        mi = mathml_letter(base)
        return f"<msup>{mi}<mi>{gate}</mi></msup>" if gate else mi
    letter, accent = GLYPHS.get(name, (name, None))
    mi = mathml_letter(letter, vector or name not in SCALARS)
    if accent:
        return f'<mover accent="true">{mi}<mo stretchy="false">{_MATHML_ACCENTS[accent]}</mo></mover>'
    return mi
