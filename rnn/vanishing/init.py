"""Recurrent weight matrices with a chosen spectral radius (book 8.2.5, 10.7, 10.8).

The spectral radius rho(W) = max |lambda_i| decides the linear case exactly (eq. 10.39:
components scale as lambda^t). A scaled orthogonal matrix r Q has every eigenvalue and
every singular value of modulus r, so r < 1, r = 1, r > 1 are clean vanishing, neutral
and exploding settings; a Gaussian matrix rescaled to radius r (the echo-state recipe of
section 10.8) keeps a spread of singular values, some above r.
"""
from __future__ import annotations

import numpy as np

from autodiff.errors import GradbookError

INITS = ("orthogonal", "random")


class InitError(GradbookError):
    """An initialisation name, radius or size that cannot be used."""


def spectral_radius(W: np.ndarray) -> float:
    """rho(W) = max_i |lambda_i(W)|."""
    return float(np.max(np.abs(np.linalg.eigvals(np.asarray(W, dtype=np.float64)))))


def scaled_orthogonal(n: int, radius: float, seed: int = 0) -> np.ndarray:
    """radius * Q with Q a seeded random orthogonal matrix: all |lambda| = all sigma = radius."""
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.normal(size=(n, n)))
    return radius * q * np.sign(np.diag(r))


def scaled_random(n: int, radius: float, seed: int = 0) -> np.ndarray:
    """A seeded Gaussian matrix rescaled so that its spectral radius is `radius` (section 10.8)."""
    G = np.random.default_rng(seed).normal(size=(n, n))
    return G * (radius / spectral_radius(G))


def recurrent_matrix(n: int, radius: float, init: str = "orthogonal", seed: int = 0) -> np.ndarray:
    """An n x n recurrent matrix of spectral radius `radius`, by `init` ('orthogonal' or 'random')."""
    if init not in INITS:
        raise InitError(f"init={init!r} is unknown; use 'orthogonal' (scaled Q) or 'random' (rescaled Gaussian)")
    if not radius >= 0:
        raise InitError(f"radius={radius!r} must be a non-negative number")
    if n < 1:
        raise InitError(f"a recurrent matrix needs n >= 1; got n={n}")
    return (scaled_orthogonal if init == "orthogonal" else scaled_random)(n, radius, seed)


def recurrent_names(model) -> list[str]:
    """The hidden-to-hidden matrices of `model`: parameters named W... of shape (H, H)."""
    H = model.hidden
    return [name for name, p in model.params.items()
            if name.split(".")[-1].startswith("W") and p.shape == (H, H)]


def set_radius(model, radius: float, init: str = "orthogonal", seed: int = 0) -> list[str]:
    """Overwrite every hidden-to-hidden matrix of `model` with one of spectral radius `radius`.

    Each matrix gets its own seed (seed, seed + 1, ...). Returns the names set.
    """
    names = recurrent_names(model)
    if not names:
        raise InitError(f"{type(model).__name__} has no (H, H) matrix named W...; nothing to rescale")
    for k, name in enumerate(names):
        model.params[name].value[...] = recurrent_matrix(model.hidden, radius, init, seed + k)
    return names
