"""Node names and display labels in the book's notation.

Every node `unroll` builds is called ``<kind>_<t>`` (``h_3``, ``yhat_3``, ``L_3``) and
labelled in book LaTeX (``\\mathbf{h}^{(3)}``, ``\\hat{\\mathbf{y}}^{(3)}``, ``L^{(3)}``).
A `Scope` namespaces the nodes of one layer of a deep or bidirectional network: layer 2
of a stack gives ``l2.h_3`` labelled ``\\mathbf{h}^{[2](3)}``, the backward direction of a
bidirectional network ``bwd.h_3`` labelled with a left arrow (the book's g^(t), Fig. 10.11).
"""
from __future__ import annotations

SYMBOLS = {
    "x": r"\mathbf{x}", "a": r"\mathbf{a}", "h": r"\mathbf{h}", "o": r"\mathbf{o}",
    "yhat": r"\hat{\mathbf{y}}", "logyhat": r"\log \hat{\mathbf{y}}", "y": r"y", "L": "L",
    "yprev": r"\mathbf{y}",
    "s": r"\mathbf{s}", "f": r"\mathbf{f}", "g": r"\mathbf{g}", "q": r"\mathbf{q}",
    "u": r"\mathbf{u}", "r": r"\mathbf{r}", "e": r"\mathbf{e}", "z": r"\mathbf{z}",
    "cand": r"\tilde{\mathbf{s}}", "htilde": r"\tilde{\mathbf{h}}",
}
"""Book symbol of each node kind: x a h o yhat L of eqs 10.8-10.14, the LSTM's f g q s
(10.40-10.44) and its candidate input, the GRU's u r and candidate state (10.45-10.47),
and the window network's embeddings e and their concatenation z."""

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
        """The node's book label, e.g. ``\\mathbf{h}^{(3)}``; a copy for L^(6) gets a subscript."""
        symbol = self.wrap % SYMBOLS.get(kind, kind)
        step = "" if t is None else f"({t - 1 if kind == 'yprev' else t})"
        sup = self.sup + step
        text = symbol + (f"^{{{sup}}}" if sup else "")
        return text if copy_for is None else text + rf"_{{\to L^{{({copy_for})}}}}"

    def param_name(self, name):
        return self.prefix + name

    def param_label(self, name):
        """Book label of a parameter: 'W' -> \\mathbf{W}, 'W_f' -> \\mathbf{W}^{f} (eq. 10.40)."""
        base, _, gate = name.partition("_")
        sup = ",".join(part for part in (gate, self.sup) if part)
        return self.wrap % rf"\mathbf{{{base}}}" + (f"^{{{sup}}}" if sup else "")
