"""Reverse mode: accumulate adjoints from a root back through the recorded graph.

Each node's adjoint is the sum, over its out-edges, of the VJP contributions: a parameter
used at every time step (the shared W of an unrolled RNN) receives one contribution per
use, which is exactly the book's sum over the dummy copies W^(t) (eqs 10.22-10.28).
"""
from __future__ import annotations

from itertools import chain as _iter_chain, islice
from operator import attrgetter

import gc

import numpy as np

from .collector import resume, run_paused
from .errors import AnomalyError, BackwardError
from .ops import sum_to
from .mode import _anomaly
from .primitive import ProductTerm
from .tensor import Tensor


def toposort(root, needs_grad=False):
    """Nodes `root` depends on, inputs before outputs, in a deterministic order.

    Iterative depth-first search over the ordered inputs, so deep unrolled graphs
    (tau in the thousands) never hit Python's recursion limit. With `needs_grad`, only
    nodes that require a gradient (the ones reverse mode visits).
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


_creation = attrgetter("seq")
_from_iterables = _iter_chain.from_iterable


_SCALAR = np.float64
_ONE = _SCALAR(1.0)  # immutable, so every 0-d root can share it as its seed


def _seed(root, grad, create_graph):
    value = root.value
    if grad is None:
        if value.size != 1:
            raise BackwardError(
                f"backward() on {root.display_name} of shape {value.shape} needs a seed gradient of "
                f"the same shape; reduce it to a scalar first (e.g. .sum()) or pass grad=...")
        # A NumPy scalar rather than a 0-d array: the scalar arithmetic of the VJPs that
        # follow is several times cheaper on it.
        grad = np.ones(value.shape) if value.ndim else _ONE
    else:
        grad = grad.value if isinstance(grad, Tensor) else np.asarray(grad)
        if grad.dtype != object:
            grad = grad.astype(np.float64, copy=False)
        if grad.shape != value.shape:
            raise BackwardError(f"seed gradient of shape {grad.shape} does not match "
                                f"{root.display_name} of shape {value.shape}")
    return Tensor(grad, role="constant", label="1") if create_graph else grad


def backprop(root, grad=None, create_graph=False, values=None, on_adjoint=None):
    """Adjoints of every node `root` depends on that requires a gradient: {node: gradient}.

    With ``create_graph=True`` the adjoints are Tensors and every VJP is recorded as graph
    nodes, so the result can be differentiated again or drawn as the backward graph.
    `values` ({node: value}) replaces the recorded values, e.g. by SymPy expressions.
    ``on_adjoint(node, g)`` is called once per op node, the root first, when its adjoint g
    is complete; what it returns is propagated (and returned) instead: a derivation names
    grad_{h^(t)} L there, so its formula is not copied into every earlier step's (eq. 10.21).
    """
    # The pass allocates but never creates a reference cycle: the cyclic collector, which
    # would walk the whole graph again and again (`autodiff.collector`), is paused meanwhile.
    return run_paused(_backprop, root, grad, create_graph, values, on_adjoint)


def _backprop(root, grad, create_graph, values, on_adjoint):
    if not root.requires_grad:
        raise BackwardError(f"{root.display_name} does not depend on any tensor with "
                            f"requires_grad=True; mark the parameters with requires_grad=True")
    anomaly = _anomaly.get()
    if grad is None and not create_graph and root.value.ndim == 0:
        seed = _ONE  # the usual scalar loss: no checks to make
    else:
        seed = _seed(root, grad, create_graph)
    if anomaly:
        _check_gradient(None, root, seed)
    adjoints = {root: seed}
    # Inputs whose adjoint is an array this pass allocated for them alone (a sum of two
    # contributions): later contributions are added in place instead of allocating again.
    # Ownership is per node: an adjoint handed on unchanged (add's VJP) is shared.
    owned = set()
    numeric = not create_graph and values is None
    # Fused VJPs serve the plain numeric pass; recorded, symbolic and anomaly-checked passes
    # run the per-argument rules, which are the definition.
    fused_ok = numeric and not anomaly
    terms = None  # input -> ProductTerms of fused VJPs, summed once all have arrived
    joined = None  # the stacked factors those sums share (made with `terms`)
    # The op nodes a VJP runs at, outputs before inputs (leaves only receive adjoints): a
    # breadth-first search from the root, inlined (a call costs more than the search of a
    # two-node graph). A node is always created after its inputs, so sorting by creation
    # order (``seq``) makes it a topological order; two nodes found breadth-first already are.
    order = [root] if root.prim is not None else []
    seen = {root}
    for node in order:  # grows while it is walked
        for inp in node.inputs:
            if inp.prim is not None and inp.requires_grad and inp not in seen:
                seen.add(inp)
                order.append(inp)
    if len(order) > 2:
        order.sort(key=_creation, reverse=True)
    remaining = iter(order)
    chains = None  # built when the first node with a chain rule (vjp_chain) is met
    for node in remaining:
        prim = node.prim
        if terms and node in terms:
            _settle(adjoints, owned, node, terms.pop(node), joined)
        fused = prim.vjp_all
        if fused is None:
            pass
        elif not fused_ok:
            fused = None
        elif prim.vjp_chain is not None:
            if chains is None:
                chains = _Chains(order)
            done = chains.run(node, adjoints, owned, terms, joined)
            if done:
                # the chain's other nodes come next in `order`: their adjoints are final
                next(islice(remaining, done - 1, done - 1), None)
                continue
        g = adjoints[node]
        if on_adjoint is not None:
            g = adjoints[node] = on_adjoint(node, g)
        inputs = node.inputs
        params = node.params
        # Rules of one or two arguments are called with them spelled out (v0, v1): a call
        # through *args costs more than most scalar rules' arithmetic.
        arity = len(inputs)
        if numeric:
            ans = node.value
            if arity == 1:
                v0 = inputs[0].value
                args = (v0,)
            elif arity == 2:
                v0, v1 = inputs
                args = v0, v1 = v0.value, v1.value
            else:
                args = [i.value for i in inputs]
        else:
            if create_graph:
                args, ans = inputs, node
            else:
                args, ans = [values[i] for i in inputs], values[node]
            if arity == 2:
                v0, v1 = args
            elif arity == 1:
                v0 = args[0]
        if fused is not None:
            results = fused([i.requires_grad for i in inputs], g, ans, *args, **params)
        elif prim.vjp_split is not None:
            results = prim.vjp_split(g, ans, *args, **params)
        else:
            results = None
            rules = prim.vjps
            if type(rules) is not tuple:  # a function making argument k's rule on request
                rules = tuple([rules(k) if i.requires_grad else None for k, i in enumerate(inputs)])
        for k, inp in enumerate(inputs):
            if not inp.requires_grad:
                continue
            if results is None:
                try:
                    rule = rules[k]
                except IndexError:  # fewer rules than arguments: the rest have none
                    rule = None
                if rule is None:
                    raise BackwardError(f"{prim.name} has no derivative with respect to its argument {k} "
                                        f"({inp.display_name}); create that input with requires_grad=False")
                if params:
                    contribution = rule(g, ans, *args, **params)
                elif arity == 2:
                    contribution = rule(g, ans, v0, v1)
                elif arity == 1:
                    contribution = rule(g, ans, v0)
                else:
                    contribution = rule(g, ans, *args)
            else:
                contribution = results[k]
                if contribution is None:
                    continue
                if type(contribution) is ProductTerm:
                    if terms is None:
                        terms, joined = {}, {}
                    pending = terms.get(inp)
                    if pending is None:
                        terms[inp] = [contribution]
                    else:
                        pending.append(contribution)
                    continue
            try:
                wrong = contribution.shape != inp.value.shape
            except AttributeError:  # a Python number
                wrong = True
            if wrong:
                contribution = sum_to(contribution, inp.value.shape)
            if anomaly:
                _check_gradient(node, inp, contribution)
            previous = adjoints.get(inp)
            if previous is None:
                adjoints[inp] = contribution
            elif inp in owned:
                try:
                    previous += contribution
                except TypeError:  # e.g. an object-array contribution into a float buffer
                    previous = previous + contribution
                adjoints[inp] = previous
            else:
                adjoints[inp] = previous + contribution
                if numeric:
                    owned.add(inp)
    if terms:
        for node, pending in terms.items():
            _settle(adjoints, owned, node, pending, joined)
    return adjoints


class _Chains:
    """Finds the chains of nodes a primitive's `vjp_chain` back-propagates in one call.

    A chain runs from a node down through nodes next in `order` (reverse creation order),
    each the first input of the one before, with the same primitive and parameters: an
    unrolled recurrence. A node's other consumers were all created after it, so those outside
    the chain come before the chain's newest node and have already contributed their
    adjoints when it starts.
    """

    def __init__(self, order):
        self.order = order
        self.position = {node: k for k, node in enumerate(order)}
        self.single = set()  # nodes of chains that go node by node (so none is tried twice)

    def run(self, top, adjoints, owned, terms, joined):
        """Back-propagate the chain from `top`; its length, or 0 when it goes node by node."""
        if top in self.single:
            return 0
        chain = self._from(top)
        if _run_chain(chain, adjoints, owned, terms, joined):
            return len(chain)
        self.single.update(chain)
        return 0

    def _from(self, top):
        prim, params, chain = top.prim, top.params, [top]
        for node in self.order[self.position[top] + 1:]:
            if chain[-1].inputs[0] is not node or node.prim is not prim or node.params != params:
                break
            chain.append(node)
        return chain


def _run_chain(chain, adjoints, owned, terms, joined):
    """Back-propagate a whole chain with its primitive's `vjp_chain`. False, with nothing
    done, for a single node, for a node that also enters the chain other than as the next
    one's first input (its adjoint would not be complete in time), or if the rule declines."""
    if len(chain) < 2:
        return False
    if not set(chain).isdisjoint(_from_iterables(node.inputs[1:] for node in chain)):
        return False
    for node in chain:
        if terms and node in terms:
            _settle(adjoints, owned, node, terms.pop(node), joined)
    result = chain[0].prim.vjp_chain(chain, [adjoints.get(node) for node in chain])
    if result is None:
        return False
    chain_adjoints, contributions = result
    for node, g in zip(chain, chain_adjoints):
        adjoints[node] = g
    for inp, contribution in contributions:
        previous = adjoints.get(inp)
        if previous is None:
            adjoints[inp] = contribution
        elif inp in owned:
            previous += contribution
        else:
            adjoints[inp] = previous + contribution
            owned.add(inp)
    return True


def _summed(terms, joined):
    """The sum of the ProductTerms of one input as one matrix product: sum_t a_t b_t is
    [a_1 ... a_tau] [b_1; ...; b_tau] (the sum over t of eqs 10.22-10.28 as a hand-written
    BPTT forms it), or term by term when the factors do not line up. `joined` keeps each
    [a_1 ... a_tau] and [b_1; ...; b_tau] built, for the other parameters of the same steps
    (W, U and b share the first; the gates of an LSTM step share x^(t)T and h^(t-1)T)."""
    if len(terms) == 1:
        return terms[0].value()
    try:
        left = _joined([t.a for t in terms], joined)
        if terms[0].b is None and all(t.b is None for t in terms):
            return np.add.reduce(left, axis=1, keepdims=True)
        if all(t.b is not None for t in terms):
            return left @ _joined([t.b for t in terms], joined, axis=0)
    except ValueError:  # factors of different shapes cannot be joined
        pass
    total = terms[0].value()
    for t in terms[1:]:
        total = total + t.value()
    return total


def _joined(arrays, joined, axis=1):
    key = (axis, *map(id, arrays))
    found = joined.get(key)
    if found is None:
        # the arrays are kept with the result, so their ids cannot be reused meanwhile
        found = joined[key] = (arrays, np.concatenate(arrays, axis=axis))
    return found[1]


def _settle(adjoints, owned, node, terms, joined):
    """Add the deferred ProductTerms of `node` to its adjoint (a new array, owned by it)."""
    total = _summed(terms, joined)
    previous = adjoints.get(node)
    if previous is not None:
        total += previous
    adjoints[node] = total
    owned.add(node)


def backward(root, grad=None, create_graph=False):
    """Run reverse mode from `root` and store every node's gradient in ``node.grad``.

    Semantics of repeated calls: gradients accumulate (``node.grad + g``), as in
    PyTorch; call ``root.zero_grad()`` (or `Graph.zero_grad`) between independent passes.
    Every node on a path to a parameter keeps its gradient (not only the leaves), so the
    graph can be drawn with gradients afterwards. With ``create_graph=True`` each node
    also gets ``grad_node``: the gradient as a Tensor whose own graph is the backward pass.
    """
    # No collection while the graph is swept (see backprop); `collector.run_paused` inlined,
    # since on a small graph the pass itself takes only a few microseconds.
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        _store(root, _backprop(root, grad, create_graph, None, None), create_graph)
    finally:
        if enabled:
            resume()


def _store(root, adjoints, create_graph):
    """Put each adjoint in its node's ``grad`` (and ``grad_node`` with `create_graph`)."""
    if create_graph:
        for node, g in adjoints.items():
            if g.name is None and node.name is not None:
                g.tag(name=f"grad_{node.name}", role="gradient",
                      label=f"\\nabla_{{{node.label}}} L", **node.meta)
            node.grad_node = g if node.grad_node is None else node.grad_node + g
        adjoints = {node: np.array(g.value) for node, g in adjoints.items()}  # not the backward graph's values
    # A parameter's stored gradient must not share memory with another node's: optimisers
    # scale it in place. But a VJP may hand one array to several inputs (add does) or a
    # view of one (reshape). So leaves are stored first: an array that owns its data as it
    # is the first time it is met, anything else (a view, a repeat, the seed) copied. An
    # intermediate node whose gradient is an array already kept by another intermediate
    # node stores a read-only view of it rather than a copy: the op-level graph keeps every
    # node's gradient, and these repeats were a sizeable part of its memory.
    # A gradient added to an earlier one is a new array, and a NumPy scalar cannot be
    # aliased: only an intermediate node's first array gradient waits for the leaves.
    # `private`: arrays a parameter (or the caller, for the seed) may change in place; made
    # when the first array is met (a graph of scalars never needs it).
    private = None
    intermediates = []
    for node, g in adjoints.items():
        if node.grad is not None:
            node.grad = node.grad + g
        elif node.prim is not None:
            if type(g) is _SCALAR:  # immutable, like the 0-d values: nothing can alias it
                node.grad = g
            else:
                intermediates.append((node, g))
        elif type(g) is not np.ndarray:  # a NumPy scalar: nothing to alias, just box it
            node.grad = np.array(g)
        else:
            if private is None:
                private = {id(adjoints[root])}
            if g.base is None and id(g) not in private:
                node.grad = g
            else:
                node.grad = g = np.array(g)
            private.add(id(g))
    if not intermediates:  # every gradient settled above (scalars, sums, leaves)
        return
    if private is None:
        private = {id(adjoints[root])}
    kept = set()
    for node, g in intermediates:
        if type(g) is not np.ndarray or id(g) in private or id(g.base) in private:
            node.grad = np.array(g)
        elif g.base is None and id(g) not in kept:
            kept.add(id(g))
            node.grad = g
        elif not g.flags.writeable:  # already a read-only view (a chain rule's rows)
            node.grad = g
        else:
            node.grad = g.view()
            node.grad.flags.writeable = False


def _check_gradient(source, target, g):
    """Raise if the gradient flowing from `source` (None: the seed) to `target` is NaN or Inf."""
    value = g.value if isinstance(g, Tensor) else np.asarray(g)
    if value.dtype == object or np.all(np.isfinite(value)):
        return
    if source is None:
        raise AnomalyError(f"the seed gradient of {target.display_name} is NaN or Inf; pass a finite grad=...")
    raise AnomalyError(f"the gradient flowing from {source.display_name} ({source.op}) to {target.display_name} "
                       f"is NaN or Inf: the first non-finite gradient in the backward pass; check the "
                       f"values of {source.display_name}'s inputs where its derivative is undefined")
