"""The book's simple RNN, forward plus backward, in every implementation the benchmark compares.

All of them compute the same thing on the same inputs: the forward pass of eqs 10.8-10.11,
a = b + W h^(t-1) + U x^(t), h^(t) = tanh(a), o^(t) = c + V h^(t), yhat^(t) = softmax(o^(t)),
the loss L = sum_t L^(t), L^(t) = -sum_batch log yhat^(t)[y^(t)] (eqs 10.12-10.14, no 1/tau),
and its gradients with respect to U, W, V, b, c (eqs 10.22-10.28), in float64.

An implementation's ``make(problem)`` does the one-off preparation (copying parameters into
its own tensors) and returns ``run()``: one timed forward + backward, returning
``(loss, {name: gradient as a NumPy array shaped like the book's parameter})``.
PyTorch and HIPS autograd are optional: ``missing()`` says why one cannot run.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass

import numpy as np

from rnn.bptt import PARAMETER_NAMES, RNNParams, bptt_fast


@dataclass(frozen=True)
class Config:
    """Sequence length T (the book's tau), hidden units H, vocabulary V (= n_in = K), batch B."""

    name: str
    T: int
    H: int
    V: int
    batch: int

    @property
    def shape_text(self):
        return f"({self.T}, {self.H}, {self.V}, {self.batch})"


CONFIGS = (Config("tiny", 6, 3, 4, 1), Config("small", 50, 64, 32, 16),
           Config("medium", 100, 256, 64, 32), Config("long", 1000, 32, 16, 8))
CONFIGS_BY_NAME = {c.name: c for c in CONFIGS}
SCALING_STEPS = (1000, 10000, 50000)
"""Sequence lengths of the scaling row: the long config's width (H=32, V=16, batch 8) at longer T."""


def scaling_config(T):
    """The long config's width with T steps: time per step must not grow with T."""
    long = CONFIGS_BY_NAME["long"]
    return Config(f"T={T}", T, long.H, long.V, long.batch)


@dataclass(frozen=True)
class Problem:
    """One config's inputs: one-hot x (T, V, B), integer targets y (T, B), the parameters."""

    config: Config
    x: np.ndarray
    y: np.ndarray
    params: RNNParams


def problem(config, seed=0):
    """Seeded inputs for `config`: random one-hot tokens, random targets, `RNNParams.init(seed)`."""
    rng = np.random.default_rng(seed)
    T, H, V, B = config.T, config.H, config.V, config.batch
    tokens = rng.integers(0, V, size=(T, B))
    x = np.zeros((T, V, B))
    x[np.arange(T)[:, None], tokens, np.arange(B)[None, :]] = 1.0
    y = rng.integers(0, V, size=(T, B))
    return Problem(config, x, y, RNNParams.init(V, H, V, seed=seed))


@dataclass(frozen=True)
class Implementation:
    name: str
    label: str
    make: object
    missing: object = lambda: None


def _absent(module, install):
    def missing():
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed ({install})"
        return None
    return missing


# ----- the two hand-written baselines ----------------------------------------------------------

def _book_bptt(pb):
    """The book's BPTT one step at a time, as the equations read and as the op-level graph
    runs it: eqs 10.8-10.11 for t = 1..tau, then eqs 10.18-10.21 for t = tau..1 with each
    shared parameter's dummy-copy gradient (eqs 10.22-10.28) added in as its step is reached.
    Written independently of `rnn.bptt`; nothing is batched over t."""
    p = pb.params
    U, W, V, b, c = p.U, p.W, p.V, p.b, p.c
    xs, ys = list(pb.x), list(pb.y)
    H, B = W.shape[0], pb.x.shape[2]
    columns = np.arange(B)

    def run():
        h, hs, yhats, loss = np.zeros((H, B)), [], [], 0.0
        hs.append(h)
        for x, y in zip(xs, ys):
            h = np.tanh(b + W @ h + U @ x)  # eqs 10.8-10.9
            o = c + V @ h  # eq. 10.10
            shifted = o - o.max(axis=0, keepdims=True)
            e = np.exp(shifted)
            total = e.sum(axis=0)
            loss -= float(np.sum(shifted[y, columns] - np.log(total)))  # eqs 10.11-10.14
            yhats.append(e / total)
            hs.append(h)
        grads = {k: np.zeros_like(v) for k, v in p.as_dict().items()}
        carried = np.zeros((H, B))  # W^T grad_a^(t+1): what step t+1 sends back (eq. 10.21)
        for t in range(len(xs) - 1, -1, -1):
            grad_o = yhats[t].copy()
            grad_o[ys[t], columns] -= 1.0  # eq. 10.18
            grad_h = V.T @ grad_o + carried  # eqs 10.19-10.21
            grad_a = (1.0 - hs[t + 1] * hs[t + 1]) * grad_h
            grads["c"] += grad_o.sum(axis=1, keepdims=True)  # eq. 10.22
            grads["V"] += grad_o @ hs[t + 1].T  # eq. 10.24
            grads["b"] += grad_a.sum(axis=1, keepdims=True)  # eq. 10.23
            grads["W"] += grad_a @ hs[t].T  # eq. 10.26
            grads["U"] += grad_a @ xs[t].T  # eq. 10.28
            carried = W.T @ grad_a
        return loss, grads
    return run


def _numpy_bptt(pb):
    def run():
        result = bptt_fast(pb.params, pb.x, pb.y)
        return result.loss, result.grads
    return run


# ----- the engine ----------------------------------------------------------------------------

def _engine(level):
    def make(pb):
        import rnn
        c = pb.config
        model = rnn.SimpleRNN(n_in=c.V, hidden=c.H, n_out=c.V, seed=0).load(pb.params.as_dict())

        def run():
            model.zero_grad()
            u = rnn.unroll(model, pb.x, pb.y, level=level)
            u.loss.backward()
            return float(u.loss.value), {k: model.params[k].grad for k in PARAMETER_NAMES}
        return run
    return make


def _cell_level_missing():
    """Why `rnn.unroll(..., level='cell')` cannot run yet, or None when it can."""
    import rnn
    tiny = problem(CONFIGS[0])
    try:
        _engine("cell")(tiny)()
    except (ImportError, NotImplementedError) as exc:
        return f"rnn.unroll(level='cell') is not available yet ({type(exc).__name__}: {exc})"
    except rnn.RNNError as exc:
        return f"rnn.unroll(level='cell') refused the simple RNN ({exc})"
    return None


# ----- the op-level graph's arithmetic alone: a floor for any op-by-op engine -----------------------

def _op_level_numpy(pb):
    """The NumPy calls the op-level graph makes, step by step, with no graph around them.

    Forward: the primitives `rnn.unroll(level='op')` records for each t (W h, + b, U x, +,
    tanh, V h, + c, softmax for yhat^(t), log_softmax and nll for L^(t)); backward: their VJPs
    in reverse order, each parameter's gradient accumulated step by step as the reverse pass
    accumulates it. What is left of an engine's time above this is the engine's own cost.
    """
    p = pb.params
    U, W, V, b, c = p.U, p.W, p.V, p.b, p.c
    xs, ys = list(pb.x), list(pb.y)
    H, B = W.shape[0], pb.x.shape[2]

    def run():
        h, hs, logps, losses, columns = np.zeros((H, B)), [], [], [], np.arange(B)
        hs.append(h)
        for x, y in zip(xs, ys):
            h = np.tanh(b + W @ h + U @ x)
            hs.append(h)
            o = c + V @ h
            yhat = np.exp(o - np.maximum.reduce(o, axis=0, keepdims=True))
            yhat /= np.add.reduce(yhat, axis=0, keepdims=True)
            logp = o - np.maximum.reduce(o, axis=0, keepdims=True)
            logp -= np.log(np.add.reduce(np.exp(logp), axis=0, keepdims=True))
            logps.append(logp)
            losses.append(-np.add.reduce(logp[y, columns]))
        loss = np.add.reduce(np.array(losses))
        grads = {k: np.zeros_like(v) for k, v in p.as_dict().items()}
        grad_h = None
        for t in range(len(xs) - 1, -1, -1):
            g = np.zeros(logps[t].shape)
            g[ys[t], columns] = -1.0
            grad_o = g - np.exp(logps[t]) * np.add.reduce(g, axis=0, keepdims=True)
            grads["c"] = grads["c"] + np.add.reduce(grad_o, axis=1, keepdims=True)
            grads["V"] = grads["V"] + grad_o @ hs[t + 1].T
            grad_h = V.T @ grad_o if grad_h is None else V.T @ grad_o + grad_h
            grad_a = grad_h * (1 - hs[t + 1] * hs[t + 1])
            grads["b"] = grads["b"] + np.add.reduce(grad_a, axis=1, keepdims=True)
            grads["W"] = grads["W"] + grad_a @ hs[t].T
            grads["U"] = grads["U"] + grad_a @ xs[t].T
            grad_h = W.T @ grad_a
        return float(loss), grads
    return run


# ----- PyTorch ---------------------------------------------------------------------------------

def _torch_params(pb):
    import torch
    return {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in pb.params.as_dict().items()}


def _torch_ops(pb):
    """Op by op with PyTorch's autograd: the same loop over t as the book's equations."""
    import torch
    p = _torch_params(pb)
    xs = torch.tensor(pb.x, dtype=torch.float64)
    ys = torch.tensor(pb.y, dtype=torch.int64)
    H, B = pb.config.H, pb.config.batch

    def run():
        for v in p.values():
            v.grad = None
        h = torch.zeros((H, B), dtype=torch.float64)
        total = 0.0
        for t in range(xs.shape[0]):
            h = torch.tanh(p["b"] + p["W"] @ h + p["U"] @ xs[t])
            logp = torch.log_softmax(p["c"] + p["V"] @ h, dim=0)
            total = total - logp.gather(0, ys[t].unsqueeze(0)).sum()
        total.backward()
        return total.item(), {k: v.grad.numpy() for k, v in p.items()}
    return run


def _torch_rnn(pb):
    """PyTorch's fused nn.RNN (tanh) for the recurrence, then one batched output layer."""
    import torch
    c = pb.config
    cell = torch.nn.RNN(c.V, c.H, nonlinearity="tanh", bias=True, dtype=torch.float64)
    with torch.no_grad():
        cell.weight_ih_l0.copy_(torch.from_numpy(pb.params.U))
        cell.weight_hh_l0.copy_(torch.from_numpy(pb.params.W))
        cell.bias_ih_l0.copy_(torch.from_numpy(pb.params.b[:, 0]))
        cell.bias_hh_l0.zero_()  # nn.RNN has two biases; b is their sum
    V = torch.tensor(pb.params.V, dtype=torch.float64, requires_grad=True)
    cb = torch.tensor(pb.params.c[:, 0], dtype=torch.float64, requires_grad=True)
    xs = torch.tensor(pb.x.transpose(0, 2, 1).copy(), dtype=torch.float64)  # (T, B, V)
    ys = torch.tensor(pb.y, dtype=torch.int64)
    weights = [cell.weight_ih_l0, cell.weight_hh_l0, cell.bias_ih_l0, cell.bias_hh_l0, V, cb]

    def run():
        for w in weights:
            w.grad = None
        hs, _ = cell(xs)
        logp = torch.log_softmax(hs @ V.T + cb, dim=-1)
        total = -logp.gather(2, ys.unsqueeze(2)).sum()
        total.backward()
        return total.item(), {"U": cell.weight_ih_l0.grad.numpy(), "W": cell.weight_hh_l0.grad.numpy(),
                              "V": V.grad.numpy(), "b": cell.bias_ih_l0.grad.numpy()[:, None],
                              "c": cb.grad.numpy()[:, None]}
    return run


# ----- HIPS autograd ---------------------------------------------------------------------------

def _hips_autograd(pb):
    """HIPS autograd tracing a plain NumPy-style loss function."""
    import autograd.numpy as anp
    from autograd import value_and_grad

    x, y = pb.x, pb.y
    H, B = pb.config.H, pb.config.batch
    columns = np.arange(B)

    def loss(U, W, V, b, c):
        h = anp.zeros((H, B))
        total = 0.0
        for t in range(x.shape[0]):
            h = anp.tanh(b + anp.dot(W, h) + anp.dot(U, x[t]))
            o = c + anp.dot(V, h)
            shifted = o - anp.max(o, axis=0, keepdims=True)
            logp = shifted - anp.log(anp.sum(anp.exp(shifted), axis=0, keepdims=True))
            total = total - anp.sum(logp[y[t], columns])
        return total

    both = value_and_grad(loss, argnum=list(range(5)))
    args = [pb.params.as_dict()[k] for k in PARAMETER_NAMES]

    def run():
        value, grads = both(*args)
        return float(value), dict(zip(PARAMETER_NAMES, grads))
    return run


IMPLEMENTATIONS = {impl.name: impl for impl in (
    Implementation("book_bptt", "per-step book BPTT (NumPy)", _book_bptt),
    Implementation("numpy_bptt", "time-batched bptt_fast (NumPy)", _numpy_bptt),
    Implementation("engine_op", "engine, op level", _engine("op")),
    Implementation("engine_cell", "engine, cell level", _engine("cell"), _cell_level_missing),
    Implementation("op_numpy", "op-level ops alone (NumPy)", _op_level_numpy),
    Implementation("torch_ops", "PyTorch CPU, op by op", _torch_ops, _absent("torch", "pip install torch")),
    Implementation("torch_rnn", "PyTorch nn.RNN", _torch_rnn, _absent("torch", "pip install torch")),
    Implementation("hips_autograd", "HIPS autograd", _hips_autograd, _absent("autograd", "pip install autograd")),
)}
BASELINE = "numpy_bptt"
"""The reference every implementation must agree with before it is timed."""
BASELINES = {"book_bptt": "per-step", "numpy_bptt": "batched"}
"""Both baselines, each ratio labelled with its short name: the per-step book BPTT is the
program the op-level graph mirrors, one step at a time; `rnn.bptt.bptt_fast` batches the
products over t (U x^(t) for all t, the sums over t of eqs 10.22-10.28 as one contraction)
and is the floor no per-step program reaches."""


def relative_error(value, reference):
    """max |value - reference| / max |reference| (the scale of the reference, not elementwise)."""
    value, reference = np.asarray(value, dtype=np.float64), np.asarray(reference, dtype=np.float64)
    if value.shape != reference.shape:
        raise ValueError(f"shape {value.shape} does not match the baseline's {reference.shape}")
    scale = max(float(np.max(np.abs(reference))), np.finfo(float).tiny)
    return float(np.max(np.abs(value - reference))) / scale


def disagreement(result, reference):
    """Largest relative error of a run's loss and gradients against the baseline's."""
    (loss, grads), (ref_loss, ref_grads) = result, reference
    errors = [relative_error(loss, ref_loss)]
    errors += [relative_error(grads[k], ref_grads[k]) for k in PARAMETER_NAMES]
    return max(errors)
