"""Specification of forward mode: dual numbers give the same Jacobian as reverse mode.

Issue 2, section 2: `jvp` pushes a tangent through each primitive's JVP rule (one Jacobian
column per sweep) where reverse mode pulls a cotangent back (one row per sweep). For every
primitive and variant of the check catalogue the two Jacobians must agree.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autodiff as ad
from autodiff import checks

VARIANTS = checks.all_variants()
IDS = [f"{op}-{variant}".replace(" ", "_") for op, variant in VARIANTS]


@pytest.mark.parametrize("op, variant", VARIANTS, ids=IDS)
@given(data=st.data())
@settings(max_examples=5)
def test_forward_mode_jacobian_equals_reverse_mode_jacobian(draw_case, data, op, variant):
    """jacobian_forward (a jvp per input entry) equals jacobian (a backward pass per output
    entry) for every differentiable argument of every primitive."""
    case = draw_case(data, op, variant)
    for k, name in enumerate(case.names):
        forward = ad.jacobian_forward(case.fn, argnum=k)(*case.args)
        reverse = ad.jacobian(case.fn, argnum=k)(*case.args)
        np.testing.assert_allclose(forward, reverse, atol=1e-12, rtol=1e-10, err_msg=f"{case.title}: {name}")


def test_jvp_of_tanh_is_the_tangent_times_one_minus_tanh_squared():
    """The dual number of tanh(x + eps v) is (tanh x, (1 - tanh^2 x) v) (eq. 10.9's derivative)."""
    x, v = np.array([0.3, -1.2]), np.array([1.0, 2.0])
    value, tangent = ad.jvp(ad.tanh, [x], [v])
    np.testing.assert_allclose(value, np.tanh(x))
    np.testing.assert_allclose(tangent, (1 - np.tanh(x) ** 2) * v)


def test_jvp_is_a_directional_derivative():
    """J v for f(W, h) = tanh(W h) matches central differences along (dW, dh)."""
    rng = np.random.default_rng(0)
    W, h = rng.normal(size=(3, 2)), rng.normal(size=(2, 1))
    dW, dh = rng.normal(size=W.shape), rng.normal(size=h.shape)

    def f(W, h):
        return ad.tanh(W @ h)
    _, tangent = ad.jvp(f, [W, h], [dW, dh])
    eps = 1e-6
    numeric = (f(W + eps * dW, h + eps * dh) - f(W - eps * dW, h - eps * dh)) / (2 * eps)
    np.testing.assert_allclose(tangent, numeric, atol=1e-8)


def test_one_forward_sweep_gives_one_jacobian_column():
    """The jvp with the k-th basis vector is the k-th column of the reverse-mode Jacobian."""
    x = np.array([0.5, -1.0, 2.0])
    e1 = np.array([0.0, 1.0, 0.0])
    _, column = ad.jvp(ad.softmax, [x], [e1])
    np.testing.assert_allclose(column, ad.jacobian(ad.softmax)(x)[:, 1], atol=1e-12)


def test_jacobian_forward_has_output_then_input_axes():
    x = np.ones((2, 3))
    assert ad.jacobian_forward(lambda x: ad.sum(x, axis=1))(x).shape == (2, 2, 3)


def test_tangent_of_the_wrong_shape_is_an_error():
    with pytest.raises(ValueError, match=r"tangent for arg0 has shape \(3,\)"):
        ad.jvp(ad.tanh, [np.ones(2)], [np.ones(3)])


def test_jacobian_with_respect_to_an_empty_input_is_empty_in_both_modes():
    """No input entries, no columns: both modes give an array of shape out.shape + (0,)."""
    def f(x):
        return ad.scatter(x, index=np.zeros(3, dtype=bool), shape=(3,))
    x = np.zeros(0)
    assert ad.jacobian_forward(f)(x).shape == (3, 0)
    assert ad.jacobian(f)(x).shape == (3, 0)
