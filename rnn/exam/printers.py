"""Print an answer tree back as plain text or as LaTeX in the book's notation.

Both printers add only the parentheses the parsers need, so `parse_text(to_text(n)) == n`
and `parse_latex(to_latex(n)) == n` for every tree the parsers build.
"""
from rnn.expr.functions import function
from rnn.names import GLYPHS, bold, is_parameter, one_hot_latex, param_latex, symbol_latex, with_superscript

from rnn.expr.tree import (Add, Call, Div, Grad, MatMul, Mul, Neg, Number, Pow, SumOverTime, Symbol,
                           Transpose, children, fold)

# Binding strength, loosest first; a child printed weaker than its slot needs is parenthesised.
SUM, ADD, PRODUCT, UNARY, POWER, POSTFIX, ATOM = range(7)

_TEXT_OPERATORS = {MatMul: " @ ", Mul: " * "}
# Scalars of the scalar exam and the integer target y are set in italic, not bold.
ITALIC_NAMES = {"w", "u", "v", "y", "L"}


def number_text(value):
    """'2' for whole numbers, the shortest round-tripping float text otherwise."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _wrap(child, printed, needed, parent, open_, close):
    text, level = printed[:2]
    if isinstance(child, SumOverTime) and isinstance(parent, (Add, SumOverTime)):
        return text
    if level < needed or isinstance(child, SumOverTime):
        return f"{open_}{text}{close}"
    return text


def wrapper(node, below, open_, close):
    """wrap(i, needed): child i of `node` as printed in `below`, bracketed when it binds weaker
    than `needed`; wrap(i, needed, negated=True) does the same for the operand of a Neg child."""
    def wrap(i, needed, negated=False):
        child, printed = children(node)[i], below[i]
        if negated:
            child, printed = child.operand, printed[2]
        return _wrap(child, printed, needed, node, open_, close)
    return wrap


def sum_parts(node, wrap):
    """[(sign, text)] of a flat sum: a Neg term after the first is subtracted (a - b + c prints
    Add((a, Neg(b), c)) as typed); the first term keeps its own sign."""
    parts = [("", wrap(0, ADD))]
    for i, term in enumerate(node.terms[1:], 1):
        parts.append(("-", wrap(i, PRODUCT, True)) if isinstance(term, Neg) else ("+", wrap(i, PRODUCT)))
    return parts


def to_text(node):
    """The plain-text (NumPy-style) form of `node`, e.g. `sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t-1].T`."""
    return fold(node, _text_visit)[0]


def _text_visit(node, below):
    wrap = wrapper(node, below, "(", ")")
    if isinstance(node, Number):
        return number_text(node.value), ATOM if node.value >= 0 else UNARY
    if isinstance(node, Symbol):
        return node.name + (f"[{node.index.text()}]" if node.index else ""), ATOM
    if isinstance(node, Call):
        return f"{node.func}({', '.join(printed[0] for printed in below)})", ATOM
    if isinstance(node, Transpose):
        return f"{wrap(0, POSTFIX)}.T", POSTFIX
    if isinstance(node, Pow):
        return f"{wrap(0, POSTFIX)}**{number_text(node.exponent)}", POWER
    if isinstance(node, Neg):
        return f"-{wrap(0, UNARY)}", UNARY, below[0]
    if isinstance(node, SumOverTime):
        bounds = "_t" if node.full_range else f"_{{t={node.first.text()}}}^{{{node.last.text()}}}"
        return f"sum{bounds} {wrap(0, PRODUCT)}", SUM
    if isinstance(node, Div):
        return f"{wrap(0, PRODUCT)} / {wrap(1, UNARY)}", PRODUCT
    if isinstance(node, (MatMul, Mul)):
        # left-associative, one level for @ * /: a later factor that is a product is bracketed
        return _TEXT_OPERATORS[type(node)].join(wrap(i, UNARY if i else PRODUCT)
                                                for i in range(len(below))), PRODUCT
    return " ".join(f"{sign} {text}" if sign else text for sign, text in sum_parts(node, wrap)), ADD


def to_latex(node):
    """The LaTeX form of `node` in book notation (`rnn.names`): bold italic vectors, ^{(t)}, ^\\top,
    \\operatorname{diag}, \\odot."""
    return fold(node, _latex_visit)[0]


def latex_symbol(node):
    """\\boldsymbol{h}^{(t-1)}, h_{2}, \\hat{\\boldsymbol{y}}^{(t)} or \\nabla_{\\boldsymbol{h}^{(t)}} L
    for a Symbol."""
    if isinstance(node, Grad):
        return f"\\nabla_{{{latex_symbol(node.of)}}} L"
    base = _latex_base(node.name, italic=node.name in ITALIC_NAMES
                       or node.index is not None and node.index.base is None)
    if node.index is None:
        return base
    if node.index.base is None:
        return f"{base}_{{{node.index.offset}}}"
    return f"{base}^{{({node.index.latex()})}}"


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


def _latex_visit(node, below):
    wrap = wrapper(node, below, "\\left(", "\\right)")

    if isinstance(node, Number):
        return number_text(node.value), ATOM if node.value >= 0 else UNARY
    if isinstance(node, Symbol):
        return latex_symbol(node), ATOM
    if isinstance(node, Call):
        arg = node.args[0]
        if node.func == "onehot" and _plain_symbol(arg):
            return one_hot_latex(latex_symbol(arg)), ATOM
        return f"{function(node.func).latex}\\left({below[0][0]}\\right)", ATOM
    if isinstance(node, Transpose):
        operand = node.operand
        if _plain_symbol(operand) and (operand.index is None or operand.index.base is not None):
            # h^{(t)} and W^{f} take the \top into their superscript: h^{(t)\top}, W^{f\top}
            symbol = latex_symbol(operand)
            return (with_superscript(symbol, "\\top") if "^{" in symbol else f"{symbol}^\\top"), POSTFIX
        return f"{_scripted_base(operand, below[0])}^\\top", POSTFIX
    if isinstance(node, Pow):
        base = node.base
        if _plain_symbol(base) and base.index is not None and base.index.base is not None:
            base_text = f"\\left({below[0][0]}\\right)"
        else:
            base_text = _scripted_base(base, below[0])
        return f"{base_text}^{{{number_text(node.exponent)}}}", POWER
    if isinstance(node, Neg):
        return f"-{wrap(0, UNARY)}", UNARY, below[0]
    if isinstance(node, SumOverTime):
        return f"\\sum_{{t={node.first.latex()}}}^{{{node.last.latex()}}} {wrap(0, PRODUCT)}", SUM
    if isinstance(node, Div):
        return f"\\frac{{{below[0][0]}}}{{{below[1][0]}}}", ATOM
    if isinstance(node, (MatMul, Mul)):
        return _latex_product(node, wrap), PRODUCT
    return " ".join(f"{sign} {text}" if sign else text for sign, text in sum_parts(node, wrap)), ADD


def _plain_symbol(node):
    return isinstance(node, Symbol) and not isinstance(node, Grad)


def _scripted_base(node, printed):
    """A base that can carry ^ directly (symbol without (t), number) or the parenthesised form."""
    if _plain_symbol(node) and (node.index is None or node.index.base is None):
        return printed[0]
    if isinstance(node, Number) and node.value >= 0:
        return printed[0]
    return f"\\left({printed[0]}\\right)"


def product_operators(node):
    """The operator between factor i-1 and factor i of a flat product, for i = 1..n-1: 'odot' for an
    elementwise product, 'cdot' for a matrix product next to a number literal, '' (juxtaposition)
    otherwise, as the left-associative binary product (factors[:i]) times factors[i] would print.

    Juxtaposition with a number literal reads back as a scaling (Mul), so a MatMul that has a
    number operand is written with \\cdot instead, and a Mul without one with \\odot.
    """
    operators = []
    for i, right in enumerate(node.factors[1:], 1):
        has_number = isinstance(right, Number) or i == 1 and isinstance(node.factors[0], Number)
        if isinstance(node, Mul) and not has_number:
            operators.append("odot")
        elif isinstance(node, MatMul) and has_number:
            operators.append("cdot")
        else:
            operators.append("")
    return operators


def _latex_product(node, wrap):
    """Juxtaposition for a matrix product or a number times something, \\odot or \\cdot otherwise."""
    operators = product_operators(node)
    text = _bracket_gradient(node.factors[0], wrap(0, PRODUCT), operators[0] == "")
    for i, operator in enumerate(operators, 1):
        if operator:
            text += f" \\{operator} {wrap(i, UNARY)}"
        else:
            text += " " + _bracket_gradient(node.factors[i], wrap(i, POWER), True)
    return text


def _bracket_gradient(factor, text, juxtaposed):
    """The book brackets a gradient inside a product, (nabla_h L) h^T, so the L is not misread."""
    return f"\\left({text}\\right)" if juxtaposed and isinstance(factor, Grad) else text
