"""Jacobians dh^(t)/dh^(k) of a recurrent network, three ways (book 8.2.5 and 10.7).

For the tanh recurrence h^(j) = tanh(b + W h^(j-1) + U x^(j)) (eqs. 10.8 - 10.9) one step
has Jacobian dh^(j)/dh^(j-1) = diag(1 - (h^(j))^2) W, so by the chain rule

    dh^(t)/dh^(k) = prod_{j = t, t-1, ..., k+1} diag(1 - (h^(j))^2) W,

the product whose norm shrinks or grows geometrically in t - k. Here it is read

* from the unrolled graph: one backward pass per entry of h^(t) gives a row of
  dh^(t)/dh^(k) at every earlier node h^(k) at once (:func:`jacobians_from_graph`);
* with `autodiff.jacobian` on a function of h^(k) that runs the recurrence to step t
  (:func:`jacobian_by_function`);
* from the closed form above (:func:`closed_form_jacobians`),

and checked against central finite differences (:func:`finite_difference_jacobian`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

import autodiff
from autodiff import Tensor
from autodiff.errors import GradbookError


class JacobianError(GradbookError):
    """A step index or state that the Jacobian cannot be taken at."""


def tanh_step(W, U, b) -> Callable:
    """The simple RNN step h -> tanh(b + W h + U x) (eqs. 10.8 - 10.9), written with engine ops."""
    W, U, b = (p if isinstance(p, Tensor) else autodiff.constant(p) for p in (W, U, b))

    def step(h, x):
        return autodiff.tanh(b + W @ h + U @ x)
    return step


def run_recurrence(step: Callable, h_k, xs, k: int = 0) -> list:
    """[h^(k), h^(k+1), ..., h^(k+n)] from h^(k) and the inputs x^(k+1), ..., x^(k+n).

    Each new state is named ``h_t`` with ``meta['t'] = t``, as `rnn.unroll` names its nodes.
    """
    states = [h_k]
    for t, x in enumerate(xs, start=k + 1):
        states.append(step(states[-1], x).tag(name=f"h_{t}", label=f"\\mathbf{{h}}^{{({t})}}", t=t))
    return states


def jacobian_by_function(step: Callable, h_k: np.ndarray, xs) -> np.ndarray:
    """dh^(t)/dh^(k) as `autodiff.jacobian` of the map h^(k) -> h^(t), t = k + len(xs).

    `h_k` is one state (H, 1); the result is the (H, H) matrix with entry [i, j] =
    d h_i^(t) / d h_j^(k).
    """
    h_k = np.asarray(h_k, dtype=np.float64).reshape(-1, 1)
    xs = [np.asarray(x, dtype=np.float64).reshape(-1, 1) for x in xs]
    J = autodiff.jacobian(lambda h: run_recurrence(step, h, xs)[-1])(h_k)
    return J.reshape(h_k.shape[0], h_k.shape[0])


def jacobians_from_graph(h: Mapping[int, Tensor], t: int, column: int = 0) -> dict[int, np.ndarray]:
    """dh^(t)/dh^(k) for every earlier k, read from one unrolled graph (eq. 10.21's product).

    `h` maps a step to its hidden-state node (``rnn.unroll(...).h``, or the list from
    :func:`run_recurrence`). Seeding the backward pass at entry i of h^(t) leaves row i of
    dh^(t)/dh^(k) as the adjoint of every h^(k) (with the other inputs of step k+1, such as
    an LSTM's cell state s^(k), held fixed), so H passes give all of them. Steps whose node
    does not depend on a trainable tensor (a constant h^(0)) have no adjoint and are left out.
    Batch column `column` is used; each matrix is (H, H).
    """
    if t not in _keys(h):
        raise JacobianError(f"no hidden state h^({t}); steps available: {min(_keys(h))}..{max(_keys(h))}")
    root = h[t]
    H, B = root.shape
    if not 0 <= column < B:
        raise JacobianError(f"column {column} is outside the batch of {B}; use 0..{B - 1}")
    earlier = [k for k in _keys(h) if k < t]
    rows = {k: np.zeros((H, H)) for k in earlier}
    for i in range(H):
        seed = np.zeros((H, B))
        seed[i, column] = 1.0
        adjoints = autodiff.backprop(root, seed)
        for k in earlier:
            g = adjoints.get(h[k])
            if g is not None:
                rows[k][i] = np.asarray(g)[:, column]
    return {k: rows[k] for k in earlier if h[k] in adjoints}


def _keys(h):
    return list(h.keys()) if hasattr(h, "keys") else list(range(len(h)))


def closed_form_jacobians(W: np.ndarray, h_values: np.ndarray, t: int) -> dict[int, np.ndarray]:
    """prod_{j=t..k+1} diag(1 - (h^(j))^2) W for k = 0..t-1 (the tanh recurrence, eqs. 10.8 - 10.9).

    `h_values` holds h^(0), ..., h^(tau) as rows (shape (tau + 1, H)) or as columns of
    single states (shape (tau + 1, H, 1)).
    """
    h_values = np.asarray(h_values, dtype=np.float64).reshape(len(h_values), -1)
    if not 1 <= t < len(h_values):
        raise JacobianError(f"t={t} is outside 1..{len(h_values) - 1} for {len(h_values)} states")
    out = {}
    J = np.eye(W.shape[0])
    for j in range(t, 0, -1):
        J = J @ ((1.0 - h_values[j] ** 2)[:, None] * W)
        out[j - 1] = J
    return dict(sorted(out.items()))


def finite_difference_jacobian(f: Callable, h: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences (f(h + eps e_j) - f(h - eps e_j)) / (2 eps), column j of df/dh."""
    h = np.asarray(h, dtype=np.float64).reshape(-1)
    cols = []
    for j in range(h.size):
        e = np.zeros_like(h)
        e[j] = eps
        cols.append((np.ravel(f(h + e)) - np.ravel(f(h - e))) / (2 * eps))
    return np.stack(cols, axis=1)


@dataclass(frozen=True)
class JacobianSpectrum:
    """Norms and singular values of dh^(t)/dh^(k) against the distance t - k."""

    t: int
    ks: np.ndarray               # earlier steps k, ascending
    singular_values: np.ndarray  # (len(ks), H), each row descending
    frobenius: np.ndarray        # (len(ks),)

    @property
    def spectral_norm(self) -> np.ndarray:
        """The largest singular value: how much dh^(t)/dh^(k) can stretch a gradient."""
        return self.singular_values[:, 0]

    @property
    def distance(self) -> np.ndarray:
        return self.t - self.ks


def spectrum(jacobians: Mapping[int, np.ndarray], t: int) -> JacobianSpectrum:
    """Singular values and Frobenius norms of each Jacobian in `jacobians` (k -> matrix)."""
    ks = np.array(sorted(jacobians))
    sv = np.array([np.linalg.svd(jacobians[k], compute_uv=False) for k in ks])
    fro = np.array([np.linalg.norm(jacobians[k]) for k in ks])
    return JacobianSpectrum(t=t, ks=ks, singular_values=sv, frobenius=fro)
