"""Symbolic derivation speed (issue 4): matrix form per cell, explicit form against tau.

The matrix form reads a 4-step unrolled graph once, whatever tau the equations are for.
The explicit form (H = 2, n_in = 2, K = 2, dL/dW) runs the engine's reverse mode on SymPy
values with every forward node and adjoint named once, then ``sympy.cse``: its time and its
op count grow linearly in tau. Reference from the issue: expanding the loss and calling
``sympy.diff`` takes 15 s at tau = 10 and 79 s at tau = 12 (about 95 s with cse).
"""
from __future__ import annotations

import time

from benchmarks import save
from rnn.derive import CELLS, derive_explicit, derive_matrix

TAUS = (2, 4, 8, 12, 20, 50)


def _seconds(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main():
    derive_matrix("rnn")  # imports and first-use caches, not part of any cell's figure
    print("matrix form (derivation from rnn.unroll's graph, tau = 4 unrolled)")
    print(f"{'cell':>10}  {'seconds':>8}  {'equations':>9}")
    matrix = {}
    for name in CELLS:
        seconds, d = _seconds(lambda: derive_matrix(name))
        matrix[name] = {"seconds": seconds, "equations": len(d.equations)}
        print(f"{name:>10}  {seconds:8.3f}  {len(d.equations):9d}")
    print("\nexplicit form, H = 2, n_in = 2, K = 2, dL/dW")
    print(f"{'tau':>5}  {'seconds':>8}  {'ops after cse':>13}")
    explicit = {}
    for tau in TAUS:
        seconds, r = _seconds(lambda: derive_explicit("rnn", "W", tau=tau, H=2, n_in=2, K=2))
        explicit[tau] = {"seconds": seconds, "ops_after_cse": r.ops}
        print(f"{tau:5d}  {seconds:8.3f}  {r.ops:13d}")
    print(f"saved {save('symbolic', {'matrix': matrix, 'explicit': explicit})}")


if __name__ == "__main__":
    main()
