"""Recursive-descent parser for LaTeX answers in the book's notation.

Same precedence as the plain-text syntax (docs/answer-syntax.md), with LaTeX spellings:

    expr   := term (('+' | '-') term)*
    term   := unary ((\\cdot | \\times | \\odot | \\circ | '/') unary | factor)*   juxtaposition = @
    unary  := ('-' | '+') unary | \\sum_{t=1}^{\\tau} term | factor
    factor := primary ('^' sup | '_' sub)*
    sup    := step [\\top | ^\\top | NUMBER] | \\top | T | \\mathsf{T} | NUMBER | {-1}
    step   := (t-1) | \\left(t-1\\right) | <t> | \\langle t \\rangle     only right after a symbol
    primary:= NUMBER | letter | word | \\mathbf{h} | \\hat{y} | \\nabla_{h^{(t)}} L | \\frac{a}{b}
            | \\frac{\\partial L}{\\partial h^{(t)}} | function ['] [^n] primary | 1_{y^{(t)}}
            | ( ) [ ] { } \\left( \\right)

A juxtaposition with a number literal on either side is a scaling (Mul), not a matrix product.
Letters typed together are one word when they spell a function or a multi-letter name (diag,
tanh, yhat); otherwise each letter is a symbol (w h_0 = wh_0). A letter with digits typed
right after it is a time step, h2 = h_2, as in the plain-text syntax. \\tanh^2(z) is (\\tanh z)^2, and
\\tanh'(z), \\sigma'(z) are the derivatives written out (`derivative_tree`).
"""
from rnn.expr.functions import COMMANDS as FUNCTION_COMMANDS, SPELLINGS
from rnn.expr.time import FIRST_STEP, LAST_STEP, TimeIndex

from rnn.expr.tree import Call, Div, Neg, Number, Pow, SumOverTime, Symbol, Transpose, matmul, mul
from rnn.expr.tree import symbol as tree_symbol

from .lexer import COMMAND, END, LETTER, NUMBER, OP, Cursor, tokenize_latex
from .names import DEFAULT_NAMES, GATES, unknown_name_reason
from .parse_text import (derivative_tree, parse_exponent, parse_index_terms, parse_number, parse_sum,
                         relu_of_max, tower_error)

_PRODUCT_COMMANDS = {"cdot": matmul, "times": matmul, "odot": mul, "circ": mul}
_STYLES = {"mathbf", "boldsymbol", "bm", "vec", "mathit", "pmb"}
# Styles around the T of a transpose, W^{\mathsf{T}}.
_TRANSPOSE_STYLES = _STYLES | {"mathsf", "mathrm", "text", "textsf", "textrm", "rm", "sf"}
# \hat{y} is yhat, \tilde{h} the GRU candidate htilde.
_ACCENTS = ("hat", "tilde")
_WORD_COMMANDS = {"operatorname", "mathrm", "text", "textrm", "mathsf", "mathnormal", "textbf",
                  "textit", "mathcal", "mathscr"}
# tau is a symbol only where a question allows it (a mean over time, 1/tau).
_GREEK_NAMES = {"Lambda": "Lambda", "tau": "tau"}
_CLOSERS = {"(": ")", "[": "]", "{": "}"}
_NOT_A_FACTOR = set(_PRODUCT_COMMANDS) | {"right", "rangle", "}"}  # \} closes \max\{0, z\}
_STEP_CLOSERS = {"(": ")", "<": ">", "langle": "rangle"}
# Multi-letter names a word of letters may spell (single letters are symbols of their own).
_WORD_NAMES = frozenset(n for n in DEFAULT_NAMES | {"tau", "htilde"} if len(n) > 1 and "_" not in n)
# Commands typed without their backslash are refused by name.
_COMMAND_WORDS = {"sum", "nabla", "frac", "partial", "top", "cdot", "odot", "hat", "mathbf",
                  "operatorname", "left", "right", "times", "circ", "boldsymbol", "intercal"}


def parse_latex(source, names=DEFAULT_NAMES, star=False):
    """The tree (`rnn.expr.tree`) of a LaTeX answer such as
    `\\sum_{t=1}^{\\tau} \\operatorname{diag}(1-(\\mathbf{h}^{(t)})^2)(\\nabla_{\\mathbf{h}^{(t)}} L)\\mathbf{h}^{(t-1)\\top}`.

    `names` is the set of allowed base symbol names; `star` reads `*` as an elementwise or
    scalar product (answers typed without backslashes). Raises ParseError on anything else.
    """
    return _LatexParser(source, frozenset(names), star).parse()


_PRIME_REASON = ("primes (') are not accepted here: write a transpose as ^\\top and a derivative out, "
                 "e.g. 1-(h^{(t)})^2 (\\tanh' and \\sigma' are accepted, and t' or \\tau' as the "
                 "index of a sum, \\sum_{\\tau'=1}^{\\tau})")


class _LatexParser:
    def __init__(self, source, names, star=False):
        self.c = Cursor(tokenize_latex(source, star), source)
        self.names = names

    def parse(self):
        node = self.expr()
        if not self.c.at(END):
            tok = self.c.peek()
            if tok.text == "=":
                raise self.c.error("type only the right-hand side of the equation, without '='")
            if tok.text in (")", "]", "}") or tok.text == "right":
                raise self.c.error(f"unmatched closing {tok.text!r}; remove it or add the opening bracket")
            raise self.c.error(f"unexpected {tok.text!r}; expected an operator or the end")
        return self.c.finish(node)

    # -- operators ---------------------------------------------------------------------------
    def expr(self):
        return parse_sum(self.c, self.term)

    def term(self):
        start = self.c.peek().pos
        node = self.unary()
        while True:
            tok = self.c.peek()
            if tok.kind == COMMAND and tok.text in _PRODUCT_COMMANDS:
                self.c.next()
                node = self.c.make(_PRODUCT_COMMANDS[tok.text], node, self.unary(), start=start)
            elif tok.kind == OP and tok.text == "*":
                self.c.next()
                node = self.c.make(mul, node, self.unary(), start=start)
            elif tok.kind == OP and tok.text == "/":
                self.c.next()
                node = self.c.make(Div, node, self.unary(), start=start)
            elif self._starts_factor(tok):
                right = self.sum() if tok.kind == COMMAND and tok.text == "sum" else self.factor()
                scaling = isinstance(node, Number) or isinstance(right, Number)
                node = self.c.make(mul if scaling else matmul, node, right, start=start)
            else:
                return node

    def _starts_factor(self, tok):
        if tok.kind in (NUMBER, LETTER):
            return True
        if tok.kind == OP:
            return tok.text in _CLOSERS
        return tok.kind == COMMAND and tok.text not in _NOT_A_FACTOR

    def unary(self):
        tok = self.c.peek()
        if tok.kind == OP and tok.text in "+-":
            self.c.next()
            self.c.enter(tok)
            operand = self.unary()
            self.c.leave()
            return self.c.make(Neg, operand, start=tok.pos) if tok.text == "-" else operand
        if tok.kind == COMMAND and tok.text == "sum":
            return self.sum()
        return self.factor()

    def sum(self):
        tok = self.c.next()
        index, first, last = self._sum_bounds(tok)
        self.c.enter_sum(tok, index)
        node = self.c.make(SumOverTime, self.term(), first, last, start=tok.pos)
        self.c.leave_sum()
        return node

    def _sum_bounds(self, tok):
        """(index, first, last) of \\sum_t, \\sum_{k}, \\sum_{t=1}^{\\tau}, \\sum_{\\tau'=1}^{T}, \\sum_{t=2}^{\\tau-1}.

        The index may be any letter (t, k, s, i) or t', \\tau': it is only a name, read as t in
        the body. The bounds are kept: a sum from t=2 misses a term and is marked so.
        """
        bad = "write the sum over time as \\sum_t or \\sum_{t=1}^{\\tau}"
        if not self.c.accept(OP, "_"):
            raise self.c.error(bad, tok)
        braced = self.c.accept(OP, "{")
        index = self.c.peek()
        if not (index.kind == LETTER or index.kind == COMMAND and index.text == "tau'"):
            raise self.c.error(bad + " (the index is a letter such as t or k)")
        self.c.next()
        first, last = FIRST_STEP, LAST_STEP
        if braced:
            if self.c.accept(OP, "="):
                first = self._bound(bad)
            self.c.expect(OP, "}", bad)
        if self.c.accept(OP, "^"):
            braced = self.c.accept(OP, "{")
            last = self._bound(bad) if braced else self._bound(bad, single=True)
            if braced:
                self.c.expect(OP, "}", bad)
        return index.text, first, last

    def _bound(self, bad, single=False):
        """A bound of a sum: 1, 2, \\tau, T, \\tau-1 (T is the book's tau), or tau spelled in letters."""
        tok = self.c.peek()
        if tok.kind == NUMBER and tok.text.isdigit():
            if single and len(tok.text) > 1:
                raise self.c.error("write a multi-digit bound in braces, ^{12}")
            return parse_index_terms(self.c, lambda _tok: None)
        if tok.kind == LETTER and self._word() == "tau":
            self.c.next()
            self.c.next()
        elif not (tok.kind == COMMAND and tok.text == "tau" or tok.kind == LETTER and tok.text == "T"):
            raise self.c.error("a sum over time runs between steps such as 1 and \\tau; " + bad)
        self.c.next()
        if single:
            return LAST_STEP
        return parse_index_terms(self.c, lambda _tok: "tau", already_read=True)

    # -- scripts -----------------------------------------------------------------------------
    def factor(self):
        start = self.c.peek().pos
        node = self.primary()
        while True:
            if self.c.at(OP, "_"):
                underscore = self.c.next()
                # h^\top_{t-1}: the step may come after the transpose
                transposed = isinstance(node, Transpose)
                symbol = node.operand if transposed else node
                if not (isinstance(symbol, Symbol) and symbol.index is None):
                    raise self.c.error("a subscript can only give the time step of a symbol, "
                                       "like h_{t-1}", underscore)
                gate = self._gate_subscript(symbol)
                if gate is not None:
                    node = self.c.make(tree_symbol, gate, None, start=start)
                    if transposed:
                        node = self.c.make(Transpose, node, start=start)
                    continue
                node = self.c.make(tree_symbol, symbol.name, self._subscript_index(), start=start)
                if transposed:
                    node = self.c.make(Transpose, node, start=start)
            elif self.c.at(OP, "^"):
                self.c.next()
                node = self._superscript(node, start)
                if isinstance(node, Pow) and self.c.at(OP, "^"):
                    raise tower_error(self.c)
            else:
                return node

    def _subscript_index(self):
        if self.c.accept(OP, "{"):
            index = parse_index_terms(self.c, self._index_base)
            self.c.expect(OP, "}", "a subscript time step looks like _{t-1} or _2")
            return index
        tok = self.c.peek()
        if tok.kind == NUMBER and len(tok.text) > 1:
            raise self.c.error(f"write _{{{tok.text}}} with braces for a multi-digit step")
        if tok.kind == LETTER and tok.text == "t" or self._index_base(tok) == "t":
            self.c.next()
            return TimeIndex("t", 0)
        return parse_index_terms(self.c, lambda _tok: None)

    def _index_base(self, tok):
        if tok.kind in (LETTER, COMMAND) and tok.text == self.c.sum_index:
            return "t"
        if tok.kind == LETTER and tok.text == "t":
            return "t"
        if tok.kind == COMMAND and tok.text == "tau":
            return "tau"
        return None

    def _accept_transpose(self):
        """Consume a transpose mark, \\top, \\intercal, T or \\mathsf{T}, and say whether there was one."""
        tok = self.c.peek()
        if tok.kind == COMMAND and tok.text in ("top", "intercal") or tok.kind == LETTER and tok.text == "T":
            self.c.next()
            return True
        if tok.kind == COMMAND and tok.text in _TRANSPOSE_STYLES:
            braced = self.c.peek(1).kind == OP and self.c.peek(1).text == "{"
            letter = self.c.peek(2 if braced else 1)
            if letter.kind == LETTER and letter.text == "T" and (
                    not braced or self.c.peek(3).kind == OP and self.c.peek(3).text == "}"):
                for _ in range(4 if braced else 2):
                    self.c.next()
                return True
        return False

    def _starts_time_step(self, tok):
        if tok.kind == OP and tok.text in "(<" or tok.kind == COMMAND and tok.text == "langle":
            return True
        return tok.kind == COMMAND and tok.text == "left" and self.c.peek(1).text in ("(", "<", "langle")

    def _suffixed(self, symbol, letter):
        """The parameter `symbol` with the suffix `letter` (U_f, W_s), or None when the letter is
        no suffix of it: a gate's letter after U, W, b (eq. 10.40, `rnn.names.param_latex`), or
        any letter the question names that way (a lecturer's cell's W_s), never the step t."""
        if not (isinstance(symbol, Symbol) and symbol.index is None and letter.kind == LETTER):
            return None
        name = f"{symbol.name}_{letter.text}"
        if letter.text in GATES and symbol.name in ("U", "W", "b"):
            if name not in self.names:
                raise self.c.error(f"{name} (the parameter {symbol.name} of gate {letter.text}) is not a "
                                   "symbol of this question", letter)
            return name
        if name in self.names and letter.text != "t" and self._index_base(letter) is None:
            return name
        return None

    def _gate_parameter(self, node, opening):
        """\\boldsymbol{U}^{f}, \\boldsymbol{W}^{s}: the parameter U_f, W_s (`_suffixed`), or None."""
        tok = self.c.peek()
        if opening and self.c.peek(1).text not in ("}", "top", "T"):
            return None
        name = self._suffixed(node, tok)
        if name is None:
            return None
        self.c.next()
        return tree_symbol(name, None, source_span=node.source_span)

    def _gate_subscript(self, symbol):
        """U_f, U_{f} or W_{s}: the parameter written with a subscript; None if it is a time step."""
        braced = self.c.peek().kind == OP and self.c.peek().text == "{"
        letter = self.c.peek(1 if braced else 0)
        if braced and not (self.c.peek(2).kind == OP and self.c.peek(2).text == "}"):
            return None
        name = self._suffixed(symbol, letter)
        if name is None:
            return None
        for _ in range(3 if braced else 1):
            self.c.next()
        return name

    def _superscript(self, node, start):
        opening = self.c.accept(OP, "{")
        tok = self.c.peek()
        gate = self._gate_parameter(node, opening)
        if gate is not None:
            node = self.c.make(tree_symbol, gate.name, None, start=start)
            if opening and self._accept_transpose():
                node = self.c.make(Transpose, node, start=start)
        elif self._accept_transpose():
            node = self.c.make(Transpose, node, start=start)
        elif self._starts_time_step(tok):
            node = self._time_step(node, start)
            if opening:
                node = self._after_time_step(node, start)
        elif tok.kind == NUMBER or tok.kind == OP and tok.text in "+-":
            if not opening and (tok.kind != NUMBER or len(tok.text) > 1):
                raise self.c.error("write a multi-character exponent in braces, e.g. ^{-1} or ^{12}")
            node = self.c.make(Pow, node, parse_exponent(self.c), start=start)
            if opening and self.c.at(OP, "^"):
                raise tower_error(self.c)
        else:
            raise self.c.error("a superscript must be a time step (t), \\top or a number")
        if opening:
            self.c.expect(OP, "}", f"missing '}}' to close the superscript opened at column {opening.pos + 1}")
        return node

    def _time_step(self, node, start):
        """The symbol `node` at the step of ^{(t-1)}, ^{\\left(t-1\\right)}, ^{<t>} or ^{\\langle t\\rangle}."""
        if not (isinstance(node, Symbol) and node.index is None):
            raise self.c.error("a time step (t) can only follow a symbol like \\mathbf{h}; "
                               "write a power as ^{2}")
        sized = self.c.accept(COMMAND, "left")
        closer = _STEP_CLOSERS[self.c.next().text]
        index = parse_index_terms(self.c, self._index_base)
        if sized and not self.c.accept(COMMAND, "right"):
            raise self.c.error("missing \\right after the time step, e.g. ^{\\left(t-1\\right)}")
        shown = "\\rangle" if closer == "rangle" else closer
        self.c.expect(COMMAND if closer == "rangle" else OP, closer,
                      f"missing '{shown}' after the time step, e.g. ^{{(t-1)}}")
        return self.c.make(tree_symbol, node.name, index, start=start)

    def _after_time_step(self, node, start):
        """The rest of a braced superscript after its time step: ^{(t-1)\\top}, ^{(t-1)^{\\top}}, ^{(t)2}."""
        if self.c.accept(OP, "^"):
            braced = self.c.accept(OP, "{")
            if not self._accept_transpose():
                raise self.c.error("after a time step only a transpose may be raised, e.g. ^{(t-1)^\\top}")
            if braced:
                self.c.expect(OP, "}", "missing '}' after the transpose")
            return self.c.make(Transpose, node, start=start)
        if self._accept_transpose():
            return self.c.make(Transpose, node, start=start)
        if self.c.at(NUMBER):
            return self.c.make(Pow, node, parse_exponent(self.c), start=start)
        return node

    # -- operands ----------------------------------------------------------------------------
    def primary(self):
        tok = self.c.peek()
        if tok.kind == NUMBER:
            self.c.next()
            if tok.text == "1" and self.c.at(OP, "_"):
                return self._onehot(tok)
            return self.c.make(Number, parse_number(tok, self.c), start=tok.pos)
        if tok.kind == LETTER:
            return self._letters(tok)
        if tok.kind == OP and tok.text in _CLOSERS:
            return self._group(tok, _CLOSERS[tok.text], closing_command=None)
        if tok.kind == COMMAND:
            return self._command(tok)
        if tok.kind == END:
            raise self.c.error("the answer ended where an operand was expected")
        raise self.c.error(f"unexpected {tok.text!r} where an operand was expected")

    def _group(self, tok, closer, closing_command):
        self.c.next()
        self.c.enter(tok)
        node = self.expr()
        if closing_command and not self.c.accept(COMMAND, closing_command):
            raise self.c.error(f"missing \\{closing_command}{closer} for the \\left opened at "
                               f"column {tok.pos + 1}")
        self.c.expect(OP, closer, f"missing {closer!r} to close the bracket opened at column {tok.pos + 1}")
        self.c.leave()
        return node

    def _letters(self, tok):
        """A word typed without a backslash (diag, tanh, yhat) or one letter, the symbol it names."""
        if tok.text.endswith("'"):
            raise self.c.error(_PRIME_REASON, tok)
        word = self._word()
        if len(word) > 1 and (word in SPELLINGS or word in _WORD_NAMES):
            for _ in word:
                self.c.next()
            if word in SPELLINGS:
                return self._call(tok, SPELLINGS[word])
            return self._named(word, tok)
        if len(word) > 1 and word in _COMMAND_WORDS:
            raise self.c.error(f"'{word}' is a LaTeX command: write \\{word} with a backslash", tok)
        self.c.next()
        after = self.c.tokens[self.c.i]
        if after.kind == NUMBER and after.pos == tok.end:
            return self._stepped(tok, after)
        return self._named(tok.text, tok)

    def _stepped(self, tok, digits):
        """h2 typed together is h_2, as in the plain-text syntax (a product is written 2 h)."""
        if not digits.text.isdigit():
            raise self.c.error(f"'{tok.text}{digits.text}' is ambiguous: write {tok.text}_{{2}} for a "
                               f"time step, or {digits.text} {tok.text} for a product", tok)
        node = self._named(tok.text, tok)
        index = parse_index_terms(self.c, lambda _tok: None)
        return self.c.make(tree_symbol, node.name, index, start=tok.pos)

    def _word(self):
        """The letters typed together from the current token on, e.g. 'diag' or 'wh'."""
        tokens, i = self.c.tokens, self.c.i
        first, letters = tokens[i].pos, []
        while tokens[i].kind == LETTER and tokens[i].pos == first + len(letters):
            letters.append(tokens[i].text)
            i += 1
        return "".join(letters)

    def _named(self, name, tok):
        """A symbol from a letter or styled name; e_{y^{(t)}} and 1_{y^{(t)}} are one-hot vectors."""
        if name in ("e", "1") and self.c.at(OP, "_"):
            return self._onehot(tok)
        if name == "1":
            return self.c.make(Number, 1.0, start=tok.pos)
        if name not in self.names:
            raise self.c.error(unknown_name_reason(name, self.names), tok)
        return self.c.make(tree_symbol, name, None, start=tok.pos)

    def _onehot(self, tok):
        self.c.next()
        self.c.enter(tok)
        if self.c.at(OP, "{"):
            arg = self._group(self.c.peek(), "}", closing_command=None)
        else:
            arg = self.primary()
        self.c.leave()
        return self.c.make(Call, "onehot", (arg,), start=tok.pos)

    def _command(self, tok):
        name = tok.text
        if name.endswith("'"):
            raise self.c.error(_PRIME_REASON, tok)
        if name in _STYLES and self._styles_nabla():
            self.c.next()
            braced = self.c.accept(OP, "{")
            return self._nabla(self.c.peek(), braced=braced)
        if name in _STYLES or name in _ACCENTS or name == "mathbb":
            self.c.enter(tok)
            styled = self._styled_name()
            self.c.leave()
            return self._named(styled, tok)
        if name == "left":
            self.c.next()
            opening = self.c.peek()
            if not (opening.kind == OP and opening.text in "(["):
                raise self.c.error("\\left must be followed by ( or [")
            return self._group(opening, _CLOSERS[opening.text], closing_command="right")
        if name in _WORD_COMMANDS:
            self.c.next()
            word = self._braced_word(tok)
            if word in SPELLINGS:
                return self._call(tok, SPELLINGS[word])
            return self._named(word, tok)
        if name in FUNCTION_COMMANDS:
            self.c.next()
            return self._call(tok, FUNCTION_COMMANDS[name])
        if name in _GREEK_NAMES:
            self.c.next()
            return self._named(_GREEK_NAMES[name], tok)
        if name == "nabla":
            return self._nabla(tok)
        if name == "max":
            return self._max(tok)
        if name in ("frac", "dfrac", "tfrac"):
            return self._frac(tok)
        if name == "partial":
            return self._slashed_derivative(tok)
        if name == "sum":
            raise self.c.error("put parentheses around a sum inside a power or function argument")
        raise self.c.error(f"LaTeX command \\{name} is not accepted; see docs/answer-syntax.md "
                           "for the accepted commands", tok)

    def _styles_nabla(self):
        """True at \\boldsymbol{\\nabla} or \\mathbf \\nabla: a bold gradient sign."""
        following = self.c.peek(1)
        if following.kind == OP and following.text == "{":
            following = self.c.peek(2)
        return following.kind == COMMAND and following.text == "nabla"

    def _styled_name(self):
        """The base name inside \\mathbf{..}, \\bm, \\boldsymbol, \\hat{..}, \\tilde{..}, \\mathbb{1}: 'h', 'yhat', '1'."""
        command = self.c.next()
        braced = self.c.accept(OP, "{")
        tok = self.c.peek()
        if tok.kind == COMMAND and (tok.text in _STYLES or tok.text in _ACCENTS):
            self.c.enter(tok)
            name = self._styled_name()
            self.c.leave()
        elif tok.kind == COMMAND and tok.text in _GREEK_NAMES:
            self.c.next()
            name = _GREEK_NAMES[tok.text]
        elif tok.kind == LETTER or tok.kind == NUMBER and tok.text == "1":
            self.c.next()
            name = tok.text
        else:
            raise self.c.error(f"\\{command.text} takes one letter, e.g. \\{command.text}{{h}}")
        if braced:
            self.c.expect(OP, "}", f"\\{command.text}{{...}} takes a single letter; close it with '}}'")
        if command.text == "mathbb" and name != "1":
            raise self.c.error("only \\mathbb{1} (the ones vector or indicator) is accepted", command)
        return name + command.text if command.text in _ACCENTS else name

    def _braced_word(self, command):
        self.c.expect(OP, "{", f"\\{command.text} needs a braced word, e.g. \\{command.text}{{diag}}")
        letters = []
        while self.c.at(LETTER):
            letters.append(self.c.next().text)
        self.c.expect(OP, "}", f"\\{command.text}{{...}} may contain only letters")
        return "".join(letters)

    def _call(self, tok, func):
        self.c.enter(tok)
        primed = self.c.accept(OP, "'")
        power = None
        if self.c.accept(OP, "^"):
            if self._superscript_prime():
                primed = True
            else:
                power = self._function_power(func)
        if self.c.at(END) or self.c.at(OP, "+") or self.c.at(OP, "-"):
            raise self.c.error(f"{func} needs an argument, e.g. {func}(a)")
        # A bracketed argument ends at its bracket, so \tanh(a)^2 squares the tanh; a bare
        # argument keeps its scripts, so \tanh \mathbf{a}^{(t)} is tanh(a[t]).
        bracketed = self.c.peek().text in ("(", "[", "{", "left")
        arg = self.primary() if bracketed else self.factor()
        self.c.leave()
        node = self.c.make(Call, func, (arg,), start=tok.pos)
        if primed:
            node = derivative_tree(self.c, node, tok.pos)
        if power is not None:
            node = self.c.make(Pow, node, power, start=tok.pos)
        return node

    def _max(self, tok):
        """\\max(0, z), \\max\\{0, z\\} or \\max\\left(0, z\\right): the ReLU of z."""
        self.c.next()
        self.c.enter(tok)
        sized = self.c.accept(COMMAND, "left")
        if self.c.accept(OP, "("):
            closer = (OP, ")")
        elif self.c.accept(COMMAND, "{"):
            closer = (COMMAND, "}")
        else:
            raise self.c.error("write the ReLU as \\max(0, z) or \\operatorname{ReLU}(z)")
        args = [self.expr()]
        while self.c.accept(OP, ","):
            args.append(self.expr())
        if sized and not self.c.accept(COMMAND, "right"):
            raise self.c.error("missing \\right to close \\max\\left(")
        self.c.expect(*closer, "missing the bracket that closes \\max(")
        self.c.leave()
        return relu_of_max(self.c, args, tok)

    def _superscript_prime(self):
        """Consume the prime of \\tanh^{\\prime}, \\tanh^\\prime or \\tanh^{'} and say whether there was one."""
        braced = self.c.peek().kind == OP and self.c.peek().text == "{"
        mark = self.c.peek(1 if braced else 0)
        if not (mark.kind == COMMAND and mark.text == "prime" or mark.kind == OP and mark.text == "'"):
            return False
        if braced and not (self.c.peek(2).kind == OP and self.c.peek(2).text == "}"):
            return False
        for _ in range(3 if braced else 1):
            self.c.next()
        return True

    def _function_power(self, func):
        """n of \\tanh^n(z), \\tanh^{n}(z): a whole power of the function's value."""
        braced = self.c.accept(OP, "{")
        tok = self.c.peek()
        if tok.kind == OP and tok.text == "-":
            raise self.c.error(f"\\{func}^{{-1}} (an inverse function) is not accepted; "
                               f"write a reciprocal as 1/\\{func}(z)")
        if not (tok.kind == NUMBER and tok.text.isdigit()):
            raise self.c.error(f"the power of a function is a whole number: \\{func}^2(z) or \\{func}(z)^2")
        power = parse_exponent(self.c)
        if braced:
            self.c.expect(OP, "}", f"missing '}}' after \\{func}^{{...")
        return power

    def _gradient_symbol(self, tok):
        """The symbol h^{(t)} of nabla_{h^{(t)}} L or dL/dh^{(t)}, turned into grad_h[t] (eq. 10.18)."""
        wrt_tok = self.c.peek()
        wrt = self.factor()
        if not isinstance(wrt, Symbol):
            raise self.c.error("a gradient must be taken with respect to one symbol, like \\mathbf{h}^{(t)}",
                               wrt_tok)
        name = f"grad_{wrt.name}"
        if name not in self.names:
            raise self.c.error(f"gradients with respect to {wrt.name} are not part of this question", wrt_tok)
        return name, wrt.index

    def _nabla(self, tok, braced=False):
        """\\nabla_{\\mathbf{h}^{(t)}} L (also bold, \\boldsymbol{\\nabla}, when `braced` is its brace)."""
        self.c.next()
        self.c.enter(tok)
        if braced:
            self.c.expect(OP, "}", "write a bold gradient as \\boldsymbol{\\nabla}_{\\mathbf{h}^{(t)}} L")
        self.c.expect(OP, "_", "write the gradient as \\nabla_{\\mathbf{h}^{(t)}} L")
        braced = self.c.accept(OP, "{")
        name, index = self._gradient_symbol(tok)
        if braced:
            self.c.expect(OP, "}", "missing '}' after the \\nabla subscript")
        self._loss("the gradient must be of the loss L: \\nabla_{\\mathbf{h}^{(t)}} L")
        self.c.leave()
        return self.c.make(tree_symbol, name, index, start=tok.pos)

    def _loss(self, reason):
        """Consume the loss: L, \\mathcal{L}, \\mathbf{L} or \\mathrm{L}; else raise `reason`."""
        if self.c.accept(LETTER, "L"):
            return
        tok = self.c.peek()
        if tok.kind == COMMAND and (tok.text in _STYLES or tok.text in _WORD_COMMANDS):
            braced = self.c.peek(1).kind == OP and self.c.peek(1).text == "{"
            letter = self.c.peek(2 if braced else 1)
            if letter.kind == LETTER and letter.text == "L":
                for _ in range(2 if braced else 1):
                    self.c.next()
                self.c.next()
                if braced:
                    self.c.expect(OP, "}", reason)
                return
        raise self.c.error(reason)

    def _slashed_derivative(self, tok):
        """\\partial L / \\partial \\mathbf{h}^{(t)}: grad_h[t], the inline form of \\frac."""
        self.c.next()
        self.c.enter(tok)
        self._loss("a derivative must be of the loss: \\partial L / \\partial \\mathbf{h}^{(t)}")
        self.c.expect(OP, "/", "write the derivative as \\partial L / \\partial \\mathbf{h}^{(t)}")
        self.c.expect(COMMAND, "partial", "the denominator of a derivative starts with \\partial")
        name, index = self._gradient_symbol(tok)
        self.c.leave()
        return self.c.make(tree_symbol, name, index, start=tok.pos)

    def _frac(self, tok):
        self.c.next()
        self.c.enter(tok)
        self.c.expect(OP, "{", "write a fraction as \\frac{a}{b}")
        if self.c.accept(COMMAND, "partial"):
            self._loss("a derivative must be of the loss: \\frac{\\partial L}{\\partial h^{(t)}}; Jacobians "
                       "such as \\partial h^{(t+1)} / \\partial h^{(t)} are not accepted, write them out, "
                       "e.g. \\operatorname{diag}(1-(\\mathbf{h}^{(t+1)})^2)\\mathbf{W}")
            self.c.expect(OP, "}", "the numerator of a derivative is just \\partial L")
            self.c.expect(OP, "{", "write the derivative as \\frac{\\partial L}{\\partial h^{(t)}}")
            self.c.expect(COMMAND, "partial", "the denominator of a derivative starts with \\partial")
            name, index = self._gradient_symbol(tok)
            self.c.expect(OP, "}", "missing '}' after the derivative's denominator")
            node = self.c.make(tree_symbol, name, index, start=tok.pos)
        else:
            numerator = self.expr()
            self.c.expect(OP, "}", "missing '}' after the numerator of \\frac")
            self.c.expect(OP, "{", "write a fraction as \\frac{a}{b}")
            denominator = self.expr()
            self.c.expect(OP, "}", "missing '}' after the denominator of \\frac")
            node = self.c.make(Div, numerator, denominator, start=tok.pos)
        self.c.leave()
        return node
