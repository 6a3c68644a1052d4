"""``gradbook draw KIND``: one lecture figure, written as SVG, PDF, PNG or DOT.

The format comes from the output name's suffix; the DOT source is always written beside
the figure, so a lecturer can restyle it by hand. ``gradbook draw --list`` names the kinds.
"""
from __future__ import annotations

from pathlib import Path

from autodiff.render import add_export_arguments, announce_font, render_source

from .figures.catalog import KINDS, figure_dot
from .figures.themes import STYLES, THEMES

VIEWS = ("unrolled", "folded", "backward", "cell", "op")


def add_arguments(parser):
    parser.add_argument("kind", nargs="?", help="figure kind; --list shows them all")
    parser.add_argument("--steps", type=int, default=None, help="sequence length tau (default: per kind)")
    parser.add_argument("--view", choices=VIEWS, default=None, help="unrolled, folded or backward (default: per kind)")
    parser.add_argument("--style", choices=sorted(STYLES), default="book", help="book (default) or d2l")
    parser.add_argument("--theme", choices=sorted(THEMES), default="print",
                        help="print (black and white, default), screen or dark")
    parser.add_argument("--values", action="store_true", help="print each node's value")
    parser.add_argument("--grads", action="store_true", help="run BPTT and print each node's gradient")
    parser.add_argument("--truncate", type=int, default=None, metavar="K", help="k of truncated-bptt")
    parser.add_argument("--list", action="store_true", help="list the figure kinds and exit")
    parser.add_argument("-o", "--output", default=None, help="output file: .svg .pdf .png or .dot")
    add_export_arguments(parser)


def run(args):
    if args.list or not args.kind:
        for name, k in KINDS.items():
            print(f"{name:20s} {k.description}  [views: {', '.join(k.views)}]")
        return 0
    source = figure_dot(args.kind, steps=args.steps, view=args.view, style=args.style, theme=args.theme,
                        values=args.values, grads=args.grads, truncate=args.truncate, font=args.font)
    announce_font(args.font or STYLES[args.style].fontname)
    out = Path(args.output or f"{KINDS[args.kind].stem or args.kind}.svg")
    written = render_source(source, out, dpi=args.dpi)
    print(written.resolve())
    return 0
