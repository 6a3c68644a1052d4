"""Book notation of symbols and time indices in LaTeX, plain text and presentation MathML.

Kinds and parameters are spelled as `rnn.names` spells the graph's labels (bold vectors,
``\\hat{\\mathbf{y}}``, ``\\mathbf{W}^{f}``), so a derived formula and the drawn graph agree.
"""
from __future__ import annotations

from rnn.names import SYMBOLS, Scope

_SCOPE = Scope()

_TEXT = {"yhat": "yhat", "cand": "s_tilde", "htilde": "h_tilde"}

_MATHML_ACCENT = {"yhat": ("y", "^"), "cand": ("s", "~"), "htilde": ("h", "~")}


def is_parameter(name):
    """Parameters are the upper-case matrices and the biases b, c (with a gate suffix)."""
    return name.partition("_")[0] in ("U", "W", "V", "b", "c")


def latex_base(name):
    """``\\mathbf{h}``, ``\\hat{\\mathbf{y}}``, ``\\mathbf{W}^{f}``."""
    if is_parameter(name):
        return _SCOPE.param_label(name)
    return SYMBOLS.get(name, rf"\mathbf{{{name}}}")


def text_base(name):
    return _TEXT.get(name, name)


def mathml_base(name):
    if is_parameter(name):
        base, _, gate = name.partition("_")
        mi = f'<mi mathvariant="bold">{base}</mi>'
        return f"<msup>{mi}<mi>{gate}</mi></msup>" if gate else mi
    if name in _MATHML_ACCENT:
        letter, accent = _MATHML_ACCENT[name]
        return f'<mover accent="true"><mi mathvariant="bold">{letter}</mi><mo>{accent}</mo></mover>'
    if name == "y":
        return "<mi>y</mi>"
    return f'<mi mathvariant="bold">{name}</mi>'


def time_parts(time):
    """(base, offset) of a time index for display: ('t', 1) is t+1, ('tau', 0) is tau, ('', 3) is 3."""
    if time.base == "abs":
        return "", time.offset
    return time.base, time.offset


def time_latex(time):
    base, k = time_parts(time)
    if not base:
        return str(k)
    sym = r"\tau" if base == "tau" else "t"
    return sym if k == 0 else f"{sym}{'+' if k > 0 else '-'}{abs(k)}"


def time_text(time):
    base, k = time_parts(time)
    if not base:
        return str(k)
    return base if k == 0 else f"{base}{'+' if k > 0 else '-'}{abs(k)}"


def time_mathml(time):
    base, k = time_parts(time)
    if not base:
        return f"<mn>{k}</mn>"
    sym = "<mi>&#x3C4;</mi>" if base == "tau" else "<mi>t</mi>"
    if k == 0:
        return sym
    return f"<mrow>{sym}<mo>{'+' if k > 0 else '&#x2212;'}</mo><mn>{abs(k)}</mn></mrow>"
