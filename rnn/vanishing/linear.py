"""The linear recurrence of section 10.7 (eqs. 10.36 - 10.39) and matrix powers (eq. 8.11).

Without a non-linearity the recurrence h^(t) = W^T h^(t-1) (eq. 10.36) is a matrix power,
h^(t) = (W^t)^T h^(0) (eq. 10.37). With a symmetric W = Q Lambda Q^T (eq. 10.38, Q
orthogonal) the power is Q Lambda^t Q^T, so the component of h^(t) along the eigenvector
q_i is lambda_i^t (q_i^T h^(0)): it vanishes for |lambda_i| < 1 and explodes for
|lambda_i| > 1. The book prints eq. 10.39 as h^(t) = Q^T Lambda^t Q h^(0), which does not
follow from 10.37 - 10.38; the corrected form is h^(t) = Q Lambda^t Q^T h^(0)
(/work/shared/reference/dlbook-equations.md). Both readings are here, numerically (NumPy)
and symbolically (SymPy, with symbols this module builds itself).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy

from autodiff.errors import GradbookError


class LinearCaseError(GradbookError):
    """A matrix or vector that does not fit the linear recurrence."""


# ---------------------------------------------------------------------------------------------
# numbers

def random_orthogonal(n: int, seed: int = 0) -> np.ndarray:
    """A seeded random n x n orthogonal Q: the QR factor of a Gaussian matrix, its column
    signs fixed by the signs of diag(R) so that the draw is uniform over orthogonal matrices."""
    if n < 1:
        raise LinearCaseError(f"an orthogonal matrix needs n >= 1; got n={n}")
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.normal(size=(n, n)))
    return q * np.sign(np.diag(r))


def symmetric_from_spectrum(eigenvalues, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """W = Q Lambda Q^T (eq. 10.38) for the given eigenvalues and a random orthogonal Q.

    Returns (W, Q, Lambda) with Lambda the diagonal matrix of eigenvalues.
    """
    lam = np.asarray(eigenvalues, dtype=np.float64)
    if lam.ndim != 1:
        raise LinearCaseError(f"eigenvalues must be a 1-d list; got shape {lam.shape}")
    Q = random_orthogonal(lam.size, seed)
    Lam = np.diag(lam)
    return Q @ Lam @ Q.T, Q, Lam


def linear_trajectory(W: np.ndarray, h0: np.ndarray, tau: int) -> np.ndarray:
    """h^(t) = W^T h^(t-1) for t = 1..tau (eq. 10.36); row t of the result is h^(t), row 0 is h^(0)."""
    W = np.asarray(W, dtype=np.float64)
    h0 = np.asarray(h0, dtype=np.float64).reshape(-1)
    if W.ndim != 2 or W.shape[0] != W.shape[1] or W.shape[0] != h0.size:
        raise LinearCaseError(f"W of shape {W.shape} and h0 of size {h0.size} do not fit; "
                              "W must be square with as many rows as h0 has entries")
    h = np.empty((tau + 1, h0.size))
    h[0] = h0
    for t in range(1, tau + 1):
        h[t] = W.T @ h[t - 1]
    return h


def printed_10_39(Q: np.ndarray, Lam: np.ndarray, h0: np.ndarray, t: int) -> np.ndarray:
    """The book's printed eq. 10.39: h^(t) = Q^T Lambda^t Q h^(0) (wrong in general)."""
    return Q.T @ np.linalg.matrix_power(Lam, t) @ Q @ np.asarray(h0).reshape(-1)


def corrected_10_39(Q: np.ndarray, Lam: np.ndarray, h0: np.ndarray, t: int) -> np.ndarray:
    """The corrected eq. 10.39: h^(t) = Q Lambda^t Q^T h^(0)."""
    return Q @ np.linalg.matrix_power(Lam, t) @ Q.T @ np.asarray(h0).reshape(-1)


@dataclass(frozen=True)
class EigenScaling:
    """Components c_i^(t) = q_i^T h^(t) of a linear trajectory and their theory lambda_i^t c_i^(0)."""

    eigenvalues: np.ndarray   # (n,)
    components: np.ndarray    # (tau + 1, n): Q^T h^(t), measured by running eq. 10.36
    theory: np.ndarray        # (tau + 1, n): lambda_i^t q_i^T h^(0)

    @property
    def max_relative_error(self) -> float:
        scale = np.maximum(np.abs(self.theory), 1e-300)
        return float(np.max(np.abs(self.components - self.theory) / scale))


def eigen_scaling(eigenvalues, tau: int, seed: int = 0) -> EigenScaling:
    """Run eq. 10.36 with W = Q Lambda Q^T and project each h^(t) on the eigenvectors.

    Theory (eqs. 10.37 - 10.39 corrected): q_i^T h^(t) = lambda_i^t q_i^T h^(0).
    """
    W, Q, Lam = symmetric_from_spectrum(eigenvalues, seed)
    h0 = np.random.default_rng(seed + 1).normal(size=W.shape[0])
    h = linear_trajectory(W, h0, tau)
    lam = np.diag(Lam)
    theory = lam[None, :] ** np.arange(tau + 1)[:, None] * (Q.T @ h0)[None, :]
    return EigenScaling(eigenvalues=lam, components=h @ Q, theory=theory)


def diagonalizable_power(V: np.ndarray, eigenvalues, t: int) -> tuple[np.ndarray, np.ndarray]:
    """W^t two ways for W = V diag(lambda) V^{-1} (eq. 8.11): repeated products, and
    V diag(lambda)^t V^{-1}. Returns (direct, via_eigendecomposition)."""
    V = np.asarray(V, dtype=np.float64)
    lam = np.asarray(eigenvalues, dtype=np.float64)
    if V.shape != (lam.size, lam.size):
        raise LinearCaseError(f"V of shape {V.shape} needs {V.shape[0]} eigenvalues; got {lam.size}")
    V_inv = np.linalg.inv(V)
    W = V @ np.diag(lam) @ V_inv
    return np.linalg.matrix_power(W, t), V @ np.diag(lam ** t) @ V_inv


# ---------------------------------------------------------------------------------------------
# formulas

@dataclass(frozen=True)
class SymbolicLinearCase:
    """The 2 x 2 linear case in SymPy, with a rotation Q(theta) and Lambda = diag(lambda_1, lambda_2).

    Every ``*_residual`` is a matrix that simplifies to zero when the claim holds.
    """

    theta: sympy.Symbol
    lambdas: tuple
    t: sympy.Symbol
    Q: sympy.Matrix
    Lam_t: sympy.Matrix
    h0: sympy.Matrix
    power_base_residual: sympy.Matrix      # Q Lambda^0 Q^T - I
    power_step_residual: sympy.Matrix      # W (Q Lambda^t Q^T) - Q Lambda^(t+1) Q^T
    components: sympy.Matrix               # Q^T h^(t) with h^(t) from the corrected 10.39
    components_residual: sympy.Matrix      # Q^T h^(t) - Lambda^t Q^T h^(0)
    printed_minus_corrected: sympy.Matrix  # printed 10.39 - corrected 10.39


def _rotation(theta):
    return sympy.Matrix([[sympy.cos(theta), -sympy.sin(theta)],
                         [sympy.sin(theta), sympy.cos(theta)]])


def _simplify(M):
    return M.applyfunc(lambda e: sympy.factor(sympy.trigsimp(sympy.expand(e))))


def symbolic_linear_case() -> SymbolicLinearCase:
    """Prove eqs. 10.37 - 10.39 (corrected) for a 2 x 2 symmetric W and every t, by induction.

    W^t = Q Lambda^t Q^T: true at t = 0 (Q Q^T = I) and W (Q Lambda^t Q^T) = Q Lambda^(t+1) Q^T.
    Since W^t is then symmetric, h^(t) = (W^t)^T h^(0) = Q Lambda^t Q^T h^(0), and the
    eigen-components are Q^T h^(t) = Lambda^t Q^T h^(0): each scales as lambda_i^t. The
    printed 10.39 differs by sin(2 theta) (lambda_1^t - lambda_2^t) on the off-diagonal,
    which is non-zero for any rotation that is not a multiple of pi/2.
    """
    theta = sympy.Symbol("theta", real=True)
    l1, l2 = sympy.symbols("lambda_1 lambda_2", positive=True)
    t = sympy.Symbol("t", integer=True, nonnegative=True)
    h0 = sympy.Matrix(sympy.symbols("h_1^(0) h_2^(0)", real=True))
    Q = _rotation(theta)
    Lam = sympy.diag(l1, l2)

    def lam_pow(k):
        return sympy.diag(l1 ** k, l2 ** k)

    W = Q * Lam * Q.T
    W_t = Q * lam_pow(t) * Q.T
    h_t = W_t.T * h0
    components = _simplify(Q.T * h_t)
    printed = Q.T * lam_pow(t) * Q * h0
    return SymbolicLinearCase(
        theta=theta, lambdas=(l1, l2), t=t, Q=Q, Lam_t=lam_pow(t), h0=h0,
        power_base_residual=_simplify(Q * lam_pow(0) * Q.T - sympy.eye(2)),
        power_step_residual=_simplify(W * W_t - Q * lam_pow(t + 1) * Q.T),
        components=components,
        components_residual=_simplify(components - lam_pow(t) * Q.T * h0),
        printed_minus_corrected=(printed - W_t * h0).applyfunc(
            lambda e: sympy.factor(sympy.simplify(sympy.trigsimp(sympy.expand(e))))),
    )


@dataclass(frozen=True)
class SymbolicPower:
    """Eq. 8.11 for a non-symmetric diagonalizable 2 x 2 W = V diag(lambda) V^{-1}, in SymPy."""

    W: sympy.Matrix
    V: sympy.Matrix
    lambdas: tuple
    t: sympy.Symbol
    W_t: sympy.Matrix            # V diag(lambda)^t V^{-1}
    base_residual: sympy.Matrix  # W^0 - I
    step_residual: sympy.Matrix  # W W^t - W^(t+1), both from eq. 8.11
    checked_powers: dict         # k -> (W^k by repeated products) - (eq. 8.11 at t = k)


def symbolic_power(max_power: int = 4) -> SymbolicPower:
    """Prove eq. 8.11, W^t = V diag(lambda)^t V^{-1}, for W = [[l1, a], [0, l2]] (not symmetric).

    The eigenvectors are (1, 0) and (a, l2 - l1); induction on t gives every power, and
    the first `max_power` powers are also multiplied out directly as a cross-check.
    """
    l1, l2 = sympy.symbols("lambda_1 lambda_2", positive=True)
    a = sympy.Symbol("a", positive=True)
    t = sympy.Symbol("t", integer=True, nonnegative=True)
    W = sympy.Matrix([[l1, a], [0, l2]])
    V = sympy.Matrix([[1, a], [0, l2 - l1]])

    def power(k):
        return (V * sympy.diag(l1 ** k, l2 ** k) * V.inv()).applyfunc(sympy.simplify)

    W_t = power(t)
    checked = {k: (W ** k - power(k)).applyfunc(sympy.simplify) for k in range(1, max_power + 1)}
    return SymbolicPower(
        W=W, V=V, lambdas=(l1, l2), t=t, W_t=W_t,
        base_residual=(power(0) - sympy.eye(2)).applyfunc(sympy.simplify),
        step_residual=(W * W_t - power(t + 1)).applyfunc(lambda e: sympy.simplify(sympy.expand(e))),
        checked_powers=checked,
    )
