"""The one table of functions: how each is named, read, printed, evaluated and differentiated.

The one tree (`rnn.expr.tree.Call`) names a function by its `Function.name`: the parsers
read it from a spelling, the derivation from its engine primitive (`rnn.derive.algebra.call`
through `lookup`). The text and LaTeX parsers take their spellings from here, the
three printers their heads, the evaluator their NumPy forms, the symbolic check its SymPy
names, and the parsers the derivative a prime stands for (tanh' = 1 - tanh^2 of eq. 10.9's
derivative in eq. 10.21, sigma' = sigma (1 - sigma) of eqs 10.40-10.44, ReLU' = step).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import tree


def _sigmoid(v):
    """1 / (1 + e^{-v}), in the engine's exact form (`autodiff.ops.sigmoid`)."""
    return 1.0 / (1.0 + np.exp(-np.maximum(v, -709.0)))


def _softmax(v):
    """softmax over axis 0, the class axis (eq. 10.11)."""
    v = np.asarray(v, dtype=float)
    if v.ndim == 0:
        return np.float64(1.0)
    shifted = np.exp(v - np.max(v, axis=0, keepdims=True))
    return shifted / np.sum(shifted, axis=0, keepdims=True)


def _diag(v):
    """diag(v): the square matrix with the column v on its diagonal (eq. 10.21); a 1x1 stays."""
    v = np.asarray(v, dtype=float)
    if v.size == 1:
        return v
    if v.ndim == 1 or v.ndim == 2 and v.shape[1] == 1:
        return np.diag(v.reshape(-1))
    raise ValueError(f"diag needs a column vector, got shape {v.shape}")


# The derivative a prime stands for, as a tree (`rnn.expr.tree`) of the primed call's `value`
# and its argument `arg`.
def _tanh_prime(value, arg):
    return tree.sub(tree.Number(1.0), tree.Pow(value, 2.0))


def _sigma_prime(value, arg):
    return tree.mul(value, tree.sub(tree.Number(1.0), value))


def _relu_prime(value, arg):
    return tree.Call("step", (arg,))


@dataclass(frozen=True)
class Function:
    """One function of the language.

    `name` is its name in an answer tree and its text spelling; `spellings` the words a
    text answer (and a LaTeX \\operatorname{...} / \\mathrm{...}) may use for it; `commands`
    the LaTeX commands read as it (\\tanh, \\sigma); `latex` and `mathml` how it is printed;
    `numpy` its value (None for the structural onehot, which needs the number of classes);
    `engine` the name of the engine's primitive (read by `rnn.derive.algebra.call`), `ufunc` the
    NumPy ufunc that primitive computes with; `sympy` the SymPy function of the symbolic
    check; `prime` the derivative f'(z) written out (None: no prime accepted).
    """

    name: str
    latex: str
    mathml: str
    numpy: object
    spellings: tuple = ()
    commands: tuple = ()
    engine: str | None = None
    ufunc: object = None
    sympy: str | None = None
    prime: object = None
    arity: int = 1

    @property
    def words(self):
        return (self.name,) + self.spellings


FUNCTIONS = (
    Function("tanh", r"\tanh", "tanh", np.tanh, commands=("tanh",), engine="tanh", ufunc=np.tanh,
             sympy="tanh", prime=_tanh_prime),
    Function("sigma", r"\sigma", "&#x3C3;", _sigmoid, spellings=("sigmoid",), commands=("sigma",),
             engine="sigmoid", sympy=None, prime=_sigma_prime),
    Function("relu", r"\operatorname{ReLU}", "ReLU", lambda v: np.maximum(v, 0.0),
             spellings=("ReLU", "Relu"), commands=("relu", "ReLU"), engine="relu", prime=_relu_prime),
    Function("step", r"\operatorname{step}", "step", lambda v: np.heaviside(v, 0.0),
             spellings=("heaviside", "Heaviside"), commands=("step", "heaviside", "Heaviside"),
             engine="step", ufunc=np.heaviside),
    Function("sech", r"\operatorname{sech}", "sech", lambda v: 1.0 / np.cosh(v), commands=("sech",),
             sympy="sech"),
    Function("cosh", r"\cosh", "cosh", np.cosh, commands=("cosh",), sympy="cosh"),
    Function("exp", r"\exp", "exp", np.exp, commands=("exp",), engine="exp", ufunc=np.exp, sympy="exp"),
    Function("log", r"\log", "log", np.log, spellings=("ln",), commands=("log", "ln"), engine="log",
             ufunc=np.log, sympy="log"),
    Function("diag", r"\operatorname{diag}", "diag", _diag, commands=("diag",)),
    Function("onehot", r"\operatorname{onehot}", "onehot", None, spellings=("one_hot",)),
    Function("softmax", r"\operatorname{softmax}", "softmax", _softmax, commands=("softmax",),
             engine="softmax"),
)

BY_NAME = {f.name: f for f in FUNCTIONS}
NAMES = tuple(BY_NAME)
"""The functions an answer tree may apply, by tree name."""
SPELLINGS = {word: f.name for f in FUNCTIONS for word in f.words}
"""Every word a text answer may use for a function, with the function's name."""
COMMANDS = {command: f.name for f in FUNCTIONS for command in f.commands}
"""LaTeX commands read as a function: \\tanh, \\sigma, \\ln and lecture-note macros (\\diag)."""
PRIMED = frozenset(word for f in FUNCTIONS if f.prime for word in f.words)
"""The spellings a prime may follow: tanh'(z), sigma'(z), relu'(z)."""
_BY_ENGINE = {f.engine: f for f in FUNCTIONS if f.engine}


def lookup(name):
    """The Function an answer tree's or a derivation's function name means, or None (an op the
    language does not know, printed under its own name)."""
    return BY_NAME.get(name) or _BY_ENGINE.get(name) or BY_NAME.get(SPELLINGS.get(name))


def function(name):
    """The Function named `name` (a tree or engine name); ValueError names the known ones."""
    found = lookup(name)
    if found is None:
        raise ValueError(f"function {name!r} is not one of {', '.join(NAMES)}")
    return found
