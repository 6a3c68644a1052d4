"""An answer tree printed back as plain text, LaTeX or presentation MathML in the book's notation.

The answers' `Style` of the one printer per output (`rnn.expr.printers`) and their `Notation`:
an answer's symbols carry no shape, so the scalars of the scalar exam and the integer target y
are italic by name, and an absolute step is a subscript (h_2). The printers add only the
parentheses the parsers need, so `parse_text(to_text(n)) == n` and `parse_latex(to_latex(n)) == n`
for every tree the parsers build; the MathML, built from the tree and never from text, is what
pages read offline in a browser show (Chromium renders MathML Core natively: no script, no network).
"""
from __future__ import annotations

from rnn.expr.printers import (UNARY, LatexPrinter, MathMLPrinter, Notation, Style, TextPrinter, mathml_base,
                               mathml_letter)
from rnn.names import GLYPHS, bold, is_parameter, param_latex, symbol_latex, with_superscript

# Scalars of the scalar exam and the integer target y are set in italic, not bold.
ITALIC_NAMES = {"w", "u", "v", "y", "L"}

_TOP = "<mo>&#x22A4;</mo>"


def _italic(node):
    return node.name in ITALIC_NAMES or node.index is not None and node.index.base is None


def _text(node, transposed):
    return node.name + (f"[{node.index.text()}]" if node.index else "") + (".T" if transposed else "")


def _latex_base(name, italic):
    """The book symbol from `rnn.names` (the figures' notation): bold italic vectors and
    matrices, a gate's parameter U_f as U^f (eq. 10.40), italic scalars."""
    if name in GLYPHS:
        return symbol_latex(name, italic)
    if is_parameter(name) and not italic:
        return param_latex(name)
    if name == "Lambda":
        return bold("\\Lambda")
    if name == "tau":
        return "\\tau"
    if len(name) > 1:
        return f"\\mathrm{{{name}}}"
    return name if italic else bold(name)


def _latex(node, transposed):
    """\\boldsymbol{h}^{(t-1)}, h_{2}, \\hat{\\boldsymbol{y}}^{(t)}; transposed, h^{(t)\\top}, W^{f\\top}:
    the \\top joins a superscript already there."""
    base = _latex_base(node.name, _italic(node))
    if node.index is None:
        symbol = base
    elif node.index.base is None:
        symbol = f"{base}_{{{node.index.offset}}}"
    else:
        symbol = f"{base}^{{({node.index.latex()})}}"
    if not transposed:
        return symbol
    return with_superscript(symbol, "\\top") if "^{" in symbol else f"{symbol}^\\top"


def _mathml_base(name, italic):
    if name == "tau":
        return "<mi>&#x3C4;</mi>"
    if italic:
        letter, accent = GLYPHS.get(name, (name, None))
        return mathml_letter(letter, False) if not accent else mathml_base(name)
    if name in GLYPHS or len(name) == 1 or name[0] in "UVWbc" and name[1:2] == "_":
        return mathml_base(name)
    return f'<mi mathvariant="normal">{name}</mi>'


def _mathml(node, transposed):
    """𝒉^(t−1), h₂, 𝑾^⊤: the time index and the ⊤ of a transpose in one superscript."""
    extra = _TOP if transposed else ""
    absolute = node.index is not None and node.index.base is None
    base = _mathml_base(node.name, _italic(node))
    if node.index is None:
        return f"<msup>{base}<mrow>{extra}</mrow></msup>" if extra else base
    if absolute:
        core = f"<msub>{base}{node.index.mathml()}</msub>"
        return f"<msup>{core}<mrow>{extra}</mrow></msup>" if extra else core
    return f"<msup>{base}<mrow><mo>(</mo>{node.index.mathml()}<mo>)</mo>{extra}</mrow></msup>"


ANSWER_NOTATION = Notation(text=_text, latex=_latex, mathml=_mathml,
                           superscripted=lambda s: s.index is not None and s.index.base is not None,
                           latex_top="^\\top", one='<mn mathvariant="bold">1</mn>')

ANSWER = Style(notation=ANSWER_NOTATION, book_order=False, negation=UNARY, left_associative=True,
               sum_call=False, book_gradients=False, bracket_powers=False, grouped=True)
"""The parsers' reading: terms as typed, -W @ x = (-W) @ x, ``sum_t body``."""


def to_text(node):
    """The plain-text (NumPy-style) form of `node`, e.g. `sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t-1].T`."""
    return TextPrinter(ANSWER).doprint(node)


def to_latex(node):
    """The LaTeX form of `node` in book notation (`rnn.names`): bold italic vectors, ^{(t)}, ^\\top,
    \\operatorname{diag}, \\odot."""
    return LatexPrinter(ANSWER).doprint(node)


def to_mathml(node, display="inline"):
    """``<math>`` of the answer tree `node`."""
    return f'<math display="{display}">{MathMLPrinter(ANSWER).doprint(node)}</math>'


def latex_symbol(node):
    """\\boldsymbol{h}^{(t-1)}, h_{2}, \\hat{\\boldsymbol{y}}^{(t)} or \\nabla_{\\boldsymbol{h}^{(t)}} L
    for a Symbol."""
    return to_latex(node)


def symbol_mathml(node):
    """𝒉^(t−1), h₂, ∇_{𝒉^(t)} L for a Symbol."""
    return MathMLPrinter(ANSWER).doprint(node)
