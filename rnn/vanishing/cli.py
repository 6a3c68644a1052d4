"""`gradbook vanishing`: the vanishing and exploding gradients lab (book 8.2.5, 10.7, 10.11.1).

    gradbook vanishing --cell rnn --radius 0.9 --steps 50 -o DIR
    gradbook vanishing --cell lstm --radius 1.0 --steps 50 --compare -o DIR

Writes the figures (PNG and SVG; the heat figure as SVG with its DOT source) and
``summary.txt`` with the measured ratios ||grad_{h^(1)} L|| / ||grad_{h^(tau)} L||, which
are also printed.
"""
from __future__ import annotations

import time
from pathlib import Path

from autodiff.errors import GradbookError


class VanishingArgumentError(GradbookError):
    """A command-line value the lab cannot use."""


def add_arguments(parser):
    parser.add_argument("--cell", choices=("rnn", "lstm", "gru"), default="rnn", help="recurrent cell (default rnn)")
    parser.add_argument("--radius", type=float, default=0.9,
                        help="spectral radius of the recurrent matrices W... (default 0.9)")
    parser.add_argument("--steps", type=int, default=50, help="sequence length tau (default 50)")
    parser.add_argument("--hidden", type=int, default=16, help="hidden units (default 16)")
    parser.add_argument("--batch", type=int, default=8, help="sequences per batch (default 8)")
    parser.add_argument("--init", choices=("orthogonal", "random"), default="orthogonal",
                        help="scaled orthogonal or rescaled Gaussian W (default orthogonal)")
    parser.add_argument("--input-scale", type=float, default=1.0,
                        help="factor on the input weights U...; large values saturate tanh (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights and the data (default 0)")
    parser.add_argument("--compare", action="store_true",
                        help="also train simple RNN, LSTM and GRU on the adding problem, side by side")
    parser.add_argument("--compare-steps", type=int, default=20,
                        help="sequence length of the comparison (default 20, about 20 s of training)")
    parser.add_argument("--compare-iters", type=int, default=300, help="Adam iterations per cell (default 300)")
    parser.add_argument("--no-clipping", action="store_true", help="skip the gradient-clipping run")
    parser.add_argument("-o", "--out", default="vanishing", help="output directory (default ./vanishing)")


def run(args):
    from .lab import run_lab
    from .runs import Setting

    if args.steps < 2:
        raise VanishingArgumentError(f"--steps {args.steps}: the sequence needs at least 2 steps")
    if args.compare_steps < 2 or args.compare_iters < 1:
        raise VanishingArgumentError(f"--compare-steps {args.compare_steps} --compare-iters {args.compare_iters}: "
                                     "need at least 2 steps and 1 iteration")
    if args.hidden < 1 or args.batch < 1:
        raise VanishingArgumentError(f"--hidden {args.hidden} --batch {args.batch}: both must be at least 1")
    if not args.radius >= 0:
        raise VanishingArgumentError(f"--radius {args.radius}: give a non-negative spectral radius")
    setting = Setting(cell=args.cell, radius=args.radius, tau=args.steps, hidden=args.hidden,
                      batch=args.batch, init=args.init, input_scale=args.input_scale, seed=args.seed)
    start = time.perf_counter()
    result = run_lab(setting, args.out, compare=args.compare, clipping=not args.no_clipping,
                     compare_steps=args.compare_steps, compare_iters=args.compare_iters)
    out = Path(args.out)
    result.lines.append(f"figures: {', '.join(str(f.path.name) for f in result.figures)}")
    result.lines.append(f"run time {time.perf_counter() - start:.1f} s")
    (out / "summary.txt").write_text(result.summary, encoding="utf-8")
    print(result.summary, end="")
    print(f"wrote {out / 'summary.txt'}")
    return 0
