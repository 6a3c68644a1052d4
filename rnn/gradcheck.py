"""Checking BPTT: the engine's gradients of an unrolled loss against finite differences.

`finite_differences` perturbs every parameter entry and every entry of the initial state,
re-unrolls the model and differentiates the loss numerically with the fourth-order central
stencil (8 (L(+e) - L(-e)) - (L(+2e) - L(-2e))) / (12 e), whose error is O(e^4): with
e = 1e-3 it agrees with an exact gradient to about 1e-11, so disagreements of 1e-9 are
real. `engine_gradients` is reverse mode on the same unrolled graph; `max_relative_error`
is the measure the tests quote: max |a - b| / max(|a|, |b|).
"""
from __future__ import annotations

import numpy as np

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
    grads = {name: p.grad.copy() for name, p in model.params.items()}
    for name in states:
        grads[name] = u.nodes[model.scope.prefix + name].grad.copy()
    return grads


def finite_differences(model, x, y, h0=None, eps=1e-3, **options):
    """Numerical gradients of the unrolled loss w.r.t. every parameter and the initial state.

    Same keys as `engine_gradients`. Parameters are restored afterwards.
    """
    states = _initial_states(model, h0)

    def loss():
        return float(unroll(model, x, y, h0=_as_h0(model, states), **options).loss.value)

    def differentiate(array):
        grad = np.empty_like(array)
        for index in np.ndindex(array.shape):
            saved = array[index]
            values = []
            for step in (eps, -eps, 2 * eps, -2 * eps):
                array[index] = saved + step
                values.append(loss())
            array[index] = saved
            grad[index] = (8.0 * (values[0] - values[1]) - (values[2] - values[3])) / (12.0 * eps)
        return grad

    grads = {name: differentiate(p.value) for name, p in model.params.items()}
    for name, value in states.items():
        grads[name] = differentiate(value)
    return grads
