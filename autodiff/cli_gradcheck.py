"""`gradbook gradcheck`: the engine's gradients against central finite differences.

    gradbook gradcheck                       every primitive, every variant in autodiff/checks.py
    gradbook gradcheck tanh matmul --seed 3  two primitives, other random inputs
    gradbook gradcheck --order 2             second derivatives, through create_graph=True
    gradbook gradcheck --list                the primitives and their variants

Each case prints the per-input report of `autodiff.gradcheck` (worst absolute and relative
error); the exit status is 1 when any case disagrees.
"""
from __future__ import annotations

import zlib

from .checks import CATALOGUE, Chooser, make_case, unchecked, variants
from .errors import GradbookError
from .gradcheck import gradcheck


class UnknownPrimitive(GradbookError):
    """A primitive named on the command line has no entry in the check catalogue."""


def add_arguments(parser):
    parser.add_argument("ops", nargs="*", metavar="OP", help="primitives to check (default: all of them)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random inputs (default 0)")
    parser.add_argument("--examples", type=int, default=1, metavar="N",
                        help="random cases per variant (default 1)")
    parser.add_argument("--order", type=int, choices=(1, 2), default=1,
                        help="1: gradients; 2: Hessian-vector products through create_graph=True")
    parser.add_argument("--eps", type=float, default=1e-6, help="finite-difference step (default 1e-6)")
    parser.add_argument("--atol", type=float, default=1e-6, help="absolute tolerance (default 1e-6)")
    parser.add_argument("--rtol", type=float, default=1e-5, help="relative tolerance (default 1e-5)")
    parser.add_argument("--list", action="store_true", help="list the primitives and their variants, then stop")


def case_seed(seed, op, variant, example):
    """A seed per case that does not depend on which other cases run: ``gradcheck tanh``
    checks the same inputs as the full run."""
    return [seed, zlib.crc32(f"{op}/{variant}".encode()), example]


def run(args):
    names = args.ops or list(CATALOGUE)
    unknown = [n for n in names if n not in CATALOGUE]
    if unknown:
        raise UnknownPrimitive(f"no check for {', '.join(unknown)}; "
                               f"checked primitives: {', '.join(sorted(CATALOGUE))}")
    if args.list:
        for op in names:
            print(f"{op:<14} {', '.join(variants(op))}")
        return 0
    failed, total = [], 0
    for op in names:
        for variant in variants(op):
            for example in range(args.examples):
                case = make_case(op, variant, Chooser.seeded(case_seed(args.seed, op, variant, example)))
                f = case.objective if args.order == 1 else case.gradient_objective
                report = gradcheck(f, case.args, names=case.names, eps=args.eps, atol=args.atol, rtol=args.rtol)
                total += 1
                print(case.title)
                print("  " + str(report).replace("\n", "\n  "))
                if not report:
                    failed.append(case.title)
    what = "gradients" if args.order == 1 else "second derivatives"
    print(f"\n{total} cases over {len(names)} primitives (seed {args.seed}): ", end="")
    if failed:
        print(f"{len(failed)} disagree with central differences:")
        for title in failed:
            print(f"  {title}")
    else:
        print(f"all {what} agree with central differences")
    if not args.ops and unchecked():
        print(f"registered primitives with no check in autodiff/checks.py: {', '.join(unchecked())}")
    return 1 if failed else 0
