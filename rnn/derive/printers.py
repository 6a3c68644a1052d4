"""Printers of matrix expressions in book notation: LaTeX, plain text, presentation MathML.

One tree walk (`Printer`) decides precedence and parentheses; three small subclasses say how
each piece is spelled. LaTeX follows the book in `rnn.names`' notation:
``\\boldsymbol{h}^{(t)}``, ``\\boldsymbol{W}^{\\top}``, ``\\operatorname{diag}``,
``\\nabla_{\\boldsymbol{h}^{(t)}} L``, ``\\sum_{t=1}^{\\tau}``. Text reads as NumPy-flavoured
pseudo-code: ``grad_h[t] = W.T @ diag(1 - h[t+1]**2) @ grad_h[t+1] + ...``.
"""
from __future__ import annotations

from rnn.expr.functions import lookup
from rnn.expr.tree import (Add, Array, Call, Grad, MatMul, Mul, Neg, Number, Pow, SumOverTime, Symbol,
                           Transpose, is_call, walk)
from rnn.names import one_hot_latex, with_superscript

from . import layout
from . import notation as nt
from .algebra import array_of, is_plain_symbol, scale_parts

ADD, NEG, MUL, POST, ATOM = 1, 2, 3, 4, 5


def _is_vector(s):
    """A symbol holding more than one number: a dimension of its shape is not 1 (the book's
    printed equations carry symbolic shapes such as ('H', '1'))."""
    return any(str(d) != "1" for d in s.shape)


def _number(c):
    c = float(c)
    return str(int(c)) if c.is_integer() else f"{c:g}"


class Printer:
    """Precedence-aware walk; subclasses spell the pieces.

    Each node is printed once its children are (a walk over the tree, no Python recursion), as
    (text, precedence); `_node` reads its descendants' results from that memo."""

    bare_indexed_powers = False  # h[t]**2 needs no parentheses, (h^{(t)})^2 does
    grad_precedence = MUL  # the book brackets (nabla L) inside a product, code needs no brackets

    def doprint(self, e):
        return self.top(self._p(e)[0])

    def top(self, s):
        """A printed expression standing on its own (a function's argument, a side of =)."""
        return s

    def _wrap(self, printed, prec):
        s, p = printed
        return self.paren(s) if p < prec else s

    def _memo(self, e):
        memo = {}
        for node in reversed(list(walk(e))):
            memo[id(node)] = self._node(node, memo)
        return memo

    def _p(self, e):
        return self._memo(e)[id(e)]

    def _node(self, e, memo):
        def wrap(node, prec):
            return self._wrap(memo[id(node)], prec)

        if isinstance(e, Grad):
            return self.grad(e.of), self.grad_precedence
        if isinstance(e, Symbol):
            return self.sym(e, False), ATOM
        if is_call(e, "onehot"):
            return self.onehot(e.args[0]), ATOM
        if isinstance(e, (Number, Array)):
            return self.const(e), ATOM if isinstance(e, Array) or e.value >= 0 else NEG
        if isinstance(e, Add):
            return "".join(sign + term for sign, term in self._add_terms(e, memo)), ADD
        if isinstance(e, Neg):
            return self.negate(wrap(e.operand, MUL)), NEG
        scaled = scale_parts(e)
        if scaled:
            return self.scale(_number(scaled[0]), wrap(scaled[1], MUL + 1)), MUL
        if isinstance(e, MatMul):
            parts = [wrap(f, MUL + 1) if k < len(e.factors) - 1 or not isinstance(f, Grad)
                     else memo[id(f)][0] for k, f in enumerate(e.factors)]
            return self.matmul(parts), MUL
        if isinstance(e, Mul):
            return self.hadamard([wrap(f, MUL + 1) for f in e.factors]), MUL
        if isinstance(e, Pow):
            bare = is_plain_symbol(e.base) and (e.base.index is None or self.bare_indexed_powers)
            base = memo[id(e.base)][0]
            return self.power(base if bare else self.paren(base), e.exponent), POST
        if isinstance(e, Transpose):
            if is_plain_symbol(e.operand):
                return self.sym(e.operand, True), ATOM
            return self.transpose(wrap(e.operand, ATOM)), POST
        if isinstance(e, Call):
            args = [self.top(memo[id(a)][0]) for a in e.args]
            return self.func(e.func, args, operator=e.func == "diag"), ATOM
        if isinstance(e, SumOverTime):
            return self.sum(e.first, e.last, wrap(e.body, MUL)), ADD
        raise TypeError(f"no printer rule for {type(e).__name__}")

    def _add_terms(self, e, memo):
        """``[(sign, term), ...]`` of a sum, the first sign empty; a positive term first:
        yhat - 1_y reads better than -1_y + yhat."""
        terms = sorted(e.terms, key=lambda t: isinstance(t, Neg))
        out = [("", self._wrap(memo[id(terms[0])], ADD))]
        for t in terms[1:]:
            if isinstance(t, Neg):
                out.append((self.minus, self._wrap(memo[id(t.operand)], NEG)))
            elif isinstance(t, Number) and t.value < 0:
                out.append((self.minus, _number(-t.value)))
            else:
                out.append((self.plus, self._wrap(memo[id(t)], NEG)))
        return out

    def terms(self, e):
        """The top-level terms of `e`, each with its sign (a lone term for anything but a sum)."""
        if isinstance(e, Add):
            return [sign + term for sign, term in self._add_terms(e, self._memo(e))]
        return [self._p(e)[0]]

    def lines(self, eq):
        """The rhs of `eq` as lines of terms, broken where LaTeX would not fit a Beamer frame
        (`layout.break_lines`, measured on the LaTeX so every format breaks alike)."""
        latex = LatexPrinter()
        groups = layout.break_lines(latex.doprint(eq.lhs), latex.terms(eq.rhs), latex.note(eq))
        terms = self.terms(eq.rhs)
        return [[terms[k] for k in group] for group in groups]

    def equation(self, eq):
        """``lhs = rhs`` with the range of t it holds for."""
        return self.relation(self.doprint(eq.lhs), self.doprint(eq.rhs), eq)


class LatexPrinter(Printer):
    plus, minus = " + ", " - "

    def paren(self, s):
        return rf"\left({s}\right)"

    def sym(self, s, transposed):
        sup = [] if s.index is None else [f"({s.index.latex()})"]
        if transposed:
            sup.append(r"\top")
        base = nt.latex_base(s.name, _is_vector(s))
        return with_superscript(base, "".join(sup)) if sup else base

    def grad(self, of):
        return rf"\nabla_{{{self.sym(of, False)}}} L"

    def onehot(self, target):
        return one_hot_latex(f"y^{{({target.index.latex()})}}")

    def const(self, c):
        if isinstance(c, Number):
            return _number(c.value)
        rows = array_of(c).reshape(c.shape[0], -1)
        body = r" \\ ".join(" & ".join(_number(v) for v in row) for row in rows)
        return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"

    def negate(self, s):
        return "-" + s

    def scale(self, c, s):
        return f"{c} {s}"

    def matmul(self, parts):
        return " ".join(parts)

    def hadamard(self, parts):
        return r" \odot ".join(parts)

    def power(self, base, n):
        return f"{base}^{{{n}}}"

    def transpose(self, s):
        return rf"{s}^{{\top}}"

    def func(self, name, args, operator=False):
        known = lookup(name)
        head = known.latex if known else rf"\operatorname{{{name}}}"
        return head + self.paren(", ".join(args))

    def sum(self, lo, hi, body):
        return rf"\sum_{{t={lo.latex()}}}^{{{hi.latex()}}} {body}"

    def note(self, eq):
        """The range of t the equation holds for, ``\\qquad t = 1, \\dots, \\tau-1``."""
        if eq.lo is None or eq.lo == eq.hi:
            return ""
        return rf"\qquad t = {eq.lo.latex()}, \dots, {eq.hi.latex()}"

    def row(self, eq):
        """`eq` laid out for `layout.latex_block`: lines broken, range and book number apart."""
        return layout.Row(self.doprint(eq.lhs), ["".join(line) for line in self.lines(eq)],
                          self.note(eq), eq.tag)

    def equation(self, eq):
        return layout.latex_block([self.row(eq)])


class TextPrinter(Printer):
    plus, minus = " + ", " - "
    bare_indexed_powers = True
    grad_precedence = ATOM

    def paren(self, s):
        return f"({s})"

    def sym(self, s, transposed):
        out = nt.text_base(s.name) + ("" if s.index is None else f"[{s.index.text()}]")
        return out + (".T" if transposed else "")

    def grad(self, of):
        return "grad_" + self.sym(of, False)

    def onehot(self, target):
        return f"onehot(y[{target.index.text()}])"

    def const(self, c):
        if isinstance(c, Number):
            return _number(c.value)
        return repr(array_of(c).tolist())

    def negate(self, s):
        return "-" + s

    def scale(self, c, s):
        return f"{c} * {s}"

    def matmul(self, parts):
        return " @ ".join(parts)

    def hadamard(self, parts):
        return " * ".join(parts)

    def power(self, base, n):
        return f"{base}**{n}"

    def transpose(self, s):
        return f"{s}.T"

    def func(self, name, args, operator=False):
        known = lookup(name)
        return f"{known.name if known else name}({', '.join(args)})"

    def sum(self, lo, hi, body):
        return f"sum(t={lo.text()}..{hi.text()}, {body})"

    def relation(self, lhs, rhs, eq):
        rng = ""
        if eq.lo is not None and eq.lo != eq.hi:
            rng = f"    for t = {eq.lo.text()}..{eq.hi.text()}"
        tag = f"    ({eq.tag})" if eq.tag else ""
        return f"{lhs} = {rhs}{rng}{tag}"


def _mo(s):
    return f"<mo>{s}</mo>"


class MathMLPrinter(Printer):
    """Presentation MathML built from the tree (never from text)."""

    plus, minus = _mo("+"), _mo("&#x2212;")

    def top(self, s):
        return f"<mrow>{s}</mrow>"

    def paren(self, s):
        return f"<mrow>{_mo('(')}{s}{_mo(')')}</mrow>"

    def sym(self, s, transposed):
        sup = "" if s.index is None else f"{_mo('(')}{s.index.mathml()}{_mo(')')}"
        if transposed:
            sup += _mo("&#x22A4;")
        base = nt.mathml_base(s.name, _is_vector(s))
        return f"<msup>{base}<mrow>{sup}</mrow></msup>" if sup else base

    def grad(self, of):
        return f"<msub>{_mo('&#x2207;')}<mrow>{self.sym(of, False)}</mrow></msub><mi>L</mi>"

    def onehot(self, target):
        y = f"<msup><mi>y</mi><mrow>{_mo('(')}{target.index.mathml()}{_mo(')')}</mrow></msup>"
        # the bold digit itself (U+1D7CF): Chromium's MathML Core ignores mathvariant="bold"
        return f'<msub><mn mathvariant="bold">&#x1D7CF;</mn><mrow>{y}</mrow></msub>'

    def const(self, c):
        if isinstance(c, Number):
            n = _number(c.value)
            return f"<mn>{n}</mn>" if c.value >= 0 else f"{_mo('&#x2212;')}<mn>{n[1:]}</mn>"
        rows = array_of(c).reshape(c.shape[0], -1)
        cells = "".join("<mtr>" + "".join(f"<mtd><mn>{_number(v)}</mn></mtd>" for v in row) + "</mtr>"
                        for row in rows)
        return self.paren(f"<mtable>{cells}</mtable>")

    def negate(self, s):
        return _mo("&#x2212;") + s

    def scale(self, c, s):
        return f"<mn>{c}</mn>{_mo('&#x2062;')}{s}"

    def matmul(self, parts):
        return _mo("&#x2062;").join(parts)

    def hadamard(self, parts):
        return _mo("&#x2299;").join(parts)

    def power(self, base, n):
        return f"<msup>{base}<mn>{n}</mn></msup>"

    def transpose(self, s):
        return f"<msup>{s}{_mo('&#x22A4;')}</msup>"

    def func(self, name, args, operator=False):
        known = lookup(name)
        head = f"<mi>{known.mathml if known else name}</mi>"
        return head + _mo("&#x2061;") + self.paren(_mo(",").join(args))

    def sum(self, lo, hi, body):
        under = f"<mrow><mi>t</mi>{_mo('=')}{lo.mathml()}</mrow>"
        return f"<munderover>{_mo('&#x2211;')}{under}{hi.mathml()}</munderover>{body}"

    def equation(self, eq):
        """One ``<math>``: a row ``lhs = rhs``, or for a long sum an ``<mtable>`` of lines
        aligned at the = (MathML Core, as Chromium renders it, never breaks a line itself)."""
        lhs, lines = self.doprint(eq.lhs), ["".join(line) for line in self.lines(eq)]
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


def latex(e):
    return LatexPrinter().doprint(e)


def text(e):
    return TextPrinter().doprint(e)


def mathml(e):
    return MathMLPrinter().doprint(e)
