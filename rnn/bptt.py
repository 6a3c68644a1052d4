"""Hand-written back-propagation through time for the book's recurrent networks, in NumPy.

No autodiff engine is used here: every gradient is written out from the Deep Learning book,
section 10.2.2 (eqs. 10.8 - 10.28, with the corrected eq. 10.21). The module is both a
reference that the engine is tested against and the speed baseline for the benchmarks.

Shape convention (column vectors, a batch of B sequences stacked as columns):
x is (tau, n_in, B), integer targets y are (tau, B), h^(t) is (H, B), o^(t) is (K, B),
U (H, n_in), W (H, H), V (K, H), b (H, 1), c (K, 1).

With a batch, ``diag(v) M`` for a column v and a matrix M is computed as the elementwise
product ``v * M`` (broadcast over the batch columns): it is the same number, without ever
building the diagonal matrix.

Three network shapes from chapter 10 are covered:

* the hidden-to-hidden recurrence of Fig. 10.3 (:func:`forward`, :func:`bptt`,
  :func:`truncated_bptt`);
* the output-to-hidden recurrence of Fig. 10.4 (:func:`output_recurrence_forward`,
  :func:`output_recurrence_bptt`);
* the sequence-to-one network of Fig. 10.5 (:func:`seq_to_one_forward`,
  :func:`seq_to_one_bptt`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from autodiff.errors import GradbookError

PARAMETER_NAMES = ("U", "W", "V", "b", "c")


class BPTTShapeError(GradbookError):
    """An input, target or parameter has a shape that does not fit the network."""


@dataclass
class RNNParams:
    """The shared parameters w = {U, W, V, b, c} of eqs. 10.8 - 10.11.

    For the hidden recurrence W is (H, H); for the output recurrence of Fig. 10.4 W is (H, K).
    """

    U: np.ndarray
    W: np.ndarray
    V: np.ndarray
    b: np.ndarray
    c: np.ndarray

    @classmethod
    def init(cls, n_in: int, H: int, K: int, seed: int = 0, scale: float = 0.1,
             recurrence: str = "hidden") -> "RNNParams":
        """Draw U, W, V from N(0, scale^2) with a seeded generator; b and c start at zero.

        ``recurrence='output'`` gives W the (H, K) shape of the Fig. 10.4 network.
        """
        if recurrence not in ("hidden", "output"):
            raise BPTTShapeError(f"recurrence={recurrence!r} is unknown; use 'hidden' or 'output'")
        rng = np.random.default_rng(seed)
        w_cols = H if recurrence == "hidden" else K
        return cls(U=rng.normal(0.0, scale, (H, n_in)),
                   W=rng.normal(0.0, scale, (H, w_cols)),
                   V=rng.normal(0.0, scale, (K, H)),
                   b=np.zeros((H, 1)),
                   c=np.zeros((K, 1)))

    def as_dict(self) -> dict[str, np.ndarray]:
        """The parameters by their book names, in the order U, W, V, b, c."""
        return {name: getattr(self, name) for name in PARAMETER_NAMES}

    def copy(self) -> "RNNParams":
        """An independent copy (arrays are copied)."""
        return RNNParams(**{name: value.copy() for name, value in self.as_dict().items()})

    @property
    def sizes(self) -> tuple[int, int, int]:
        """(n_in, H, K): input size, number of hidden units, number of classes."""
        return self.U.shape[1], self.U.shape[0], self.V.shape[0]


@dataclass
class ForwardCache:
    """Everything the forward pass of eqs. 10.8 - 10.11 computed, stacked over time.

    ``a``, ``o`` and ``log_yhat`` are (tau, ., B); ``h`` is (tau + 1, H, B) and ``h[0]`` is
    h^(0), so ``h[t]`` is h^(t). For the sequence-to-one network ``o`` and ``log_yhat`` hold
    the single output o^(tau), shape (K, B).
    """

    x: np.ndarray
    a: np.ndarray
    h: np.ndarray
    o: np.ndarray
    log_yhat: np.ndarray

    @property
    def yhat(self) -> np.ndarray:
        """The softmax outputs yhat^(t) (eq. 10.11)."""
        return np.exp(self.log_yhat)


class OutputRecurrenceCache(ForwardCache):
    """Forward values of the Fig. 10.4 network: the same fields, stacked differently.

    ``a``, ``h`` and ``log_yhat`` are (tau, ., B) with ``h[t - 1]`` = h^(t); ``o`` is
    (tau + 1, K, B) with ``o[0]`` = o^(0), the initial output fed to the first step.
    """


@dataclass
class BPTTResult:
    """Loss and gradients from one backward pass.

    ``grads`` maps U, W, V, b, c to dL/dparameter (same shapes as the parameters).
    ``grad_h0`` is dL/dh^(0); for the output recurrence it is None and ``grad_o0`` holds
    dL/do^(0) instead. ``grad_o``, ``grad_h`` and ``grad_a`` are the per-step gradients
    (tau, ., B) of eqs. 10.18 - 10.21 (``grad_a`` = diag(1 - (h^(t))^2) grad_{h^(t)} L);
    truncated BPTT leaves ``grad_h`` as None because each loss has its own.
    ``per_step`` maps each parameter name to the gradients of its dummy copies W^(t), ...,
    stacked on a leading tau axis; they sum over that axis to ``grads`` (eqs. 10.22 - 10.28).
    It is empty unless asked for.
    """

    loss: float
    grads: dict[str, np.ndarray]
    grad_h0: np.ndarray | None = None
    grad_o0: np.ndarray | None = None
    grad_o: np.ndarray | None = None
    grad_h: np.ndarray | None = None
    grad_a: np.ndarray | None = None
    per_step: dict[str, np.ndarray] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# checks and small helpers

def _check_inputs(params: RNNParams, x: np.ndarray, state0: np.ndarray | None,
                  state_rows: int, state_name: str) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise BPTTShapeError(f"x has shape {x.shape}; expected (tau, n_in, B)")
    n_in = params.U.shape[1]
    if x.shape[1] != n_in:
        raise BPTTShapeError(f"x has {x.shape[1]} input rows but U is {params.U.shape}; "
                             f"make x (tau, {n_in}, B)")
    if x.shape[0] < 1:
        raise BPTTShapeError("x has no time steps; give at least tau = 1")
    B = x.shape[2]
    if state0 is None:
        return x, np.zeros((state_rows, B))
    state0 = np.asarray(state0, dtype=np.float64)
    if state0.shape != (state_rows, B):
        raise BPTTShapeError(f"{state_name} has shape {state0.shape}; expected ({state_rows}, {B})")
    return x, state0


def _check_targets(y: np.ndarray, shape: tuple[int, ...], K: int) -> np.ndarray:
    y = np.asarray(y)
    if y.shape != shape:
        raise BPTTShapeError(f"targets y have shape {y.shape}; expected {shape}")
    if not np.issubdtype(y.dtype, np.integer):
        raise BPTTShapeError(f"targets y have dtype {y.dtype}; give integer class ids")
    if y.size and (y.min() < 0 or y.max() >= K):
        raise BPTTShapeError(f"targets y must lie in 0..{K - 1}; got {y.min()}..{y.max()}")
    return y


def _log_softmax(o: np.ndarray) -> np.ndarray:
    """log softmax over the class axis (axis -2), shifted by the max for stability."""
    shifted = o - o.max(axis=-2, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-2, keepdims=True))


def _hidden_states(params: RNNParams, x: np.ndarray, h0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """a^(t) and h^(t) of eqs. 10.8 - 10.9 for t = 1..tau; h[0] = h^(0)."""
    tau = x.shape[0]
    H, B = h0.shape
    # U x^(t) + b does not depend on the recurrence, so it is done for all t in one matmul.
    a = np.matmul(params.U, x)
    a += params.b
    h = np.empty((tau + 1, H, B))
    h[0] = h0
    W = params.W
    for t in range(tau):
        a[t] += W @ h[t]
        np.tanh(a[t], out=h[t + 1])
    return a, h


def sum_over_steps(a: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """sum_t a^(t) b^(t)T over the steps and the batch columns: a (tau, m, B), b (tau, n, B)
    give (m, n); b=None gives sum_t a^(t) 1, the column (m, 1).

    The sums over t of the dummy copies' gradients (eqs. 10.22 - 10.28), e.g.
    grad_W = sum_t grad_a^(t) h^(t-1)T, as one (m, tau B) by (tau B, n) product. The time
    axis is reduced first for b=None: reducing (tau, m, B) over axes 0 and 2 at once walks
    memory in a slow order (9x slower at tau = 1000).
    """
    if b is None:
        return np.add.reduce(np.add.reduce(a, axis=0), axis=1, keepdims=True)
    return a.transpose(1, 0, 2).reshape(a.shape[1], -1) @ b.transpose(1, 0, 2).reshape(b.shape[1], -1).T


def _sum_over_steps(grad_a: np.ndarray, state_prev: np.ndarray, x: np.ndarray,
                    per_step: bool) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The recurrent-layer gradients W, U, b (eqs. 10.23, 10.26, 10.28) from grad_a^(t).

    ``grad_a[t]`` = diag(1 - (h^(t))^2) grad_{h^(t)} L and ``state_prev[t]`` is what W
    multiplies at step t (h^(t-1), or o^(t-1) for the output recurrence).
    """
    if per_step:
        steps = {"W": np.matmul(grad_a, state_prev.transpose(0, 2, 1)),
                 "U": np.matmul(grad_a, x.transpose(0, 2, 1)),
                 "b": grad_a.sum(axis=2, keepdims=True)}
        return {name: value.sum(axis=0) for name, value in steps.items()}, steps
    return {"W": sum_over_steps(grad_a, state_prev), "U": sum_over_steps(grad_a, x),
            "b": sum_over_steps(grad_a)}, {}


def _output_grads(grad_o: np.ndarray, h: np.ndarray,
                  per_step: bool) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The output-layer gradients V, c (eqs. 10.22, 10.24); ``h[t]`` pairs with ``grad_o[t]``."""
    if per_step:
        steps = {"V": np.matmul(grad_o, h.transpose(0, 2, 1)),
                 "c": grad_o.sum(axis=2, keepdims=True)}
        return {name: value.sum(axis=0) for name, value in steps.items()}, steps
    return {"V": sum_over_steps(grad_o, h), "c": sum_over_steps(grad_o)}, {}


def _softmax_nll_grad(log_yhat: np.ndarray, y: np.ndarray, scale: float) -> np.ndarray:
    """grad_{o^(t)} L = yhat^(t) - onehot(y^(t)) (eq. 10.18), times ``scale``."""
    grad_o = np.exp(log_yhat)
    tau, _, B = grad_o.shape
    grad_o[np.arange(tau)[:, None], y, np.arange(B)[None, :]] -= 1.0
    if scale != 1.0:
        grad_o *= scale
    return grad_o


def _loss_and_output_grad(cache: ForwardCache, y: np.ndarray, mean_over_time: bool) -> tuple[float, np.ndarray]:
    """L of a cache with an output at every step (eqs. 10.12 - 10.14; divided by tau with
    `mean_over_time`) and its gradient grad_{o^(t)} L (eq. 10.18), for all t at once."""
    tau, K, B = cache.log_yhat.shape
    y = _check_targets(y, (tau, B), K)
    value = loss(cache, y, "mean" if mean_over_time else "sum")
    return value, _softmax_nll_grad(cache.log_yhat, y, 1.0 / tau if mean_over_time else 1.0)


def _ordered(grads: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {name: grads[name] for name in PARAMETER_NAMES if name in grads}


# ---------------------------------------------------------------------------------------------
# hidden-to-hidden recurrence (Fig. 10.3)

def forward(params: RNNParams, x: np.ndarray, h0: np.ndarray | None = None) -> ForwardCache:
    """The forward pass of eqs. 10.8 - 10.11 over all tau steps: a, h, o and log yhat.

    h^(0) defaults to zeros. The output layer o^(t) = c + V h^(t) is computed for all t at
    once after the recurrence, because it does not feed back.
    """
    x, h0 = _check_inputs(params, x, h0, params.W.shape[0], "h0")
    if params.W.shape[0] != params.W.shape[1]:
        raise BPTTShapeError(f"W has shape {params.W.shape}; the hidden recurrence needs a square W "
                             "(use output_recurrence_forward for an (H, K) W)")
    a, h = _hidden_states(params, x, h0)
    o = np.matmul(params.V, h[1:])
    o += params.c
    return ForwardCache(x=x, a=a, h=h, o=o, log_yhat=_log_softmax(o))


def loss(cache: ForwardCache | OutputRecurrenceCache, y: np.ndarray, reduce: str = "sum") -> float:
    """The negative log-likelihood L = sum_t L^(t), L^(t) = -sum_batch log yhat^(t)[y^(t)].

    ``reduce='sum'`` is the book's loss (eqs. 10.12 - 10.14, no 1/tau). ``reduce='mean'``
    divides by tau only: the batch is still summed, so this is not d2l.ai's mean, which
    divides by batch * time. For a sequence-to-one cache y has shape (B,) and tau counts as 1.
    """
    if reduce not in ("sum", "mean"):
        raise BPTTShapeError(f"reduce={reduce!r} is unknown; use 'sum' or 'mean'")
    log_yhat = cache.log_yhat
    if log_yhat.ndim == 2:
        y = _check_targets(y, (log_yhat.shape[1],), log_yhat.shape[0])
        return float(-log_yhat[y, np.arange(log_yhat.shape[1])].sum())
    tau, K, B = log_yhat.shape
    y = _check_targets(y, (tau, B), K)
    total = -np.take_along_axis(log_yhat, y[:, None, :], axis=1).sum()
    return float(total / tau if reduce == "mean" else total)


def bptt(params: RNNParams, x: np.ndarray, y: np.ndarray, h0: np.ndarray | None = None,
         mean_over_time: bool = False, per_step: bool = True) -> BPTTResult:
    """Full back-propagation through time for the Fig. 10.3 network, eqs. 10.17 - 10.28.

    * grad_{o^(t)} L = yhat^(t) - onehot(y^(t))                          (eq. 10.18)
    * grad_{h^(tau)} L = V^T grad_{o^(tau)} L                           (eq. 10.19)
    * grad_{h^(t)} L = W^T diag(1 - (h^(t+1))^2) grad_{h^(t+1)} L + V^T grad_{o^(t)} L
      (eq. 10.21, corrected)
    * the gradient of each shared parameter is the sum over t of the gradients of its dummy
      copies W^(t), U^(t), V^(t), b^(t), c^(t) (eqs. 10.22 - 10.28), and
      grad_{h^(0)} L = W^T diag(1 - (h^(1))^2) grad_{h^(1)} L.

    With ``per_step=True`` the dummy-copy gradients are returned in ``result.per_step``;
    ``per_step=False`` skips them and forms each sum in one tensor contraction (faster;
    see :func:`bptt_fast`). ``mean_over_time=True`` differentiates L / tau (tau only; d2l.ai also divides by the batch).
    """
    cache = forward(params, x, h0)
    tau = cache.log_yhat.shape[0]
    value, grad_o = _loss_and_output_grad(cache, y, mean_over_time)
    # The V^T grad_o^(t) term of eq. 10.21 is independent of the recurrence: one matmul for all t.
    grad_h = np.matmul(params.V.T, grad_o)
    grad_a = np.empty_like(grad_h)
    dtanh = 1.0 - cache.h[1:] ** 2
    WT = params.W.T
    for t in range(tau - 1, 0, -1):
        np.multiply(dtanh[t], grad_h[t], out=grad_a[t])
        grad_h[t - 1] += WT @ grad_a[t]
    np.multiply(dtanh[0], grad_h[0], out=grad_a[0])
    grad_h0 = WT @ grad_a[0]

    recurrent, recurrent_steps = _sum_over_steps(grad_a, cache.h[:-1], cache.x, per_step)
    output, output_steps = _output_grads(grad_o, cache.h[1:], per_step)
    return BPTTResult(loss=value, grads=_ordered({**recurrent, **output}), grad_h0=grad_h0,
                      grad_o=grad_o, grad_h=grad_h, grad_a=grad_a,
                      per_step=_ordered({**recurrent_steps, **output_steps}))


def bptt_fast(params: RNNParams, x: np.ndarray, y: np.ndarray, h0: np.ndarray | None = None,
              mean_over_time: bool = False) -> BPTTResult:
    """:func:`bptt` without the per-step dummy-copy gradients: same loss and gradients."""
    return bptt(params, x, y, h0, mean_over_time=mean_over_time, per_step=False)


def truncated_bptt(params: RNNParams, x: np.ndarray, y: np.ndarray, k: int,
                   h0: np.ndarray | None = None, mean_over_time: bool = False) -> BPTTResult:
    """BPTT cut after k steps: each loss L^(t) back-propagates only to steps t-k+1, ..., t.

    The recurrence of eq. 10.21 is followed for at most k - 1 steps back from every loss, so
    the returned gradient keeps every term of the full gradient whose path from L^(t) to a
    dummy copy W^(s) has t - s < k, and drops the rest. V and c are exact (they never cross the
    recurrence); grad_{h^(0)} only gets the losses L^(1), ..., L^(k).

    Bias: the dropped terms are exactly the long-range dependencies (lag >= k), so the
    truncated gradient is biased towards short-term structure; it is not an unbiased estimate
    of the full gradient, and the bias does not shrink with more data, only with larger k.
    With k >= tau it equals :func:`bptt`.

    All losses are back-propagated together, one lag at a time, so the cost is k batched
    matrix products rather than tau * k small ones. ``result.grad_a`` holds, per step, the
    sum over the losses that reach it of diag(1 - (h^(t))^2) grad_{h^(t)} L^(t').
    """
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise BPTTShapeError(f"truncation length k={k!r} must be a positive integer")
    cache = forward(params, x, h0)
    tau = cache.log_yhat.shape[0]
    value, grad_o = _loss_and_output_grad(cache, y, mean_over_time)
    output, _ = _output_grads(grad_o, cache.h[1:], per_step=False)
    dtanh = 1.0 - cache.h[1:] ** 2
    WT = params.W.T
    # carried[s] is the gradient at h^(s+1) of the loss L^(s+1+lag): all losses move back together.
    carried = np.matmul(params.V.T, grad_o)
    # Every loss reaching step s pairs with the same h^(s-1) and x^(s) in eqs. 10.26 and 10.28,
    # so their grad_a terms are summed per step first and contracted once at the end.
    grad_a = np.zeros_like(carried)
    for lag in range(min(k, tau)):
        n = tau - lag
        reached = dtanh[:n] * carried
        grad_a[:n] += reached
        carried = np.matmul(WT, reached[1:])
    grads, _ = _sum_over_steps(grad_a, cache.h[:-1], cache.x, per_step=False)
    grad_h0 = WT @ grad_a[0]
    return BPTTResult(loss=value, grads=_ordered({**grads, **output}), grad_h0=grad_h0,
                      grad_o=grad_o, grad_a=grad_a)


# ---------------------------------------------------------------------------------------------
# output-to-hidden recurrence (Fig. 10.4)

def output_recurrence_forward(params: RNNParams, x: np.ndarray,
                              o0: np.ndarray | None = None) -> OutputRecurrenceCache:
    """Forward pass of the Fig. 10.4 network, where only the output feeds back.

    a^(t) = b + W o^(t-1) + U x^(t), h^(t) = tanh(a^(t)), o^(t) = c + V h^(t),
    yhat^(t) = softmax(o^(t)) (eqs. 10.8 - 10.11 with o^(t-1) in place of h^(t-1));
    W is (H, K) and o^(0) defaults to zeros.
    """
    n_in, H, K = params.sizes
    if params.W.shape != (H, K):
        raise BPTTShapeError(f"W has shape {params.W.shape}; the output recurrence needs ({H}, {K}) "
                             "(RNNParams.init(..., recurrence='output'))")
    x, o0 = _check_inputs(params, x, o0, K, "o0")
    tau, B = x.shape[0], x.shape[2]
    a = np.matmul(params.U, x)
    a += params.b
    h = np.empty((tau, H, B))
    o = np.empty((tau + 1, K, B))
    o[0] = o0
    W, V, c = params.W, params.V, params.c
    for t in range(tau):
        a[t] += W @ o[t]
        np.tanh(a[t], out=h[t])
        np.matmul(V, h[t], out=o[t + 1])
        o[t + 1] += c
    return OutputRecurrenceCache(x=x, a=a, h=h, o=o, log_yhat=_log_softmax(o[1:]))


def output_recurrence_bptt(params: RNNParams, x: np.ndarray, y: np.ndarray,
                           o0: np.ndarray | None = None, mean_over_time: bool = False) -> BPTTResult:
    """Hand BPTT for the Fig. 10.4 network (sum of NLL losses, eq. 10.12).

    Here the gradient reaching o^(t) has two terms, the loss (eq. 10.18) and the next step:
    grad_{o^(t)} L = (yhat^(t) - onehot(y^(t))) + W^T diag(1 - (h^(t+1))^2) grad_{h^(t+1)} L,
    grad_{h^(t)} L = V^T grad_{o^(t)} L, and the parameter gradients are sums over t as in
    eqs. 10.22 - 10.28 with o^(t-1) in place of h^(t-1) for W. ``result.grad_o`` is this total
    gradient; ``result.grad_o0`` is dL/do^(0).
    """
    cache = output_recurrence_forward(params, x, o0)
    tau = cache.log_yhat.shape[0]
    value, grad_o = _loss_and_output_grad(cache, y, mean_over_time)
    grad_h = np.empty_like(cache.h)
    grad_a = np.empty_like(cache.h)
    dtanh = 1.0 - cache.h ** 2
    VT, WT = params.V.T, params.W.T
    for t in range(tau - 1, -1, -1):
        if t < tau - 1:
            grad_o[t] += WT @ grad_a[t + 1]
        np.matmul(VT, grad_o[t], out=grad_h[t])
        np.multiply(dtanh[t], grad_h[t], out=grad_a[t])
    grad_o0 = WT @ grad_a[0]

    recurrent, _ = _sum_over_steps(grad_a, cache.o[:-1], cache.x, per_step=False)
    output, _ = _output_grads(grad_o, cache.h, per_step=False)
    return BPTTResult(loss=value, grads=_ordered({**recurrent, **output}), grad_o0=grad_o0,
                      grad_o=grad_o, grad_h=grad_h, grad_a=grad_a)


# ---------------------------------------------------------------------------------------------
# sequence to one (Fig. 10.5)

def seq_to_one_forward(params: RNNParams, x: np.ndarray, h0: np.ndarray | None = None) -> ForwardCache:
    """Forward pass of the Fig. 10.5 network: eqs. 10.8 - 10.9 for all t, one output at tau.

    o^(tau) = c + V h^(tau) and yhat^(tau) = softmax(o^(tau)); ``cache.o`` is (K, B).
    """
    x, h0 = _check_inputs(params, x, h0, params.W.shape[0], "h0")
    a, h = _hidden_states(params, x, h0)
    o = params.V @ h[-1] + params.c
    return ForwardCache(x=x, a=a, h=h, o=o, log_yhat=_log_softmax(o))


def seq_to_one_bptt(params: RNNParams, x: np.ndarray, y: np.ndarray,
                    h0: np.ndarray | None = None, per_step: bool = False) -> BPTTResult:
    """Hand BPTT for the Fig. 10.5 network, loss L = L^(tau) = -sum_batch log yhat^(tau)[y].

    Only the last step has an output, so eq. 10.19 starts the recurrence and eq. 10.21 loses
    its V^T grad_{o^(t)} term for t < tau:
    grad_{h^(t)} L = W^T diag(1 - (h^(t+1))^2) grad_{h^(t+1)} L.
    W, U and b still sum over all steps (eqs. 10.23 - 10.28); V and c come from step tau alone.
    y is (B,). With ``per_step=True`` the W^(t), U^(t), b^(t) dummy-copy gradients are returned.
    """
    cache = seq_to_one_forward(params, x, h0)
    K, B = cache.log_yhat.shape
    y = _check_targets(y, (B,), K)
    value = loss(cache, y)
    tau, H = cache.a.shape[0], cache.a.shape[1]

    grad_o = np.exp(cache.log_yhat)
    grad_o[y, np.arange(B)] -= 1.0
    grad_h = np.empty((tau, H, B))
    grad_a = np.empty((tau, H, B))
    grad_h[-1] = params.V.T @ grad_o
    dtanh = 1.0 - cache.h[1:] ** 2
    WT = params.W.T
    for t in range(tau - 1, 0, -1):
        np.multiply(dtanh[t], grad_h[t], out=grad_a[t])
        np.matmul(WT, grad_a[t], out=grad_h[t - 1])
    np.multiply(dtanh[0], grad_h[0], out=grad_a[0])
    grad_h0 = WT @ grad_a[0]

    recurrent, steps = _sum_over_steps(grad_a, cache.h[:-1], cache.x, per_step)
    grads = {**recurrent, "V": grad_o @ cache.h[-1].T, "c": grad_o.sum(axis=1, keepdims=True)}
    return BPTTResult(loss=value, grads=_ordered(grads), grad_h0=grad_h0, grad_o=grad_o,
                      grad_h=grad_h, grad_a=grad_a, per_step=_ordered(steps))


# ---------------------------------------------------------------------------------------------
# finite differences

_VARIANTS = {
    "hidden": (forward, "h0"),
    "output": (output_recurrence_forward, "o0"),
    "seq_to_one": (seq_to_one_forward, "h0"),
}


def finite_difference_grads(params: RNNParams, x: np.ndarray, y: np.ndarray,
                            h0: np.ndarray | None = None, eps: float = 1e-6,
                            variant: str = "hidden", mean_over_time: bool = False) -> dict[str, np.ndarray]:
    """Central differences (L(theta + eps) - L(theta - eps)) / (2 eps) for every entry.

    Covers U, W, V, b, c and the initial state, in float64. ``variant`` picks the network:
    'hidden' (Fig. 10.3), 'output' (Fig. 10.4; ``h0`` is then o^(0) and the key is 'o0') or
    'seq_to_one' (Fig. 10.5; y is (B,)). Costs two forward passes per entry: for tests only.
    """
    if variant not in _VARIANTS:
        raise BPTTShapeError(f"variant={variant!r} is unknown; use one of {sorted(_VARIANTS)}")
    run, state_name = _VARIANTS[variant]
    reduce = "mean" if mean_over_time else "sum"
    work = params.copy()
    x = np.asarray(x, dtype=np.float64)
    B = x.shape[2]
    state_rows = params.V.shape[0] if variant == "output" else params.W.shape[0]
    state = np.zeros((state_rows, B)) if h0 is None else np.array(h0, dtype=np.float64)

    def central_difference(array: np.ndarray) -> np.ndarray:
        grad = np.empty_like(array)
        for index in np.ndindex(array.shape):
            saved = array[index]
            array[index] = saved + eps
            up = loss(run(work, x, state), y, reduce)
            array[index] = saved - eps
            down = loss(run(work, x, state), y, reduce)
            array[index] = saved
            grad[index] = (up - down) / (2.0 * eps)
        return grad

    grads = {name: central_difference(value) for name, value in work.as_dict().items()}
    grads[state_name] = central_difference(state)
    return grads
