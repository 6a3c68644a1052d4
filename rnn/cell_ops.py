"""Cell-level primitives: one graph node per time step instead of one per arithmetic op.

Registered in the engine's single registry like any op, each with its NumPy forward, its
SymPy forward, its VJPs and its JVP:

* ``rnn_step(h_prev, x, W, U, b) -> h``: eqs 10.8-10.9 in one node,
  h^(t) = tanh(b + W h^(t-1) + U x^(t)). Its VJPs are the book's BPTT step: with
  grad_a = diag(1 - (h^(t))^2) grad_{h^(t)} L, the gradient passed to h^(t-1) is W^T grad_a
  (eq. 10.21) and the step's contributions to W, U, b are grad_a h^(t-1)T, grad_a x^(t)T and
  grad_a (eqs 10.23-10.28, the dummy copies W^(t)).
* ``rnn_outputs(V, c, h_1, ..., h_tau) -> O``: o^(t) = c + V h^(t) (eq. 10.10) for all steps
  at once, stacked on a leading time axis; VJPs sum_t grad_o^(t) h^(t)T (eq. 10.24),
  sum_t grad_o^(t) (eq. 10.22) and V^T grad_o^(t) for each h^(t) (the second term of eq. 10.21).
* ``rnn_nll(O, Y) -> L``: sum_t L^(t), L^(t) = -sum_batch log softmax(o^(t))[y^(t)]
  (eqs 10.11-10.14); VJP softmax(o^(t)) - onehot(y^(t)) (eq. 10.18).

The VJPs are written with array operators, so called on Tensors (``create_graph=True``) they
record primitives and can be differentiated again; called on arrays they are plain NumPy.
``rnn_step`` and ``rnn_outputs`` also declare their VJPs fused (``vjp_all``) for the numeric
backward pass: grad_a once per step, and the parameter terms summed over t in one product
each, as the hand-written BPTT of `rnn.bptt` does; ``rnn_step`` also declares a chain rule
(``vjp_chain``), so a whole unrolled recurrence is back-propagated in one loop over t, as that
hand-written BPTT runs it. `rnn_steps` records the h^(t) nodes with U x^(t) + b formed for
all t at once.
"""
from __future__ import annotations

from operator import attrgetter, is_, itemgetter

import numpy as np

import autodiff as ad
from autodiff.tensor import from_op
from autodiff.mode import state as _state
from autodiff.primitive import Primitive, ProductTerm, Saved, register

from .bptt import sum_over_steps


def _sympy_elementwise(name, values):
    # SymPy is imported on first symbolic use only: it costs ~0.4 s and ~35 MB, and the
    # numeric graphs (training, benchmarks) never need it.
    import sympy
    return np.asarray(np.frompyfunc(getattr(sympy, name), 1, 1)(values), dtype=object)


# ----- one recurrent step -------------------------------------------------------------------

def _step_forward(h_prev, x, W, U, b):
    """h^(t) = tanh(b + W h^(t-1) + U x^(t)) (eqs 10.8-10.9)."""
    a = W @ h_prev
    a += U @ x
    a += b
    return np.tanh(a, out=a)


def _step_sym(h_prev, x, W, U, b):
    return _sympy_elementwise("tanh", b + W @ h_prev + U @ x)


_memo = [None, None, None]  # gradient, output, grad_a of the node last asked


def _grad_a(g, ans):
    """grad_a = diag(1 - (h^(t))^2) grad_{h^(t)} L, computed once per node for its four VJPs.

    The backward pass calls a node's VJPs one after the other with the same gradient and
    output objects, so a one-entry cache keyed on their identity (references are held, so
    identities cannot be reused) saves recomputing it for W, U and b.
    """
    if g is not _memo[0] or ans is not _memo[1]:
        _memo[0], _memo[1], _memo[2] = g, ans, g * (1 - ans * ans)
    return _memo[2]


def _row_sums(a):
    """sum over the batch columns, kept as a column (the bias gradient of eqs 10.22-10.23)."""
    if type(a) is np.ndarray and a.dtype != object:
        return np.add.reduce(a, axis=1, keepdims=True)
    return a.sum(axis=1, keepdims=True)


def _step_jvp(d, ans, h_prev, x, W, U, b):
    dh, dx, dW, dU, db = d
    return (1 - ans * ans) * (dW @ h_prev + W @ dh + dU @ x + U @ dx + db)


def _step_vjp_all(needs, g, ans, h_prev, x, W, U, b):
    """The five VJPs of a step from one grad_a: W^T grad_a for h^(t-1) (eq. 10.21), and the
    step's terms grad_a h^(t-1)T, grad_a x^(t)T, grad_a of W, U, b (eqs 10.23-10.28), left
    for the backward pass to sum over t in one contraction each."""
    grad_a = ans * ans
    np.subtract(1.0, grad_a, out=grad_a)
    grad_a *= g
    return (W.T @ grad_a if needs[0] else None,
            U.T @ grad_a if needs[1] else None,
            ProductTerm(grad_a, h_prev.T) if needs[2] else None,
            ProductTerm(grad_a, x.T) if needs[3] else None,
            ProductTerm(grad_a) if needs[4] else None)


class _Rows:
    """Arrays known to be the last rows of one stacked array, for consumers that are handed
    them one by one: `rnn_steps` writes the states h^(t) as rows of one (tau + 1, H, B)
    array (as `rnn.bptt` keeps them) and reads the inputs x^(t) as rows of one array, and
    the output layer's VJP forms V^T grad_o^(t) for all t in one product; `rnn_outputs` and
    the chain rule would otherwise stack the tau rows again (2 MB per stack on the long
    benchmark). An entry is found from the newest row (a `Saved` entry, gone with that
    array) and used only when every array given is the very one remembered for its row
    (identity, one C loop); any other arrays are stacked as before.
    """

    __slots__ = ("_saved",)

    def __init__(self):
        self._saved = Saved()

    def remember(self, stack, rows):
        """Note that `rows` (oldest first) are the last ``len(rows)`` rows of `stack`."""
        if rows:
            self._saved.put(rows[-1], (stack, rows[:-1]))

    def stack(self, rows):
        """The array whose last rows are exactly `rows` (oldest first), or None."""
        entry = self._saved.get(rows[-1]) if len(rows) else None
        if entry is not None:
            stack, earlier = entry
            if len(rows) == len(earlier) + 1 and all(map(is_, rows, earlier)):
                return stack
        return None


_state_rows, _input_rows, _gradient_rows = _Rows(), _Rows(), _Rows()


class _Columns:
    """The states h^(0), ..., h^(tau) of one `rnn_steps` array as one (H, (tau + 1) B) matrix,
    the steps' columns side by side: the right factor of V's sum over t (eq. 10.24, the
    columns of h^(1..tau)) and of W's (eq. 10.26, those of h^(0..tau-1)), transposed once per
    pass instead of once for each. Kept for the last states array asked (by identity)."""

    __slots__ = ("states", "columns")

    def __init__(self):
        self.states = self.columns = None

    def of(self, states):
        if states is not self.states:
            self.states, self.columns = states, _by_columns(states)
        return self.columns


_columns = _Columns()


# attribute and item getters: the chain rule reads them off every step (C loops, not Python ones)
_INPUTS, _VALUE, _REQUIRES_GRAD = attrgetter("inputs"), attrgetter("value"), attrgetter("requires_grad")
_X, _SHARED = itemgetter(1), itemgetter(2, 3, 4)


def _by_columns(a):
    """(tau, m, B) -> (m, tau B): the steps' columns side by side, one matrix for a sum over t."""
    return a.transpose(1, 0, 2).reshape(a.shape[1], -1)


def _step_vjp_chain(nodes, gs):
    """Back-propagation through time along a chain h^(tau), ..., h^(1) of steps (newest first)
    sharing W, U and b, as the hand-written BPTT runs it (`rnn.bptt.bptt`):

    grad_{h^(t-1)} L = W^T diag(1 - (h^(t))^2) grad_{h^(t)} L + (what h^(t-1) gets from
    outside the chain, e.g. V^T grad_{o^(t-1)} L), eq. 10.21, one step at a time; then the
    sums over t of the dummy copies W^(t), U^(t), b^(t) (eqs 10.23, 10.26, 10.28) in one
    contraction each. Declines (None) when the steps do not share W, U and b.
    """
    inputs = list(map(_INPUTS, nodes))
    if len(set(map(_SHARED, inputs))) != 1:
        return None
    W, U, b = inputs[0][2:]
    h0 = inputs[-1][0]
    if any(g is None for g in gs):
        zero = np.zeros(nodes[0].value.shape)
        gs = [zero if g is None else g for g in gs]
    tau = len(nodes)
    handed = _gradient_rows.stack(gs[::-1])
    if handed is not None:  # the output layer's V^T grad_o, made for this pass: add into it
        grad_h = handed[-tau:][::-1]
    else:
        grad_h = np.array(gs)  # a new array: the recurrence below adds into it
    values = list(map(_VALUE, nodes))
    recorded = _state_rows.stack(values[::-1])
    if recorded is not None and len(recorded) == tau + 1 and np.array_equal(recorded[0], h0.value):
        states = recorded[::-1]  # h^(tau), ..., h^(1), h^(0): the forward's own array
    else:
        recorded = None
        states = np.array([*values, h0.value])
    grad_a = states[:-1] * states[:-1]
    np.subtract(1.0, grad_a, out=grad_a)
    WT = W.value.T
    last = len(nodes) - 1
    for i in range(last):
        grad_a[i] *= grad_h[i]
        grad_h[i + 1] += WT @ grad_a[i]
    grad_a[last] *= grad_h[last]
    contributions = []
    if h0.requires_grad:
        contributions.append((h0, WT @ grad_a[last]))
    # The sums over t of eqs 10.23, 10.26, 10.28 as `rnn.bptt.sum_over_steps` forms them,
    # sum_t grad_a^(t) v^(t)T = [grad_a^(1) ... grad_a^(tau)] [v^(1) ... v^(tau)]^T, with the
    # (H, tau B) copy of grad_a made once for W, U and b instead of once each, and the
    # states' copy shared with V's sum (`_Columns`).
    flat = _by_columns(grad_a[::-1])  # in time order
    if W.requires_grad:
        if recorded is not None:
            previous = _columns.of(recorded)[:, :-recorded.shape[2]]  # h^(0), ..., h^(tau-1)
        else:
            previous = _by_columns(states[:0:-1])
        contributions.append((W, flat @ previous.T))
    xs = list(map(_X, inputs))
    if U.requires_grad:
        x_values = list(map(_VALUE, xs))
        stacked = _input_rows.stack(x_values[::-1])
        stacked = np.array(x_values[::-1]) if stacked is None else stacked[-tau:]
        contributions.append((U, flat @ _by_columns(stacked).T))
    if b.requires_grad:
        contributions.append((b, np.add.reduce(flat, axis=1, keepdims=True)))
    if any(map(_REQUIRES_GRAD, xs)):
        grad_x = np.matmul(U.value.T, grad_a)
        contributions += [(x, grad_x[i]) for i, x in enumerate(xs) if x.requires_grad]
    grad_h.flags.writeable = False  # each step's row is its stored gradient, a read-only view
    return list(grad_h), contributions


rnn_step = register(Primitive(
    "rnn_step", _step_forward, sym=_step_sym, symbol="RNN step", vjp_all=_step_vjp_all,
    vjp_chain=_step_vjp_chain,
    vjps=(lambda g, ans, h_prev, x, W, U, b: W.T @ _grad_a(g, ans),
          lambda g, ans, h_prev, x, W, U, b: U.T @ _grad_a(g, ans),
          lambda g, ans, h_prev, x, W, U, b: _grad_a(g, ans) @ h_prev.T,
          lambda g, ans, h_prev, x, W, U, b: _grad_a(g, ans) @ x.T,
          lambda g, ans, h_prev, x, W, U, b: _row_sums(_grad_a(g, ans))),
    jvp=_step_jvp,
    doc="h^(t) = tanh(b + W h^(t-1) + U x^(t)), eqs 10.8-10.9, as one node; VJPs eqs 10.21-10.28."))


def rnn_steps(h0, xs, W, U, b, stacked=None):
    """The nodes h^(1), ..., h^(tau) of `rnn_step` over the inputs `xs` (Tensors x^(t)).

    Each node is the one ``rnn_step(h^(t-1), x^(t), W, U, b)`` records; its value is computed
    as `rnn.bptt` does it: U x^(t) + b for all t in one product first (`stacked`: the x^(t)
    values as one (tau, n_in, B) array, when the caller has it), and each h^(t) written into
    one (tau + 1, H, B) array of the states, whose row t is the node's value (`_Rows`).
    Symbolic values and anomaly detection take the primitive step by step.
    """
    if _state.symbolic or _state.anomaly or not all(isinstance(p, ad.Tensor) for p in (h0, W, U, b)):
        hs, h = [], h0
        for x in xs:
            h = rnn_step(h, x, W, U, b)
            hs.append(h)
        return hs
    if stacked is None:
        stacked = np.array([x.value for x in xs])
    z = np.matmul(U.value, stacked)
    z += b.value
    first = h0.value
    if first.shape != z.shape[1:]:  # an h^(0) that broadcasts: one new array per step
        Wv, h, hs = W.value, h0, []
        for x, z_t in zip(xs, z):
            a = Wv @ h.value
            a += z_t
            h = from_op(rnn_step, np.tanh(a, out=a), (h, x, W, U, b), {})
            hs.append(h)
        return hs
    states = np.empty((len(z) + 1, *z.shape[1:]))
    states[0] = first
    Wv, h, hs, value = W.value, h0, [], first
    for t, (x, z_t) in enumerate(zip(xs, z), start=1):
        z_t += Wv @ value
        value = np.tanh(z_t, out=states[t])
        h = from_op(rnn_step, value, (h, x, W, U, b), {})
        hs.append(h)
    _state_rows.remember(states, [h.value for h in hs])
    _input_rows.remember(stacked, [x.value for x in xs])
    return hs


# ----- the output layer over all steps ------------------------------------------------------------

class _LastStack:
    """The states h^(1..tau) as one (tau, H, B) array, kept from the last forward of
    `rnn_outputs` (keyed on its output) so that the V gradient does not stack them again."""

    __slots__ = ("out", "stacked", "states")

    def __init__(self):
        self.out = self.stacked = self.states = None

    def get(self, ans, hs):
        return self.stacked if ans is self.out else np.array(hs)

    def recorded(self, ans, hs):
        """The whole `rnn_steps` array h^(0..tau) if `hs` were h^(1..tau) of it, else None."""
        if ans is self.out and self.states is not None and len(self.states) == len(hs) + 1:
            return self.states
        return None


_last_stack = _LastStack()


def _outputs_forward(V, c, *hs):
    """O[t] = c + V h^(t) for every t (eq. 10.10), stacked: O is (tau, K, B)."""
    states = _state_rows.stack(hs)
    stacked = np.array(hs) if states is None else states[-len(hs):]
    out = np.matmul(V, stacked)
    out += c
    _last_stack.out, _last_stack.stacked, _last_stack.states = out, stacked, states
    return out


def _outputs_sym(V, c, *hs):
    return np.stack([c + V @ h for h in hs])


class _OutputVJPs:
    """The VJPs of `rnn_outputs`, one per argument: V, c, then every h^(t).

    grad_V = sum_t grad_o^(t) h^(t)T (eq. 10.24), grad_c = sum_t grad_o^(t) (eq. 10.22) and
    grad_{h^(t)} receives V^T grad_o^(t) (the output term of eq. 10.21). The V^T grad_o
    products are formed for all t in one matmul, once per backward pass (cached on the
    identity of the incoming gradient), and each h^(t) takes its slice.
    """

    def __init__(self):
        self._fns = {0: self._grad_V, 1: self._grad_c}
        self._g = self._VT = self._value = None

    def __call__(self, argnum):
        fn = self._fns.get(argnum)
        if fn is None:
            fn = self._fns[argnum] = self._grad_h(argnum - 2)
        return fn

    @staticmethod
    def _grad_V(g, ans, V, c, *hs):
        if isinstance(g, np.ndarray) and g.dtype != object:
            states = _last_stack.recorded(ans, hs)
            if states is not None:  # h^(1..tau)'s columns of the matrix W's sum reads too
                return _by_columns(g) @ _columns.of(states)[:, states.shape[2]:].T
            return sum_over_steps(g, _last_stack.get(ans, hs))
        return ad.sum(ad.matmul(g, ad.transpose(ad.stack(*hs), axes=(0, 2, 1))), axis=0)

    @staticmethod
    def _grad_c(g, ans, V, c, *hs):
        return ad.sum(g, axis=(0, 2), keepdims=True)[0]

    def _all_h(self, g, V):
        if g is not self._g or V is not self._VT:
            self._g, self._VT, self._value = g, V, ad.matmul(V.T, g)
        return self._value

    def _grad_h(self, t):
        return lambda g, ans, V, c, *hs: self._all_h(g, V)[t]

    def all(self, needs, g, ans, V, c, *hs):
        """Every argument's VJP in one call: grad_V, grad_c, then V^T grad_o^(t) for each h^(t)."""
        grad_h = []
        if any(needs[2:]):
            stacked = V.T @ g
            grad_h = list(stacked)
            _gradient_rows.remember(stacked, grad_h)
        return (self._grad_V(g, ans, V, c, *hs) if needs[0] else None,
                sum_over_steps(g) if needs[1] else None, *grad_h)


def _outputs_jvp(d, ans, V, c, *hs):
    dV, dc, dhs = d[0], d[1], d[2:]
    return ad.stack(*[dV @ h + V @ dh + dc for h, dh in zip(hs, dhs)])


_output_vjps = _OutputVJPs()

rnn_outputs = register(Primitive(
    "rnn_outputs", _outputs_forward, sym=_outputs_sym, symbol="c + V h",
    vjps=_output_vjps, vjp_all=_output_vjps.all, jvp=_outputs_jvp,
    doc="o^(t) = c + V h^(t) for all t at once (eq. 10.10), stacked over t; VJPs eqs 10.21, 10.24, 10.22."))


# ----- the loss over all steps ----------------------------------------------------------------------

def _log_softmax(O):
    shifted = O - O.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _picked(A, Y):
    """A[t, y^(t), b] for every step t and sequence b: the entries of the targets."""
    tau, _, B = A.shape
    return np.arange(tau)[:, None], np.asarray(Y), np.arange(B)[None, :]


_last_logp = [None, None]  # O and log softmax(O) of the last forward, for its VJP


def _nll_forward(O, Y):
    """sum_t -sum_batch log softmax(o^(t))[y^(t)] (eqs 10.11-10.14); O (tau, K, B), Y (tau, B)."""
    logp = _log_softmax(O)
    _last_logp[0], _last_logp[1] = O, logp
    return -logp[_picked(logp, Y)].sum()


def _nll_sym(O, Y):
    e = _sympy_elementwise("exp", O)
    logp = O - _sympy_elementwise("log", e.sum(axis=1, keepdims=True))
    return -np.take_along_axis(logp, np.asarray(Y)[:, None, :], axis=1).sum()


def _onehot(Y, K):
    """onehot(y^(t)) for every t, shape (tau, K, B): the 1[i = y^(t)] of eq. 10.18."""
    return ad.one_hot(np.asarray(Y.value if isinstance(Y, ad.Tensor) else Y), K, axis=1)


def _nll_vjp(g, ans, O, Y):
    if isinstance(O, np.ndarray) and O.dtype != object:
        # the same numbers as below, without building the one-hot array
        grad = np.exp(_last_logp[1] if O is _last_logp[0] else _log_softmax(O))
        grad[_picked(grad, Y)] -= 1.0
        if not (type(g) is np.float64 and g == 1.0):  # the seed of L itself needs no scaling
            grad *= g
        return grad
    return g * (ad.softmax(O, axis=1) - _onehot(Y, O.shape[1]))


rnn_nll = register(Primitive(
    "rnn_nll", _nll_forward, sym=_nll_sym, symbol="NLL",
    vjps=(_nll_vjp, None),
    jvp=lambda d, ans, O, Y: ad.sum((ad.softmax(O, axis=1) - _onehot(Y, O.shape[1])) * d[0]),
    doc="L = sum_t L^(t), the negative log-likelihood of eqs 10.12-10.14; VJP eq. 10.18."))
