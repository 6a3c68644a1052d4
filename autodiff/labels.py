"""Book notation for figures: a small LaTeX subset to Graphviz HTML-like labels, and compact numbers.

Node labels are written in LaTeX the way the book prints them (``\\mathbf{h}^{(3)}``,
``\\hat{\\mathbf{y}}^{(2)}``, ``\\nabla_{\\mathbf{h}^{(t)}} L``). Graphviz cannot typeset LaTeX,
but its HTML-like labels have ``<B> <I> <SUB> <SUP>``, which is all this notation needs:
bold italic vectors and matrices (the book's ``\\bm``), italic scalars, upright operator
names, sub- and superscripts, and accents as Unicode combining marks. The same markup is
valid HTML, so captions in a web page reuse it.

Supported: ``^`` and ``_`` (braced or single token), ``\\mathbf \\bm \\boldsymbol`` (bold,
italic letters), ``\\mathrm \\operatorname \\text`` (upright), ``\\mathit``, accents
``\\hat \\tilde \\bar \\vec \\dot``, Greek letters, the symbols in `SYMBOLS`, spacing commands
and ``\\left``/``\\right``. Function names (``\\log``, ``\\tanh``...) print upright, as in LaTeX;
so does any other unknown command, without its backslash, so a figure still renders and a
slip is visible.

A label without any backslash or brace is a plain name such as ``x_1`` or ``h_12``: there a
subscript takes the whole run of letters and digits after ``_`` (``h_12`` is h sub 12).
"""
from __future__ import annotations

import unicodedata

import numpy as np

GREEK = {
    "alpha": "\u03b1", "beta": "\u03b2", "gamma": "\u03b3", "delta": "\u03b4", "epsilon": "\u03f5",
    "varepsilon": "\u03b5", "zeta": "\u03b6", "eta": "\u03b7", "theta": "\u03b8", "iota": "\u03b9",
    "kappa": "\u03ba", "lambda": "\u03bb", "mu": "\u03bc", "nu": "\u03bd", "xi": "\u03be",
    "pi": "\u03c0", "rho": "\u03c1", "sigma": "\u03c3", "tau": "\u03c4", "upsilon": "\u03c5",
    "phi": "\u03d5", "varphi": "\u03c6", "chi": "\u03c7", "psi": "\u03c8", "omega": "\u03c9",
    "Gamma": "\u0393", "Delta": "\u0394", "Theta": "\u0398", "Lambda": "\u039b", "Xi": "\u039e",
    "Pi": "\u03a0", "Sigma": "\u03a3", "Phi": "\u03a6", "Psi": "\u03a8", "Omega": "\u03a9",
}

SYMBOLS = {
    "nabla": "\u2207", "partial": "\u2202", "top": "\u22a4", "cdot": "\u00b7", "odot": "\u2299",
    "otimes": "\u2297", "times": "\u00d7", "sum": "\u03a3", "prod": "\u03a0", "infty": "\u221e",
    "ldots": "\u2026", "dots": "\u2026", "cdots": "\u22ef", "to": "\u2192", "rightarrow": "\u2192",
    "leftarrow": "\u2190", "in": "\u2208", "approx": "\u2248", "le": "\u2264", "leq": "\u2264",
    "ge": "\u2265", "geq": "\u2265", "neq": "\u2260", "pm": "\u00b1", "circ": "\u2218", "mid": "|",
    "lVert": "\u2016", "rVert": "\u2016", "|": "\u2016", "{": "{", "}": "}", "_": "_", "%": "%",
    "&": "&", "#": "#", "prime": "\u2032",
}

SPACES = {",": "\u2009", ";": "\u2002", ":": "\u2005", "!": "", "quad": "\u2003", "qquad": "\u2003\u2003",
          " ": " "}

_BOLD = {"mathbf", "bm", "boldsymbol"}
_UPRIGHT = {"mathrm", "operatorname", "text", "textrm", "mathsf", "mathtt"}
_ITALIC = {"mathit", "mathcal"}
_ACCENTS = {"hat": "\u0302", "tilde": "\u0303", "bar": "\u0304", "vec": "\u20d7", "dot": "\u0307"}
_IGNORED = {"left", "right", "big", "Big", "displaystyle"}

#: A script's font size over its parent's (TeX's \scriptstyle is 0.7 of the text size).
SCRIPT_RATIO = 0.7
MIN_SCRIPT_SIZE = 6


def dot_escape(text):
    """Escape text for a Graphviz HTML-like label (and for HTML): ``& < > "``."""
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def dot_quote(text):
    """A DOT double-quoted string (for ids and plain attribute values)."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class _Text:
    __slots__ = ("text", "bold", "italic")

    def __init__(self, text, bold=False, italic=False):
        self.text, self.bold, self.italic = text, bold, italic


class _Script:
    __slots__ = ("tag", "body")

    def __init__(self, tag, body):
        self.tag, self.body = tag, body


class _Parser:
    """Recursive descent over the LaTeX subset, producing runs and scripts."""

    def __init__(self, source):
        self.s = source
        self.i = 0
        self.plain = "\\" not in source and "{" not in source

    def parse(self):
        items = self.sequence(font=None)
        if self.i < len(self.s):  # an unmatched closing brace: keep it visible
            items.append(_Text(self.s[self.i:]))
        return items

    def sequence(self, font):
        items = []
        while self.i < len(self.s) and self.s[self.i] != "}":
            c = self.s[self.i]
            if c in "^_":
                self.i += 1
                tag = "SUP" if c == "^" else "SUB"
                items.append(_Script(tag, self.script_argument(font)))
            else:
                items.extend(self.atom(font))
        return items

    def script_argument(self, font):
        if self.plain:
            j = self.i
            while j < len(self.s) and self.s[j].isalnum():
                j += 1
            if j > self.i:
                text, self.i = self.s[self.i:j], j
                return _Parser(text).letters(text, font)
        return self.atom(font)

    def atom(self, font):
        if self.i >= len(self.s):
            return []
        c = self.s[self.i]
        if c == "{":
            self.i += 1
            items = self.sequence(font)
            self.i += 1  # the closing brace (or the end of a truncated label)
            return items
        if c == "\\":
            return self.command(font)
        if c.isspace():
            while self.i < len(self.s) and self.s[self.i].isspace():
                self.i += 1
            return [_Text(" ")]
        self.i += 1
        return self.letters(c, font)

    def command(self, font):
        j = self.i + 1
        if j < len(self.s) and not self.s[j].isalpha():
            name, self.i = self.s[j], j + 1
        else:
            while j < len(self.s) and self.s[j].isalpha():
                j += 1
            name, self.i = self.s[self.i + 1:j], j
        if name in _BOLD:
            return self.atom("bold")
        if name in _UPRIGHT:
            return self.atom("upright")
        if name in _ITALIC:
            return self.atom("italic")
        if name in _ACCENTS:
            return _accent(self.atom(font), _ACCENTS[name])
        if name in _IGNORED:
            return []
        if name in SPACES:
            return [_Text(SPACES[name])]
        if name in GREEK:
            return [_Text(GREEK[name], bold=font == "bold", italic=font != "upright" and name.islower())]
        if name in SYMBOLS:
            return [_Text(SYMBOLS[name], bold=font == "bold")]
        return [_Text(name, bold=font == "bold")]

    @staticmethod
    def letters(text, font):
        out = []
        for ch in text:
            italic = ch.isascii() and ch.isalpha() and font != "upright"
            out.append(_Text(ch, bold=font == "bold", italic=italic))
        return out


def _accent(items, mark):
    """Put a combining accent on the last character (``\\hat{y}`` is y + U+0302, i.e. ŷ)."""
    for item in reversed(items):
        if isinstance(item, _Text) and item.text.strip():
            item.text = unicodedata.normalize("NFC", item.text + mark)
            return items
    return items + [_Text(unicodedata.normalize("NFC", " " + mark))]


def script_size(size):
    """The point size of a script on text of `size` points (never below `MIN_SCRIPT_SIZE`)."""
    return max(MIN_SCRIPT_SIZE, round(size * SCRIPT_RATIO))


def _serialise(items, size=None):
    out, k = [], 0
    while k < len(items):
        item = items[k]
        if isinstance(item, _Script):
            if size is None:
                out.append(f"<{item.tag}>{_serialise(item.body)}</{item.tag}>")
            else:
                # Graphviz draws <SUP>/<SUB> at full size; the FONT makes them script-sized,
                # and a script inside a script smaller again.
                inner = script_size(size)
                out.append(f'<FONT POINT-SIZE="{inner}"><{item.tag}>{_serialise(item.body, inner)}'
                           f"</{item.tag}></FONT>")
            k += 1
            continue
        text = item.text
        k += 1
        while (k < len(items) and isinstance(items[k], _Text)
               and (items[k].bold, items[k].italic) == (item.bold, item.italic)):
            text += items[k].text
            k += 1
        piece = dot_escape(text)
        if item.italic:
            piece = f"<I>{piece}</I>"
        if item.bold:
            piece = f"<B>{piece}</B>"
        out.append(piece)
    return "".join(out)


def html_label(latex_like, size=None):
    """The Graphviz HTML-like markup (without the outer ``< >``) for a LaTeX-ish label.

    With `size` (the label's point size) scripts are set smaller, as TeX sets them
    (``<FONT POINT-SIZE>`` around each ``<SUB>``/``<SUP>``, `SCRIPT_RATIO` per level); without
    it the markup is plain HTML, for web pages whose browser shrinks scripts itself.

    >>> html_label(r"\\mathbf{h}^{(3)}")
    '<B><I>h</I></B><SUP>(3)</SUP>'
    >>> html_label("x_1")
    '<I>x</I><SUB>1</SUB>'
    >>> html_label("x_1", size=16)
    '<I>x</I><FONT POINT-SIZE="11"><SUB>1</SUB></FONT>'
    """
    if latex_like is None:
        return ""
    return _serialise(_Parser(str(latex_like)).parse(), size)


_SUPERSCRIPT = dict(zip("0123456789()+-\u2212=ntik", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207d\u207e\u207a\u207b\u207b\u207c\u207f\u1d57\u2071\u1d4f"))
_SUBSCRIPT = dict(zip("0123456789()+-\u2212=tik", "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089\u208d\u208e\u208a\u208b\u208b\u208c\u209c\u1d62\u2096"))


def plain_text(latex_like):
    """The label as plain Unicode text (``h⁽³⁾``), for captions, titles and tooltips.

    Scripts use Unicode super- and subscript characters when every character has one,
    else ``^(...)`` / ``_(...)``.
    """
    def flat(seq):
        parts = []
        for item in seq:
            if not isinstance(item, _Script):
                parts.append(item.text)
                continue
            inner = flat(item.body)
            table = _SUPERSCRIPT if item.tag == "SUP" else _SUBSCRIPT
            if inner and all(ch in table for ch in inner):
                parts.append("".join(table[ch] for ch in inner))
            else:
                mark = "^" if item.tag == "SUP" else "_"
                parts.append(mark + (inner if len(inner) == 1 else f"({inner})"))
        return "".join(parts)

    return flat(_Parser(str(latex_like)).parse()) if latex_like is not None else ""


def format_number(x):
    """One entry, fixed to four significant digits (``-0`` printed as ``0``)."""
    if isinstance(x, (float, np.floating)):
        if x == 0:
            return "0"
        return f"{float(x):.4g}".replace("-", "\u2212")
    if isinstance(x, (int, np.integer, bool, np.bool_)):
        return str(int(x)).replace("-", "\u2212")
    text = str(x)
    return text if len(text) <= 24 else text[:23] + "\u2026"


def format_array(value, max_entries=6):
    """A value for a node: small arrays in full (rows separated by ``;``), big ones by their (Frobenius) norm.

    A column vector (n, 1) is printed as a row with a transpose mark, as the book writes it.
    """
    arr = np.asarray(value)
    if arr.ndim == 0 or arr.size == 1:
        return format_number(arr.reshape(()).item() if arr.dtype != object else arr.ravel()[0])
    if arr.size > max_entries:
        if arr.dtype == object:
            return f"{arr.size} symbolic entries"
        return f"norm {format_number(float(np.linalg.norm(arr)))}"
    if arr.ndim == 2 and arr.shape[1] == 1:
        return "[" + " ".join(format_number(v) for v in arr[:, 0]) + "]\u22a4"
    if arr.ndim == 1:
        return "[" + " ".join(format_number(v) for v in arr) + "]"
    rows = arr.reshape(-1, arr.shape[-1])
    return "[" + "; ".join(" ".join(format_number(v) for v in row) for row in rows) + "]"


def format_shape(shape):
    """``(3, 1)`` as ``3×1``; a 0-d shape as ``scalar``."""
    return "\u00d7".join(str(d) for d in shape) if len(shape) else "scalar"
