"""One printer per output over the one tree: plain text, LaTeX and presentation MathML.

`Printer` walks a tree once, bottom-up and without Python recursion, and decides precedence
and parentheses; `TextPrinter`, `LatexPrinter` and `MathMLPrinter` say how each piece is
spelled. The derivation (`rnn.derive.printers`) and the answers (`rnn.exam.printers`) print
with these three, each with its `Style`: how a symbol is spelled (its `Notation`: the
derivation reads a symbol's shape, an answer has none) and the few places where the book's
reading of a formula and the parsers' grammar differ on purpose (a negation binds looser than
a product in the book, -W x = -(W x), tighter in an answer, as ``-W @ x`` is parsed).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from rnn.names import GLYPHS, SCALARS, is_parameter, one_hot_latex

from .functions import lookup
from .time import FIRST_STEP, LAST_STEP
from .tree import (Add, Array, Call, Div, Grad, MatMul, Mul, Neg, Number, Pow, SumOverTime, Symbol, Transpose,
                   children, fold)

# Binding strength, loosest first; a child printed weaker than its slot needs is bracketed.
SUM, ADD, NEG, PRODUCT, UNARY, POWER, POSTFIX, ATOM = range(8)


def number_text(value):
    """'2' for whole numbers, the shortest round-tripping float text otherwise."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _plain(node):
    """A symbol that is not an adjoint (`Grad` is a Symbol): h^(t), W, spelled by the notation."""
    return type(node) is Symbol


@dataclass(frozen=True)
class Notation:
    """How one side spells a plain symbol (not an adjoint), transposed or not, in each output.

    `superscripted(symbol)` says whether its LaTeX and MathML already carry a superscript (an
    (t), so a power brackets it: (h^(t))^2); `latex_top` is the ^T written after a bracketed or
    bare operand; `one` the MathML digit of the one-hot 1_{y^(t)} of eq. 10.18.
    """

    text: Callable
    latex: Callable
    mathml: Callable
    superscripted: Callable
    latex_top: str
    one: str


@dataclass(frozen=True)
class Style:
    """What a side prints differently on purpose.

    `book_order`: positive terms first (yhat - 1_y, not -1_y + yhat), as the book writes a sum;
    an answer keeps its terms as typed. `negation`: the binding of a unary minus, NEG (looser
    than a product: -W x is -(W x), the book's reading) or UNARY (as the parsers read -W @ x).
    `left_associative`: a product's first factor may itself be a product unbracketed (a * b @ c,
    read left to right by the parsers). `sum_call`: the text of a sum over t,
    ``sum(t=1..tau, body)`` (derivation) or ``sum_t body`` (answers, as typed). `book_gradients`:
    nabla L binds as a product in LaTeX and MathML, bracketed inside a product except as a
    matrix product's last factor (the book), else bracketed wherever it is juxtaposed (answers).
    `bracket_powers`: a power brackets every base but a plain symbol (derivation) rather than by
    precedence. `grouped`: every composite MathML node is its own ``<mrow>`` (answers), else
    only a whole expression and a function's arguments are.
    """

    notation: Notation
    book_order: bool
    negation: int
    left_associative: bool
    sum_call: bool
    book_gradients: bool
    bracket_powers: bool
    grouped: bool


class Printer:
    """Precedence-aware walk; the subclasses spell the pieces.

    Each node is printed once its children are, as (text, level) plus, for a negation, its
    operand's result and, for a sum, its signed terms."""

    def __init__(self, style):
        self.style = style
        self.notation = style.notation

    def doprint(self, node):
        return self.top(self._print(node)[0])

    def terms(self, node):
        """The top-level terms of `node`, each with its sign (a lone term for anything but a sum)."""
        printed = self._print(node)
        if isinstance(node, Add):
            return [sign + text for sign, text in printed[2]]
        return [printed[0]]

    def _print(self, node):
        return fold(node, self._visit)

    def top(self, text):
        """A printed expression standing on its own (a function's argument, a side of =)."""
        return text

    def row(self, text):
        """A composite node's printed form (MathML groups it)."""
        return text

    def _wrap(self, child, printed, needed, parent):
        text, level = printed[0], printed[1]
        if isinstance(child, SumOverTime):
            return text if isinstance(parent, (Add, SumOverTime)) else self.paren(text)
        return self.paren(text) if level < needed else text

    def _visit(self, node, below):
        style = self.style

        def wrap(i, needed):
            return self._wrap(children(node)[i], below[i], needed, node)

        if isinstance(node, Grad):
            return self.gradient(node), self.gradient_level()
        if isinstance(node, Symbol):
            return self.notation_of(node, False), ATOM
        kind = type(node)
        if kind is Number:
            return self.number(node.value), ATOM if node.value >= 0 else style.negation
        if kind is Array:
            return self.array(np.array(node.data, dtype=np.float64).reshape(node.shape)), ATOM
        if kind is Call:
            if node.func == "onehot" and _plain(node.args[0]):
                return self.onehot(node.args[0]), ATOM
            known = lookup(node.func)
            return self.call(known, node.func, [self.top(printed[0]) for printed in below]), ATOM
        if kind is Transpose:
            if _plain(node.operand):
                return self.notation_of(node.operand, True), POSTFIX
            return self.transpose(node.operand, below[0], wrap), POSTFIX
        if kind is Pow:
            return self.power(node, below[0], wrap), POWER
        if kind is Neg:
            return self.row(self.minus_sign + wrap(0, max(PRODUCT, style.negation))), style.negation, below[0]
        if kind is SumOverTime:
            return self.sum(node.first, node.last, wrap(0, PRODUCT)), SUM
        if kind is Div:
            return self.divide(below, wrap)
        if kind in (MatMul, Mul):
            return self.product(node, below, wrap), PRODUCT
        if kind is Add:
            parts = self._sum_parts(node, below)
            return self.row("".join(sign + text for sign, text in parts)), ADD, parts
        raise TypeError(f"no printer rule for {type(node).__name__}")

    def _sum_parts(self, node, below):
        """[(sign, text)] of a flat sum, the first sign empty: a Neg term after the first is
        subtracted (a - b + c prints Add((a, Neg(b), c))); `book_order` puts positive terms first."""
        order = range(len(node.terms))
        if self.style.book_order:
            order = sorted(order, key=lambda i: isinstance(node.terms[i], Neg))
        parts = []
        for i in order:
            term = node.terms[i]
            if not parts:
                parts.append(("", self._wrap(term, below[i], ADD, node)))
            elif isinstance(term, Neg):
                parts.append((self.minus, self._wrap(term.operand, below[i][2], PRODUCT, node)))
            elif isinstance(term, Number) and term.value < 0:
                parts.append((self.minus, self.number(-term.value)))
            else:
                parts.append((self.plus, self._wrap(term, below[i], NEG, node)))
        return parts

    def operators(self, node):
        """The operator between factor i-1 and factor i of a flat product, i = 1..n-1: 'odot' for
        an elementwise product, 'cdot' for a matrix product next to a number literal, ''
        (juxtaposition) otherwise. Juxtaposition with a number reads back as a scaling (Mul), so a
        MatMul with a number operand is written with \\cdot, and a Mul without one with \\odot; a
        number scales only a factor of the product's own shape (else it is a broadcast constant)."""
        out = []
        factors = node.factors
        for i, right in enumerate(factors[1:], 1):
            scaled = i == 1 and isinstance(factors[0], Number) and node.shape == right.shape
            has_number = isinstance(right, Number) or scaled
            if isinstance(node, Mul) and not has_number:
                out.append("odot")
            elif isinstance(node, MatMul) and has_number:
                out.append("cdot")
            else:
                out.append("")
        return out

    def factors(self, node, below, wrap):
        """[(operator, text)] of a product's factors, the first operator None."""
        style, operators = self.style, self.operators(node)
        first = PRODUCT if style.left_associative else POWER
        parts = [(None, below[0][0] if isinstance(node.factors[0], Number) else wrap(0, first))]
        for i, operator in enumerate(operators, 1):
            parts.append((operator, wrap(i, self.factor_level(operator))))
        if not style.book_gradients:
            beside = [operators[0]] + operators
            parts = [(op, self.paren(text) if isinstance(node.factors[i], Grad) and self.brackets_gradient(beside[i])
                      else text) for i, (op, text) in enumerate(parts)]
        elif isinstance(node, MatMul) and isinstance(node.factors[-1], Grad):
            parts[-1] = (parts[-1][0], below[-1][0])
        return parts

    def factor_level(self, operator):
        """The binding a factor after `operator` needs: a juxtaposed one binds tighter than a
        unary minus, W (-x)."""
        return UNARY if operator else POWER

    def gradient_level(self):
        return PRODUCT if self.style.book_gradients else ATOM

    def brackets_gradient(self, operator):
        """Whether an answer's gradient factor next to `operator` is bracketed: juxtaposed,
        (nabla_h L) h^T, so the L is not read as a factor."""
        return operator == ""


class TextPrinter(Printer):
    """NumPy-flavoured text: ``grad_h[t] = W.T @ diag(1 - h[t+1]**2) @ grad_h[t+1] + ...``."""

    plus, minus, minus_sign = " + ", " - ", "-"

    def gradient_level(self):
        return ATOM

    def factor_level(self, operator):
        return UNARY  # after an explicit @ or *, -x needs no brackets

    def brackets_gradient(self, operator):
        return False  # grad_h[t] is one word

    def paren(self, text):
        return f"({text})"

    def notation_of(self, symbol, transposed):
        return self.notation.text(symbol, transposed)

    def gradient(self, node):
        return "grad_" + self.notation.text(node.of, False)

    def onehot(self, target):
        return f"onehot({self.notation.text(target, False)})"

    def number(self, value):
        return number_text(value)

    def array(self, values):
        return repr(values.tolist())

    def call(self, known, name, args):
        return f"{known.name if known else name}({', '.join(args)})"

    def transpose(self, operand, printed, wrap):
        return f"{wrap(0, POSTFIX)}.T"

    def power(self, node, printed, wrap):
        if _plain(node.base):
            base = printed[0]
        else:
            base = self.paren(printed[0]) if self.style.bracket_powers else wrap(0, POSTFIX)
        return f"{base}**{number_text(node.exponent)}"

    def sum(self, first, last, body):
        if self.style.sum_call:
            return f"sum(t={first.text()}..{last.text()}, {body})"
        full = first == FIRST_STEP and last == LAST_STEP
        bounds = "_t" if full else f"_{{t={first.text()}}}^{{{last.text()}}}"
        return f"sum{bounds} {body}"

    def divide(self, below, wrap):
        return f"{wrap(0, PRODUCT)} / {wrap(1, UNARY)}", PRODUCT

    def product(self, node, below, wrap):
        operator = " @ " if isinstance(node, MatMul) else " * "
        return operator.join(text for _, text in self.factors(node, below, wrap))


class LatexPrinter(Printer):
    """LaTeX in the book's notation: ``\\boldsymbol{h}^{(t)}``, ``\\boldsymbol{W}^{\\top}``,
    ``\\operatorname{diag}``, ``\\nabla_{\\boldsymbol{h}^{(t)}} L``, ``\\sum_{t=1}^{\\tau}``."""

    plus, minus, minus_sign = " + ", " - ", "-"

    def paren(self, text):
        return rf"\left({text}\right)"

    def notation_of(self, symbol, transposed):
        return self.notation.latex(symbol, transposed)

    def gradient(self, node):
        return rf"\nabla_{{{self.notation.latex(node.of, False)}}} L"

    def onehot(self, target):
        return one_hot_latex(self.notation.latex(target, False))

    def number(self, value):
        return number_text(value)

    def array(self, values):
        rows = values.reshape(values.shape[0], -1)
        body = r" \\ ".join(" & ".join(number_text(v) for v in row) for row in rows)
        return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"

    def call(self, known, name, args):
        head = known.latex if known else rf"\operatorname{{{name}}}"
        return head + self.paren(", ".join(args))

    def _scripted(self, node, printed):
        """A base that can carry a superscript directly (a symbol without (t), a number) or bracketed."""
        if _plain(node) and not self.notation.superscripted(node):
            return printed[0]
        if isinstance(node, Number) and node.value >= 0:
            return printed[0]
        return self.paren(printed[0])

    def transpose(self, operand, printed, wrap):
        return self._scripted(operand, printed) + self.notation.latex_top

    def power(self, node, printed, wrap):
        if self.style.bracket_powers and not _plain(node.base):
            base = self.paren(printed[0])
        else:
            base = self._scripted(node.base, printed)
        return f"{base}^{{{number_text(node.exponent)}}}"

    def sum(self, first, last, body):
        return rf"\sum_{{t={first.latex()}}}^{{{last.latex()}}} {body}"

    def divide(self, below, wrap):
        return f"\\frac{{{below[0][0]}}}{{{below[1][0]}}}", ATOM

    def product(self, node, below, wrap):
        return "".join(text if op is None else f" \\{op} {text}" if op else f" {text}"
                       for op, text in self.factors(node, below, wrap))


# MathML bold italic is written as the Unicode mathematical bold italic letter (what MathML Core
# renders: Chromium ignores ``mathvariant`` other than normal) and also marked
# ``mathvariant="bold-italic"`` for renderers that read the attribute instead (MathJax, older Firefox).
_BOLD_ITALIC_A, _BOLD_ITALIC_SMALL_A = 0x1D468, 0x1D482

# Spacing accents MathML Core's operator dictionary knows as accents: placed by the font's
# accent attachment over the letter (ASCII ^ and ~ sit beside it, as full-size operators).
_MATHML_ACCENTS = {"hat": "&#x2C6;", "tilde": "&#x2DC;"}


def mathml_letter(letter, bold_italic=True):
    """``<mi>`` of one Latin letter: bold italic (𝒉) for vectors and matrices, italic otherwise."""
    if not bold_italic:
        return f"<mi>{letter}</mi>"
    first, origin = (_BOLD_ITALIC_A, "A") if letter.isupper() else (_BOLD_ITALIC_SMALL_A, "a")
    code = first + ord(letter) - ord(origin)
    return f'<mi mathvariant="bold-italic">&#x{code:X};</mi>'


def mathml_base(name, vector=False):
    """``<mi>`` of a book symbol (`rnn.names`): 𝑾, a gate's 𝑾^f, 𝒚̂ with its accent; `vector` sets a
    kind that is usually a scalar (y) in bold."""
    if is_parameter(name):
        base, _, gate = name.partition("_")
        mi = mathml_letter(base)
        return f"<msup>{mi}<mi>{gate}</mi></msup>" if gate else mi
    letter, accent = GLYPHS.get(name, (name, None))
    mi = mathml_letter(letter, vector or name not in SCALARS)
    if accent:
        return f'<mover accent="true">{mi}<mo stretchy="false">{_MATHML_ACCENTS[accent]}</mo></mover>'
    return mi


def _mo(text):
    return f"<mo>{text}</mo>"


_MATHML_OPERATORS = {"odot": _mo("&#x2299;"), "cdot": _mo("&#x22C5;"), "": _mo("&#x2062;")}


class MathMLPrinter(Printer):
    """Presentation MathML built from the tree (never from text), so nothing typed reaches the
    markup except through a known node; Chromium renders it natively (MathML Core)."""

    plus, minus, minus_sign = _mo("+"), _mo("&#x2212;"), _mo("&#x2212;")

    def top(self, text):
        return text if self.style.grouped else f"<mrow>{text}</mrow>"

    def row(self, text):
        return f"<mrow>{text}</mrow>" if self.style.grouped else text

    def brackets_gradient(self, operator):
        return True  # an answer's MathML brackets it beside any operator: (∇_h L) ⊙ x

    def paren(self, text):
        return f"<mrow>{_mo('(')}{text}{_mo(')')}</mrow>"

    def notation_of(self, symbol, transposed):
        return self.notation.mathml(symbol, transposed)

    def gradient(self, node):
        return self.row(f"<msub>{_mo('&#x2207;')}<mrow>{self.notation.mathml(node.of, False)}</mrow></msub>"
                        "<mi>L</mi>")

    def onehot(self, target):
        return f"<msub>{self.notation.one}<mrow>{self.notation.mathml(target, False)}</mrow></msub>"

    def number(self, value):
        if value >= 0:
            return f"<mn>{number_text(value)}</mn>"
        return self.row(f"{_mo('&#x2212;')}<mn>{number_text(-value)}</mn>")

    def array(self, values):
        rows = values.reshape(values.shape[0], -1)
        cells = "".join("<mtr>" + "".join(f"<mtd><mn>{number_text(v)}</mn></mtd>" for v in row) + "</mtr>"
                        for row in rows)
        return self.paren(f"<mtable>{cells}</mtable>")

    def call(self, known, name, args):
        head = f"<mi>{known.mathml if known else name}</mi>"
        return self.row(head + _mo("&#x2061;") + self.paren(_mo(",").join(args)))

    def transpose(self, operand, printed, wrap):
        return f"<msup>{wrap(0, ATOM)}{_mo('&#x22A4;')}</msup>"

    def power(self, node, printed, wrap):
        exponent = f"<mn>{number_text(node.exponent)}</mn>"
        if _plain(node.base):
            base = self.paren(printed[0]) if self.notation.superscripted(node.base) else printed[0]
        else:
            base = self.paren(printed[0]) if self.style.bracket_powers else wrap(0, ATOM)
        return f"<msup>{base}{exponent}</msup>"

    def sum(self, first, last, body):
        under = f"<mrow><mi>t</mi>{_mo('=')}{first.mathml()}</mrow>"
        return self.row(f"<munderover>{_mo('&#x2211;')}{under}{self.row(last.mathml())}</munderover>{body}")

    def divide(self, below, wrap):
        return f"<mfrac><mrow>{below[0][0]}</mrow><mrow>{below[1][0]}</mrow></mfrac>", ATOM

    def product(self, node, below, wrap):
        return self.row("".join(text if op is None else _MATHML_OPERATORS[op] + text
                                for op, text in self.factors(node, below, wrap)))
