"""Reverse mode: accumulate adjoints from a root back through the recorded graph.

Each node's adjoint is the sum, over its out-edges, of the VJP contributions: a parameter
used at every time step (the shared W of an unrolled RNN) receives one contribution per
use, which is exactly the book's sum over the dummy copies W^(t) (eqs 10.22-10.28).
"""
from __future__ import annotations

import numpy as np

from . import mode
from .errors import AnomalyError, BackwardError
from .ops import add, sum_to
from .tensor import Tensor


def toposort(root, needs_grad=False):
    """Nodes `root` depends on, inputs before outputs, in a deterministic order.

    Iterative depth-first search over the ordered inputs, so deep unrolled graphs
    (tau in the thousands) never hit Python's recursion limit.
    """
    order, seen = [], {root}
    stack = [(root, iter(root.inputs))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if child not in seen and (child.requires_grad or not needs_grad):
                seen.add(child)
                stack.append((child, iter(child.inputs)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def _seed(root, grad, create_graph):
    if grad is None:
        if root.size != 1:
            raise BackwardError(
                f"backward() on {root.display_name} of shape {root.shape} needs a seed gradient of "
                f"the same shape; reduce it to a scalar first (e.g. .sum()) or pass grad=...")
        grad = np.ones(root.shape, dtype=np.float64)
    else:
        grad = grad.value if isinstance(grad, Tensor) else np.asarray(grad)
        if grad.dtype != object:
            grad = grad.astype(np.float64, copy=False)
        if grad.shape != root.shape:
            raise BackwardError(f"seed gradient of shape {grad.shape} does not match "
                                f"{root.display_name} of shape {root.shape}")
    return Tensor(grad, role="constant", label="1") if create_graph else grad


def backprop(root, grad=None, create_graph=False, values=None):
    """Adjoints of every node `root` depends on that requires a gradient: {node: gradient}.

    With ``create_graph=True`` the adjoints are Tensors and every VJP is recorded as graph
    nodes, so the result can be differentiated again or drawn as the backward graph.
    `values` ({node: value}) replaces the recorded values, e.g. by SymPy expressions.
    """
    if not root.requires_grad:
        raise BackwardError(f"{root.display_name} does not depend on any tensor with "
                            f"requires_grad=True; mark the parameters with requires_grad=True")
    adjoints = {root: _seed(root, grad, create_graph)}
    for node in reversed(toposort(root, needs_grad=True)):
        g = adjoints[node]
        if mode.state.anomaly:
            _check_gradient(node, g)
        prim = node.prim
        if prim is None:
            continue
        if create_graph:
            args, ans = node.inputs, node
        elif values is not None:
            args, ans = [values[i] for i in node.inputs], values[node]
        else:
            args, ans = [i.value for i in node.inputs], node.value
        for k, inp in enumerate(node.inputs):
            if not inp.requires_grad:
                continue
            contribution = sum_to(prim.vjp(k)(g, ans, *args, **node.params), inp.shape)
            previous = adjoints.get(inp)
            adjoints[inp] = contribution if previous is None else add(previous, contribution)
    return adjoints


def backward(root, grad=None, create_graph=False):
    """Run reverse mode from `root` and store every node's gradient in ``node.grad``.

    Semantics of repeated calls: gradients accumulate (``node.grad += ...``), as in
    PyTorch; call ``root.zero_grad()`` (or `Graph.zero_grad`) between independent passes.
    Every node on a path to a parameter keeps its gradient (not only the leaves), so the
    graph can be drawn with gradients afterwards. With ``create_graph=True`` each node
    also gets ``grad_node``: the gradient as a Tensor whose own graph is the backward pass.
    """
    for node, g in backprop(root, grad, create_graph).items():
        if create_graph:
            if g.name is None and node.name is not None:
                g.tag(name=f"grad_{node.name}", role="gradient",
                      label=f"\\nabla_{{{node.label}}} L", **node.meta)
            node.grad_node = g if node.grad_node is None else add(node.grad_node, g)
            g = g.value
        node.grad = np.array(g, dtype=np.float64) if node.grad is None else node.grad + g


def _check_gradient(node, g):
    value = g.value if isinstance(g, Tensor) else np.asarray(g)
    if value.dtype != object and not np.all(np.isfinite(value)):
        raise AnomalyError(f"the gradient reaching {node.display_name} ({node.op or node.role}) is NaN "
                           f"or Inf: the first non-finite gradient in the backward pass")
