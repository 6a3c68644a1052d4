"""The derivation's printing: its `Style` of the one printer per output (`rnn.expr.printers`)
and its equations, ``lhs = rhs`` with the range of t and the book's equation number.

LaTeX follows the book in `rnn.names`' notation (``\\boldsymbol{h}^{(t)}``,
``\\boldsymbol{W}^{\\top}``, ``\\nabla_{\\boldsymbol{h}^{(t)}} L``, ``\\sum_{t=1}^{\\tau}``); text
reads as NumPy-flavoured pseudo-code: ``grad_h[t] = W.T @ diag(1 - h[t+1]**2) @ grad_h[t+1] + ...``.
"""
from __future__ import annotations

from rnn.expr.printers import NEG, LatexPrinter, MathMLPrinter, Style, TextPrinter

from . import layout
from .notation import BOOK

DERIVATION = Style(notation=BOOK, book_order=True, negation=NEG, left_associative=False, sum_call=True,
                   book_gradients=True, bracket_powers=True, grouped=False)
"""The book's reading: positive terms first, -W x = -(W x), ``sum(t=1..tau, body)``."""


def latex(e):
    return LatexPrinter(DERIVATION).doprint(e)


def text(e):
    return TextPrinter(DERIVATION).doprint(e)


def mathml(e):
    return MathMLPrinter(DERIVATION).doprint(e)


def _note(eq):
    """The range of t the equation holds for, ``\\qquad t = 1, \\dots, \\tau-1``."""
    if eq.lo is None or eq.lo == eq.hi:
        return ""
    return rf"\qquad t = {eq.lo.latex()}, \dots, {eq.hi.latex()}"


def _lines(printer, eq):
    """The rhs of `eq` as lines of terms, broken where LaTeX would not fit a Beamer frame
    (`layout.break_lines`, measured on the LaTeX so every format breaks alike)."""
    latex_printer = LatexPrinter(DERIVATION)
    groups = layout.break_lines(latex_printer.doprint(eq.lhs), latex_printer.terms(eq.rhs), _note(eq))
    terms = printer.terms(eq.rhs)
    return ["".join(terms[k] for k in group) for group in groups]


def row(eq):
    """`eq` laid out for `layout.latex_block`: lines broken, range and book number apart."""
    return layout.Row(latex(eq.lhs), _lines(LatexPrinter(DERIVATION), eq), _note(eq), eq.tag)


def equation_text(eq):
    """``lhs = rhs    for t = 1..tau-1    (10.21)``."""
    rng = ""
    if eq.lo is not None and eq.lo != eq.hi:
        rng = f"    for t = {eq.lo.text()}..{eq.hi.text()}"
    tag = f"    ({eq.tag})" if eq.tag else ""
    return f"{text(eq.lhs)} = {text(eq.rhs)}{rng}{tag}"


def _mo(s):
    return f"<mo>{s}</mo>"


def equation_mathml(eq):
    """One ``<math>``: a row ``lhs = rhs``, or for a long sum an ``<mtable>`` of lines
    aligned at the = (MathML Core, as Chromium renders it, never breaks a line itself)."""
    lhs, lines = mathml(eq.lhs), _lines(MathMLPrinter(DERIVATION), eq)
    rng = ""
    if eq.lo is not None and eq.lo != eq.hi:
        rng = (f"<mspace width=\"2em\"/><mi>t</mi>{_mo('=')}{eq.lo.mathml()}{_mo(',')}"
               f"{_mo('&#x2026;')}{_mo(',')}{eq.hi.mathml()}")
    fence = '<mo stretchy="false">{}</mo>'  # the number's brackets stay small beside a tall sum
    tag = (f"<mspace width=\"2em\"/>{fence.format('(')}<mtext>{eq.tag}</mtext>{fence.format(')')}"
           if eq.tag else "")
    if len(lines) == 1:
        return f"<math display=\"block\"><mrow>{lhs}{_mo('=')}{lines[0]}{rng}{tag}</mrow></math>"
    rows = []
    for k, line in enumerate(lines):
        left = lhs if k == 0 else ""
        right = (_mo("=") if k == 0 else "<mspace width=\"1em\"/>") + line
        right += (tag if k == 0 else "") + (rng if k == len(lines) - 1 else "")
        rows.append(f'<mtr><mtd columnalign="right" style="text-align: right">{left}</mtd>'
                    f'<mtd columnalign="left" style="text-align: left"><mrow>{right}</mrow></mtd></mtr>')
    return f'<math display="block"><mtable columnalign="right left">{"".join(rows)}</mtable></math>'
