"""Explicit per-entry gradients (issue 4, form 2): exact, cse-named, split per dummy copy."""
import json

import numpy as np
import pytest
import sympy

import rnn.bptt as hand
from rnn.derive import DeriveError, derive_explicit
from rnn.derive.graphs import Sample, cell, unroll


def numbers_for(result, seed=0):
    """Random values for every parameter and input symbol, and the matching numeric sample."""
    H, n_in, K = result.sizes
    spec = cell(result.cell)
    rng = np.random.default_rng(seed)
    params = {n: rng.normal(scale=0.5, size=s) for n, s in spec.shapes(H, n_in, K).items()}
    x = rng.normal(size=(result.tau, n_in, 1))
    env = {}
    for name, value in params.items():
        for index in np.ndindex(value.shape):
            env[sympy.Symbol(name + "_" + "_".join(str(i + 1) for i in index))] = value[index]
    for t in range(result.tau):
        for i in range(n_in):
            env[sympy.Symbol(f"x_{i + 1}^({t + 1})")] = x[t, i, 0]
    sample = Sample(params, x, result.targets.reshape(-1, 1), {"h": np.zeros((H, 1))})
    return env, sample


@pytest.fixture(scope="module")
def explicit():
    return derive_explicit("rnn", "W", tau=4, H=2, n_in=2, K=3, per_step=True)


def test_explicit_gradient_matches_the_engine(explicit):
    """dL/dW_ij evaluated through the cse definitions equals the engine's numeric gradient."""
    env, sample = numbers_for(explicit)
    graph = unroll(cell("rnn"), sample)
    graph.loss.backward()
    np.testing.assert_allclose(explicit.evaluate(env), graph.params["W"].grad, atol=1e-10, rtol=0)


def test_per_step_contributions_are_the_dummy_copies_of_10_26(explicit):
    """grad_{W^(t)} L equals rnn.bptt's per-step term diag(1 - h^2) grad_h h^(t-1)T, and they sum
    to grad_W L (eqs 10.25-10.26)."""
    env, sample = numbers_for(explicit)
    reference = hand.bptt(hand.RNNParams(**sample.params), sample.x, sample.y, h0=np.zeros((2, 1)))
    steps = explicit.evaluate_per_step(env)
    for t, contribution in enumerate(steps):
        np.testing.assert_allclose(contribution, reference.per_step["W"][t], atol=1e-10, rtol=0)
    np.testing.assert_allclose(sum(steps), explicit.evaluate(env), atol=1e-10, rtol=0)


def test_every_adjoint_is_named_once_per_step(explicit):
    """grad_{h^(t)} L appears as its own symbols gh_i^(t) for t = 1..tau (linear cost in tau)."""
    names = {str(s) for s, _ in explicit.definitions}
    assert {f"gh_1^({t})" for t in range(1, 5)} <= names


def test_ops_after_cse_grow_linearly_with_tau():
    """The op count per extra step is constant (no expression swell)."""
    ops = [derive_explicit("rnn", "W", tau=tau).ops for tau in (4, 6, 8)]
    assert ops[2] - ops[1] == ops[1] - ops[0]


def test_expanded_gradient_has_only_parameters_and_inputs():
    """For tiny tau the definitions substitute back into one expression per entry."""
    result = derive_explicit("rnn", "V", tau=2, H=1, n_in=1, K=2)
    free = set().union(*(e.free_symbols for e in result.expanded().ravel()))
    assert {str(s)[0] for s in free} <= {"U", "W", "V", "b", "c", "x"}


def test_explicit_output_formats():
    """Text, LaTeX, MathML and JSON all carry the gradient entries."""
    result = derive_explicit("rnn", "W", tau=2)
    assert "dL/dW_1_1 =" in result.text()
    assert r"\frac{\partial L}{\partial W_{11}}" in result.latex()
    assert result.mathml().count("<math") == len(result.definitions) + len(result.replacements) + 4
    assert json.loads(json.dumps(result.to_dict()))["shape"] == [2, 2]


def test_explicit_rejects_unknown_parameter_and_bad_targets():
    with pytest.raises(DeriveError, match="no parameter"):
        derive_explicit("rnn", "Q")
    with pytest.raises(DeriveError, match="targets"):
        derive_explicit("rnn", "W", tau=2, K=2, targets=[0, 5])


def test_printed_gru_explicit_gradient_matches_the_engine():
    """GRU as printed (eqs 10.45-10.47): dL/dW^u_ij through the named definitions equals the
    engine's gradient, although the last input x^(tau) reaches no h^(t)."""
    result = derive_explicit("gru-printed", "W_u", tau=3, H=2, n_in=2, K=3)
    env, sample = numbers_for(result)
    graph = unroll(cell("gru-printed"), sample)
    graph.loss.backward()
    np.testing.assert_allclose(result.evaluate(env), graph.params["W_u"].grad, atol=1e-10, rtol=0)
