"""Recurrent networks as explicit `autodiff` graphs, named as the Deep Learning book names them.

    import rnn
    model = rnn.SimpleRNN(n_in=4, hidden=3, n_out=4, seed=0)     # eqs 10.8-10.11
    u = rnn.unroll(model, x, y)                                  # x (tau, n_in, B), y (tau, B)
    u.loss.backward()                                            # BPTT: model.params['W'].grad

Names are imported on first use, so ``import rnn`` (and ``import rnn.data``) stays light.
The function `rnn.unroll` lives in the module `rnn.unrolling` (a module of the same name
would shadow the function once imported).
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "SimpleRNN": "cells", "SeqToOne": "cells", "OutputRNN": "cells", "TeacherForcedRNN": "cells",
    "LSTM": "lstm", "GRU": "gru", "WindowDNN": "window", "Stacked": "deep", "Bidirectional": "deep",
    "unroll": "unrolling", "Unrolled": "unrolling", "RNNError": "errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError:
            raise AttributeError(f"module 'rnn' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
