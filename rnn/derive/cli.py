"""`gradbook derive CELL|path/to/cell.py:NAME --wrt PARAM [--form matrix|explicit|scalar] [--steps N] [--format ...]
[--latex-env align|aligned|beamer]`.

Prints the derived gradients in book notation; ``--latex-env`` picks where the LaTeX goes
(`layout.ENVS`: a block of its own, inside math already opened, or Beamer frames).
``--show-printed`` (simple RNN, matrix form) adds the book's printed eq. 10.21 and the
dimension check that rejects it. A lecturer's own cell (`rnn.custom`) is named by its file
and name; its derivation is checked against the engine before it is printed.
"""
from __future__ import annotations

import json

from autodiff.arguments import count

from . import CELLS, FORMS, derive
from .errors import DeriveError
from .layout import DEFAULT_ENV, ENVS
from .printed import check, printed_10_21
from .results import MatrixDerivation
from .scalar import LOSSES

FORMATS = ("latex", "text", "mathml", "json")
MAX_STEPS = 100
"""Longest explicit or scalar derivation: tau = 100 takes about 4 s and prints 80 kB."""
MAX_HIDDEN = 20
"""Largest H of the explicit form: H = 20 takes about 3 s and prints 70 kB."""


def add_arguments(parser):
    parser.add_argument("cell", metavar="CELL",
                        help=f"{', '.join([*CELLS, 'scalar'])} (scalar: the 1-unit exam RNN), or a lecturer's "
                             "cell as path/to/cell.py:NAME (the file is imported as Python, docs/custom-cells.md)")
    parser.add_argument("--wrt", default=None, help="parameter: W, U, V, b, c, W_f ... (scalar: w, u, b); default all")
    parser.add_argument("--form", choices=FORMS, default=None, help="matrix (default), explicit or scalar")
    parser.add_argument("--steps", type=count(1, MAX_STEPS, "every step is written out"), default=None,
                        help=f"tau for the explicit and scalar forms, at most {MAX_STEPS}")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default text)")
    parser.add_argument("--latex-env", choices=ENVS, default=DEFAULT_ENV,
                        help="with --format latex: align (default, align* with \\tag: documents, frames, "
                             "Jupyter Markdown), aligned (no \\tag: inside $$...$$) or beamer (whole frames)")
    parser.add_argument("--hidden", type=count(1, MAX_HIDDEN, "every entry of the H x H matrices is written out"),
                        default=2, help=f"H for the explicit form, at most {MAX_HIDDEN} (default 2)")
    parser.add_argument("--per-step", action="store_true", help="explicit form: also each W^(t)'s contribution")
    parser.add_argument("--of", choices=("h", "L"), default=None,
                        help="scalar form of the built-in RNN: differentiate h_tau (default) or L")
    parser.add_argument("--loss", choices=LOSSES, default=None, help="scalar form of the built-in RNN: the loss "
                        "(default last); a cell file's scalar form uses the cell's own loss")
    parser.add_argument("--show-printed", action="store_true",
                        help="matrix form of rnn: also the book's printed 10.21 and its dimension check")


def _render(result, fmt, wrt, env):
    matrix = isinstance(result, MatrixDerivation)
    if fmt == "json":
        return result.to_json(wrt) if matrix else json.dumps(result.to_dict(), indent=2)
    method = getattr(result, fmt)
    options = {"env": env} if fmt == "latex" else {}
    return method(wrt, **options) if matrix else method(**options)


def _is_file(cell):
    return cell.partition(":")[0].endswith(".py")


def run(args):
    if _is_file(args.cell):
        from .custom import derive_file
        given = [flag for flag, value in (("--of", args.of), ("--loss", args.loss), ("--per-step", args.per_step),
                                          ("--show-printed", args.show_printed)) if value]
        if given:
            raise DeriveError(f"{given[0]} is for the built-in cells; a cell file's scalar form is dL/dw with the "
                              f"cell's own loss, and its explicit form has no --per-step")
        result = derive_file(args.cell, args.wrt, args.form or "matrix", args.steps, H=args.hidden)
        print(_render(result, args.format, args.wrt, args.latex_env))
        return 0
    if args.cell not in (*CELLS, "scalar"):
        raise DeriveError(f"unknown cell {args.cell!r}; choose one of {', '.join([*CELLS, 'scalar'])}, "
                          f"or give a cell file as path/to/cell.py:NAME")
    form = args.form or ("scalar" if args.cell == "scalar" else "matrix")
    options = {}
    if form == "explicit":
        options = {"H": args.hidden, "per_step": args.per_step}
    elif form == "scalar":
        options = {"of": args.of or "h", "loss": args.loss or "last"}
    result = derive(args.cell, args.wrt, form, args.steps, **options)
    print(_render(result, args.format, args.wrt, args.latex_env))
    if form == "explicit" and args.per_step and args.format == "text":
        print(result.per_step_text())
    if args.show_printed and form == "matrix":
        printed = printed_10_21()
        verdict = check(printed).message
        derived = check(result.equation("h"), dict(zip(result.sizes, ("H", "n_in", "K")))).message
        if args.format == "json":
            print(json.dumps({"printed_10_21": printed.text(), "printed_check": verdict,
                              "derived_check": derived}, indent=2))
        else:
            render = {"latex": lambda: printed.latex(args.latex_env),
                      "mathml": printed.mathml}.get(args.format, printed.text)
            print("\nAs printed in the book:")
            print(render())
            print(f"printed 10.21: {verdict}")
            print(f"derived 10.21: {derived}")
    return 0
