"""Printers of matrix expressions in book notation: LaTeX, plain text, presentation MathML.

One tree walk (`Printer`) decides precedence and parentheses; three small subclasses say how
each piece is spelled. LaTeX follows the book in `rnn.names`' notation:
``\\boldsymbol{h}^{(t)}``, ``\\boldsymbol{W}^{\\top}``, ``\\operatorname{diag}``,
``\\nabla_{\\boldsymbol{h}^{(t)}} L``, ``\\sum_{t=1}^{\\tau}``. Text reads as NumPy-flavoured
pseudo-code: ``grad_h[t] = W.T @ diag(1 - h[t+1]**2) @ grad_h[t+1] + ...``.
"""
from __future__ import annotations

from rnn.expr.functions import lookup
from rnn.names import one_hot_latex, with_superscript

from . import layout
from . import mexpr as mx
from . import notation as nt

ADD, NEG, MUL, POST, ATOM = 1, 2, 3, 4, 5


def _is_vector(s):
    """A symbol holding more than one number: a dimension of its shape is not 1 (the book's
    printed equations carry symbolic shapes such as ('H', '1'))."""
    return any(str(d) != "1" for d in s.shape)


def _number(c):
    c = float(c)
    return str(int(c)) if c.is_integer() else f"{c:g}"


class Printer:
    """Precedence-aware walk; subclasses spell the pieces."""

    bare_indexed_powers = False  # h[t]**2 needs no parentheses, (h^{(t)})^2 does
    grad_precedence = MUL  # the book brackets (nabla L) inside a product, code needs no brackets

    def doprint(self, e):
        return self._p(e)[0]

    def _wrap(self, e, prec):
        s, p = self._p(e)
        return self.paren(s) if p < prec else s

    def _p(self, e):
        if isinstance(e, mx.Sym):
            return self.sym(e, False), ATOM
        if isinstance(e, mx.Grad):
            return self.grad(e.of), self.grad_precedence
        if isinstance(e, mx.OneHot):
            return self.onehot(e.target), ATOM
        if isinstance(e, mx.Const):
            return self.const(e), ATOM if e.uniform is None or e.uniform >= 0 else NEG
        if isinstance(e, mx.Add):
            return "".join(sign + term for sign, term in self._add_terms(e)), ADD
        if isinstance(e, mx.Neg):
            return self.negate(self._wrap(e.x, MUL)), NEG
        if isinstance(e, mx.Scale):
            return self.scale(_number(e.c), self._wrap(e.x, MUL + 1)), MUL
        if isinstance(e, mx.MatMul):
            parts = [self._wrap(f, MUL + 1) if k < len(e.factors) - 1 or not isinstance(f, mx.Grad)
                     else self._p(f)[0] for k, f in enumerate(e.factors)]
            return self.matmul(parts), MUL
        if isinstance(e, mx.Hadamard):
            return self.hadamard([self._wrap(f, MUL + 1) for f in e.factors]), MUL
        if isinstance(e, mx.Power):
            bare = isinstance(e.x, mx.Sym) and (e.x.time is None or self.bare_indexed_powers)
            base = self._p(e.x)[0] if bare else self.paren(self._p(e.x)[0])
            return self.power(base, e.n), POST
        if isinstance(e, mx.Transpose):
            if isinstance(e.x, mx.Sym):
                return self.sym(e.x, True), ATOM
            return self.transpose(self._wrap(e.x, ATOM)), POST
        if isinstance(e, mx.Diag):
            return self.func("diag", [self.doprint(e.v)], operator=True), ATOM
        if isinstance(e, mx.Func):
            return self.func(e.name, [self.doprint(a) for a in e.args]), ATOM
        if isinstance(e, mx.SumT):
            return self.sum(e.lo, e.hi, self._wrap(e.body, MUL)), ADD
        raise TypeError(f"no printer rule for {type(e).__name__}")

    def _add_terms(self, e):
        """``[(sign, term), ...]`` of a sum, the first sign empty; a positive term first:
        yhat - 1_y reads better than -1_y + yhat."""
        terms = sorted(e.terms, key=lambda t: isinstance(t, mx.Neg))
        out = [("", self._wrap(terms[0], ADD))]
        for t in terms[1:]:
            if isinstance(t, mx.Neg):
                out.append((self.minus, self._wrap(t.x, NEG)))
            elif isinstance(t, mx.Const) and t.uniform is not None and t.uniform < 0:
                out.append((self.minus, _number(-t.uniform)))
            else:
                out.append((self.plus, self._wrap(t, NEG)))
        return out

    def terms(self, e):
        """The top-level terms of `e`, each with its sign (a lone term for anything but a sum)."""
        if isinstance(e, mx.Add):
            return [sign + term for sign, term in self._add_terms(e)]
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
        sup = [] if s.time is None else [f"({s.time.latex()})"]
        if transposed:
            sup.append(r"\top")
        base = nt.latex_base(s.name, _is_vector(s))
        return with_superscript(base, "".join(sup)) if sup else base

    def grad(self, of):
        return rf"\nabla_{{{self.sym(of, False)}}} L"

    def onehot(self, target):
        return one_hot_latex(f"y^{{({target.time.latex()})}}")

    def const(self, c):
        if c.uniform is not None:
            return _number(c.uniform)
        rows = c.array.reshape(c.shape[0], -1)
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
        out = nt.text_base(s.name) + ("" if s.time is None else f"[{s.time.text()}]")
        return out + (".T" if transposed else "")

    def grad(self, of):
        return "grad_" + self.sym(of, False)

    def onehot(self, target):
        return f"onehot(y[{target.time.text()}])"

    def const(self, c):
        if c.uniform is not None:
            return _number(c.uniform)
        return repr(c.array.tolist())

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

    def doprint(self, e):
        return f"<mrow>{self._p(e)[0]}</mrow>"

    def paren(self, s):
        return f"<mrow>{_mo('(')}{s}{_mo(')')}</mrow>"

    def sym(self, s, transposed):
        sup = "" if s.time is None else f"{_mo('(')}{s.time.mathml()}{_mo(')')}"
        if transposed:
            sup += _mo("&#x22A4;")
        base = nt.mathml_base(s.name, _is_vector(s))
        return f"<msup>{base}<mrow>{sup}</mrow></msup>" if sup else base

    def grad(self, of):
        return f"<msub>{_mo('&#x2207;')}<mrow>{self.sym(of, False)}</mrow></msub><mi>L</mi>"

    def onehot(self, target):
        y = f"<msup><mi>y</mi><mrow>{_mo('(')}{target.time.mathml()}{_mo(')')}</mrow></msup>"
        # the bold digit itself (U+1D7CF): Chromium's MathML Core ignores mathvariant="bold"
        return f'<msub><mn mathvariant="bold">&#x1D7CF;</mn><mrow>{y}</mrow></msub>'

    def const(self, c):
        if c.uniform is not None:
            n = _number(c.uniform)
            return f"<mn>{n}</mn>" if c.uniform >= 0 else f"{_mo('&#x2212;')}<mn>{n[1:]}</mn>"
        rows = c.array.reshape(c.shape[0], -1)
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
