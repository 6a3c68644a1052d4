"""The linear recurrence of section 10.7: eqs. 10.36 - 10.39 (corrected 10.39) and eq. 8.11."""
import numpy as np
import sympy

from rnn.vanishing import linear


def test_eigen_components_scale_as_lambda_to_the_t():
    """Eqs. 10.37 - 10.39: q_i^T h^(t) = lambda_i^t q_i^T h^(0) when h^(t) = W^T h^(t-1)."""
    scaling = linear.eigen_scaling([0.8, 0.95, 1.05], tau=25, seed=3)
    assert scaling.max_relative_error < 1e-10


def test_components_below_one_vanish_and_above_one_explode():
    """Eq. 10.39: |lambda| < 1 shrinks a component geometrically, |lambda| > 1 grows it."""
    scaling = linear.eigen_scaling([0.5, 1.5], tau=12, seed=0)
    ratio = np.abs(scaling.components[-1] / scaling.components[0])
    np.testing.assert_allclose(ratio, [0.5 ** 12, 1.5 ** 12], rtol=1e-8)


def test_corrected_10_39_matches_the_recurrence():
    """Corrected eq. 10.39: h^(t) = Q Lambda^t Q^T h^(0) equals t steps of eq. 10.36."""
    W, Q, Lam = linear.symmetric_from_spectrum([0.9, -0.7, 1.1, 0.3], seed=1)
    h0 = np.arange(1.0, 5.0)
    h = linear.linear_trajectory(W, h0, tau=7)
    np.testing.assert_allclose(linear.corrected_10_39(Q, Lam, h0, 7), h[7], rtol=1e-12, atol=1e-12)


def test_printed_10_39_fails_for_a_generic_orthogonal_Q():
    """Printed eq. 10.39, h^(t) = Q^T Lambda^t Q h^(0), is not what eq. 10.36 computes."""
    W, Q, Lam = linear.symmetric_from_spectrum([0.9, -0.7, 1.1, 0.3], seed=1)
    h0 = np.arange(1.0, 5.0)
    h = linear.linear_trajectory(W, h0, tau=7)
    assert np.linalg.norm(linear.printed_10_39(Q, Lam, h0, 7) - h[7]) > 1e-2 * np.linalg.norm(h[7])


def test_symbolic_power_of_symmetric_W_holds_for_every_t():
    """Eqs. 10.37 - 10.38 in SymPy: W^t = Q Lambda^t Q^T by induction (base and step vanish)."""
    case = linear.symbolic_linear_case()
    assert case.power_base_residual == sympy.zeros(2, 2)
    assert case.power_step_residual == sympy.zeros(2, 2)


def test_symbolic_eigen_components_are_lambda_to_the_t():
    """Corrected eq. 10.39 in SymPy: Q^T h^(t) = Lambda^t Q^T h^(0), entrywise lambda_i^t."""
    case = linear.symbolic_linear_case()
    assert case.components_residual == sympy.zeros(2, 1)
    l1, _ = case.lambdas
    assert not sympy.simplify(case.components[0] / l1 ** case.t).has(l1)


def test_symbolic_printed_10_39_is_off_by_sin_two_theta():
    """Printed minus corrected eq. 10.39 is sin(2 theta)(lambda_1^t - lambda_2^t) off the diagonal."""
    case = linear.symbolic_linear_case()
    l1, l2 = case.lambdas
    h1, h2 = case.h0
    expected = -sympy.sin(2 * case.theta) * (l1 ** case.t - l2 ** case.t) * sympy.Matrix([h2, h1])
    difference = (case.printed_minus_corrected - expected).applyfunc(
        lambda e: sympy.simplify(sympy.expand_trig(sympy.expand(e))))
    assert difference == sympy.zeros(2, 1)
    assert case.printed_minus_corrected.subs({case.theta: sympy.pi / 6, case.t: 2, l1: 2, l2: 1}) != sympy.zeros(2, 1)


def test_power_of_non_symmetric_diagonalizable_W_numerically():
    """Eq. 8.11: W^t = V diag(lambda)^t V^{-1} for a non-orthogonal V."""
    V = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 3.0]])
    direct, via_eigen = linear.diagonalizable_power(V, [0.9, 1.2, -0.5], t=9)
    np.testing.assert_allclose(direct, via_eigen, rtol=1e-10, atol=1e-12)


def test_power_of_non_symmetric_diagonalizable_W_symbolically():
    """Eq. 8.11 in SymPy for W = [[lambda_1, a], [0, lambda_2]]: induction and the first powers."""
    power = linear.symbolic_power(max_power=3)
    assert power.W != power.W.T
    assert power.base_residual == sympy.zeros(2, 2)
    assert power.step_residual == sympy.zeros(2, 2)
    assert all(r == sympy.zeros(2, 2) for r in power.checked_powers.values())
