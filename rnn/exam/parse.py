"""One entry point for both answer syntaxes."""
from .characters import clean_answer
from .errors import ParseError
from .lexer import RANGED_SUM
from .names import DEFAULT_NAMES
from .parse_latex import parse_latex
from .parse_text import parse_text

_LATEX_MARKS = ("\\", "{", "}")


def detect_syntax(source):
    """'latex' if the answer contains a backslash or a brace, else 'text'."""
    return "latex" if any(mark in source for mark in _LATEX_MARKS) else "text"


def parse_answer(source, syntax="auto", names=DEFAULT_NAMES):
    """The AST of an answer typed in plain text or LaTeX (`syntax` 'text', 'latex' or 'auto').

    'auto' uses `detect_syntax`; an answer detected as text that only LaTeX reads, such as
    `(1-h_2^2)(h_1 + w h_0)` (juxtaposition, no backslash) or `(1-h2^2)*(h1 + w(1-h1^2)h0)`
    (`*` mixed with juxtaposition), is read as LaTeX, and when neither reads it the text error
    is raised; a plain-text sum with its range, `sum_{t=2}^{tau} h[t]` (as `to_text` prints it),
    is read as text. Invisible characters are removed first (`read_answer` also says which).
    Raises ParseError (a ValueError) with `position` and `reason`, columns of `source`.
    """
    return read_answer(source, syntax, names)[0]


def read_answer(source, syntax="auto", names=DEFAULT_NAMES):
    """(tree, notes): `parse_answer`'s tree and the characters `rnn.exam.characters` removed or replaced."""
    text, notes, positions = clean_answer(source)
    try:
        return _parse(text, syntax, names), notes
    except ParseError as exc:
        if positions is None:
            raise
        column = positions[min(exc.position, len(positions) - 1)]
        raise ParseError(exc.reason, column, source) from None


def _parse(source, syntax, names):
    if syntax == "auto":
        syntax = detect_syntax(source) if isinstance(source, str) else "text"
        if syntax == "text":
            try:
                return parse_text(source, names)
            except ParseError as text_error:
                try:
                    return parse_latex(source, names, star=True)
                except ParseError:
                    raise text_error from None
        if syntax == "latex" and RANGED_SUM.search(source):
            # the text printer's sum_{t=2}^{tau}: braces, but plain text
            try:
                return parse_latex(source, names)
            except ParseError as latex_error:
                try:
                    return parse_text(source, names)
                except ParseError:
                    raise latex_error from None
    if syntax == "text":
        return parse_text(source, names)
    if syntax == "latex":
        return parse_latex(source, names)
    raise ValueError(f"syntax must be 'text', 'latex' or 'auto', not {syntax!r}")
