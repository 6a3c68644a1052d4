"""Checking BPTT: the engine's gradients of an unrolled loss against finite differences.

`finite_differences` perturbs every parameter entry and every entry of the initial state,
re-evaluates the unrolled graph's forward pass (each primitive's NumPy code, inputs first;
constants such as teacher-forced targets stay fixed) and differentiates the loss numerically with the sixth-order central
stencil (45 (L(+e) - L(-e)) - 9 (L(+2e) - L(-2e)) + (L(+3e) - L(-3e))) / (60 e). Its
truncation error is O(e^6), so a large step keeps round-off small too: the estimate agrees
with an exact gradient to about 1e-11, and a disagreement of 1e-9 is real. `engine_gradients` is reverse mode on the same unrolled graph; `max_relative_error`
is the measure the tests quote: max |a - b| / max(|a|, |b|).
"""
from __future__ import annotations

import numpy as np

from autodiff.backward import toposort

from .errors import RNNError
from .unrolling import unroll


def max_relative_error(a, b):
    """max |a - b| over the entries, relative to the largest magnitude in either array."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(b), initial=0.0), 1e-300)
    return float(np.max(np.abs(a - b), initial=0.0) / scale)


def _initial_states(model, given):
    """The initial-state arrays a check perturbs: {node name: array}, e.g. {'h_0': ...}."""
    if given is None:
        return {}
    if isinstance(given, dict):
        return {f"{kind}_0": np.array(value, dtype=np.float64) for kind, value in given.items()}
    return {f"{model.carry[0]}_0": np.array(given, dtype=np.float64)}


def _as_h0(model, states):
    if not states:
        return None
    return {name[:-2]: value for name, value in states.items()}


def engine_gradients(model, x, y, h0=None, **options):
    """Reverse-mode gradients of the unrolled loss: {parameter name: grad, 'h_0': grad...}."""
    model.zero_grad()
    states = _initial_states(model, h0)
    u = unroll(model, x, y, h0=_as_h0(model, states), **options)
    u.loss.backward()
    grads = {name: _gradient(p) for name, p in model.params.items()}
    for name in states:
        grads[name] = _gradient(u.nodes[model.scope.prefix + name])
    return grads


def _gradient(node):
    """A copy of the node's gradient; zeros when the loss does not depend on it (no gradient
    reached it, e.g. a lower layer under a printed GRU with tau = 1)."""
    return np.zeros_like(node.value) if node.grad is None else node.grad.copy()


STENCIL = ((1, 45.0), (2, -9.0), (3, 1.0))


def finite_differences(model, x, y, h0=None, eps=5e-3, **options):
    """Numerical gradients of the unrolled loss w.r.t. every parameter and the initial state.

    Same keys as `engine_gradients`. Parameters are restored afterwards. The true gradient
    only: with ``truncate`` the engine's gradient is deliberately a different one.
    """
    if options.get("truncate") is not None:
        raise RNNError("finite differences give the full gradient; compare a truncated one with "
                       "rnn.bptt.truncated_bptt instead, or drop truncate=")
    states = _initial_states(model, h0)
    u = unroll(model, x, y, h0=_as_h0(model, states), **options)
    arrays = {name: p.value for name, p in model.params.items()}
    arrays.update({name: u.nodes[model.scope.prefix + name].value for name in states})
    return graph_differences(u.loss, arrays, eps)


def graph_differences(root, arrays, eps=5e-3):
    """Numerical gradients of the scalar `root` w.r.t. each leaf array in `arrays` {name: array}
    (perturbed in place, then restored): the forward pass re-run with the stencil above."""
    order = toposort(root)

    def loss():
        values = {}
        for node in order:
            values[node] = node.value if node.prim is None else node.prim.evaluate(
                [values[i] for i in node.inputs], node.params)
        return float(values[root])

    def differentiate(array):
        grad = np.empty_like(array)
        for index in np.ndindex(array.shape):
            saved = array[index]
            total = 0.0
            for multiple, weight in STENCIL:
                array[index] = saved + multiple * eps
                up = loss()
                array[index] = saved - multiple * eps
                total += weight * (up - loss())
            array[index] = saved
            grad[index] = total / (60.0 * eps)
        return grad

    return {name: differentiate(array) for name, array in arrays.items()}
