"""The exam's values for the one evaluator (`rnn.expr.evaluate`): an answer's symbols read from
an evaluation point's environment, failures raised as the checker's errors.

An environment maps (name, absolute step or None) to an array: ('h', 3) is h^(3), ('W', None)
is W, ('grad_h', 3) is grad_{h^(3)} L.
"""
from rnn.expr.evaluate import Values

from .errors import EvaluationError, UnknownSymbol
from .printers import to_text
from .shapes import diag_mismatch, mismatch


class AnswerValues(Values):
    """`env` ({(name, step or None): array}), the sequence length `tau` and the rows of onehot(y)
    `n_classes`, for `rnn.expr.evaluate.evaluate`. A symbol with no value raises UnknownSymbol
    listing what is defined, operands that cannot combine ShapeMismatch naming the two,
    anything else EvaluationError."""

    def __init__(self, env, tau=None, n_classes=None):
        super().__init__(env, text=to_text, error=EvaluationError, tau=tau, n_classes=n_classes)

    def unknown(self, symbol, key):
        shown = to_text(symbol)
        if shown != key_text(key):
            shown += f" (= {key_text(key)})"
        return UnknownSymbol(shown, defined_symbols(self.env))

    def mismatch(self, node, i, left, right, shape_of):
        return mismatch(node, i, left, right, shape_of)

    def not_a_column(self, node, shape):
        return diag_mismatch(node, shape)


def environment_key(symbol, t=None, tau=None):
    """The key (name, absolute step or None) under which the evaluator looks up a Symbol."""
    return AnswerValues({}, tau=tau).key(symbol, t)


def key_text(key):
    """'h[3]' or 'W' for an environment key."""
    name, step = key
    return name if step is None else f"{name}[{step}]"


def defined_symbols(env):
    """Compact names of the environment's keys: ['W', 'h[0..4]', 'y[1,3]']."""
    steps = {}
    for name, step in env:
        steps.setdefault(name, set()).add(step)
    shown = []
    for name in sorted(steps):
        numbered = sorted(s for s in steps[name] if s is not None)
        if None in steps[name]:
            shown.append(name)
        if len(numbered) > 2 and numbered == list(range(numbered[0], numbered[-1] + 1)):
            shown.append(f"{name}[{numbered[0]}..{numbered[-1]}]")
        elif numbered:
            shown.append(f"{name}[{','.join(map(str, numbered))}]")
    return shown
