"""`gradcheck`: the engine's gradients against central finite differences in float64."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .functional import gradients
from .tensor import Tensor


@dataclass(frozen=True)
class InputReport:
    """Agreement for one input: worst absolute and relative error over its entries."""
    name: str
    shape: tuple
    max_abs_error: float
    max_rel_error: float
    ok: bool


@dataclass(frozen=True)
class GradcheckReport:
    inputs: tuple
    atol: float
    rtol: float

    @property
    def ok(self):
        return all(r.ok for r in self.inputs)

    def __bool__(self):
        return self.ok

    def __str__(self):
        lines = [f"{'input':<12} {'shape':<12} {'max abs err':>12} {'max rel err':>12}  ok"]
        for r in self.inputs:
            lines.append(f"{r.name:<12} {str(r.shape):<12} {r.max_abs_error:12.3e} {r.max_rel_error:12.3e}  "
                         f"{'yes' if r.ok else 'NO'}")
        return "\n".join(lines)


def numerical_gradient(f, args, k, eps=1e-6):
    """Central differences (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) for argument k."""
    base = [np.array(a, dtype=np.float64) for a in args]
    x = base[k]
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = float(np.sum(_value(f(*base))))
        x[i] = old - eps
        minus = float(np.sum(_value(f(*base))))
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def _value(out):
    return out.value if isinstance(out, Tensor) else out


def gradcheck(f, inputs, names=None, eps=1e-6, atol=1e-6, rtol=1e-5):
    """Compare reverse-mode gradients of ``sum(f(*inputs))`` with central differences.

    Returns a `GradcheckReport` (truthy when every input agrees within ``atol + rtol|g|``),
    with the worst absolute and relative error per input.
    """
    arrays = [np.asarray(a.value if isinstance(a, Tensor) else a, dtype=np.float64) for a in inputs]
    names = names or [getattr(a, "name", None) or f"arg{k}" for k, a in enumerate(inputs)]
    leaves = [Tensor(a, name=n, requires_grad=True) for a, n in zip(arrays, names)]
    out = f(*leaves)
    root = out.sum() if out.size != 1 else out
    analytic = gradients(root, leaves)
    reports = []
    for k, (name, a) in enumerate(zip(names, arrays)):
        numeric = numerical_gradient(f, arrays, k, eps)
        err = np.abs(analytic[k] - numeric)
        rel = err / np.maximum(np.abs(numeric), 1e-12)
        ok = bool(np.all(err <= atol + rtol * np.abs(numeric)))
        reports.append(InputReport(name, a.shape, float(err.max(initial=0.0)),
                                   float(np.where(err > 0, rel, 0).max(initial=0.0)), ok))
    return GradcheckReport(tuple(reports), atol, rtol)
