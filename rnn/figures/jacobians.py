"""Local Jacobians of figure edges, in book notation, read off the engine's op-level path.

An edge A -> B of a figure stands for a chain of primitives. Its transposed Jacobian
(dB/dA)^T, the factor that carries grad_B L back to A, is the product of each op's
transposed Jacobian in forward order: for h^(t) -> h^(t+1) the path is matmul(W, .), add,
tanh, giving W^T diag(1 - (h^(t+1))^2), the factor of eq. 10.21. Each rule below is the
book-notation reading of the primitive's VJP in `autodiff.ops`. Labels are drawn, not typeset,
so a subtraction is written with the minus sign itself (U+2212), spaced as the book prints it.
"""
from __future__ import annotations

from rnn.names import with_superscript

MINUS = "\u2212"


def _label(node):
    return node.label if node.name is not None else None


def _factor(step, following):
    node, k = step
    op = node.op
    out = _label(node)
    if op in ("add", "sum", "reshape", "broadcast_to", "expand_dims") or (op == "sub" and k == 0):
        return None
    if op in ("neg",) or (op == "sub" and k == 1):
        return "-"
    if op == "matmul":
        other = node.inputs[1 - k]
        name = other.label if other.name is not None else r"\mathbf{M}"
        return with_superscript(name, r"\top")  # W^{s} transposed is W^{s\top}, never W^{s}^\top
    if op == "mul":
        other = node.inputs[1 - k]
        if other.size == 1 or other.role == "constant":
            return other.label if other.name is not None else None
        name = other.label if other.name is not None else r"\cdot"
        return rf"\operatorname{{diag}}({name})"
    if op == "tanh":
        y = out or r"\tanh"
        return rf"\operatorname{{diag}}(1 {MINUS} ({y})^2)"
    if op == "sigmoid":
        y = out or r"\sigma"
        return rf"\operatorname{{diag}}({y}\odot(1 {MINUS} {y}))"
    if op == "relu":
        return r"\operatorname{diag}(\mathbf{1}[\cdot>0])"
    return rf"\mathbf{{J}}_{{\mathrm{{{op}}}}}^\top"


def transposed_jacobian(path):
    """(dB/dA)^T along an op-level path from A to B, as a LaTeX product (eq. 10.21's factors).

    A log-softmax feeding a negative log-likelihood is read as one step, whose gradient is
    yhat^(t) - 1_{y^(t)} (eq. 10.18).
    """
    factors, k = [], 0
    while k < len(path):
        node, _ = path[k]
        if node.op == "log_softmax" and k + 1 < len(path) and path[k + 1][0].op == "nll":
            t = path[k + 1][0].meta.get("t")
            sup = f"^{{({t})}}" if t is not None else ""
            factors.append(rf"(\hat{{\mathbf{{y}}}}{sup} {MINUS} \mathbf{{1}}_{{y{sup}}})")
            k += 2
            continue
        factor = _factor(path[k], path[k + 1:])
        if factor:
            factors.append(factor)
        k += 1
    sign = factors.count("-") % 2
    factors = [f for f in factors if f != "-"]
    body = r"\,".join(factors) if factors else r"\mathbf{I}"
    return (MINUS if sign else "") + body


def gradient_label(label):
    """grad_{label} L, the book's name for the gradient at a node (eqs 10.18-10.21)."""
    return rf"\nabla_{{{label}}}L"
