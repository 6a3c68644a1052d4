"""Recursive-descent parser for plain-text (NumPy-style) answers.

Grammar, loosest binding first (docs/answer-syntax.md has the table):

    expr    := term (('+' | '-') term)*
    term    := unary (('@' | '*' | '/') unary)*          left-associative, one level as in Python
    unary   := ('-' | '+') unary | 'sum_t' term | power  sum_t takes the rest of the product
    power   := postfix (('**' | '^') ['-'|'+'] NUMBER)?  literal exponents only, no towers
    postfix := primary ('.T' | '^T')*
    primary := NUMBER | '(' expr ')' | FUNCTION ["'"] '(' expr ')' | 'transpose' '(' expr ')'
             | 'max' '(' '0' ',' expr ')'                     the ReLU, relu(expr)
             | NAME ['[' index ']']
    index   := INTEGER | ('t' | 'tau') [('+' | '-') INTEGER]

tanh'(z), sigma'(z) and relu'(z) are read as the derivatives written out (`derivative_tree`).
"""
import math
import re
from dataclasses import replace

from rnn.expr.functions import FUNCTIONS as TABLE, SPELLINGS, function
from rnn.expr.time import FIRST_STEP, LAST_STEP, TimeIndex

from rnn.expr.tree import Call, Div, Neg, Number, Pow, SumOverTime, Transpose, add, matmul, mul, walk
from rnn.expr.tree import symbol as tree_symbol

from .lexer import END, NAME, NUMBER, OP, RANGED_SUM, Cursor, tokenize_text
from .names import (DEFAULT_NAMES, MAX_EXPONENT, split_name,
                    unknown_name_reason)

_PRODUCTS = {"@": matmul, "*": mul, "/": Div}
_MAX_INDEX_DIGITS = 6
# sum_t, and the same sum with its step named otherwise: sum_k ... h[k] (the name is only a name).
_SUM_INDEX = re.compile(r"^sum_([a-z])$")


def _bound(text):
    """The TimeIndex of a sum's bound written '2', 'tau' or 'tau-1'."""
    if text.startswith("tau"):
        return TimeIndex("tau", int(text[3:] or 0))
    return TimeIndex(None, int(text))


def parse_text(source, names=DEFAULT_NAMES):
    """The tree (`rnn.expr.tree`) of a plain-text answer such as `sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t-1].T`.

    `names` is the set of allowed base symbol names. Raises ParseError on anything else.
    """
    parser = _TextParser(source, frozenset(names))
    return parser.parse()


def parse_number(tok, cursor):
    """A finite float from a NUMBER token."""
    value = float(tok.text)
    if not math.isfinite(value):
        raise cursor.error("number is too large", tok)
    return value


def parse_exponent(cursor):
    """A literal exponent: optional sign, then a number within +-MAX_EXPONENT."""
    start = cursor.peek()
    sign = 1.0
    if cursor.at(OP, "-") or cursor.at(OP, "+"):
        sign = -1.0 if cursor.next().text == "-" else 1.0
    if not cursor.at(NUMBER):
        raise cursor.error("an exponent must be a plain number such as 2; "
                           "expressions in exponents are not accepted")
    value = sign * parse_number(cursor.next(), cursor)
    if abs(value) > MAX_EXPONENT:
        raise cursor.error(f"exponent {value:g} is larger than {MAX_EXPONENT} in magnitude", start)
    return value


def tower_error(cursor):
    return cursor.error("a power of a power (a**b**c) is not accepted; the exponent must be a "
                        "plain number, use parentheses (a**b)**c if you mean that")


def parse_index_terms(cursor, base_kinds, already_read=False):
    """A TimeIndex from tokens such as `t`, `t-1`, `tau`, `2` (shared with the LaTeX parser).

    `already_read`: the base's tokens were consumed by the caller (tau spelled in letters)."""
    tok = cursor.tokens[cursor.i - 1] if already_read else cursor.peek()
    base = base_kinds(tok)
    if base is None:
        return TimeIndex(None, read_small_int(cursor))
    if not already_read:
        cursor.next()
    offset = 0
    if cursor.at(OP, "+") or cursor.at(OP, "-"):
        sign = -1 if cursor.next().text == "-" else 1
        offset = sign * read_small_int(cursor)
    return TimeIndex(base, offset)


def parse_sum(cursor, term):
    """term (('+' | '-') term)*: the loosest level of both syntaxes, one flat sum whose
    subtracted terms are Neg terms (a - b + c is Add((a, Neg(b), c)))."""
    start = cursor.peek().pos
    terms = [term()]
    while cursor.at(OP, "+") or cursor.at(OP, "-"):
        sign = cursor.next()
        right = term()
        cursor.count(1, start)
        terms.append(Neg(right, source_span=cursor.span(sign.pos)) if sign.text == "-" else right)
    return add(*terms, source_span=cursor.span(start))


def derivative_tree(cursor, call, start):
    """The derivative of the activation `call` written out, as the function table gives it:
    tanh'(z) = 1 - tanh(z)**2, sigma'(z) = sigma(z) * (1 - sigma(z)) (the factors of eqs. 10.21
    and 10.40-10.44) and relu'(z) = step(z). Its parts count towards the answer's size."""
    prime = function(call.func).prime
    if prime is None:
        accepted = ", ".join(sorted(f"{f.name}'" for f in TABLE if f.prime))
        raise cursor.error(f"only {accepted} are accepted; write the derivative of {call.func} out")
    written = prime(call, call.args[0])
    cursor.count(sum(1 for _ in walk(written)) - sum(1 for _ in walk(call)), start)
    return replace(written, source_span=cursor.span(start))


def relu_of_max(cursor, args, tok):
    """max(0, z) or max(z, 0): the rectified linear unit g(z) = max{0, z} (book section 6.3.1)."""
    zeros = [k for k, a in enumerate(args) if isinstance(a, Number) and a.value == 0]
    if len(args) != 2 or len(zeros) != 1:
        raise cursor.error("only max(0, z) is accepted, the ReLU of z; write other maxima out", tok)
    return cursor.make(Call, "relu", (args[1 - zeros[0]],), start=tok.pos)


def read_small_int(cursor):
    tok = cursor.peek()
    if tok.kind != NUMBER or not tok.text.isdigit():
        raise cursor.error("a time step must be t, tau, t-1, t+1, tau-1 or a whole number like 2")
    if len(tok.text) > _MAX_INDEX_DIGITS:
        raise cursor.error("time step number is too large", tok)
    cursor.next()
    return int(tok.text)


class _TextParser:
    def __init__(self, source, names):
        self.c = Cursor(tokenize_text(source), source)
        self.names = names

    def parse(self):
        node = self.expr()
        if not self.c.at(END):
            tok = self.c.peek()
            if tok.text == ")" or tok.text == "]":
                raise self.c.error(f"unmatched {tok.text!r}; remove it or add the opening bracket")
            raise self.c.error(f"unexpected {tok.text!r}; expected an operator + - @ * / or the end")
        return self.c.finish(node)

    def expr(self):
        return parse_sum(self.c, self.term)

    def term(self):
        start = self.c.peek().pos
        node = self.unary()
        while self.c.peek().kind == OP and self.c.peek().text in _PRODUCTS:
            cls = _PRODUCTS[self.c.next().text]
            node = self.c.make(cls, node, self.unary(), start=start)
        return node

    def unary(self):
        tok = self.c.peek()
        index = (_SUM_INDEX.match(tok.text) or RANGED_SUM.fullmatch(tok.text)) if tok.kind == NAME else None
        if tok.kind == OP and tok.text in "+-" or index:
            self.c.next()
            if index:
                bounds = [_bound(text) for text in index.groups()[1:]] or [FIRST_STEP, LAST_STEP]
                self.c.enter_sum(tok, index.group(1))
                node = self.c.make(SumOverTime, self.term(), *bounds, start=tok.pos)
                self.c.leave_sum()
                return node
            self.c.enter(tok)
            if tok.text == "-":
                node = self.c.make(Neg, self.unary(), start=tok.pos)
            else:
                node = self.unary()
            self.c.leave()
            return node
        return self.power()

    def power(self):
        start = self.c.peek().pos
        node = self.postfix()
        if self.c.at(OP, "**") or self.c.at(OP, "^"):
            self.c.next()
            exponent = parse_exponent(self.c)
            node = self.c.make(Pow, node, exponent, start=start)
            if self.c.at(OP, "**") or self.c.at(OP, "^"):
                raise tower_error(self.c)
        return node

    def postfix(self):
        start = self.c.peek().pos
        node = self.primary()
        while True:
            if self.c.accept(OP, ".T"):
                node = self.c.make(Transpose, node, start=start)
            elif self.c.at(OP, "^") and self.c.peek(1).kind == NAME and self.c.peek(1).text == "T":
                self.c.next()
                self.c.next()
                node = self.c.make(Transpose, node, start=start)
            else:
                return node

    def primary(self):
        tok = self.c.peek()
        if tok.kind == NUMBER:
            self.c.next()
            return self.c.make(Number, parse_number(tok, self.c), start=tok.pos)
        if tok.kind == OP and tok.text == "(":
            self.c.next()
            self.c.enter(tok)
            node = self.expr()
            self.c.expect(OP, ")", "missing ')' to close the '(' opened at column "
                          f"{tok.pos + 1}")
            self.c.leave()
            return node
        if tok.kind == NAME:
            return self.named(tok)
        if tok.kind == END:
            raise self.c.error("the answer ended where an operand was expected")
        raise self.c.error(f"unexpected {tok.text!r} where an operand (number, name, '(') was expected")

    def named(self, tok):
        self.c.next()
        if tok.text in SPELLINGS:
            if self.c.accept(OP, "'"):
                return derivative_tree(self.c, self.call(tok, SPELLINGS[tok.text]), tok.pos)
            return self.call(tok, SPELLINGS[tok.text])
        if tok.text == "max":
            return self._max(tok)
        if tok.text == "transpose":
            return self.c.make(Transpose, self.argument(tok), start=tok.pos)
        if tok.text == "onehot_y":
            arg = self.indexed(tok, "y", None)
            return self.c.make(Call, "onehot", (arg,), start=tok.pos)
        if tok.text == "sum":
            raise self.c.error("write the sum over time as sum_t", tok)
        split = split_name(tok.text, self.names)
        if split is None:
            raise self.c.error(unknown_name_reason(tok.text, self.names), tok)
        return self.indexed(tok, *split)

    def indexed(self, tok, base, index):
        if self.c.at(OP, "["):
            bracket = self.c.next()
            if index is not None:
                raise self.c.error(f"{tok.text} already names time step {index.text()}; "
                                   f"write {base}[...] instead", bracket)
            index = parse_index_terms(self.c, self._index_base)
            self.c.expect(OP, "]", "missing ']' after the time step, e.g. h[t-1]")
        return self.c.make(tree_symbol, base, index, start=tok.pos)

    def _index_base(self, tok):
        if tok.kind == NAME and tok.text == self.c.sum_index:
            return "t"
        if tok.kind == NAME and tok.text in ("t", "tau"):
            return tok.text
        return None

    def call(self, tok, func):
        return self.c.make(Call, func, (self.argument(tok),), start=tok.pos)

    def _max(self, tok):
        opening = self.c.peek()
        if not self.c.accept(OP, "("):
            raise self.c.error("write the ReLU as max(0, z) or relu(z)")
        self.c.enter(opening)
        args = [self.expr()]
        while self.c.accept(OP, ","):
            args.append(self.expr())
        self.c.expect(OP, ")", "missing ')' to close max(")
        self.c.leave()
        return relu_of_max(self.c, args, tok)

    def argument(self, tok):
        """The one bracketed argument of the function named by `tok`."""
        opening = self.c.peek()
        if not self.c.accept(OP, "("):
            raise self.c.error(f"{tok.text} is a function; write {tok.text}(...)")
        self.c.enter(opening)
        args = [self.expr()]
        while self.c.accept(OP, ","):
            args.append(self.expr())
        self.c.expect(OP, ")", f"missing ')' to close {tok.text}(")
        self.c.leave()
        if len(args) != 1:
            raise self.c.error(f"{tok.text} takes one argument, got {len(args)}", tok)
        return args[0]
