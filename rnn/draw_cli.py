"""``gradbook draw KIND``: one lecture figure, written as SVG, PDF, PNG, DOT or TikZ.

The format comes from ``--format`` or the output name's suffix (``.tex`` is TikZ, see
`rnn.figures.tikz`); the DOT source is always written beside the figure, so a lecturer can
restyle it by hand. ``gradbook draw --list`` names the kinds.
"""
from __future__ import annotations

from pathlib import Path

from autodiff.arguments import count
from autodiff.files import write_text
from autodiff.render import add_export_arguments, announce_font, render_source

from .custom_figure import figure as cell_figure, is_cell_file
from .figures.book import PARTS
from .figures.catalog import KINDS, dot_of, figure_dot
from .figures.themes import STYLES, THEMES, FigureOptionError
from .figures.tikz import figure_tikz, tikz_of

VIEWS = ("unrolled", "folded", "backward", "cell", "op")
SUFFIXES = {"svg": ".svg", "pdf": ".pdf", "png": ".png", "dot": ".dot", "tikz": ".tex"}
MAX_STEPS = 50
"""Longest sequence a figure draws: Graphviz takes seconds per hundred steps, and the nodes
are unreadable long before."""


def add_arguments(parser):
    parser.add_argument("kind", nargs="?", help="figure kind (--list shows them all), or a cell of your own "
                                                "as path/to/cell.py:NAME (docs/custom-cells.md)")
    parser.add_argument("--steps", type=count(1, MAX_STEPS, "a longer figure cannot be read"), default=None,
                        help=f"sequence length tau, at most {MAX_STEPS} (default: per kind)")
    parser.add_argument("--view", choices=VIEWS, default=None, help="unrolled, folded or backward (default: per kind)")
    parser.add_argument("--style", choices=sorted(STYLES), default="book", help="book (default) or d2l")
    parser.add_argument("--theme", choices=sorted(THEMES), default="print",
                        help="print (black and white, default), screen or dark")
    parser.add_argument("--values", action="store_true", help="print each node's value")
    parser.add_argument("--grads", action="store_true", help="run BPTT and print each node's gradient")
    parser.add_argument("--truncate", type=int, default=None, metavar="K", help="k of truncated-bptt")
    parser.add_argument("--show", action="append", default=[], choices=tuple(PARTS), metavar="PART",
                        help=f"draw a part the book leaves out: {', '.join(PARTS)} (repeatable)")
    parser.add_argument("--hide", action="append", default=[], choices=tuple(PARTS), metavar="PART",
                        help="leave a part out, e.g. --hide losses (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the figure kinds and exit")
    parser.add_argument("-o", "--output", default=None, help="output file: .svg .pdf .png .dot or .tex (TikZ)")
    parser.add_argument("--format", choices=tuple(SUFFIXES), default=None,
                        help="output format (default: from the -o suffix, else svg); tikz writes a tikzpicture")
    parser.add_argument("--tikz-standalone", action="store_true",
                        help="with tikz: a complete standalone LaTeX document rather than a picture to \\input")
    parser.add_argument("--tikz-scale", type=float, default=None, metavar="S",
                        help="with tikz: scale of the picture (default: fit a Beamer frame; 1 when standalone)")
    add_export_arguments(parser)


def run(args):
    if args.list or not args.kind:
        for name, k in KINDS.items():
            print(f"{name:20s} {k.description}  [views: {', '.join(k.views)}]")
        return 0
    fmt = _format(args)
    if is_cell_file(args.kind):  # a lecturer's own cell (rnn.custom_figure)
        return _draw_cell(args, fmt)
    out = Path(args.output or f"{KINDS[args.kind].stem or args.kind}{SUFFIXES[fmt]}")
    out = out if out.suffix else out.with_suffix(SUFFIXES.get(fmt, ""))
    options = dict(steps=args.steps, view=args.view, style=args.style, theme=args.theme, values=args.values,
                   grads=args.grads, truncate=args.truncate, font=args.font, parts=parts(args.show, args.hide))
    if fmt == "tikz":
        text, source = figure_tikz(args.kind, scale=args.tikz_scale, standalone=args.tikz_standalone, **options)
        write_text(out.with_suffix(".dot"), source)
        written = write_text(out, text)
    else:
        announce_font(args.font or STYLES[args.style].fontname)
        written = render_source(figure_dot(args.kind, **options), out, dpi=args.dpi)
    print(written.resolve())
    return 0


def _draw_cell(args, fmt):
    """``gradbook draw path/to/cell.py:NAME``: the cell's unrolled figure, named after the cell."""
    made, name = cell_figure(args.kind, steps=args.steps, view=args.view, values=args.values, grads=args.grads,
                             truncate=args.truncate)
    out = Path(args.output or f"{name}{SUFFIXES[fmt]}")
    if fmt == "tikz":
        text, source = tikz_of(made, name, args.style, args.theme, args.tikz_scale, args.tikz_standalone, args.font)
        write_text(out.with_suffix(".dot"), source)
        written = write_text(out, text)
    else:
        announce_font(args.font or STYLES[args.style].fontname)
        written = render_source(dot_of(made, name, args.style, args.theme, args.font), out, dpi=args.dpi)
    print(written.resolve())
    return 0


def parts(show, hide):
    """{part: shown} from --show and --hide; a part named in both is an error."""
    both = sorted(set(show) & set(hide))
    if both:
        raise FigureOptionError(f"--show {both[0]} and --hide {both[0]} contradict each other; keep one")
    return {**{p: True for p in show}, **{p: False for p in hide}}


def _format(args):
    """--format, else the -o suffix (``.tex`` is TikZ), else svg; a clash is an error."""
    suffix = Path(args.output).suffix.lower() if args.output else ""
    by_suffix = {v: k for k, v in SUFFIXES.items()}.get(suffix)
    if args.format and suffix and by_suffix != args.format:
        raise FigureOptionError(f"--format {args.format} does not match the output {args.output}; end the name "
                                f"in {SUFFIXES[args.format]} or drop --format")
    fmt = args.format or by_suffix
    if fmt != "tikz" and (args.tikz_standalone or args.tikz_scale is not None):
        raise FigureOptionError("--tikz-standalone and --tikz-scale apply to TikZ output; add --format tikz "
                                "or end the output name in .tex")
    return fmt or ("svg" if not suffix else suffix.lstrip("."))
