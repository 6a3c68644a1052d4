"""An answer tree as presentation MathML in book notation, for pages read offline in a browser.

The same notation as `rnn.exam.printers.to_latex` (bold italic vectors and matrices from
`rnn.derive.notation`, superscript (t), ^⊤, diag, ⊙, the sum over t of eqs. 10.22-10.28, with its range as written),
built from the tree and never from text, so nothing a student typed reaches the markup
except through a known node. Chromium renders MathML Core natively: no script, no network.
"""
from __future__ import annotations

from rnn.derive.notation import mathml_base, mathml_letter
from rnn.expr.functions import function
from rnn.names import GLYPHS

from rnn.expr.tree import Call, Div, Grad, MatMul, Mul, Neg, Number, Pow, SumOverTime, Symbol, Transpose, fold

# Binding strength as in rnn.exam.printers, loosest first: a weaker child is parenthesised.
from .printers import (ADD, ATOM, ITALIC_NAMES, POSTFIX, POWER, PRODUCT, SUM, UNARY, number_text,
                       product_operators, sum_parts, wrapper)

_TOP = "<mo>&#x22A4;</mo>"


def to_mathml(node, display="inline"):
    """``<math>`` of the answer tree `node`."""
    return f'<math display="{display}">{fold(node, _visit)[0]}</math>'


def symbol_mathml(node):
    """𝒉^(t−1), h₂, ∇_{𝒉^(t)} L for a Symbol."""
    if isinstance(node, Grad):
        inner = symbol_mathml(node.of)
        return f"<mrow><msub><mo>&#x2207;</mo><mrow>{inner}</mrow></msub><mi>L</mi></mrow>"
    return _scripted(node, "")


def _base(name, italic):
    if name == "tau":
        return "<mi>&#x3C4;</mi>"
    if italic:
        letter, accent = GLYPHS.get(name, (name, None))
        return mathml_letter(letter, False) if not accent else mathml_base(name)
    if name in GLYPHS or len(name) == 1 or name[0] in "UVWbc" and name[1:2] == "_":
        return mathml_base(name)
    return f'<mi mathvariant="normal">{name}</mi>'


def _scripted(node, extra):
    """The symbol with its time index and `extra` (the ⊤ of a transpose) in one superscript."""
    absolute = node.index is not None and node.index.base is None
    base = _base(node.name, node.name in ITALIC_NAMES or absolute)
    if node.index is None:
        return f"<msup>{base}<mrow>{extra}</mrow></msup>" if extra else base
    if absolute:
        core = f"<msub>{base}{node.index.mathml()}</msub>"
        return f"<msup>{core}<mrow>{extra}</mrow></msup>" if extra else core
    return f"<msup>{base}<mrow><mo>(</mo>{node.index.mathml()}<mo>)</mo>{extra}</mrow></msup>"


def _paren(text):
    return f"<mrow><mo>(</mo>{text}<mo>)</mo></mrow>"


def _plain(node):
    return isinstance(node, Symbol) and not isinstance(node, Grad)


def _visit(node, below):
    wrap = wrapper(node, below, "<mrow><mo>(</mo>", "<mo>)</mo></mrow>")

    if isinstance(node, Number):
        return f"<mn>{number_text(abs(node.value))}</mn>" if node.value >= 0 else \
            f"<mrow><mo>&#x2212;</mo><mn>{number_text(-node.value)}</mn></mrow>", \
            ATOM if node.value >= 0 else UNARY
    if isinstance(node, Symbol):
        return symbol_mathml(node), ATOM
    if isinstance(node, Call):
        arg = node.args[0]
        if node.func == "onehot" and _plain(arg):
            return f'<msub><mn mathvariant="bold">1</mn><mrow>{symbol_mathml(arg)}</mrow></msub>', ATOM
        name = function(node.func).mathml
        args = "<mo>,</mo>".join(text for text, _ in below)
        return f"<mrow><mi>{name}</mi><mo>&#x2061;</mo>{_paren(args)}</mrow>", ATOM
    if isinstance(node, Transpose):
        if _plain(node.operand):
            return _scripted(node.operand, _TOP), POSTFIX
        return f"<msup>{wrap(0, ATOM)}{_TOP}</msup>", POSTFIX
    if isinstance(node, Pow):
        base = node.base
        if _plain(base) and base.index is not None and base.index.base is not None:
            # (h^(t))^2, as the LaTeX printer writes it: h^(t)2 would read as one superscript
            return f"<msup>{_paren(below[0][0])}<mn>{number_text(node.exponent)}</mn></msup>", POWER
        return f"<msup>{wrap(0, ATOM)}<mn>{number_text(node.exponent)}</mn></msup>", POWER
    if isinstance(node, Neg):
        return f"<mrow><mo>&#x2212;</mo>{wrap(0, UNARY)}</mrow>", UNARY, below[0]
    if isinstance(node, SumOverTime):
        # the range as written: a sum from t = 2 is shown as such, not as the full range
        return ("<mrow><munderover><mo>&#x2211;</mo><mrow><mi>t</mi><mo>=</mo>"
                f"{node.first.mathml()}</mrow><mrow>{node.last.mathml()}</mrow></munderover>"
                f"{wrap(0, PRODUCT)}</mrow>"), SUM
    if isinstance(node, Div):
        return f"<mfrac><mrow>{below[0][0]}</mrow><mrow>{below[1][0]}</mrow></mfrac>", ATOM
    if isinstance(node, (MatMul, Mul)):
        return _product(node, wrap), PRODUCT
    signs = {"": "", "+": "<mo>+</mo>", "-": "<mo>&#x2212;</mo>"}
    return f"<mrow>{''.join(signs[sign] + text for sign, text in sum_parts(node, wrap))}</mrow>", ADD


_OPERATORS = {"odot": "<mo>&#x2299;</mo>", "cdot": "<mo>&#x22C5;</mo>", "": "<mo>&#x2062;</mo>"}


def _product(node, wrap):
    """Juxtaposition (invisible times) for a matrix product, ⊙ for an elementwise one, · next to a
    number (as in LaTeX, `rnn.exam.printers.product_operators`)."""
    operators = product_operators(node)
    text = _bracket_gradient(node.factors[0], wrap(0, PRODUCT))
    for i, operator in enumerate(operators, 1):
        text += _OPERATORS[operator] + _bracket_gradient(node.factors[i], wrap(i, UNARY if operator else POWER))
    return f"<mrow>{text}</mrow>"


def _bracket_gradient(factor, text):
    """The book brackets a gradient inside a product, (∇_h L) h^⊤, so the L is not misread."""
    return _paren(text) if isinstance(factor, Grad) else text
