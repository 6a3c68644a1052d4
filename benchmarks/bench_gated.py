"""LSTM and GRU at cell level against PyTorch's fused nn.LSTM / nn.GRU (float64, CPU).

Forward plus backward of a gated recurrence with the book's output layer and loss
(o^(t) = c + V h^(t), L = sum_t L^(t), eqs 10.10-10.14): the engine's `rnn.unroll(...,
level="cell")` of `rnn.LSTM(candidate="tanh")` (eqs 10.40-10.44 with the usual tanh
candidate) and of `rnn.GRU(form="reset-after")`, against `torch.nn.LSTM` / `torch.nn.GRU`
computing the same function with the same weights (mapped by `rnn.gru.from_torch_weights`
and `lstm_from_torch` below). Both must agree on the loss and every gradient (relative
error < 1e-8) before they are timed, interleaved, one thread, process CPU time; the ratio
is the engine's time over torch's in the same round (issue 15's target: at most 1).

    python -m benchmarks.bench_gated [--quick]

Skipped, with a note, where torch is not installed (.venv/bin/pip install torch==2.13.0).
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys

import numpy as np

from benchmarks.bench_bptt import clock_for, paired_ratios
from benchmarks.bptt_implementations import relative_error
from benchmarks.common import REPO, default_threads, save, summarize, time_round_robin, timing_env

TOLERANCE = 1e-8
TARGET = 1.0
SHAPE = {"T": 100, "n_in": 32, "H": 64, "K": 32, "batch": 16}


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    T, n_in, K, B = SHAPE["T"], SHAPE["n_in"], SHAPE["K"], SHAPE["batch"]
    return rng.normal(size=(T, n_in, B)), rng.integers(0, K, size=(T, B))


def lstm_from_torch(weight_ih, weight_hh, bias_ih, bias_hh):
    """`rnn.LSTM(candidate='tanh')` parameters from nn.LSTM's layer-0 weights (gates stacked
    i, f, g, o): the input gate is the book's g (eq. 10.42), torch's cell input its candidate,
    the output gate its q (eq. 10.44); the two torch biases of a gate add up to one b."""
    W_ii, W_if, W_ig, W_io = np.split(weight_ih, 4)
    W_hi, W_hf, W_hg, W_ho = np.split(weight_hh, 4)
    b = [(bi + bh)[:, None] for bi, bh in zip(np.split(bias_ih, 4), np.split(bias_hh, 4))]
    return {"U_f": W_if, "W_f": W_hf, "b_f": b[1], "U_g": W_ii, "W_g": W_hi, "b_g": b[0],
            "U": W_ig, "W": W_hg, "b": b[2], "U_o": W_io, "W_o": W_ho, "b_o": b[3]}


def _pair(kind, x, y):
    """(engine run, torch run, names): each run returns (loss, {book name: gradient})."""
    import torch
    import rnn
    from rnn.gru import from_torch_weights

    torch.manual_seed(0)
    n_in, H, K = SHAPE["n_in"], SHAPE["H"], SHAPE["K"]
    cell = (torch.nn.LSTM if kind == "lstm" else torch.nn.GRU)(n_in, H, dtype=torch.float64)
    head = torch.nn.Linear(H, K, dtype=torch.float64)
    layer = (cell.weight_ih_l0, cell.weight_hh_l0, cell.bias_ih_l0, cell.bias_hh_l0)
    arrays = [p.detach().numpy().copy() for p in layer]
    mapped = lstm_from_torch(*arrays) if kind == "lstm" else from_torch_weights(*arrays)
    mapped.update(V=head.weight.detach().numpy().copy(), c=head.bias.detach().numpy()[:, None].copy())
    model = (rnn.LSTM(n_in, H, K, candidate="tanh") if kind == "lstm" else rnn.GRU(n_in, H, K, form="reset-after"))
    model.load(mapped)
    mapper = lstm_from_torch if kind == "lstm" else from_torch_weights

    def engine():
        model.zero_grad()
        u = rnn.unroll(model, x, y, level="cell")
        u.loss.backward()
        return float(u.loss.value), {k: p.grad for k, p in model.params.items()}

    xs = torch.from_numpy(x.transpose(0, 2, 1).copy())
    ys = torch.from_numpy(y)
    weights = list(cell.parameters()) + list(head.parameters())

    def torch_run():
        for w in weights:
            w.grad = None
        hs, _ = cell(xs)
        logp = torch.log_softmax(head(hs), dim=-1)
        total = -logp.gather(2, ys.unsqueeze(2)).sum()
        total.backward()
        grads = mapper(*[p.grad.numpy() for p in layer])
        grads.update(V=head.weight.grad.numpy(), c=head.bias.grad.numpy()[:, None])
        return total.item(), grads
    return engine, torch_run


def _disagreement(a, b):
    (loss, grads), (ref_loss, ref_grads) = a, b
    biases = {"b_f", "b_g", "b", "b_o", "b_u", "b_r"} - ({"b"} if "b_h" in grads else set())
    errors = [relative_error(loss, ref_loss)]
    for k, g in grads.items():
        # torch's two biases of a gate each receive the gate's gradient: their sum is twice it
        errors.append(relative_error(g, ref_grads[k] / 2 if k in biases else ref_grads[k]))
    return max(errors)


def measure(quick, threads):
    clock, clock_name = clock_for(threads)
    x, y = _problem()
    rows = {}
    for kind in ("lstm", "gru"):
        engine, torch_run = _pair(kind, x, y)
        error = _disagreement(engine(), torch_run())
        if error >= TOLERANCE:
            rows[kind] = {"error": error}
            continue
        rounds = time_round_robin({"engine": engine, "torch": torch_run}, budget=0.5 if quick else 6.0,
                                  min_repeats=3 if quick else 7, warmup=1 if quick else 2, clock=clock)
        rows[kind] = {"error": error, "engine": summarize(rounds["engine"]), "torch": summarize(rounds["torch"]),
                      "ratio": paired_ratios(rounds["engine"], rounds["torch"])}
    return rows, clock_name


def main(argv=()):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_gated", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", default=os.environ.get("GRADBOOK_BENCH_QUICK") == "1")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(list(argv))
    if importlib.util.find_spec("torch") is None:
        print("  skipped: torch is not installed (.venv/bin/pip install torch==2.13.0)")
        return 0
    threads = default_threads()
    if not args.child:
        command = [sys.executable, "-m", "benchmarks.bench_gated", "--child"] + (["--quick"] if args.quick else [])
        return subprocess.run(command, env=timing_env(threads), cwd=REPO).returncode
    rows, clock_name = measure(args.quick, threads)
    print(f"LSTM / GRU, cell level vs torch nn.LSTM / nn.GRU, float64, (T, n_in, H, K, batch) = "
          f"({', '.join(str(v) for v in SHAPE.values())}), {threads} thread(s), {clock_name}")
    for kind, row in rows.items():
        if "ratio" not in row:
            print(f"  {kind}: DISAGREES with torch (relative error {row['error']:.1e})")
            continue
        r = row["ratio"]
        state = "met" if r["median"] <= TARGET else "MISSED"
        print(f"  {kind}: engine {row['engine']['median_ms']:.2f} ms, torch {row['torch']['median_ms']:.2f} ms, "
              f"ratio {r['median']:.2f}x ({r['min']:.2f}/{r['max']:.2f}); {state} (target <= {TARGET}x); "
              f"agree to {row['error']:.1e}")
    path = save("gated", {"shape": SHAPE, "clock": clock_name, "rows": rows, "target": TARGET})
    print(f"  written to {path}")
    return 1 if any("ratio" not in row for row in rows.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
