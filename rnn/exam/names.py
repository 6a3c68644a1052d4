"""What an answer may mention: symbol names, function aliases, and the size limits of an answer."""
import re

from rnn.expr.functions import SPELLINGS

from rnn.expr.time import TimeIndex

MAX_LENGTH = 4000       # characters of one answer
MAX_DEPTH = 64          # nested brackets, unary signs, sums and calls
MAX_EXPONENT = 64       # |p| in x**p
MAX_NODES = 1000        # nodes of the parsed tree
MAX_TREE_DEPTH = 150    # longest chain of operations, a+b+c+... (a flat sum of n terms counts n - 1)
MAX_NAME_LENGTH = 40    # characters of one identifier

# Book quantities (ch. 10) plus the scalar-exam weights w, u and the LSTM/GRU/10.39 letters.
BASE_NAMES = frozenset({
    "h", "x", "o", "a", "y", "yhat", "b", "c", "U", "V", "W", "R", "L",
    "s", "f", "g", "q", "r", "z", "u", "w", "v", "Q", "Lambda",
})
# A gate's own parameters, U^f W^f b^f (eqs. 10.40-10.44) and the GRU's U^u W^u b^u, U^r W^r b^r:
# U_f in plain text, \boldsymbol{U}^{f} in LaTeX (`rnn.names.param_latex`).
GATES = ("f", "g", "o", "u", "r")
GATE_PARAMETERS = frozenset(f"{p}_{gate}" for p in ("U", "W", "b") for gate in GATES)
BASE_NAMES = BASE_NAMES | GATE_PARAMETERS
GRADIENT_TARGETS = frozenset({"h", "o", "a", "s", "b", "c", "U", "V", "W", "x", "yhat"})
DEFAULT_NAMES = BASE_NAMES | {f"grad_{n}" for n in GRADIENT_TARGETS}

_SUFFIXED = re.compile(r"^(?P<base>[A-Za-z][A-Za-z_]*?)(?:_?(?P<step>\d+)|_(?P<t>t))$")


def split_name(identifier, names):
    """(base, TimeIndex or None) for an identifier like 'h', 'h2', 'h_2', 'grad_h_t', or None if unknown."""
    if identifier in names:
        return identifier, None
    match = _SUFFIXED.match(identifier)
    if match and match.group("base") in names:
        if match.group("t"):
            return match.group("base"), TimeIndex("t", 0)
        return match.group("base"), TimeIndex(None, int(match.group("step")))
    return None


def unknown_name_reason(identifier, names):
    """A one-line explanation for an identifier that is neither a symbol nor a function."""
    shown = identifier if len(identifier) <= MAX_NAME_LENGTH else identifier[:MAX_NAME_LENGTH] + "..."
    listed = ", ".join(sorted(names))
    return (f"unknown name {shown!r}; use one of {listed}, a function "
            f"({', '.join(sorted(SPELLINGS))}) or a sum over time")
