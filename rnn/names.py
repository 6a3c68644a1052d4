"""Node names and the book's notation: the one table every printer spells symbols from.

Every node `unroll` builds is called ``<kind>_<t>`` (``h_3``, ``yhat_3``, ``L_3``) and
labelled in book LaTeX (``\\boldsymbol{h}^{(3)}``, ``\\hat{\\boldsymbol{y}}^{(3)}``, ``L^{(3)}``).
A `Scope` namespaces the nodes of one layer of a deep or bidirectional network: layer 2
of a stack gives ``l2.h_3`` labelled ``\\boldsymbol{h}^{[2](3)}``, the backward direction of a
bidirectional network ``bwd.h_3`` labelled with a left arrow (the book's g^(t), Fig. 10.11).

Notation (Deep Learning book, "Notation" and ch. 10): vectors and matrices bold italic, as
the book sets them, written ``\\boldsymbol`` (amsmath's own, autoloaded by MathJax 3 and
KaTeX; ``\\bm`` would need the bm package); scalars y^(t) and L italic; a time step as the
superscript (t); a gate's parameters as superscripts, U^f, W^f, b^f (eq. 10.40). The LaTeX
printers (`rnn.derive.printers`, `rnn.exam.printers`), the MathML printer (through `GLYPHS`)
and the figure labels (`autodiff.labels` reads these labels) all take their spelling from here.
"""
from __future__ import annotations

import re

BOLD = r"\boldsymbol"
"""The one bold macro of every LaTeX string gradbook writes."""

GLYPHS = {
    "x": ("x", None), "a": ("a", None), "h": ("h", None), "o": ("o", None),
    "yhat": ("y", "hat"), "y": ("y", None), "L": ("L", None), "yprev": ("y", None),
    "s": ("s", None), "f": ("f", None), "g": ("g", None), "q": ("q", None),
    "u": ("u", None), "r": ("r", None), "e": ("e", None), "z": ("z", None),
    "cand": ("s", "tilde"), "htilde": ("h", "tilde"),
}
"""(letter, accent) of each node kind: x a h o yhat L of eqs 10.8-10.14, the LSTM's f g q s
(10.40-10.44) and its candidate input, the GRU's u r and candidate state (10.45-10.47),
the teacher-forced previous output y^(t-1), and the window network's embeddings e and
their concatenation z."""

SCALARS = frozenset({"y", "L"})
"""Kinds set in italic, not bold: the integer target y^(t) and the loss L (eqs 10.12-10.14)."""

PARAMETER = re.compile(r"^(?P<base>[UVWbc])(?:_(?P<gate>[a-z]+))?$")
"""A parameter: U V W b c (eqs 10.8-10.9), with a gate suffix for the LSTM and GRU (W_f)."""


def bold(letter):
    """``\\boldsymbol{h}``: a vector or matrix as the book sets it."""
    return f"{BOLD}{{{letter}}}"


def symbol_latex(kind, italic=False):
    """The book symbol of a node kind (``\\hat{\\boldsymbol{y}}``); `italic` for a scalar's entry."""
    letter, accent = GLYPHS[kind]
    core = letter if italic or kind in SCALARS else bold(letter)
    return rf"\{accent}{{{core}}}" if accent else core


def is_parameter(name):
    """Parameters are the upper-case matrices U V W and the biases b c, with a gate suffix."""
    return PARAMETER.match(name) is not None


def param_latex(name, sup="", wrap="%s"):
    """``\\boldsymbol{W}``; a gate's ``\\boldsymbol{W}^{f}`` (eq. 10.40); `sup` adds a layer
    ``[2]``, `wrap` a decoration of the letter (a direction's arrow)."""
    base, _, gate = name.partition("_")
    scripts = ",".join(part for part in (gate, sup) if part)
    return wrap % bold(base) + (f"^{{{scripts}}}" if scripts else "")


def one_hot_latex(target):
    """``\\boldsymbol{1}_{y^{(t)}}``: the one-hot column of the target, the book's indicator
    1_{i = y^(t)} of eq. 10.18."""
    return f"{bold('1')}_{{{target}}}"


def with_superscript(base, extra):
    """`base` with `extra` appended to its superscript: ``W^{f}`` + ``\\top`` is ``W^{f\\top}``,
    never the double superscript ``W^{f}^{\\top}`` TeX rejects."""
    if base.endswith("}") and "^{" in base:
        head, _, tail = base.rpartition("^{")
        return f"{head}^{{{tail[:-1]}{extra}}}"
    return f"{base}^{{{extra}}}"


_TEX_SPECIALS = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
                 "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}",
                 "<": r"\textless{}", ">": r"\textgreater{}"}


def tex_text(text):
    """`text` safe in LaTeX text mode: a frame title, a heading, the prose of a solution."""
    return "".join(_TEX_SPECIALS.get(c, c) for c in text)


SYMBOLS = {kind: symbol_latex(kind) for kind in GLYPHS}
SYMBOLS["logyhat"] = r"\log " + SYMBOLS["yhat"]
"""Book LaTeX of each node kind, the labels of the drawn graph."""


class Scope:
    """A namespace for the nodes of one layer: a name prefix, a superscript, a decoration.

    ``Scope()`` is the plain network; ``scope.child('l2.', sup='[2]')`` a layer of a stack;
    ``scope.child('bwd.', wrap=r'\\overleftarrow{%s}')`` a direction of a bidirectional net.
    """

    __slots__ = ("prefix", "sup", "wrap", "_names")

    def __init__(self, prefix="", sup="", wrap="%s"):
        self.prefix, self.sup, self.wrap = prefix, sup, wrap
        self._names = {}

    def name_and_label(self, kind, t=None, copy_for=None):
        """``(name, label)`` of a node, formatted once per scope and then reused: every
        unroll of a model (each training step) names the same h_1..h_tau again."""
        key = (kind, t, copy_for)
        found = self._names.get(key)
        if found is None:
            found = self._names[key] = (self.name(kind, t, copy_for), self.label(kind, t, copy_for))
        return found

    def child(self, prefix, sup="", wrap="%s"):
        return Scope(self.prefix + prefix, self.sup + sup, self.wrap % wrap if wrap != "%s" else self.wrap)

    def name(self, kind, t=None, copy_for=None):
        """``h_3``; in a layer ``l2.h_3``; recomputed for the truncated loss L^(6): ``h_3~6``."""
        stem = self.prefix + kind + ("" if t is None else f"_{t}")
        return stem if copy_for is None else f"{stem}~{copy_for}"

    def label(self, kind, t=None, copy_for=None):
        """The node's book label, e.g. ``\\boldsymbol{h}^{(3)}``; a copy for L^(6) gets a subscript."""
        symbol = self.wrap % SYMBOLS.get(kind, kind)
        step = "" if t is None else f"({t - 1 if kind == 'yprev' else t})"
        sup = self.sup + step
        text = symbol + (f"^{{{sup}}}" if sup else "")
        return text if copy_for is None else text + rf"_{{\to L^{{({copy_for})}}}}"

    def param_name(self, name):
        return self.prefix + name

    def param_label(self, name):
        """Book label of a parameter: 'W' -> \\boldsymbol{W}, 'W_f' -> \\boldsymbol{W}^{f} (eq. 10.40)."""
        return param_latex(name, self.sup, self.wrap)
