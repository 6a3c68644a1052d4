"""``gradbook variant Q --seed N -o DIR``: an exam variant per student (issue 16).

Q is the family ``rnn`` or a built-in RNN question (``rnn/grad_W`` pins the gradient asked).
DIR receives the cell, the checker's question file, the statement, the derived key and a
worked solution (`rnn.exam.variant_build.FILES`); ``--count K`` writes seeds N..N+K-1 into
DIR/seed-N/ ... . Earlier files are kept unless ``--force``.
"""
from __future__ import annotations

import sys
from pathlib import Path

from autodiff.arguments import count
from autodiff.outputs import output_folder, replacing_note

from .variant import ACTIVATIONS, ASKED, LOSSES, MAX_TAU, draw, family_and_wrt
from .variant_build import FILES, build, write

MAX_COUNT = 500
"""Variants per command: a class, at about 0.1 s each."""
MAX_SEED = 2**32 - 1


def add_arguments(parser):
    parser.add_argument("question", metavar="Q",
                        help="rnn (every choice drawn), or a built-in RNN question such as rnn/grad_W (the "
                             "gradient it asks is kept)")
    parser.add_argument("--seed", type=count(0, MAX_SEED), default=0, help="the variant's seed (default 0)")
    parser.add_argument("--count", type=count(1, MAX_COUNT, "one folder per variant"), default=1,
                        help="write this many variants, seeds N..N+K-1, into DIR/seed-N/...")
    parser.add_argument("--activation", choices=ACTIVATIONS, default=None, help="pin the hidden activation")
    parser.add_argument("--loss", choices=LOSSES, default=None,
                        help="pin the loss: nll (softmax, eqs 10.11-10.14) or squared error")
    parser.add_argument("--wrt", choices=tuple(ASKED), default=None,
                        help="pin the gradient asked: a parameter, or the adjoint h[t], h[tau] or o[t]")
    parser.add_argument("--tau", type=count(2, MAX_TAU, "every step is a column of the checker's points"),
                        default=None, help=f"pin the sequence length (2 to {MAX_TAU})")
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help="the folder to write into")
    parser.add_argument("--force", action="store_true", help="replace files of an earlier run")


def run(args):
    family_and_wrt(args.question)   # an unknown Q stops here, before any folder is made
    seeds = range(args.seed, args.seed + args.count)
    folder = Path(args.output)
    where = {seed: folder if args.count == 1 else folder / f"seed-{seed}" for seed in seeds}
    produces = [str((where[s] / name).relative_to(folder)) for s in seeds for name in FILES]
    replaced = output_folder(folder, produces=produces, force=args.force)
    if replaced:
        print(replacing_note("variant", replaced, folder), file=sys.stderr)
    for seed in seeds:
        variant = draw(args.question, seed, activation=args.activation, loss=args.loss, wrt=args.wrt, tau=args.tau)
        built = build(variant)
        write(built, where[seed])
        print(f"seed {seed}: {variant.activation}, {variant.loss}, asks {variant.asked.symbol}; "
              f"n_in = {variant.n_in}, H = {variant.hidden}, K = {variant.classes}, tau = {variant.tau}; "
              f"key = engine to {built.derived:.1g}, engine = finite differences to {built.fd:.1g} "
              f"({built.seconds:.2f} s) -> {where[seed]}")
    print(f"wrote {len(FILES) * len(seeds)} files in {folder}")
    return 0
