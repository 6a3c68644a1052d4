"""`gradbook vanishing`: the vanishing and exploding gradients lab (book 8.2.5, 10.7, 10.11.1).

    gradbook vanishing --cell rnn --radius 0.9 --steps 50 -o DIR
    gradbook vanishing --cell lstm --radius 1.0 --steps 50 --compare -o DIR

Writes the figures (PNG and SVG; the heat figure as SVG with its DOT source) and
``summary.txt`` with the measured ratios ||grad_{h^(1)} L|| / ||grad_{h^(tau)} L||, which
are also printed.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from autodiff.arguments import count, number
from autodiff.files import write_text

MAX_STEPS = 500
"""Longest sequence the lab measures: its graphs and Jacobian products grow with tau, and
the profiles are long flat at 0 well before it. Longer runs: `rnn.vanishing.lab.run_lab`."""
MAX_ITERS = 5000
"""Adam iterations of the comparison at most (300 take about 20 s per cell)."""


def add_arguments(parser):
    steps_note = f"the lab measures up to {MAX_STEPS} steps; longer runs go through rnn.vanishing.lab.run_lab"
    parser.add_argument("--cell", choices=("rnn", "lstm", "gru"), default="rnn", help="recurrent cell (default rnn)")
    parser.add_argument("--radius", type=number(minimum=0), default=0.9,
                        help="spectral radius of the recurrent matrices W... (default 0.9)")
    parser.add_argument("--steps", type=count(2, MAX_STEPS, steps_note), default=50,
                        help=f"sequence length tau, 2 to {MAX_STEPS} (default 50)")
    parser.add_argument("--hidden", type=count(1, 256, "the lab's Jacobians are H x H per step"), default=16,
                        help="hidden units (default 16)")
    parser.add_argument("--batch", type=count(1, 1024), default=8, help="sequences per batch (default 8)")
    parser.add_argument("--init", choices=("orthogonal", "random"), default="orthogonal",
                        help="scaled orthogonal or rescaled Gaussian W (default orthogonal)")
    parser.add_argument("--input-scale", type=number(), default=1.0,
                        help="factor on the input weights U...; large values saturate tanh (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights and the data (default 0)")
    parser.add_argument("--compare", action="store_true",
                        help="also train simple RNN, LSTM and GRU on the adding problem, side by side")
    parser.add_argument("--compare-steps", type=count(2, MAX_STEPS, steps_note), default=20,
                        help="sequence length of the comparison (default 20, about 20 s of training)")
    parser.add_argument("--compare-iters", type=count(1, MAX_ITERS, "about 20 s per 300 iterations and cell"),
                        default=300, help=f"Adam iterations per cell, at most {MAX_ITERS} (default 300)")
    parser.add_argument("--no-clipping", action="store_true", help="skip the gradient-clipping run")
    parser.add_argument("-o", "--out", default="vanishing", help="output directory (default ./vanishing)")
    parser.add_argument("--force", action="store_true", help="replace the figures of an earlier run in --out")


def run(args):
    from autodiff.outputs import output_folder, replacing_note

    from .lab import output_names, run_lab
    from .runs import Setting

    out = Path(args.out)
    replaced = output_folder(out, output_names(args.cell), force=args.force, option="-o/--out")
    if replaced:
        print(replacing_note("vanishing", replaced, out), file=sys.stderr)
    setting = Setting(cell=args.cell, radius=args.radius, tau=args.steps, hidden=args.hidden,
                      batch=args.batch, init=args.init, input_scale=args.input_scale, seed=args.seed)
    start = time.perf_counter()
    result = run_lab(setting, out, compare=args.compare, clipping=not args.no_clipping,
                     compare_steps=args.compare_steps, compare_iters=args.compare_iters)
    result.lines.append(f"figures: {', '.join(str(f.path.name) for f in result.figures)}")
    result.lines.append(f"run time {time.perf_counter() - start:.1f} s")
    write_text(out / "summary.txt", result.summary)
    print(result.summary, end="")
    print(f"wrote {out / 'summary.txt'}")
    return 0
