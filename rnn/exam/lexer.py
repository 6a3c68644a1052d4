"""Tokenizers for the two answer syntaxes and the token cursor both parsers share.

Every check that can be made on the flat token list (length, characters, bracket depth) is
made here, before any parsing, so hostile input is rejected in linear time.
"""
import re
from dataclasses import dataclass

from rnn.expr.functions import PRIMED

from rnn.expr.tree import Add, MatMul, Mul, fold

from .errors import ParseError
from .names import MAX_DEPTH, MAX_LENGTH, MAX_NODES, MAX_TREE_DEPTH

NUMBER = "number"
NAME = "name"          # plain-text identifier
LETTER = "letter"      # one LaTeX letter
COMMAND = "command"    # LaTeX \command, text without the backslash
OP = "op"
END = "end"
BAD = "bad"            # a character no syntax accepts; its text is the reason, raised when reached

_NUMBER = re.compile(r"(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_COMMAND_NAME = re.compile(r"[A-Za-z]+")
# A sum over t with its range, as the text printer writes it: sum_{t=2}^{tau}, sum_{k=1}^{tau-1}.
_BOUND = r"(?:\d{1,6}|tau(?:[+-]\d{1,6})?)"
RANGED_SUM = re.compile(rf"sum_\{{([a-z])=({_BOUND})\}}\^\{{({_BOUND})\}}", re.ASCII)
_RANGED_SUM = RANGED_SUM
_TEXT_OPS = ("**", "@", "*", "/", "+", "-", "^", "(", ")", "[", "]", ",")
_LATEX_OPS = set("{}()[]^_+-/=,|<>")
# Spacing, delimiter-size and limit-placement commands change only the look, so the lexer drops them.
_LATEX_SPACING = {",", ";", ":", "!", " ", "quad", "qquad", "displaystyle", "textstyle",
                  "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
                  "biggl", "biggr", "Biggl", "Biggr", "bigm", "Bigm", "limits", "nolimits"}
# tanh', sigma' and relu' are the derivatives of the activations; a prime anywhere else is refused.
PRIMED_FUNCTIONS = PRIMED
# A library prefix such as np.diag: the functions are built in, so the prefix is refused by name.
_LIBRARY_PREFIXES = {"np", "numpy", "torch", "math", "scipy", "tf", "jnp"}
_OPENERS = {"(": ")", "[": "]", "{": "}"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    pos: int

    @property
    def end(self):
        return self.pos + len(self.text) + (1 if self.kind == COMMAND else 0)


def _check_length(source):
    if not isinstance(source, str):
        raise ParseError(f"an answer must be a string, not {type(source).__name__}", 0, "")
    if len(source) > MAX_LENGTH:
        raise ParseError(f"answer is {len(source)} characters long; the limit is {MAX_LENGTH}",
                         MAX_LENGTH, source[:MAX_LENGTH + 20])
    if not source.strip():
        raise ParseError("the answer is empty; type an expression such as V.T @ grad_o[t]", 0, source)


def _check_depth(tokens, source):
    """Reject bracket nesting deeper than MAX_DEPTH before the recursive parser sees it."""
    depth = 0
    for tok in tokens:
        if tok.kind == OP and tok.text in _OPENERS:
            depth += 1
            if depth > MAX_DEPTH:
                raise ParseError(f"brackets nest deeper than {MAX_DEPTH} levels; simplify the answer",
                                 tok.pos, source)
        elif tok.kind == OP and tok.text in _OPENERS.values():
            depth -= 1


def tokenize_text(source):
    """Tokens of a plain-text (NumPy-style) answer, ending with an END token."""
    _check_length(source)
    tokens, i, n = [], 0, len(source)
    while i < n:
        ch = source[i]
        if ch in " \t\r\n":
            i += 1
            continue
        m = _NUMBER.match(source, i)
        if m:
            tokens.append(Token(NUMBER, m.group(), i))
            i = m.end()
            continue
        m = _RANGED_SUM.match(source, i) or _NAME.match(source, i)
        if m:
            if m.group() in _LIBRARY_PREFIXES and source.startswith(".", m.end()):
                tokens.append(Token(BAD, _library_prefix(source, m), i))
                break
            tokens.append(Token(NAME, m.group(), i))
            i = m.end()
            continue
        if ch == "'" and tokens and tokens[-1].kind == NAME and tokens[-1].text in PRIMED_FUNCTIONS:
            tokens.append(Token(OP, "'", i))
            i += 1
            continue
        if ch == "." and source.startswith(".T", i) and not _NAME.match(source, i + 2):
            tokens.append(Token(OP, ".T", i))
            i += 2
            continue
        op = next((o for o in _TEXT_OPS if source.startswith(o, i)), None)
        if op:
            tokens.append(Token(OP, op, i))
            i += len(op)
            continue
        tokens.append(Token(BAD, _bad_text_char(ch, tokens), i))
        break
    tokens.append(Token(END, "", n))
    _check_depth(tokens, source)
    return tokens


def _library_prefix(source, match):
    attribute = _NAME.match(source, match.end() + 1)
    name = attribute.group() if attribute else "..."
    return (f"{match.group()}.{name}: library prefixes are not accepted; the functions are built in, "
            f"write e.g. diag(...), tanh(...), transpose(...) or x.T")


def _bad_text_char(ch, tokens):
    if ch == "'" and tokens and (tokens[-1].kind in (NAME, NUMBER) or tokens[-1].text in (")", "]", ".T")):
        return ("a prime ' is not accepted: write x.T for a transpose, and a derivative out, "
                "e.g. 1 - h[t]**2 (tanh' and sigma' are accepted)")
    if ch in "'\"":
        return "quotes are not accepted: an answer contains no strings"
    if ch == ".":
        return "attribute access is not accepted; the only suffix is .T (transpose)"
    if ch == "\\":
        return "LaTeX command in a plain-text answer; use the LaTeX syntax or write e.g. diag(...)"
    return f"unexpected character {ch!r}; see docs/answer-syntax.md for the accepted operators"


# A prime right after an activation typed as letters or in a word command: tanh'(z), \operatorname{tanh}'(z),
# or written as its superscript, \tanh^{'}(z).
_PRIMED_WORDS = "|".join(sorted(PRIMED))
_PRIMED_BEFORE = re.compile(rf"(?:(?<![A-Za-z\\])(?:{_PRIMED_WORDS})(?:\s*\^\s*\{{?)?|\\(?:operatorname|mathrm|text|textrm)"
                            rf"\{{(?:{_PRIMED_WORDS})\}}|\\(?:{_PRIMED_WORDS})\s*\^\s*\{{?)\s*$")


def tokenize_latex(source, star=False):
    """Tokens of a LaTeX answer (spacing commands dropped, one surrounding $...$ removed).

    `star` accepts `*` as a product (an answer typed without backslashes that mixes `*` with
    juxtaposition, `(1-h2^2)*(h1 + w(1-h1^2)h0)`); typed LaTeX refuses it.
    A prime after a letter or \\tau stays on that token (`k'`, `\\tau'`: names of a summation
    index); the parser refuses it anywhere else.
    """
    _check_length(source)
    body = source.strip()
    offset = len(source) - len(source.lstrip())
    for fence in ("$$", "$"):
        if len(body) > 2 * len(fence) and body.startswith(fence) and body.endswith(fence):
            body, offset = body[len(fence):-len(fence)], offset + len(fence)
            break
    tokens, i, n = [], 0, len(body)
    while i < n:
        ch = body[i]
        if ch in " \t\r\n~":
            i += 1
            continue
        if ch == "\\":
            m = _COMMAND_NAME.match(body, i + 1)
            name = m.group() if m else body[i + 1:i + 2]
            if not name:
                raise ParseError("a lone backslash ends the answer", i + offset, source)
            if name not in _LATEX_SPACING:
                tokens.append(Token(COMMAND, name, i + offset))
            i += 1 + len(name)
            continue
        m = _NUMBER.match(body, i)
        if m:
            tokens.append(Token(NUMBER, m.group(), i + offset))
            i = m.end()
            continue
        if ch.isascii() and ch.isalpha():
            tokens.append(Token(LETTER, ch, i + offset))
            i += 1
            continue
        if ch in _LATEX_OPS:
            tokens.append(Token(OP, ch, i + offset))
            i += 1
            continue
        if ch == "'" and tokens and (tokens[-1].kind == COMMAND and tokens[-1].text in PRIMED_FUNCTIONS
                                     or _PRIMED_BEFORE.search(body, 0, i)):
            tokens.append(Token(OP, "'", i + offset))
            i += 1
            continue
        if ch == "'" and tokens and tokens[-1].end == i + offset \
                and (tokens[-1].kind == LETTER or tokens[-1].kind == COMMAND and tokens[-1].text == "tau"):
            tokens[-1] = Token(tokens[-1].kind, tokens[-1].text + "'", tokens[-1].pos)
            i += 1
            continue
        if ch == "*" and star:
            tokens.append(Token(OP, "*", i + offset))
            i += 1
            continue
        tokens.append(Token(BAD, _bad_latex_char(ch), i + offset))
        break
    tokens.append(Token(END, "", offset + n))
    _check_depth(tokens, source)
    return tokens


def _bad_latex_char(ch):
    if ch in "'\"`":
        return ("quotes and primes are not accepted (except \\tanh' and \\sigma'); write the derivative "
                "out, e.g. 1-(h^{(t)})^2, and a transpose as ^\\top")
    if ch == "%":
        return "LaTeX comments (%) are not accepted"
    if ch == "*":
        return "'*' is not LaTeX; use \\odot (elementwise) or \\cdot / juxtaposition (product)"
    if ch == "&":
        return "alignment '&' is not accepted; type one expression"
    if ch == "$":
        return "'$' may only surround the whole answer"
    return f"unexpected character {ch!r}; see docs/answer-syntax.md for the accepted LaTeX"


class Cursor:
    """A position in a token list, with the depth and node-count guards of both parsers."""

    def __init__(self, tokens, source):
        self.tokens = tokens
        self.source = source
        self.i = 0
        self.depth = 0
        self.nodes = 0
        self.in_sum = False
        self.sum_index = None   # the letter a sum binds (t, k, s, tau'), read as t in its body

    def peek(self, k=0):
        """The token k ahead; reaching a BAD token raises its reason, so the first fault is reported."""
        tok = self.tokens[min(self.i + k, len(self.tokens) - 1)]
        if tok.kind == BAD:
            raise ParseError(tok.text, tok.pos, self.source)
        return tok

    def next(self):
        tok = self.peek()
        if tok.kind != END:
            self.i += 1
        return tok

    def at(self, kind, text=None):
        tok = self.peek()
        return tok.kind == kind and (text is None or tok.text == text)

    def accept(self, kind, text=None):
        if self.at(kind, text):
            return self.next()
        return None

    def expect(self, kind, text, reason):
        tok = self.accept(kind, text)
        if tok is None:
            raise self.error(reason)
        return tok

    def error(self, reason, tok=None):
        tok = tok or self.peek()
        if tok.kind == END and "end of the answer" not in reason:
            reason = f"{reason} (the answer ended too early)"
        return ParseError(reason, tok.pos, self.source)

    def enter(self, tok):
        """Count one more nesting level (a sign, call, sum or group) before recursing."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ParseError(f"expression nests deeper than {MAX_DEPTH} levels; simplify the answer",
                             tok.pos, self.source)

    def enter_sum(self, tok, index="t"):
        """Open a sum over time whose steps are named `index` (t, k, s, tau'); a second sum
        inside it would rebind the same step, so it is refused."""
        if self.in_sum:
            raise ParseError("a sum over t inside another sum over t is not accepted; "
                             "the inner sum would reuse t", tok.pos, self.source)
        self.in_sum = True
        self.sum_index = index
        self.enter(tok)

    def leave_sum(self):
        self.in_sum = False
        self.sum_index = None
        self.leave()

    def leave(self):
        self.depth -= 1

    def make(self, cls, *args, start):
        """Build a node (a node class or a flat builder such as `rnn.expr.tree.add`) spanning from
        `start` to the last consumed token, counting it."""
        self.count(1, start)
        return cls(*args, source_span=self.span(start))

    def span(self, start):
        """(start, end of the last consumed token)."""
        last = self.tokens[self.i - 1] if self.i else self.tokens[0]
        return (start, max(start, last.end))

    def count(self, nodes, start):
        """Count `nodes` more parts of the answer; more than MAX_NODES in all is refused."""
        self.nodes += nodes
        if self.nodes > MAX_NODES:
            raise ParseError(f"answer has more than {MAX_NODES} parts; simplify it", start, self.source)

    def finish(self, node):
        """Check that the whole answer was read and the tree is not too deep; return it."""
        if chain_depth(node) > MAX_TREE_DEPTH:
            raise ParseError(f"answer chains more than {MAX_TREE_DEPTH} operations; simplify it",
                             0, self.source)
        return node


def chain_depth(node):
    """The depth of `node` with each flat sum or product of n operands counted as the n - 1
    operations typed (a+b+c+... is as long a chain as when sums were nested pairs)."""
    def visit(n, below):
        extra = len(below) - 2 if isinstance(n, (Add, MatMul, Mul)) else 0
        return 1 + max(below, default=0) + max(extra, 0)
    return fold(node, visit)
